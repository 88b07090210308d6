package fr.ancv.cvconnect.app

import android.app.Application
import android.app.NotificationChannel
import android.app.NotificationManager
import android.os.Build
import android.util.Log
import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.LogLevel
import fr.ancv.cvconnect.LogSink
import fr.ancv.cvconnect.app.keystore.DeviceKey
import java.io.File

/** Holds the one [CvClient] of the process (the core keeps its store and HTTP stack in it). */
class CvConnectApp : Application() {

    val client: CvClient by lazy {
        val dataDir = File(filesDir, "cvconnect").apply { mkdirs() }
        CvClient(
            ClientConfig(baseUrl = BuildConfig.BACKEND_URL, dataDir = dataDir.path),
            DeviceKey.signer(this),
            if (BuildConfig.DEBUG) LogcatSink else null,
        )
    }

    override fun onCreate() {
        super.onCreate()
        if (Build.VERSION.SDK_INT >= 26) {
            getSystemService(NotificationManager::class.java).createNotificationChannel(
                NotificationChannel(CHANNEL_PAYMENTS, getString(R.string.channel_payments), NotificationManager.IMPORTANCE_HIGH),
            )
        }
    }

    /** The core's log lines (never a PIN, key or token; e-mails masked) to Logcat. */
    private object LogcatSink : LogSink {
        override fun log(level: LogLevel, target: String, message: String) {
            val priority = when (level) {
                LogLevel.ERROR -> Log.ERROR
                LogLevel.WARN -> Log.WARN
                LogLevel.INFO -> Log.INFO
                LogLevel.DEBUG -> Log.DEBUG
                LogLevel.TRACE -> Log.VERBOSE
            }
            Log.println(priority, "cvconnect", "$target: $message")
        }
    }

    companion object {
        const val CHANNEL_PAYMENTS = "payments"
    }
}
