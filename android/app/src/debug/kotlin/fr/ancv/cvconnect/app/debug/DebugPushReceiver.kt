package fr.ancv.cvconnect.app.debug

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import fr.ancv.cvconnect.app.push.PushNotifier
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/**
 * Debug builds only: a push data map injected by an emulator suite, handled exactly as
 * [fr.ancv.cvconnect.app.push.CvMessagingService] handles an FCM message. Every string
 * extra is one key of the map (the sandbox feed's `data`: type, payment_id, message_id):
 *
 *   adb shell am broadcast -a fr.ancv.cvconnect.DEBUG_PUSH -p fr.ancv.cvconnect \
 *     --es type payment_request --es payment_id pay_… --es message_id msg_…
 */
class DebugPushReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        if (intent.action != ACTION) return
        val extras = intent.extras ?: return
        val data = extras.keySet().mapNotNull { key -> extras.getString(key)?.let { key to it } }.toMap()
        val pending = goAsync()
        CoroutineScope(Dispatchers.IO).launch {
            try {
                withTimeoutOrNull(9_000) { PushNotifier.handle(context.applicationContext, data) }
            } finally {
                pending.finish()
            }
        }
    }

    companion object {
        const val ACTION = "fr.ancv.cvconnect.DEBUG_PUSH"
    }
}
