package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.presenter.PaymentScreenState.PaymentScreen
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull

/** The pending list: a push that never arrived is still payable. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PendingPaymentsPresenterTest {
    private val sandbox = Sandbox()

    @AfterAll
    fun stop() = sandbox.close()

    @Test
    fun `lists the pending payment with French texts and opens it by id`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        Phone(sandbox, jdkSigner()).use { phone ->
            phone.enroll(email)
            val id = sandbox.createPayment(email, "42.00")
            val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
            try {
                val pending = PendingPaymentsPresenter(phone.client, scope)
                pending.refresh()
                val state = withTimeout(20_000) { pending.state.first { !it.loading } }
                assertNull(state.error)
                assertEquals("200,00\u00A0€", state.balanceText)
                assertFalse(state.balanceStale)
                val line = state.payments.single { it.paymentId == id }
                assertEquals("Boutique Démo", line.payeeName)
                assertEquals("42,00\u00A0€", line.totalText)

                PresenterHarness(phone, coroutineContext).use { h ->
                    h.presenter.openPayment(line.paymentId)
                    assertEquals("42,00\u00A0€", h.presenter.state.await<PaymentScreen>().view.totalText)
                }
            } finally {
                scope.cancel()
            }
        }
    }
}
