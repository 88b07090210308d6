/*
 * Push to screen through the Kotlin binding on the JVM (figure 1e); cvconnect-bench drives it.
 *
 * Usage: PushToScreenKt BASE_URL EMAIL ACTIVATION_CODE DATA_DIR
 *
 * Enrolls a device, prints {"ready": DEVICE_ID}, then for every line read on stdin (a push
 * data map as JSON) times openFromPush + view() and prints {"ns": ..., "payment_id": ...}.
 * Stops on an empty line or the end of input. The coroutine runs on the main thread
 * (runBlocking), as an app's screen does on its main dispatcher.
 */
package fr.cvconnect.bench

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.testkit.JdkSigner
import kotlinx.coroutines.runBlocking
import org.json.JSONObject

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
    CvClient(ClientConfig(baseUrl = baseUrl, dataDir = dataDir), JdkSigner(), null).use { client ->
        val device = client.enroll(email, code, "push-kotlin-bench", Platform.OTHER)
        say(JSONObject().put("ready", device.deviceId))
        val input = System.`in`.bufferedReader()
        while (true) {
            val line = input.readLine()?.trim().orEmpty()
            if (line.isEmpty()) break
            val data = pushData(line)
            val start = System.nanoTime()
            val session = client.openFromPush(data)
            val view = session.view()
            val elapsed = System.nanoTime() - start
            session.close()
            say(JSONObject().put("ns", elapsed).put("payment_id", view.paymentId))
        }
    }
}
