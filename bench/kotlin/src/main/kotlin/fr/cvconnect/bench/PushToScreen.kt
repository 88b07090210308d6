/*
 * Push to screen through the Kotlin binding on the JVM (figure 1e); cvconnect-bench drives it.
 *
 * Usage: PushToScreenKt BASE_URL EMAIL ACTIVATION_CODE DATA_DIR
 *
 * Enrolls a device, prints {"ready": DEVICE_ID}, then for every line read on stdin (a push
 * data map as JSON) times openFromPush + view() and prints {"ns": ..., "payment_id": ...}.
 * Stops on an empty line or the end of input. The coroutine runs on the main thread
 * (runBlocking), as an app's screen does on its main dispatcher. Each answer also gives
 * "signatures" and "sign_ns": the device key's signatures during the open and the time
 * spent in them (the JDK's ECDSA, standing in for the Android Keystore).
 */
package fr.cvconnect.bench

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.testkit.JdkSigner
import com.sun.jna.Native
import kotlinx.coroutines.runBlocking
import org.json.JSONObject

/**
 * With CVCONNECT_BENCH_KEEP_ATTACHED set, the signer asks JNA to leave the library's thread
 * that called it attached to the JVM when the callback returns (JNA's default attaches a
 * native thread for each callback and detaches it after): an experiment that measures what
 * attaching costs, not what the shipped binding does.
 */
private val keepAttached = System.getenv("CVCONNECT_BENCH_KEEP_ATTACHED") != null

/** The kit's JDK key, counting its signatures and the time spent in them. */
private class TimedSigner(private val key: DeviceSigner = JdkSigner()) : DeviceSigner {
    private var signatures = 0L
    private var signNs = 0L

    override fun publicKey(): ByteArray = key.publicKey()

    override fun sign(message: ByteArray): ByteArray {
        if (keepAttached) Native.detach(false)
        val start = System.nanoTime()
        val signature = key.sign(message)
        synchronized(this) {
            signNs += System.nanoTime() - start
            signatures += 1
        }
        return signature
    }

    /** The counts since the last call, into [json]. */
    fun takeInto(json: JSONObject): JSONObject = synchronized(this) {
        json.put("signatures", signatures).put("sign_ns", signNs).also {
            signatures = 0
            signNs = 0
        }
    }
}

private fun say(json: JSONObject) {
    println(json.toString())
    System.out.flush()
}

/** A push's data map, as the platform hands it over: string keys and values. */
private fun pushData(line: String): Map<String, String> {
    val json = JSONObject(line)
    return json.keys().asSequence().associateWith { json.getString(it) }
}

fun main(args: Array<String>) = runBlocking {
    require(args.size == 4) { "usage: PushToScreenKt BASE_URL EMAIL ACTIVATION_CODE DATA_DIR" }
    val (baseUrl, email, code, dataDir) = args
    val signer = TimedSigner()
    CvClient(ClientConfig(baseUrl = baseUrl, dataDir = dataDir), signer, null).use { client ->
        val device = client.enroll(email, code, "push-kotlin-bench", Platform.OTHER)
        say(JSONObject().put("ready", device.deviceId))
        val input = System.`in`.bufferedReader()
        while (true) {
            val line = input.readLine()?.trim().orEmpty()
            if (line.isEmpty()) break
            val data = pushData(line)
            signer.takeInto(JSONObject())
            val start = System.nanoTime()
            val session = client.openFromPush(data)
            val view = session.view()
            val elapsed = System.nanoTime() - start
            session.close()
            say(signer.takeInto(JSONObject().put("ns", elapsed).put("payment_id", view.paymentId)))
        }
    }
}
