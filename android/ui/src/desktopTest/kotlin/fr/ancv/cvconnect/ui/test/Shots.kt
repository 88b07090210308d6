package fr.ancv.cvconnect.ui.test

import androidx.compose.runtime.Composable
import fr.ancv.cvconnect.ui.DevicesScreen
import fr.ancv.cvconnect.ui.EnrollScreen
import fr.ancv.cvconnect.ui.ErrorScreen
import fr.ancv.cvconnect.ui.HomeScreen
import fr.ancv.cvconnect.ui.PaymentScreen
import fr.ancv.cvconnect.ui.PinScreen
import fr.ancv.cvconnect.ui.ResultScreen
import fr.ancv.cvconnect.ui.SendingScreen
import fr.ancv.cvconnect.ui.ThisPhoneDisconnectedScreen
import fr.ancv.cvconnect.ui.desktop.DesktopHost
import fr.ancv.cvconnect.ui.desktop.Frame
import fr.ancv.cvconnect.ui.desktop.RecordingScreenGuard
import fr.ancv.cvconnect.presenter.DevicesScreenState
import fr.ancv.cvconnect.presenter.PaymentScreenState

/** The screenshots in docs/screens: name → screen and state (callbacks do nothing). */
object Shots {
    private val phone = Frame()
    private val large = Frame(fontScale = 2f)

    private fun shots(s: ScreenStates): Map<String, Shot> = linkedMapOf(
        "enroll" to shot { EnrollScreen(s.enrollment) { _, _ -> } },
        "home" to shot { HomeScreen(s.home, {}, {}) },
        "home-offline" to shot { HomeScreen(s.homeOffline, {}, {}) },
        "payment" to shot { payment(s.payment) },
        "payment-partial" to shot { payment(s.paymentPartial) },
        "payment-200" to shot(large) { payment(s.payment) },
        "pin" to shot { pin(s.pin) },
        "pin-last-attempt" to shot { pin(s.pinLastAttempt) },
        "pin-200" to shot(large) { pin(s.pin) },
        "sending" to shot { SendingScreen(s.sending) },
        "result-paid" to shot { ResultScreen(s.paid) {} },
        "result-partial" to shot { ResultScreen(s.paidInPart) {} },
        "result-declined" to shot { ResultScreen(s.declined) {} },
        "result-expired" to shot { ResultScreen(s.expired) {} },
        "result-cancelled" to shot { ResultScreen(s.cancelled) {} },
        "error-locked" to shot { ResultScreen(s.locked) {} },
        "error-offline" to shot { ErrorScreen(s.offline) {} },
        "error-unknown" to shot { ErrorScreen(s.unknown) {} },
        "devices" to shot { devices(DeviceStates.list) },
        "devices-pin" to shot { devices(DeviceStates.pin) },
        "devices-revoked" to shot { devices(DeviceStates.revoked) },
        "devices-disconnected" to shot { ThisPhoneDisconnectedScreen {} },
    )

    /** The names alone (no sandbox needed to list them). */
    val names: List<String> = listOf(
        "enroll", "home", "home-offline", "payment", "payment-partial", "payment-200", "pin", "pin-last-attempt",
        "pin-200", "sending", "result-paid", "result-partial", "result-declined", "result-expired", "result-cancelled",
        "error-locked", "error-offline", "error-unknown", "devices", "devices-pin", "devices-revoked",
        "devices-disconnected",
    )

    private var built: Map<String, Shot>? = null

    @Synchronized
    fun byName(states: ScreenStates): Map<String, Shot> = built ?: shots(states).also {
        check(it.keys.toList() == names) { "Shots.names out of date: ${it.keys}" }
        built = it
    }

    private fun shot(frame: Frame = phone, content: @Composable () -> Unit) =
        Shot(frame) { DesktopHost(RecordingScreenGuard(), content) }

    @Composable
    private fun payment(state: PaymentScreenState.PaymentScreen) = PaymentScreen(state, {}, {}, {})

    @Composable
    private fun devices(state: DevicesScreenState) = DevicesScreen(state, {}, {}, {}, {}, {}, {})

    @Composable
    private fun pin(state: PaymentScreenState.PinEntry) = PinScreen(state, {}, {}, {}, {})
}
