package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvClientInterface
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentSession
import fr.ancv.cvconnect.formatAmountFr
import fr.ancv.cvconnect.presenter.PaymentScreenState.Error
import fr.ancv.cvconnect.presenter.PaymentScreenState.Idle
import fr.ancv.cvconnect.presenter.PaymentScreenState.Loading
import fr.ancv.cvconnect.presenter.PaymentScreenState.PaymentScreen
import fr.ancv.cvconnect.presenter.PaymentScreenState.PinEntry
import fr.ancv.cvconnect.presenter.PaymentScreenState.Result
import fr.ancv.cvconnect.presenter.PaymentScreenState.Sending
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/**
 * The payment flow of one screen, as a [StateFlow] of [PaymentScreenState] and the user's
 * actions. Plain Kotlin: an Android `ViewModel` builds it with `viewModelScope`, the JVM
 * tests with a scope on `Dispatchers.Default`.
 *
 * Actions are meant to be called from one thread (the UI thread). An action that waits on
 * the network switches the state at once ([Loading], [Sending]) and launches the call in
 * [scope]; the others (amount, keypad) are synchronous calls into the library. Key presses
 * go to the library's keypad as positions: the digits of the PIN never exist in Kotlin.
 *
 * Every call into the library goes through [guarded]: whatever the library throws, a Rust
 * panic included, ends in [Error] with its French sentence, never in a crash.
 *
 * A [CvException.DeviceRevoked] (this phone was revoked) is also reported to [disconnection].
 *
 * Cancelling [scope] while [Sending] does not cancel the payment: the library runs it to
 * its end and records the outcome (`CvClient.reconcile()` or reopening shows it).
 */
class PaymentPresenter(
    private val client: CvClientInterface,
    private val scope: CoroutineScope,
    private val disconnection: Disconnection? = null,
) : AutoCloseable {
    private val mutableState = MutableStateFlow<PaymentScreenState>(Idle)
    val state: StateFlow<PaymentScreenState> = mutableState.asStateFlow()

    private var session: PaymentSession? = null
    private val keypad = KeypadSlot()
    private var job: Job? = null

    /** A push arrived or its notification was tapped: `data` is the FCM data map / APNs keys. */
    fun openFromPush(data: Map<String, String>) = open { client.openFromPush(data) }

    /** A payment picked from the pending list. */
    fun openPayment(paymentId: String) = open { client.openPayment(paymentId) }

    private fun open(load: suspend () -> PaymentSession) {
        reset()
        mutableState.value = Loading
        job = scope.launch {
            guarded(::fail) {
                val opened = load()
                session = opened
                mutableState.value = PaymentScreen(opened.view())
            }
        }
    }

    /** The beneficiary edited the amount paid with vouchers ("12,50", "1 234,56 €"…). */
    fun setAmount(text: String) {
        val current = mutableState.value as? PaymentScreen ?: return
        val session = session ?: return
        guarded({ error -> refuseAmount(current, error) }) {
            mutableState.value = PaymentScreen(session.setAmount(text))
        }
    }

    /** A refused amount stays on the screen with its reason; any other failure ends the flow. */
    private fun refuseAmount(current: PaymentScreen, error: CvException) {
        if (error is CvException.InvalidAmount) {
            mutableState.value = current.copy(amountError = frenchMessage(error))
        } else {
            fail(error)
        }
    }

    /** "Confirmer" on the payment screen: a fresh shuffled keypad. */
    fun startPinEntry() {
        val current = mutableState.value as? PaymentScreen ?: return
        if (!current.canConfirm) return
        showKeypad(message = null)
    }

    /** A touch on key [position] (0 to 9), whatever digit it shows. */
    fun press(position: Int) {
        val current = mutableState.value as? PinEntry ?: return
        guarded(::keypadError) {
            val typed = keypad.press(position) ?: return
            mutableState.value = current.copy(entered = typed.entered, required = typed.required)
        }
    }

    /** Removes the last digit entered. */
    fun erase() {
        val current = mutableState.value as? PinEntry ?: return
        guarded(::fail) {
            val typed = keypad.erase() ?: return
            mutableState.value = current.copy(entered = typed.entered)
        }
    }

    /** Back from the keypad to the payment screen (the digits entered are dropped). */
    fun cancelPinEntry() {
        if (mutableState.value !is PinEntry) return
        keypad.close()
        val session = session ?: return
        guarded(::fail) { mutableState.value = PaymentScreen(session.view()) }
    }

    /** "Valider" on a complete keypad: seals, signs and sends, then shows the outcome. */
    fun validate() {
        val current = mutableState.value as? PinEntry ?: return
        if (!current.complete) return
        val session = session ?: return
        val filled = keypad.take() ?: return
        mutableState.value = Sending(current.view)
        job = scope.launch {
            try {
                guarded(::keypadError) {
                    val outcome = session.confirm(filled)
                    if (outcome is PaymentOutcome.WrongPin) {
                        showKeypad(message = outcome.message())
                    } else {
                        mutableState.value = result(outcome, session)
                    }
                }
            } finally {
                filled.close()
            }
        }
    }

    /** "Refuser": the merchant sees the request cancelled. */
    fun decline() {
        val view = when (val current = mutableState.value) {
            is PaymentScreen -> current.view
            is PinEntry -> current.view
            else -> return
        }
        val session = session ?: return
        keypad.close()
        mutableState.value = Sending(view)
        job = scope.launch {
            guarded(::fail) { mutableState.value = result(session.decline(), session) }
        }
    }

    /** Leaves the flow (result or error acknowledged, screen closed): back to [Idle]. */
    fun dismiss() {
        reset()
        mutableState.value = Idle
    }

    override fun close() = dismiss()

    private fun result(outcome: PaymentOutcome, session: PaymentSession): Result = when (outcome) {
        is PaymentOutcome.PaidInFull ->
            Result(outcome, outcome.message(), session.view(), balanceText = formatAmountFr(outcome.balance))
        is PaymentOutcome.PaidInPart -> Result(
            outcome, outcome.message(), session.view(),
            balanceText = formatAmountFr(outcome.balance),
            remainderText = formatAmountFr(outcome.remainder),
        )
        else -> Result(outcome, outcome.message(), session.view())
    }

    /**
     * On the keypad: an expired entry, a dismissed key prompt or a keypad misuse shows a
     * new keypad with the French reason; a press on a full keypad is ignored; the rest
     * ends the flow.
     */
    private fun keypadError(error: CvException) {
        when {
            error is CvException.PinEntry && mutableState.value is PinEntry -> Unit
            error is CvException.PinEntryExpired || error is CvException.SignerCancelled ||
                error is CvException.PinEntry -> showKeypad(message = frenchMessage(error))
            else -> fail(error)
        }
    }

    private fun showKeypad(message: String?) {
        val session = session ?: return
        keypad.close()
        guarded(::fail) {
            val fresh = keypad.show(session.startPinEntry())
            val state = fresh.state()
            mutableState.value = PinEntry(
                view = session.view(),
                layout = fresh.layout(),
                entered = state.entered,
                required = state.required,
                message = message,
            )
        }
    }

    private fun fail(error: CvException) {
        keypad.close()
        disconnection?.notice(error)
        mutableState.value = Error(frenchMessage(error), error)
    }

    private fun reset() {
        job?.cancel()
        job = null
        keypad.close()
        session?.close()
        session = null
    }
}
