package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvClientInterface
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.RevocationOutcome
import fr.ancv.cvconnect.presenter.DevicesScreenState.DeviceList
import fr.ancv.cvconnect.presenter.DevicesScreenState.Error
import fr.ancv.cvconnect.presenter.DevicesScreenState.Loading
import fr.ancv.cvconnect.presenter.DevicesScreenState.Locked
import fr.ancv.cvconnect.presenter.DevicesScreenState.PinEntry
import fr.ancv.cvconnect.presenter.DevicesScreenState.Revoked
import fr.ancv.cvconnect.presenter.DevicesScreenState.Sending
import fr.ancv.cvconnect.presenter.DevicesScreenState.ThisPhoneDisconnected
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import java.time.ZoneId

/**
 * "Mes appareils": the account's phones, and revoking a lost one with the PIN, typed on
 * the library's shuffled keypad as key positions (the digits never exist in Kotlin), as
 * for a payment. Plain Kotlin like [PaymentPresenter]: actions from the UI thread, the
 * network calls launched in [scope], every library call [guarded].
 *
 * A [CvException.DeviceRevoked] from any call means this phone itself was revoked: the
 * screen turns to [ThisPhoneDisconnected] and [disconnection] tells the rest of the app.
 */
class DevicesPresenter(
    private val client: CvClientInterface,
    private val scope: CoroutineScope,
    private val disconnection: Disconnection = Disconnection(),
    private val zone: ZoneId = ZoneId.of("Europe/Paris"),
) : AutoCloseable {
    private val mutableState = MutableStateFlow<DevicesScreenState>(Loading)
    val state: StateFlow<DevicesScreenState> = mutableState.asStateFlow()

    private val keypad = KeypadSlot()
    private var job: Job? = null

    /** Reads the list again (on opening the screen, after a result or an error). */
    fun refresh(notice: String? = null) {
        reset()
        mutableState.value = Loading
        job = scope.launch {
            guarded(::fail) {
                mutableState.value = DeviceList(client.devices().map { DeviceRow.of(it, zone) }, notice)
            }
        }
    }

    /** "Déconnecter" on [deviceId]'s line: a fresh keypad for the PIN. */
    fun startRevocation(deviceId: String) {
        val list = mutableState.value as? DeviceList ?: return
        val device = list.devices.firstOrNull { it.deviceId == deviceId && it.canRevoke } ?: return
        showKeypad(device, attemptsLeft = null, message = null)
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

    /** Back from the keypad to the list; nothing is sent. */
    fun cancel() {
        if (mutableState.value !is PinEntry) return
        refresh()
    }

    /** "Valider" on a complete keypad: seals, signs and sends the revocation. */
    fun validate() {
        val current = mutableState.value as? PinEntry ?: return
        if (!current.complete) return
        val filled = keypad.take() ?: return
        mutableState.value = Sending(current.device)
        job = scope.launch {
            try {
                guarded(::keypadError) { show(client.revokeDevice(current.device.deviceId, filled), current) }
            } finally {
                filled.close()
            }
        }
    }

    private fun show(outcome: RevocationOutcome, entry: PinEntry) {
        when (outcome) {
            is RevocationOutcome.Revoked -> mutableState.value = Revoked(entry.device)
            is RevocationOutcome.WrongPin -> showKeypad(
                entry.device,
                attemptsLeft = outcome.attemptsLeft,
                // The library's sentence, the same as for a payment.
                message = PaymentOutcome.WrongPin(outcome.attemptsLeft).message(),
            )
            is RevocationOutcome.Locked -> mutableState.value = Locked(entry.device)
        }
    }

    private fun showKeypad(device: DeviceRow, attemptsLeft: Int?, message: String?) {
        keypad.close()
        job = scope.launch {
            guarded(::fail) {
                val fresh = keypad.show(client.startRevocationPinEntry())
                val typed = fresh.state()
                mutableState.value = PinEntry(device, fresh.layout(), typed.entered, typed.required, attemptsLeft, message)
            }
        }
    }

    /** An expired keypad starts over with its reason; a press on a full keypad is ignored. */
    private fun keypadError(error: CvException) {
        val current = mutableState.value
        when {
            error is CvException.PinEntry && current is PinEntry -> Unit
            error is CvException.PinEntryExpired && current is PinEntry ->
                showKeypad(current.device, current.attemptsLeft, frenchMessage(error))
            else -> fail(error)
        }
    }

    private fun fail(error: CvException) {
        keypad.close()
        mutableState.value = if (disconnection.notice(error)) ThisPhoneDisconnected else Error(frenchMessage(error), error)
    }

    private fun reset() {
        job?.cancel()
        job = null
        keypad.close()
    }

    override fun close() = reset()
}
