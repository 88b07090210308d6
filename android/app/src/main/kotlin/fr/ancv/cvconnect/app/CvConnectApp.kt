package fr.ancv.cvconnect.app

import android.app.Application
import android.app.NotificationChannel
import android.app.NotificationManager
import android.os.Build
import android.util.Log
import androidx.annotation.WorkerThread
import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.LogLevel
import fr.ancv.cvconnect.LogSink
import fr.ancv.cvconnect.app.keystore.DeviceKey
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import java.io.File

/**
 * Holds the one [CvClient] of the process (the core keeps its store and HTTP stack in it).
 *
 * The client is built on an IO thread, started in [onCreate]: it needs the device key,
 * and generating a Keystore key (StrongBox especially) can take seconds, which on the
 * main thread is an ANR. Everyone gets it through the suspending [client].
 */
class CvConnectApp : Application() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val lock = Mutex()
    private var building: Deferred<CvClient>? = null

    override fun onCreate() {
        super.onCreate()
        building = scope.async { createClient() }
        if (Build.VERSION.SDK_INT >= 26) {
            getSystemService(NotificationManager::class.java).createNotificationChannel(
                NotificationChannel(CHANNEL_PAYMENTS, getString(R.string.channel_payments), NotificationManager.IMPORTANCE_HIGH),
            )
        }
    }

    /** The client, once built (suspends meanwhile); after a failure, tries again. */
    suspend fun client(): CvClient {
        val deferred = lock.withLock {
            building?.takeUnless { it.isCancelled } ?: scope.async { createClient() }.also { building = it }
        }
        return deferred.await()
    }

    @WorkerThread
    private fun createClient(): CvClient {
        val dataDir = File(filesDir, "cvconnect").apply { mkdirs() }
        val key = DeviceKey.open(this)
        // The key signs, and attests itself at enrollment when the backend asks (v1.2).
        return CvClient.withAttester(
            ClientConfig(baseUrl = Backend.baseUrl(BuildConfig.BACKEND_URL), dataDir = dataDir.path),
            key,
            key,
            if (BuildConfig.DEBUG) LogcatSink else null,
        )
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
