package fr.ancv.cvconnect.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import fr.ancv.cvconnect.presenter.DevicesPresenter
import fr.ancv.cvconnect.presenter.Disconnection
import fr.ancv.cvconnect.presenter.EnrollmentPresenter
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter

/**
 * The whole app on one screen at a time: activation, then home (balance and pending
 * payments), or the payment flow while a payment is open; over all of them, "Ce
 * téléphone a été déconnecté" once any presenter reported it to [Disconnection]. With a
 * [DevicesPresenter], home offers "Mes appareils". Glue only: it reads the
 * presenters' states and hands their actions to the screens as callbacks; the screens
 * take state and callbacks, and nothing here calls the library.
 */
@Composable
fun CvConnectScreens(
    enrollment: EnrollmentPresenter,
    pending: PendingPaymentsPresenter,
    payment: PaymentPresenter,
    disconnection: Disconnection? = null,
    devices: DevicesPresenter? = null,
) {
    val enroll by enrollment.state.collectAsState()
    val flow by payment.state.collectAsState()
    var showingDevices by remember { mutableStateOf(false) }
    val disconnected = disconnection?.disconnected?.collectAsState()?.value == true
    when {
        disconnected -> ThisPhoneDisconnectedScreen {
            payment.dismiss()
            disconnection?.reenrolled()
            enrollment.check()
        }
        enroll.checking -> BusyScreen("Démarrage…")
        enroll.enrolled == null -> StartupErrorScreen(enroll.error.orEmpty(), enrollment::check)
        enroll.enrolled == false -> EnrollScreen(enroll, enrollment::enroll)
        flow is PaymentScreenState.Idle && showingDevices && devices != null -> {
            val state by devices.state.collectAsState()
            DevicesScreen(state, devices, onEnrollAgain = enrollment::check, onClose = { showingDevices = false })
        }
        flow is PaymentScreenState.Idle -> {
            val home by pending.state.collectAsState()
            LaunchedEffect(Unit) { pending.refresh() }
            val openDevices = devices?.let { presenter -> { presenter.refresh(); showingDevices = true } }
            HomeScreen(home, payment::openPayment, pending::refresh, openDevices)
        }
        else -> PaymentFlow(flow, payment)
    }
}

/** One state of the payment flow, to its screen. */
@Composable
fun PaymentFlow(state: PaymentScreenState, presenter: PaymentPresenter) {
    when (state) {
        PaymentScreenState.Idle -> Unit
        PaymentScreenState.Loading -> LoadingScreen()
        is PaymentScreenState.PaymentScreen ->
            PaymentScreen(state, presenter::setAmount, presenter::startPinEntry, presenter::decline)
        is PaymentScreenState.PinEntry ->
            PinScreen(state, presenter::press, presenter::erase, presenter::validate, presenter::cancelPinEntry)
        is PaymentScreenState.Sending -> SendingScreen(state)
        is PaymentScreenState.Result -> ResultScreen(state, presenter::dismiss)
        is PaymentScreenState.Error -> ErrorScreen(state, presenter::dismiss)
    }
}
