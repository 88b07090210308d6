package fr.ancv.cvconnect.app.ui

import androidx.activity.compose.BackHandler
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import fr.ancv.cvconnect.app.AppViewModel
import fr.ancv.cvconnect.app.Startup
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.ui.BusyScreen
import fr.ancv.cvconnect.ui.CvConnectScreens
import fr.ancv.cvconnect.ui.StartupErrorScreen

/**
 * The activity's content: the shared screens of :ui (src/commonMain, the ones tested and
 * rendered on the desktop) once the client is ready, and the Android back button.
 */
@Composable
fun AppRoot(model: AppViewModel) {
    val startup by model.startup.collectAsStateWithLifecycle()
    when (val current = startup) {
        Startup.Starting -> BusyScreen("Démarrage…")
        is Startup.Failed -> StartupErrorScreen(current.message, model::start)
        is Startup.Ready -> {
            val flow by current.payment.state.collectAsStateWithLifecycle()
            // Back on the keypad returns to the payment screen; elsewhere in the flow it
            // closes the payment (left pending, not declined: "Refuser" declines).
            BackHandler(enabled = flow is PaymentScreenState.PinEntry) { current.payment.cancelPinEntry() }
            BackHandler(enabled = flow.closable()) { current.payment.dismiss() }
            CvConnectScreens(current.enrollment, current.pending, current.payment, current.disconnection, current.devices)
        }
    }
}

private fun PaymentScreenState.closable(): Boolean =
    this is PaymentScreenState.PaymentScreen || this is PaymentScreenState.Result || this is PaymentScreenState.Error
