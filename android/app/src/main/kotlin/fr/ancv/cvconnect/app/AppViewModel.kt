package fr.ancv.cvconnect.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.google.firebase.FirebaseApp
import com.google.firebase.messaging.FirebaseMessaging
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import fr.ancv.cvconnect.presenter.frenchMessage
import fr.ancv.cvconnect.presenter.guarded
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.tasks.await

/**
 * Enrollment state of this device. [enrolled] is null when the library could not tell
 * (its local database failed): the app shows [error] and offers to try again rather than
 * sending an enrolled beneficiary back to the activation screen.
 */
data class EnrollState(val enrolled: Boolean?, val busy: Boolean = false, val error: String? = null)

/** Glue only: the presenters (JVM-tested in the library) on `viewModelScope`. */
class AppViewModel(application: Application) : AndroidViewModel(application) {
    private val client = (application as CvConnectApp).client

    val payment = PaymentPresenter(client, viewModelScope)
    val pending = PendingPaymentsPresenter(client, viewModelScope)

    private val enrollState = MutableStateFlow(readEnrollment())
    val enroll: StateFlow<EnrollState> = enrollState.asStateFlow()

    /** Asks the library again whether this device is enrolled (after a storage failure). */
    fun checkEnrollment() {
        enrollState.value = readEnrollment()
    }

    private fun readEnrollment(): EnrollState =
        guarded({ error -> EnrollState(enrolled = null, error = frenchMessage(error)) }) {
            EnrollState(enrolled = client.isEnrolled())
        }

    fun enroll(email: String, activationCode: String) {
        enrollState.value = enrollState.value.copy(busy = true, error = null)
        viewModelScope.launch {
            enrollState.value = guarded({ error -> EnrollState(enrolled = false, error = frenchMessage(error)) }) {
                client.enroll(email.trim(), activationCode.trim(), pushToken(), Platform.ANDROID)
                EnrollState(enrolled = true)
            }
        }
    }

    /** The FCM token, or null when Firebase is not configured (no google-services.json). */
    private suspend fun pushToken(): String? {
        if (FirebaseApp.getApps(getApplication()).isEmpty()) return null
        return runCatching { "fcm:" + FirebaseMessaging.getInstance().token.await() }.getOrNull()
    }

    override fun onCleared() {
        payment.close()
    }
}
