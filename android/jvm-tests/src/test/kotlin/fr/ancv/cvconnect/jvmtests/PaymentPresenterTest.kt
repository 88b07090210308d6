package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentStatus
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.presenter.PaymentScreenState.Error
import fr.ancv.cvconnect.presenter.PaymentScreenState.Idle
import fr.ancv.cvconnect.presenter.PaymentScreenState.Loading
import fr.ancv.cvconnect.presenter.PaymentScreenState.PaymentScreen
import fr.ancv.cvconnect.presenter.PaymentScreenState.PinEntry
import fr.ancv.cvconnect.presenter.PaymentScreenState.Result
import fr.ancv.cvconnect.presenter.PaymentScreenState.Sending
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The presenter driven as the Compose screens drive it, against a real sandbox. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentPresenterTest {
    private val sandbox = Sandbox()

    @AfterAll
    fun stop() = sandbox.close()

    private fun phone(email: String): Phone = Phone(sandbox, jdkSigner()).also { runBlocking { it.enroll(email) } }

    @Test
    fun `seed flow in full from the push to the result`(): Unit = runBlocking {
        phone(Sandbox.SEED_EMAIL).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                assertEquals(Idle, p.state.value)
                p.openFromPush(phone.push(Sandbox.SEED_EMAIL, "150.00"))
                val screen = p.state.await<PaymentScreen>()
                assertEquals("Boutique Démo", screen.view.payeeName)
                assertEquals("150,00\u00A0€", screen.view.totalText)
                assertEquals("200,00\u00A0€", screen.view.balanceText)
                assertEquals("150,00\u00A0€", screen.view.amountText)
                assertEquals("0,00\u00A0€", screen.view.remainderText)
                assertTrue(screen.canConfirm)
                assertTrue(!screen.hasRemainder)

                p.startPinEntry()
                val entry = assertIs<PinEntry>(p.state.value)
                assertEquals((0..9).toSet(), entry.layout.toSet(), "ten keys, each digit once")
                assertEquals(0, entry.entered)
                assertEquals(4, entry.required)
                assertNull(entry.message)

                p.typePin(Sandbox.SEED_PIN)
                assertTrue(assertIs<PinEntry>(p.state.value).complete)
                p.validate()
                assertIs<Sending>(p.state.value)
                val result = p.state.await<Result>()
                assertEquals(PaymentOutcome.PaidInFull(paid = eur("150.00"), balance = eur("50.00")), result.outcome)
                assertEquals("Votre achat est validé !", result.message)
                assertTrue(result.paid)
                assertEquals("50,00\u00A0€", result.balanceText)
                assertNull(result.remainderText)
                assertEquals(PaymentStatus.AUTHORISED, result.view?.status)
                assertEquals("AUTHORISED", sandbox.merchantStatus(screen.view.paymentId))

                assertEquals(listOf("Idle", "Loading", "PaymentScreen", "PinEntry", "Sending", "Result"), h.kinds())
                p.dismiss()
                assertEquals(Idle, p.state.value)
            }
        }
    }

    @Test
    fun `a balance below the total pays in part, the remainder by card`(): Unit = runBlocking {
        val email = sandbox.newAccount("120.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openFromPush(phone.push(email, "150.00"))
                val screen = p.state.await<PaymentScreen>()
                assertEquals("120,00\u00A0€", screen.view.amountText)
                assertEquals("30,00\u00A0€", screen.view.remainderText)
                assertTrue(screen.hasRemainder)
                p.startPinEntry()
                p.typePin(Sandbox.SEED_PIN)
                p.validate()
                val result = p.state.await<Result>()
                assertEquals(PaymentOutcome.PaidInPart(paid = eur("120.00"), remainder = eur("30.00"), balance = eur("0.00")), result.outcome)
                assertTrue("30,00\u00A0€" in result.message, result.message)
                assertEquals("30,00\u00A0€", result.remainderText)
                assertEquals("0,00\u00A0€", result.balanceText)
                assertEquals("PARTIALLY_AUTHORISED", sandbox.merchantStatus(screen.view.paymentId))
            }
        }
    }

    @Test
    fun `an edited amount is refused in French, then applied`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openFromPush(phone.push(email, "150.00"))
                p.state.await<PaymentScreen>()
                p.setAmount("250")
                val refused = assertIs<PaymentScreen>(p.state.value)
                assertTrue(refused.amountError!!.startsWith("Le montant dépasse"), refused.amountError)
                assertTrue(!refused.canConfirm)
                p.startPinEntry()
                assertIs<PaymentScreen>(p.state.value, "no keypad while the amount is refused")

                p.setAmount("100,50 €")
                val applied = assertIs<PaymentScreen>(p.state.value)
                assertNull(applied.amountError)
                assertEquals("100,50\u00A0€", applied.view.amountText)
                assertEquals("49,50\u00A0€", applied.view.remainderText)
                p.startPinEntry()
                p.typePin(Sandbox.SEED_PIN)
                p.validate()
                val result = p.state.await<Result>()
                assertEquals(PaymentOutcome.PaidInPart(paid = eur("100.50"), remainder = eur("49.50"), balance = eur("99.50")), result.outcome)
            }
        }
    }

    @Test
    fun `a wrong PIN comes back to a new keypad with the attempts left, then the right PIN pays`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openFromPush(phone.push(email, "60.00"))
                p.state.await<PaymentScreen>()
                p.startPinEntry()
                p.typePin("1111")
                p.validate()
                val again = p.state.await<PinEntry> { it.message != null }
                assertEquals("Code personnel incorrect. Il vous reste 2 tentatives.", again.message)
                assertEquals(0, again.entered, "a fresh keypad")
                assertEquals(2, again.view.attemptsLeft)
                assertEquals("PENDING", sandbox.merchantStatus(again.view.paymentId))

                p.typePin(Sandbox.SEED_PIN)
                p.validate()
                val result = p.state.await<Result>()
                assertEquals(PaymentOutcome.PaidInFull(paid = eur("60.00"), balance = eur("140.00")), result.outcome)
                assertEquals(
                    listOf("Idle", "Loading", "PaymentScreen", "PinEntry", "Sending", "PinEntry", "Sending", "Result"),
                    h.kinds(),
                )
            }
        }
    }

    @Test
    fun `erase removes the last digit and cancel goes back to the payment screen`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openFromPush(phone.push(email, "30.00"))
                p.state.await<PaymentScreen>()
                p.startPinEntry()
                p.typePin("48")
                assertEquals(2, assertIs<PinEntry>(p.state.value).entered)
                p.erase()
                assertEquals(1, assertIs<PinEntry>(p.state.value).entered)
                p.validate()
                assertIs<PinEntry>(p.state.value, "validate does nothing on an incomplete PIN")
                p.cancelPinEntry()
                assertIs<PaymentScreen>(p.state.value)
            }
        }
    }

    @Test
    fun `decline shows the result and the merchant sees it cancelled`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openFromPush(phone.push(email, "80.00"))
                val screen = p.state.await<PaymentScreen>()
                p.decline()
                assertIs<Sending>(p.state.value)
                val result = p.state.await<Result>()
                assertEquals(PaymentOutcome.Declined, result.outcome)
                assertTrue(result.message.isNotBlank())
                assertEquals("CANCELLED", sandbox.merchantStatus(screen.view.paymentId))
            }
        }
    }

    @Test
    fun `an unknown payment ends in the error state with the core's French sentence`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openPayment("pay_doesnotexist0000")
                val error = p.state.await<Error>()
                assertEquals("Cette demande de paiement est introuvable.", error.message)
                assertIs<CvException.PaymentNotFound>(error.cause)
                assertEquals(listOf("Idle", "Loading", "Error"), h.kinds())
            }
        }
    }

    @Test
    fun `a push the core refuses ends in the error state`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                p.openFromPush(mapOf("type" to "marketing", "payment_id" to "pay_x", "message_id" to "msg_x"))
                val error = p.state.await<Error>()
                assertIs<CvException.Push>(error.cause)
                assertTrue(error.message.isNotBlank())
            }
        }
    }

    @Test
    fun `a payment already paid opens as an error, not a second payment`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        phone(email).use { phone ->
            PresenterHarness(phone, coroutineContext).use { h ->
                val p = h.presenter
                val data = phone.push(email, "20.00")
                p.openFromPush(data)
                p.state.await<PaymentScreen>()
                p.startPinEntry()
                p.typePin(Sandbox.SEED_PIN)
                p.validate()
                p.state.await<Result>()
                p.openFromPush(data) // the same notification tapped again
                val error = p.state.await<Error>()
                val handled = assertIs<CvException.AlreadyHandled>(error.cause)
                assertEquals(PaymentStatus.AUTHORISED, handled.status)
                assertNotNull(error.message)
            }
        }
    }
}
