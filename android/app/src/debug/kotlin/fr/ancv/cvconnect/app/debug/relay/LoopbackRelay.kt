package fr.ancv.cvconnect.app.debug.relay

import java.io.IOException
import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.ConcurrentHashMap
import kotlin.concurrent.thread

/**
 * Debug builds only: a TCP relay from a loopback port of this process to a host the
 * emulator reaches ([targetHost], usually 10.0.2.2, the host machine's loopback).
 *
 * The core accepts plain `http://` only on loopback (`core/src/client/config.rs`), so a
 * debug build cannot use `http://10.0.2.2:8787` directly. With the relay, the core talks
 * to `http://127.0.0.1:<port>` and the bytes go to the sandbox on the host, without
 * `adb reverse` and without weakening the core. Release builds do not contain this
 * class (src/debug) and use https only.
 *
 * Plain `java.net` and no `android.*` import: the UI tests compile it on the desktop JVM
 * and use it to cut the network under a running client (the offline screens).
 * Listens on 127.0.0.1 only; one thread per direction of each connection (a debug tool).
 */
class LoopbackRelay(private val targetHost: String, private val targetPort: Int) : AutoCloseable {
    private val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    private val open: MutableSet<Socket> = ConcurrentHashMap.newKeySet()

    @Volatile
    private var closed = false

    /** The base URL the core is given: loopback, so the core accepts plain http. */
    val url: String = "http://127.0.0.1:${server.localPort}"

    init {
        thread(isDaemon = true, name = "loopback-relay-accept") { acceptLoop() }
    }

    private fun acceptLoop() {
        while (!server.isClosed) {
            val client = try {
                server.accept()
            } catch (_: IOException) {
                return // closed
            }
            thread(isDaemon = true, name = "loopback-relay-conn") { relay(client) }
        }
    }

    private fun relay(client: Socket) {
        open += client
        val upstream = try {
            Socket(targetHost, targetPort)
        } catch (_: IOException) {
            drop(client)
            return
        }
        open += upstream
        if (closed) return drop(client, upstream)
        thread(isDaemon = true, name = "loopback-relay-back") {
            pump(upstream.getInputStream(), client.getOutputStream())
            drop(client, upstream)
        }
        pump(client.getInputStream(), upstream.getOutputStream())
        drop(client, upstream)
    }

    /** Copies until end of stream or a failure on either side. */
    private fun pump(from: InputStream, to: OutputStream) {
        try {
            from.copyTo(to) // socket streams are unbuffered: each read is written at once
        } catch (_: IOException) {
            // one side closed: the caller closes both
        }
    }

    private fun drop(vararg sockets: Socket) {
        sockets.forEach {
            open -= it
            runCatching { it.close() }
        }
    }

    /** Stops listening and cuts every open connection: for the client, the network is gone. */
    override fun close() {
        closed = true
        runCatching { server.close() }
        drop(*open.toTypedArray())
    }
}
