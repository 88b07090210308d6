package fr.ancv.cvconnect.presenter

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
import uniffi.cvconnect.CvClientInterface
import uniffi.cvconnect.CvException
import uniffi.cvconnect.Keypad
import uniffi.cvconnect.PaymentOutcome
import uniffi.cvconnect.PaymentSession
import uniffi.cvconnect.outcomeMessage

/**
 * The payment flow of one screen, as a [StateFlow] of [PaymentScreenState] and the user's
 * actions. Plain Kotlin: an Android `ViewModel` builds it with `viewModelScope`, the JVM
 * tests with a scope on `Dispatchers.Default`.
 *
 * Actions are meant to be called from one thread (the UI thread). An action that waits on
 * the network switches the state at once ([Loading], [Sending]) and launches the call in
 * [scope]; the others (amount, keypad) are synchronous calls into the core. Key presses
 * go to the core's keypad as positions: the digits of the PIN never exist in Kotlin.
 *
 * Cancelling [scope] while [Sending] does not cancel the payment: the core runs it to its
 * end and records the outcome (`CvClient.reconcile()` or reopening shows it).
 */
class PaymentPresenter(
    private val client: CvClientInterface,
    private val scope: CoroutineScope,
) : AutoCloseable {
    private val mutableState = MutableStateFlow<PaymentScreenState>(Idle)
    val state: StateFlow<PaymentScreenState> = mutableState.asStateFlow()

    private var session: PaymentSession? = null
    private var keypad: Keypad? = null
    private var job: Job? = null

    /** A push arrived or its notification was tapped: `data` is the FCM data map / APNs keys. */
    fun openFromPush(data: Map<String, String>) = open { client.openFromPush(data) }

    /** A payment picked from the pending list. */
    fun openPayment(paymentId: String) = open { client.openPayment(paymentId) }

    private fun open(load: suspend () -> PaymentSession) {
        reset()
        mutableState.value = Loading
        job = scope.launch {
            try {
                val opened = load()
                session = opened
                mutableState.value = PaymentScreen(opened.view())
            } catch (error: CvException) {
                fail(error)
            }
        }
    }

    /** The beneficiary edited the amount paid with vouchers ("12,50", "1 234,56 €"…). */
    fun setAmount(text: String) {
        val current = mutableState.value as? PaymentScreen ?: return
        val session = session ?: return
        mutableState.value = try {
            PaymentScreen(session.setAmount(text))
        } catch (error: CvException.InvalidAmount) {
            current.copy(view = session.view(), amountError = error.userMessage())
        } catch (error: CvException) {
            Error(error.userMessage(), error)
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
        val keypad = keypad ?: return
        try {
            val state = keypad.press(position.toUByte())
            mutableState.value = current.copy(entered = state.entered.toInt(), required = state.required.toInt())
        } catch (error: CvException.Keypad) {
            // Expired after inactivity: a new layout. A press on a full keypad is ignored.
            if (keypad.isExpired()) showKeypad(message = error.userMessage())
        }
    }

    /** Removes the last digit entered. */
    fun erase() {
        val current = mutableState.value as? PinEntry ?: return
        val state = keypad?.erase() ?: return
        mutableState.value = current.copy(entered = state.entered.toInt())
    }

    /** Back from the keypad to the payment screen (the digits entered are dropped). */
    fun cancelPinEntry() {
        if (mutableState.value !is PinEntry) return
        closeKeypad()
        session?.let { mutableState.value = PaymentScreen(it.view()) }
    }

    /** "Valider" on a complete keypad: seals, signs and sends, then shows the outcome. */
    fun validate() {
        val current = mutableState.value as? PinEntry ?: return
        if (!current.complete) return
        val session = session ?: return
        val keypad = keypad ?: return
        this.keypad = null
        mutableState.value = Sending(current.view)
        job = scope.launch {
            try {
                val outcome = session.confirm(keypad)
                if (outcome is PaymentOutcome.WrongPin) {
                    showKeypad(message = outcomeMessage(outcome))
                } else {
                    mutableState.value = Result(outcome, outcomeMessage(outcome), session.view())
                }
            } catch (error: CvException.SignerCancelled) {
                showKeypad(message = error.userMessage())
            } catch (error: CvException.Keypad) {
                showKeypad(message = error.userMessage())
            } catch (error: CvException) {
                fail(error)
            } finally {
                keypad.close()
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
        closeKeypad()
        mutableState.value = Sending(view)
        job = scope.launch {
            try {
                val outcome = session.decline()
                mutableState.value = Result(outcome, outcomeMessage(outcome), session.view())
            } catch (error: CvException) {
                fail(error)
            }
        }
    }

    /** Leaves the flow (result or error acknowledged, screen closed): back to [Idle]. */
    fun dismiss() {
        reset()
        mutableState.value = Idle
    }

    override fun close() = dismiss()

    private fun showKeypad(message: String?) {
        val session = session ?: return
        closeKeypad()
        try {
            val fresh = session.startPinEntry()
            keypad = fresh
            val state = fresh.state()
            mutableState.value = PinEntry(
                view = session.view(),
                layout = fresh.layout().map { it.toInt() },
                entered = state.entered.toInt(),
                required = state.required.toInt(),
                message = message,
            )
        } catch (error: CvException) {
            fail(error)
        }
    }

    private fun fail(error: CvException) {
        closeKeypad()
        mutableState.value = Error(error.userMessage(), error)
    }

    private fun closeKeypad() {
        keypad?.close()
        keypad = null
    }

    private fun reset() {
        job?.cancel()
        job = null
        closeKeypad()
        session?.close()
        session = null
    }
}
