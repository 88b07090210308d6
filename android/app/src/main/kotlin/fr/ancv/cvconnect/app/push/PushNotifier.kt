package fr.ancv.cvconnect.app.push

import android.Manifest
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.InternalException
import fr.ancv.cvconnect.app.CvConnectApp
import fr.ancv.cvconnect.app.MainActivity
import kotlinx.coroutines.CancellationException

/**
 * What a push does, whoever delivered it (FCM, or the debug receiver in emulator suites):
 * the data map goes to the library, which checks it, drops a copy of a push already
 * received (FCM delivers again; the library remembers message ids across restarts), and
 * reads the payment from the API (nothing in a push is trusted); the notification shows
 * what the API said. Tapping it opens [MainActivity] with the same data map, which opens
 * the payment screen, copy or not.
 */
object PushNotifier {
    const val EXTRA_PUSH_DATA = "fr.ancv.cvconnect.PUSH_DATA"

    suspend fun handle(context: Context, data: Map<String, String>) {
        val app = context.applicationContext as CvConnectApp
        val text = try {
            val client = app.client()
            if (client.receivePush(data).duplicate) return // already received: shown once
            client.openFromPush(data).use { session ->
                val view = session.view()
                "${view.payeeName} vous demande ${view.totalText}"
            }
        } catch (_: CvException.Push) {
            return // not a payment request, or malformed: nothing to show
        } catch (_: CvException.AlreadyHandled) {
            return // paid, declined or expired already (another device, a duplicate push)
        } catch (_: CvException) {
            "Nouvelle demande de paiement" // offline, or the store cannot tell a copy: the tap will retry
        } catch (_: InternalException) {
            "Nouvelle demande de paiement" // a failure inside the bindings: never a crash in the push service
        } catch (cancelled: CancellationException) {
            throw cancelled
        } catch (_: Exception) {
            "Nouvelle demande de paiement" // the client could not be built (Keystore): the tap will retry
        }
        notify(context, data, text)
    }

    private fun notify(context: Context, data: Map<String, String>, text: String) {
        if (Build.VERSION.SDK_INT >= 33 &&
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) return
        val paymentId = data["payment_id"].orEmpty()
        val extras = Bundle().apply { data.forEach { (key, value) -> putString(key, value) } }
        val tap = Intent(context, MainActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_SINGLE_TOP or Intent.FLAG_ACTIVITY_CLEAR_TOP)
            .putExtra(EXTRA_PUSH_DATA, extras)
        val pending = PendingIntent.getActivity(
            context, paymentId.hashCode(), tap, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, CvConnectApp.CHANNEL_PAYMENTS)
            .setSmallIcon(android.R.drawable.stat_notify_more)
            .setContentTitle("Chèque-Vacances Connect")
            .setContentText(text)
            .setPriority(NotificationCompat.PRIORITY_HIGH)
            .setCategory(NotificationCompat.CATEGORY_MESSAGE)
            .setAutoCancel(true)
            .setContentIntent(pending)
            .build()
        NotificationManagerCompat.from(context).notify(paymentId.hashCode(), notification)
    }

    /** The data map back from a tapped notification's intent, or null. */
    fun dataFrom(intent: Intent?): Map<String, String>? {
        val extras = intent?.getBundleExtra(EXTRA_PUSH_DATA) ?: return null
        return extras.keySet().associateWith { extras.getString(it).orEmpty() }
    }
}
