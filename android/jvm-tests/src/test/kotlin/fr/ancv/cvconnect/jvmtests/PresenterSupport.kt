package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.CvClientInterface
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import fr.ancv.cvconnect.presenter.PendingScreenState
import fr.ancv.cvconnect.testkit.AppMainThread
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.test.assertEquals
import kotlin.test.fail

/**
 * A presenter whose coroutines run on [dispatcher]: the test's `runBlocking` event loop,
 * one thread like Android's main thread (the library's futures complete on its own threads
 * and resume there). Records every state it goes through, and every exception that
 * escaped the presenter's coroutines (on Android, a crash): closing fails if there was one.
 */
class PresenterHarness(
    val phone: Phone,
    dispatcher: CoroutineContext,
    client: CvClientInterface = phone.client,
) : AutoCloseable {
    val uncaught: MutableList<Throwable> = CopyOnWriteArrayList()
    val scope = CoroutineScope(
        SupervisorJob() + (dispatcher[ContinuationInterceptor] ?: Dispatchers.Default) +
            CoroutineExceptionHandler { _, error -> uncaught.add(error) },
    )
    val presenter = PaymentPresenter(client, scope)
    val states: MutableList<PaymentScreenState> = CopyOnWriteArrayList()
    private val recorder = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)

    init {
        // Unconfined + undispatched, and every state set on one thread: each value is
        // recorded inline, as it is set, none conflated.
        recorder.launch(start = CoroutineStart.UNDISPATCHED) { presenter.state.collect { states.add(it) } }
    }

    /** The kinds of state seen, consecutive repeats merged (key presses stay one PinEntry). */
    fun kinds(): List<String> = states.map { it::class.simpleName!! }
        .fold(mutableListOf()) { acc, kind -> if (acc.lastOrNull() != kind) acc.add(kind); acc }

    /** The merchant asks the phone's account for [total]; the presenter opens the push; its payment screen. */
    suspend fun openPushed(total: String): PaymentScreenState.PaymentScreen {
        presenter.openFromPush(phone.push(total))
        return presenter.state.await()
    }

    /** From the payment screen: the keypad, [pin] typed, validated; the result. */
    suspend fun pay(pin: String = Seed.PIN): PaymentScreenState.Result {
        presenter.startPinEntry()
        presenter.typePin(pin)
        presenter.validate()
        return presenter.state.await()
    }

    override fun close() {
        presenter.close()
        scope.cancel()
        recorder.cancel()
        if (uncaught.isNotEmpty()) fail("exceptions escaped the presenter (a crash on Android): $uncaught")
    }
}

/**
 * Runs [test] on the test's thread, with a [PresenterHarness] for a phone enrolled with
 * the library's signer on [email] (by default a fresh account of [balance] in the shared
 * world). The presenter sees the phone's client through [client] (a test double may wrap it).
 */
fun presenterTest(
    balance: String = World.DEFAULT_BALANCE,
    email: String? = null,
    client: (CvClientInterface) -> CvClientInterface = { it },
    test: suspend PresenterHarness.() -> Unit,
): Unit = runBlocking {
    val world = World.shared
    world.enrolledPhone(balance, jcaSigner(), email = email ?: world.account(balance)).use { phone ->
        PresenterHarness(phone, coroutineContext, client(phone.client)).use { it.test() }
    }
}

/** The pending list after a refresh, once loaded, from a [PendingPaymentsPresenter] on [client]. */
suspend fun loadedPendingList(client: CvClientInterface): PendingScreenState =
    AppMainThread().use { main ->
        val pending = PendingPaymentsPresenter(client, main.scope)
        pending.refresh()
        withTimeout(20_000) { pending.state.first { !it.loading } }.also {
            assertEquals(emptyList(), main.uncaught, "exceptions escaped the presenter")
        }
    }

/** Waits for a state of type [T]; fails at once on an unexpected [PaymentScreenState.Error]. */
suspend inline fun <reified T : PaymentScreenState> StateFlow<PaymentScreenState>.await(
    timeoutMs: Long = 20_000,
    crossinline until: (T) -> Boolean = { true },
): T {
    val state = withTimeout(timeoutMs) {
        first { (it is T && until(it)) || (it is PaymentScreenState.Error && T::class != PaymentScreenState.Error::class) }
    }
    return state as? T ?: fail("expected ${T::class.simpleName}, got $state")
}

/** Types [pin] as a person does: finds each digit drawn on the keys, presses that position. */
fun PaymentPresenter.typePin(pin: String) {
    for (digit in pin) {
        val entry = state.value as? PaymentScreenState.PinEntry ?: fail("not on the keypad: ${state.value}")
        val position = entry.layout.indexOf(digit - '0')
        check(position >= 0) { "digit $digit is drawn on no key" }
        press(position)
    }
}
