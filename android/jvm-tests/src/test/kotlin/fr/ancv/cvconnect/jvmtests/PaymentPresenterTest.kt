package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentStatus
import fr.ancv.cvconnect.presenter.PaymentScreenState.Error
import fr.ancv.cvconnect.presenter.PaymentScreenState.Idle
import fr.ancv.cvconnect.presenter.PaymentScreenState.PaymentScreen
import fr.ancv.cvconnect.presenter.PaymentScreenState.PinEntry
import fr.ancv.cvconnect.presenter.PaymentScreenState.Result
import fr.ancv.cvconnect.presenter.PaymentScreenState.Sending
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.eur
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The presenter driven as the Compose screens drive it, against a real sandbox. */
class PaymentPresenterTest {
    private val sandbox = World.shared.sandbox

    @Test
    fun `seed flow in full from the push to the result`() = presenterTest(email = Seed.EMAIL) {
        assertEquals(Idle, presenter.state.value)
        val screen = openPushed("150.00")
        assertEquals("Boutique Démo", screen.view.payeeName)
        assertEquals("150,00\u00A0€", screen.view.totalText)
        assertEquals("200,00\u00A0€", screen.view.balanceText)
        assertEquals("150,00\u00A0€", screen.view.amountText)
        assertEquals("0,00\u00A0€", screen.view.remainderText)
        assertTrue(screen.canConfirm)
        assertTrue(!screen.hasRemainder)

        presenter.startPinEntry()
        val entry = assertIs<PinEntry>(presenter.state.value)
        assertEquals((0..9).toSet(), entry.layout.toSet(), "ten keys, each digit once")
        assertEquals(0, entry.entered)
        assertEquals(4, entry.required)
        assertNull(entry.message)

        presenter.typePin(Seed.PIN)
        assertTrue(assertIs<PinEntry>(presenter.state.value).complete)
        presenter.validate()
        assertIs<Sending>(presenter.state.value)
        val result = presenter.state.await<Result>()
        assertEquals(PaymentOutcome.PaidInFull(paid = eur("150.00"), balance = eur("50.00")), result.outcome)
        assertEquals("Votre achat est validé !", result.message)
        assertTrue(result.paid)
        assertEquals("50,00\u00A0€", result.balanceText)
        assertNull(result.remainderText)
        assertEquals(PaymentStatus.AUTHORISED, result.view?.status)
        assertEquals("AUTHORISED", sandbox.merchantStatus(screen.view.paymentId))

        assertEquals(listOf("Idle", "Loading", "PaymentScreen", "PinEntry", "Sending", "Result"), kinds())
        presenter.dismiss()
        assertEquals(Idle, presenter.state.value)
    }

    @Test
    fun `a balance below the total pays in part, the remainder by card`() = presenterTest(balance = "120.00") {
        val screen = openPushed("150.00")
        assertEquals("120,00\u00A0€", screen.view.amountText)
        assertEquals("30,00\u00A0€", screen.view.remainderText)
        assertTrue(screen.hasRemainder)
        val result = pay()
        assertEquals(PaymentOutcome.PaidInPart(paid = eur("120.00"), remainder = eur("30.00"), balance = eur("0.00")), result.outcome)
        assertTrue("30,00\u00A0€" in result.message, result.message)
        assertEquals("30,00\u00A0€", result.remainderText)
        assertEquals("0,00\u00A0€", result.balanceText)
        assertEquals("PARTIALLY_AUTHORISED", sandbox.merchantStatus(screen.view.paymentId))
    }

