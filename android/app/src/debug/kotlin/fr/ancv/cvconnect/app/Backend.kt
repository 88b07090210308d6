package fr.ancv.cvconnect.app

import androidx.annotation.WorkerThread
import fr.ancv.cvconnect.app.debug.relay.LoopbackRelay
import java.net.URI

/**
 * Debug builds: the sandbox on the development machine. From the emulator, that machine's
 * loopback is 10.0.2.2, but the core accepts plain http only on loopback hosts and
 * throws InvalidConfig for `http://10.0.2.2:8787`. So a plain-http URL whose host is not
 * loopback is reached through a [LoopbackRelay]: the core gets `http://127.0.0.1:<port>`.
 * A loopback URL (with `adb reverse tcp:8787 tcp:8787`) and https URLs are used as they are.
 */
internal object Backend {
    private val loopback = setOf("127.0.0.1", "localhost", "[::1]")
    private var relay: LoopbackRelay? = null

    @WorkerThread
    @Synchronized
    fun baseUrl(configured: String): String {
        val uri = URI(configured)
        if (uri.scheme != "http" || uri.host in loopback) return configured
        val open = relay ?: LoopbackRelay(uri.host, if (uri.port == -1) 80 else uri.port).also { relay = it }
        return open.url + uri.rawPath.orEmpty()
    }
}
