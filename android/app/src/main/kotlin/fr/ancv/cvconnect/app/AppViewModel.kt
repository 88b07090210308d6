package fr.ancv.cvconnect.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.google.firebase.FirebaseApp
import com.google.firebase.messaging.FirebaseMessaging
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.presenter.DevicesPresenter
import fr.ancv.cvconnect.presenter.Disconnection
import fr.ancv.cvconnect.presenter.EnrollmentPresenter
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import fr.ancv.cvconnect.presenter.UNEXPECTED_FR
import fr.ancv.cvconnect.presenter.frenchMessage
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.tasks.await

/** Whether the client (and so the device key) is ready, and the presenters once it is. */
sealed interface Startup {
    data object Starting : Startup

    class Ready(
        val enrollment: EnrollmentPresenter,
        val pending: PendingPaymentsPresenter,
        val payment: PaymentPresenter,
        val devices: DevicesPresenter,
        /** Set by any presenter that met `DeviceRevoked`: the app shows the phone disconnected. */
        val disconnection: Disconnection,
    ) : Startup

    data class Failed(val message: String) : Startup
}

/**
 * Glue only: the presenters (JVM-tested in the library, UI-tested with the screens on the
 * desktop) on `viewModelScope`. The constructor does no work: the client, whose device
 * key may take seconds to generate in StrongBox, is built on an IO thread by
 * [CvConnectApp.client], and the screens show "Démarrage…" until it is ready.
 */
class AppViewModel(application: Application) : AndroidViewModel(application) {
    private val app = application as CvConnectApp
    private val mutableStartup = MutableStateFlow<Startup>(Startup.Starting)
    val startup: StateFlow<Startup> = mutableStartup.asStateFlow()

    init {
        start()
    }

    /** Waits for the client, then builds the presenters; again after a failure ("Réessayer"). */
    fun start() {
        mutableStartup.value = Startup.Starting
        viewModelScope.launch {
            mutableStartup.value = try {
                val client = app.client()
                val enrollment = EnrollmentPresenter(client, viewModelScope, Platform.ANDROID, pushToken = ::pushToken)
                enrollment.check()
                val disconnection = Disconnection()
                Startup.Ready(
                    enrollment,
                    PendingPaymentsPresenter(client, viewModelScope, disconnection),
                    PaymentPresenter(client, viewModelScope, disconnection),
                    DevicesPresenter(client, viewModelScope, disconnection),
                    disconnection,
                )
            } catch (cancelled: CancellationException) {
                throw cancelled
            } catch (error: CvException) {
                Startup.Failed(frenchMessage(error))
            } catch (_: Exception) {
                Startup.Failed(UNEXPECTED_FR) // the Keystore refused to create the key, …
            }
        }
    }

    /** A push (FCM data map) to open, as soon as the app is ready: a tap at cold start waits. */
    fun openFromPush(data: Map<String, String>) {
        viewModelScope.launch {
            startup.filterIsInstance<Startup.Ready>().first().payment.openFromPush(data)
        }
    }

    /** The FCM token, or null when Firebase is not configured (no google-services.json). */
    private suspend fun pushToken(): String? {
        if (FirebaseApp.getApps(getApplication()).isEmpty()) return null
        return runCatching { "fcm:" + FirebaseMessaging.getInstance().token.await() }.getOrNull()
    }

    override fun onCleared() {
        (startup.value as? Startup.Ready)?.payment?.close()
    }
}