    @Test
    fun `an edited amount is refused in French, then applied`() = presenterTest {
        openPushed("150.00")
        presenter.setAmount("250")
        val refused = assertIs<PaymentScreen>(presenter.state.value)
        assertTrue(refused.amountError!!.startsWith("Le montant dépasse"), refused.amountError)
        assertTrue(!refused.canConfirm)
        presenter.startPinEntry()
        assertIs<PaymentScreen>(presenter.state.value, "no keypad while the amount is refused")

        presenter.setAmount("100,50 €")
        val applied = assertIs<PaymentScreen>(presenter.state.value)
        assertNull(applied.amountError)
        assertEquals("100,50\u00A0€", applied.view.amountText)
        assertEquals("49,50\u00A0€", applied.view.remainderText)
        val result = pay()
        assertEquals(PaymentOutcome.PaidInPart(paid = eur("100.50"), remainder = eur("49.50"), balance = eur("99.50")), result.outcome)
    }

    @Test
    fun `a wrong PIN comes back to a new keypad with the attempts left, then the right PIN pays`() = presenterTest {
        openPushed("60.00")
        presenter.startPinEntry()
        presenter.typePin("1111")
        presenter.validate()
        val again = presenter.state.await<PinEntry> { it.message != null }
        assertEquals("Code personnel incorrect. Il vous reste 2 tentatives.", again.message)
        assertEquals(0, again.entered, "a fresh keypad")
        assertEquals(2, again.view.attemptsLeft)
        assertEquals("PENDING", sandbox.merchantStatus(again.view.paymentId))

        presenter.typePin(Seed.PIN)
        presenter.validate()
        val result = presenter.state.await<Result>()
        assertEquals(PaymentOutcome.PaidInFull(paid = eur("60.00"), balance = eur("140.00")), result.outcome)
        assertEquals(
            listOf("Idle", "Loading", "PaymentScreen", "PinEntry", "Sending", "PinEntry", "Sending", "Result"),
            kinds(),
        )
    }

    @Test
    fun `erase removes the last digit and cancel goes back to the payment screen`() = presenterTest {
        openPushed("30.00")
        presenter.startPinEntry()
        presenter.typePin("48")
        assertEquals(2, assertIs<PinEntry>(presenter.state.value).entered)
        presenter.erase()
        assertEquals(1, assertIs<PinEntry>(presenter.state.value).entered)
        presenter.validate()
        assertIs<PinEntry>(presenter.state.value, "validate does nothing on an incomplete PIN")
        presenter.cancelPinEntry()
        assertIs<PaymentScreen>(presenter.state.value)
    }

    @Test
    fun `decline shows the result and the merchant sees it cancelled`() = presenterTest {
        val screen = openPushed("80.00")
        presenter.decline()
        assertIs<Sending>(presenter.state.value)
        val result = presenter.state.await<Result>()
        assertEquals(PaymentOutcome.Declined, result.outcome)
        assertTrue(result.message.isNotBlank())
        assertEquals("CANCELLED", sandbox.merchantStatus(screen.view.paymentId))
    }

    @Test
    fun `an unknown payment ends in the error state with the core's French sentence`() = presenterTest {
        presenter.openPayment("pay_doesnotexist0000")
        val error = presenter.state.await<Error>()
        assertEquals("Cette demande de paiement est introuvable.", error.message)
        assertIs<CvException.PaymentNotFound>(error.cause)
        assertEquals(listOf("Idle", "Loading", "Error"), kinds())
    }

    @Test
    fun `a push the core refuses ends in the error state`() = presenterTest {
        presenter.openFromPush(mapOf("type" to "marketing", "payment_id" to "pay_x", "message_id" to "msg_x"))
        val error = presenter.state.await<Error>()
        assertIs<CvException.Push>(error.cause)
        assertTrue(error.message.isNotBlank())
    }

    @Test
    fun `a payment already paid opens as an error, not a second payment`() = presenterTest {
        val data = phone.push("20.00")
        presenter.openFromPush(data)
        presenter.state.await<PaymentScreen>()
        pay()
        presenter.openFromPush(data) // the same notification tapped again
        val error = presenter.state.await<Error>()
        val handled = assertIs<CvException.AlreadyHandled>(error.cause)
        assertEquals(PaymentStatus.AUTHORISED, handled.status)
        assertNotNull(error.message)
    }
}
