package fr.ancv.cvconnect.ui.test

import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.app.debug.relay.LoopbackRelay
import fr.ancv.cvconnect.presenter.EnrollmentPresenter
import fr.ancv.cvconnect.presenter.EnrollmentState
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.presenter.PaymentScreenState.Error
import fr.ancv.cvconnect.presenter.PaymentScreenState.PaymentScreen
import fr.ancv.cvconnect.presenter.PaymentScreenState.PinEntry
import fr.ancv.cvconnect.presenter.PaymentScreenState.Result
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import fr.ancv.cvconnect.presenter.PendingScreenState
import fr.ancv.cvconnect.testkit.AppMainThread
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.net.URI

/**
 * Every screen state, as the real presenters produce it from a real sandbox payment
 * (a world of its own: its clock is moved for the expired request). Only the keypad
 * layout is fixed, so that the PIN screenshots do not change with every shuffle.
 */
class ScreenStates private constructor(private val world: World) : AutoCloseable {
    private val sandbox = world.sandbox
    private val mainThread = AppMainThread("states-main")
    private val scope = mainThread.scope
    private val closeables = mutableListOf<AutoCloseable>()

    lateinit var enrollment: EnrollmentState
    lateinit var home: PendingScreenState
    lateinit var homeOffline: PendingScreenState
    lateinit var payment: PaymentScreen
    lateinit var paymentPartial: PaymentScreen
    lateinit var pin: PinEntry
    lateinit var pinLastAttempt: PinEntry
    lateinit var sending: PaymentScreenState.Sending
    lateinit var paid: Result
    lateinit var paidInPart: Result
    lateinit var declined: Result
    lateinit var cancelled: Result
    lateinit var expired: Result
    lateinit var locked: Result
    lateinit var offline: Error
    lateinit var unknown: Error

    private fun <T : AutoCloseable> keep(closeable: T): T = closeable.also { closeables += it }

    private fun phone(balance: String, baseUrl: String = sandbox.baseUrl): Phone =
        keep(runBlocking { world.enrolledPhone(balance, jcaSigner(), baseUrl) })

    private fun <S, T> StateFlow<S>.await(what: String, match: (S) -> T?): T = runBlocking {
        withTimeout(20_000) { first { match(it) != null } }.let { match(it) ?: error(what) }
    }

    /** Waits for a state of type [T] matching [until]; fails at once on an unexpected error. */
    private inline fun <reified T : PaymentScreenState> PaymentPresenter.next(crossinline until: (T) -> Boolean = { true }): T =
        state.await(T::class.simpleName!!) { s ->
            check(s !is Error || T::class == Error::class) { "expected ${T::class.simpleName}, got $s" }
            (s as? T)?.takeIf(until)
        }

    /** A payment asked by the merchant and opened from its push, on a new account. */
    private fun opened(balance: String, total: String): Triple<PaymentPresenter, Phone, PaymentScreen> {
        val phone = phone(balance)
        val presenter = PaymentPresenter(phone.client, scope)
        presenter.openFromPush(phone.push(total))
        return Triple(presenter, phone, presenter.next<PaymentScreen>())
    }

    private fun PaymentPresenter.pay(pin: String) {
        startPinEntry()
        val entry = next<PinEntry>()
        pin.forEach { digit -> press(entry.layout.indexOf(digit - '0')) }
        validate()
    }

    private fun build() {
        buildHome()
        val (full, _, screen) = opened("200.00", "150.00")
        payment = screen
        full.startPinEntry()
        pin = full.next<PinEntry>().copy(layout = FIXED_LAYOUT, entered = 2)
        sending = PaymentScreenState.Sending(screen.view)
        full.cancelPinEntry()
        full.pay(Seed.PIN)
        paid = full.next<Result>()

        val (part, _, partScreen) = opened("120.00", "150.00")
        paymentPartial = partScreen
        part.pay(Seed.PIN)
        paidInPart = part.next<Result>()

        val (decline, _, _) = opened("200.00", "80.00")
        decline.decline()
        declined = decline.next<Result>()

        buildWrongPins()
        buildErrors()
        buildCancelledAndExpired()
    }

    private fun buildHome() {
        val unenrolled = keep(world.phone(jcaSigner()))
        val enroll = EnrollmentPresenter(unenrolled.client, scope, Platform.ANDROID)
        enroll.check()
        enrollment = enroll.state.await("not enrolled") { it.takeIf { s -> s.enrolled == false } }

        val phone = phone("200.00")
        sandbox.createPayment(phone.account, "42.00")
        sandbox.createPayment(phone.account, "150.00")
        val pending = PendingPaymentsPresenter(phone.client, scope)
        pending.refresh()
        home = pending.state.await("home") { it.takeIf { s -> !s.loading && s.payments.size == 2 } }
    }

    private fun buildWrongPins() {
        val (presenter, _, _) = opened("200.00", "50.00")
        presenter.pay("1111")
        presenter.next<PinEntry> { it.view.attemptsLeft == 2 }
        presenter.pay("1111")
        pinLastAttempt = presenter.next<PinEntry> { it.view.attemptsLeft == 1 }.copy(layout = FIXED_LAYOUT)
        presenter.pay("1111")
        locked = presenter.next<Result>()
    }

    private fun buildErrors() {
        val relay = keep(LoopbackRelay("127.0.0.1", URI(sandbox.baseUrl).port))
        val phone = phone("200.00", relay.url)
        val pending = PendingPaymentsPresenter(phone.client, scope)
        pending.refresh()
        pending.state.await("online") { it.takeIf { s -> !s.loading && s.balanceText != null } }
        val push = phone.push("70.00")
        relay.close()
        pending.refresh()
        homeOffline = pending.state.await("offline") { it.takeIf { s -> !s.loading && s.error != null } }
        val presenter = PaymentPresenter(phone.client, scope)
        presenter.openFromPush(push)
        offline = presenter.next<Error>()

        val online = phone("200.00")
        val lookup = PaymentPresenter(online.client, scope)
        lookup.openPayment("pay_doesnotexist0000")
        unknown = lookup.next<Error>()
    }

    private fun buildCancelledAndExpired() {
        val (withdrawn, _, screen) = opened("200.00", "35.00")
        sandbox.cancelPayment(screen.view.paymentId)
        withdrawn.pay(Seed.PIN)
        cancelled = withdrawn.next<Result>()

        val (late, _, _) = opened("200.00", "45.00")
        sandbox.advanceClock(181) // last: every other payment of this sandbox is done
        late.pay(Seed.PIN)
        expired = late.next<Result>()
    }

    override fun close() {
        mainThread.close()
        closeables.reversed().forEach { runCatching { it.close() } }
    }

    companion object {
        /** A shuffled layout, fixed for the images: key position → digit drawn. */
        val FIXED_LAYOUT = listOf(7, 2, 9, 4, 0, 6, 1, 8, 3, 5)

        /** Runs every flow once; closes its world when the JVM exits. */
        val instance: ScreenStates by lazy {
            val world = World.own()
            ScreenStates(world).also {
                Runtime.getRuntime().addShutdownHook(Thread { it.close(); world.close() })
                it.build()
            }
        }
    }
}
