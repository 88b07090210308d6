package fr.ancv.cvconnect.app

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.google.firebase.FirebaseApp
import com.google.firebase.messaging.FirebaseMessaging
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.tasks.await
import uniffi.cvconnect.CvException
import uniffi.cvconnect.Platform

/** Enrollment state of this device. */
data class EnrollState(val enrolled: Boolean, val busy: Boolean = false, val error: String? = null)

/** Glue only: the presenters (JVM-tested in the library) on `viewModelScope`. */
class AppViewModel(application: Application) : AndroidViewModel(application) {
    private val client = (application as CvConnectApp).client

    val payment = PaymentPresenter(client, viewModelScope)
    val pending = PendingPaymentsPresenter(client, viewModelScope)

    private val enrollState = MutableStateFlow(EnrollState(enrolled = client.isEnrolled()))
    val enroll: StateFlow<EnrollState> = enrollState.asStateFlow()

    fun enroll(email: String, activationCode: String) {
        enrollState.value = enrollState.value.copy(busy = true, error = null)
        viewModelScope.launch {
            enrollState.value = try {
                client.enroll(email.trim(), activationCode.trim(), pushToken(), Platform.ANDROID)
                EnrollState(enrolled = true)
            } catch (error: CvException) {
                EnrollState(enrolled = false, error = error.userMessage())
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
