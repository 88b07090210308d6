package fr.ancv.cvconnect.app.push

import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import fr.ancv.cvconnect.app.CvConnectApp
import fr.ancv.cvconnect.presenter.guarded
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/** FCM delivery: the data payload goes to the library ([PushNotifier]); the token to the backend. */
class CvMessagingService : FirebaseMessagingService() {

    // Called on a background thread; FCM gives it about 10 s (high priority message).
    override fun onMessageReceived(message: RemoteMessage) {
        runBlocking { withTimeoutOrNull(8_000) { PushNotifier.handle(this@CvMessagingService, message.data) } }
    }

    // Called on a background thread: waiting for the client (its key) does not block the UI.
    override fun onNewToken(token: String) {
        runBlocking {
            withTimeoutOrNull(8_000) {
                val client = runCatching { (application as CvConnectApp).client() }.getOrNull() ?: return@withTimeoutOrNull
                // Not enrolled: the token goes with the enrollment. The library cannot tell
                // (its storage failed): skip rather than crash the service.
                if (!guarded({ false }) { client.isEnrolled() }) return@withTimeoutOrNull
                runCatching { client.updatePushToken("fcm:$token") }
            }
        }
    }
}
