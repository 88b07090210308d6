package fr.cvconnect.tests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentSession
import fr.ancv.cvconnect.PaymentStatus
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.testkit.Fault
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.RecordingSink
import fr.ancv.cvconnect.testkit.Routes
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.eur
import fr.ancv.cvconnect.testkit.keypadWith
import fr.ancv.cvconnect.testkit.type
import fr.ancv.cvconnect.testkit.waitFor
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

/**
 * Runs [test] on a payment of [total] that a phone, enrolled on a fresh account of
 * [balance] in [world], received from its push and opened.
 */
private fun World.receiving(
    total: String,
    balance: String = World.DEFAULT_BALANCE,
    test: suspend CoroutineScope.(Phone, PaymentSession) -> Unit,
) = runBlocking {
    enrolledPhone(balance).use { phone -> test(phone, phone.receive(total)) }
}

/** The payment flows end to end: bindings on the phone side, HTTP on the merchant side. */
class PaymentFlowTest {
    private val world = World.shared
    private val sandbox = world.sandbox

    @Test
    fun `seed flow in full`() = runBlocking {
        val sink = RecordingSink()
        world.phone(sink = sink).use { phone ->
            val device = phone.client.enroll(
                Seed.EMAIL, sandbox.activationCode(Seed.EMAIL), "fcm:kotlin-seed", Platform.ANDROID,
            )
            assertEquals("c***@example.fr", device.emailMasked)
            assertTrue(phone.client.isEnrolled())
            assertEquals(eur("200.00"), phone.client.balance().amount)

            val session = phone.receive("150.00", account = Seed.EMAIL)
            val view = session.view()
            assertEquals("Boutique Démo", view.payeeName)
            assertEquals(PaymentStatus.PENDING, view.status)
            assertEquals(eur("150.00"), view.total)
            assertEquals(eur("200.00"), view.balance)
            assertEquals(eur("150.00"), view.amount)
            assertEquals(eur("0.00"), view.remainder)
            assertEquals("150,00\u00A0€", view.totalText)
            assertEquals(4, view.pinLength)
            assertTrue(view.canConfirm)

            val keypad = session.startPinEntry()
            val layout = keypad.layout()
            assertEquals(10, layout.size)
            assertEquals((0..9).toSet(), layout.toSet())
            keypad.type(Seed.PIN)
            assertTrue(keypad.state().complete)

            val outcome = session.confirm(keypad)
            assertEquals(PaymentOutcome.PaidInFull(paid = eur("150.00"), balance = eur("50.00")), outcome)
            assertEquals("Votre achat est validé !", outcome.message())
            assertEquals(0, keypad.state().entered, "the PIN was taken out of the keypad")
            assertEquals(PaymentStatus.AUTHORISED, session.view().status)

            assertEquals("AUTHORISED", sandbox.merchantStatus(session.paymentId()))
            assertEquals(1, sandbox.debitsOf(session.paymentId()).size)
            assertEquals(eur("50.00"), phone.client.balance().amount)
            val record = phone.client.history().first { it.paymentId == session.paymentId() }
            assertEquals(PaymentStatus.AUTHORISED, record.status)
            assertEquals(eur("150.00"), record.paidAmount)

            assertTrue(sink.lines.isNotEmpty(), "the log sink received the core's lines")
            assertTrue(sink.lines.none { Seed.EMAIL in it }, "e-mails are masked in logs")
        }
    }

    @Test
    fun `seed flow in part`() = world.receiving("150.00", balance = "120.00") { phone, session ->
        val view = session.view()
        assertEquals(eur("120.00"), view.amount)
        assertEquals(eur("30.00"), view.remainder)
        assertEquals(eur("120.00"), view.maxAmount)

        val outcome = session.confirm(session.keypadWith(Seed.PIN))
        assertEquals(PaymentOutcome.PaidInPart(paid = eur("120.00"), remainder = eur("30.00"), balance = eur("0.00")), outcome)
        assertTrue("30,00\u00A0€" in outcome.message())

        val merchant = sandbox.merchantPayment(session.paymentId())
        assertEquals("PARTIALLY_AUTHORISED", merchant.getString("status"))
        assertEquals("120.00", merchant.getString("paid_amount"))
        assertEquals("30.00", merchant.getString("remaining_amount"))
        assertEquals(eur("0.00"), phone.client.balance().amount)
    }

    @Test
    fun `amount edited by the beneficiary`() = world.receiving("150.00") { _, session ->
        val error = assertFailsWith<CvException.InvalidAmount> { session.setAmount("250") }
        assertTrue(error.userMessage().startsWith("Le montant dépasse"), error.userMessage())
        val view = session.setAmount("100,50 €")
        assertEquals(eur("100.50"), view.amount)
        assertEquals(eur("49.50"), view.remainder)
        val outcome = session.confirm(session.keypadWith(Seed.PIN))
        assertEquals(PaymentOutcome.PaidInPart(paid = eur("100.50"), remainder = eur("49.50"), balance = eur("99.50")), outcome)
    }

    @Test
    fun `pending list covers a push that never arrived`() = runBlocking {
        world.enrolledPhone().use { phone ->
            val id = sandbox.createPayment(phone.account, "42.00")
            val pending = phone.client.pendingPayments()
            val summary = pending.single { it.paymentId == id }
            assertEquals(eur("42.00"), summary.total)
            assertEquals("Boutique Démo", summary.payee.name)
            val session = phone.client.openPayment(id)
            assertEquals(eur("42.00"), session.view().total)
        }
    }

