package fr.ancv.cvconnect.app.push

import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import fr.ancv.cvconnect.app.CvConnectApp
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/** FCM delivery: the data payload goes to the core ([PushNotifier]); the token to the backend. */
class CvMessagingService : FirebaseMessagingService() {

    // Called on a background thread; FCM gives it about 10 s (high priority message).
    override fun onMessageReceived(message: RemoteMessage) {
        runBlocking { withTimeoutOrNull(8_000) { PushNotifier.handle(this@CvMessagingService, message.data) } }
    }

    override fun onNewToken(token: String) {
        val client = (application as CvConnectApp).client
        if (!client.isEnrolled()) return // sent with the enrollment instead
        runBlocking { withTimeoutOrNull(8_000) { runCatching { client.updatePushToken("fcm:$token") } } }
    }
}
