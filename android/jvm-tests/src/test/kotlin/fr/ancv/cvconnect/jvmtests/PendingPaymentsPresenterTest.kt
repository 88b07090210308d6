package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.presenter.PaymentScreenState.PaymentScreen
import fr.ancv.cvconnect.testkit.World
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull

/** The pending list: a push that never arrived is still payable. */
class PendingPaymentsPresenterTest {
    @Test
    fun `lists the pending payment with French texts and opens it by id`() = presenterTest {
        val id = World.shared.sandbox.createPayment(phone.account, "42.00")
        val state = loadedPendingList(phone.client)
        assertNull(state.error)
        assertEquals("200,00\u00A0€", state.balanceText)
        assertFalse(state.balanceStale)
        val line = state.payments.single { it.paymentId == id }
        assertEquals("Boutique Démo", line.payeeName)
        assertEquals("42,00\u00A0€", line.totalText)

        presenter.openPayment(line.paymentId)
        assertEquals("42,00\u00A0€", presenter.state.await<PaymentScreen>().view.totalText)
    }
}
