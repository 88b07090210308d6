/*
 * Push to screen through the Kotlin binding on the JVM (figure 1e); cvconnect-bench drives it.
 *
 * Usage: PushToScreenKt BASE_URL EMAIL ACTIVATION_CODE DATA_DIR
 *
 * Enrolls a device, prints {"ready": DEVICE_ID}, then for every line read on stdin (a push
 * data map as JSON) times openFromPush + view() and prints {"ns": ..., "payment_id": ...}.
 * Stops on an empty line or the end of input. Before timing the first push, opens its payment
 * [JIT_WARMUP_OPENS] times (see there), then times the pieces of an open once and adds them to
 * its answer as "calibration" (see [calibrate]). The coroutine runs on the main thread
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

/**
 * Opens of the first push's payment before any is timed: HotSpot compiles a method with C2
 * after about ten thousand invocations and loop iterations, and the binding's paths (lifting
 * the map, polling the foreign future, the signer's callback and the JDK's ECDSA behind it,
 * lowering the view) take a few hundred opens to get there. Fewer, and the JIT's compiler
 * threads still compete for the 2 cores while the opens are timed. An app that has been
 * running is past this point; an Android app's code is compiled ahead of time.
 */
private const val JIT_WARMUP_OPENS = 2000

/** Opens [data]'s payment as a timed open does, untimed. */
private suspend fun openAndClose(client: CvClient, data: Map<String, String>) {
    val session = client.openFromPush(data)
    session.view()
    session.close()
}

/** The median of [times] runs of [block], in ns. */
private inline fun median(times: Int, block: () -> Unit): Long {
    val samples = LongArray(times)
    for (i in 0 until times) {
        val start = System.nanoTime()
        block()
        samples[i] = System.nanoTime() - start
    }
    samples.sort()
    return samples[times / 2]
}

/**
 * Warms the JIT up on [data]'s payment, then times the pieces of an open apart (medians, ns):
 * back-to-back opens after the warm-up, the JDK's signature called directly from Kotlin, an
 * async call that does no I/O (`reconcile()` with nothing to settle: the spawn on the library's
 * runtime, the foreign future, its continuation resumed here) and a synchronous call that
 * returns a record (`enrolledDevice()`).
 */
private suspend fun calibrate(client: CvClient, signer: TimedSigner, data: Map<String, String>): JSONObject {
    val opens = LongArray(JIT_WARMUP_OPENS)
    for (i in 0 until JIT_WARMUP_OPENS) {
        val start = System.nanoTime()
        openAndClose(client, data)
        opens[i] = System.nanoTime() - start
    }
    val lastHalf = opens.copyOfRange(JIT_WARMUP_OPENS / 2, JIT_WARMUP_OPENS).apply { sort() }
    val calibration = JSONObject()
        .put("warm_opens", JIT_WARMUP_OPENS)
        .put("warm_open_ns", lastHalf[lastHalf.size / 2])
        .put("direct_sign_ns", median(300) { signer.sign(ByteArray(128)) })
        .put("async_ns", median(1000) { runBlocking { client.reconcile() } })
        .put("sync_ns", median(2000) { client.enrolledDevice() })
    signer.takeInto(JSONObject())
    return calibration
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
        var calibration: JSONObject? = null
        while (true) {
            val line = input.readLine()?.trim().orEmpty()
            if (line.isEmpty()) break
            val data = pushData(line)
            val first = if (calibration == null) calibrate(client, signer, data) else null
            calibration = calibration ?: first
            signer.takeInto(JSONObject())
            val start = System.nanoTime()
            val session = client.openFromPush(data)
            val view = session.view()
            val elapsed = System.nanoTime() - start
            session.close()
            val answer = JSONObject().put("ns", elapsed).put("payment_id", view.paymentId)
            if (first != null) answer.put("calibration", first)
            say(signer.takeInto(answer))
        }
    }
}