    @Test
    fun `decline cancels the payment`() = world.receiving("80.00") { phone, session ->
        assertEquals(PaymentOutcome.Declined, session.decline())
        assertEquals("CANCELLED", sandbox.merchantStatus(session.paymentId()))
        assertTrue(sandbox.debitsOf(session.paymentId()).isEmpty())
        val error = assertFailsWith<CvException.AlreadyHandled> { phone.client.openPayment(session.paymentId()) }
        assertEquals(PaymentStatus.CANCELLED, error.status)
    }

    @Test
    fun `wrong PIN leaves two attempts, then the right PIN pays`() = world.receiving("60.00") { _, session ->
        val wrong = session.confirm(session.keypadWith("1111"))
        assertEquals(PaymentOutcome.WrongPin(attemptsLeft = 2), wrong)
        assertEquals("Code personnel incorrect. Il vous reste 2 tentatives.", wrong.message())
        assertEquals("PENDING", sandbox.merchantStatus(session.paymentId()))

        val right = session.confirm(session.keypadWith(Seed.PIN))
        assertEquals(PaymentOutcome.PaidInFull(paid = eur("60.00"), balance = eur("140.00")), right)
        assertEquals("AUTHORISED", sandbox.merchantStatus(session.paymentId()))
    }

    @Test
    fun `three wrong PINs lock the PIN and refuse the payment`() = world.receiving("60.00") { phone, session ->
        assertEquals(PaymentOutcome.WrongPin(2), session.confirm(session.keypadWith("0000")))
        val last = session.confirm(session.keypadWith("0001"))
        assertEquals(PaymentOutcome.WrongPin(1), last)
        assertTrue("Dernière tentative" in last.message())
        assertEquals(PaymentOutcome.Locked, session.confirm(session.keypadWith("0002")))
        assertEquals("REFUSED", sandbox.merchantStatus(session.paymentId()))
        assertFailsWith<CvException.AlreadyHandled> { session.startPinEntry() }

        // Locked for the next payment too, even with the right PIN.
        val next = phone.receive("30.00")
        assertEquals(PaymentOutcome.Locked, next.confirm(next.keypadWith(Seed.PIN)))
        assertTrue(sandbox.debitsOf(next.paymentId()).isEmpty())
        assertEquals(eur("200.00"), phone.client.balance().amount)
    }

    @Test
    fun `one confirmation at a time per payment`() = world.receiving("40.00") { _, session ->
        // The backend holds the first confirmation; the second starts while it is held.
        sandbox.armFault(Routes.CONFIRM, Fault.DELAY, delayMs = HELD_MS)
        val keypads = listOf(session.keypadWith(Seed.PIN), session.keypadWith(Seed.PIN))
        val first = async(Dispatchers.Default) { runCatching { session.confirm(keypads[0]) } }
        sandbox.awaitFaultsPlayed(Routes.CONFIRM)
        val second = runCatching { session.confirm(keypads[1]) }
        assertIs<CvException.ConfirmationInProgress>(second.exceptionOrNull(), "the second, while the first is held")
        assertEquals(PaymentOutcome.PaidInFull(paid = eur("40.00"), balance = eur("160.00")), first.await().getOrThrow())
        assertEquals(1, sandbox.debitsOf(session.paymentId()).size)
    }

    @Test
    fun `a cancelled confirm still settles once, and the phone records the true outcome`() =
        world.receiving("150.00") { phone, session ->
            val id = session.paymentId()
            // The backend holds the request: the caller gives up while it is in flight.
            sandbox.armFault(Routes.CONFIRM, Fault.DELAY, delayMs = HELD_MS)
            val keypad = session.keypadWith(Seed.PIN)
            val job = launch(start = CoroutineStart.UNDISPATCHED) { session.confirm(keypad) }
            job.cancelAndJoin()
            assertTrue(job.isCancelled)
            sandbox.awaitFaultsPlayed(Routes.CONFIRM)
            assertEquals("PENDING", sandbox.merchantStatus(id), "cancelled before the backend answered")

            // The payment was not abandoned half-way: the confirmation runs to its end and the
            // phone records its outcome (its journal entry settled first, then its history)...
            val record = waitFor("the phone's record of $id settled") {
                phone.client.history().firstOrNull { it.paymentId == id && it.status != PaymentStatus.PENDING }
            }
            assertEquals(PaymentStatus.AUTHORISED, record.status)
            assertEquals(eur("150.00"), record.paidAmount)
            assertEquals("AUTHORISED", sandbox.merchantStatus(id))
            assertEquals(emptyList(), phone.client.reconcile().filter { it.paymentId == id }, "nothing left to reconcile")

            // ...and reopening it shows the truth from the backend, not a guess.
            val reopened = assertFailsWith<CvException.AlreadyHandled> { phone.client.openPayment(id) }
            assertEquals(PaymentStatus.AUTHORISED, reopened.status)
            assertEquals(1, sandbox.debitsOf(id).size, "exactly one debit")
            assertEquals(eur("50.00"), phone.client.balance().amount)
        }

    private companion object {
        /** How long the sandbox holds a confirmation: ample for the test's next step on a loaded machine. */
        const val HELD_MS = 3_000L
    }
}

/** Expiry moves the sandbox clock: it gets a world of its own. */
class ExpiryTest {
    @Test
    fun `a payment confirmed after its validity is expired`() = World.own().use { world ->
        world.receiving("150.00") { phone, session ->
            val keypad = session.keypadWith(Seed.PIN)
            world.sandbox.advanceClock(200)
            assertEquals(PaymentOutcome.Expired, session.confirm(keypad))
            assertEquals("EXPIRED", world.sandbox.merchantStatus(session.paymentId()))
            assertTrue(world.sandbox.debitsOf(session.paymentId()).isEmpty())
            assertEquals(eur("200.00"), phone.client.balance().amount)
        }
    }
}
