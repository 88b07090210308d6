package fr.cvconnect.tests

import org.json.JSONObject
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.Path
import java.time.Duration
import java.util.UUID
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong

/** The workspace root: `CVCONNECT_ROOT`, else the `cvconnect.root` system property (set by the pom). */
val workspaceRoot: Path =
    Path.of(System.getenv("CVCONNECT_ROOT") ?: System.getProperty("cvconnect.root") ?: "../..")
        .toAbsolutePath().normalize()

class HttpFailure(val status: Int, val body: String) : RuntimeException("HTTP $status: $body")

/**
 * A real sandbox process on 127.0.0.1 (in-memory database, seeded with
 * sandbox/seed/demo.json), driven over HTTP for the merchant and admin side.
 */
class Sandbox : AutoCloseable {
    val adminToken = "adm_" + UUID.randomUUID().toString().replace("-", "")
    private val process: Process
    val baseUrl: String
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    init {
        val bin = System.getenv("CVCONNECT_SANDBOX_BIN")
            ?: error("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
        val seed = workspaceRoot.resolve("sandbox/seed/demo.json").toString()
        process = ProcessBuilder(
            bin, "--port", "0", "--memory", "--admin-token", adminToken, "--seed", seed,
        ).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val out = BufferedReader(InputStreamReader(process.inputStream, UTF_8))
        val first = out.readLine() ?: error("the sandbox exited before printing its URL")
        check(first.startsWith("http://127.0.0.1:")) { "unexpected first line: $first" }
        baseUrl = first.trim().trimEnd('/')
        // Keep draining stdout so the process never blocks on a full pipe.
        Thread { out.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    fun request(method: String, path: String, bearer: String?, body: JSONObject? = null): String {
        val builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(40))
        if (bearer != null) builder.header("Authorization", "Bearer $bearer")
        val publisher = if (body == null) HttpRequest.BodyPublishers.noBody()
        else HttpRequest.BodyPublishers.ofString(body.toString(), UTF_8)
        if (body != null) builder.header("Content-Type", "application/json")
        builder.method(method, publisher)
        val response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(UTF_8))
        if (response.statusCode() !in 200..299) throw HttpFailure(response.statusCode(), response.body())
        return response.body()
    }

    fun admin(method: String, path: String, body: JSONObject? = null): JSONObject {
        val text = request(method, path, adminToken, body)
        return if (text.isBlank()) JSONObject() else JSONObject(text)
    }

    // ------------------------------------------------------------------ admin side

    private val accountCounter = AtomicLong(System.nanoTime() % 1_000_000)

    /** A fresh account with its own e-mail and 11-digit number. */
    fun newAccount(balance: String, pin: String = "4827"): String {
        val n = accountCounter.incrementAndGet()
        val email = "kotlin.$n@example.fr"
        admin("POST", "/admin/accounts", JSONObject(mapOf(
            "email" to email,
            "account_number" to "9%010d".format(n % 10_000_000_000L),
            "balance" to balance,
            "pin" to pin,
        )))
        return email
    }

    fun activationCode(email: String): String =
        admin("POST", "/admin/activation-codes", JSONObject(mapOf("email" to email))).getString("code")

    fun advanceClock(seconds: Long) {
        admin("POST", "/admin/clock", JSONObject(mapOf("advance_secs" to seconds)))
    }

    fun armFault(route: String, kind: String, delayMs: Long? = null, count: Int = 1) {
        val body = JSONObject(mapOf("route" to route, "kind" to kind, "count" to count))
        if (delayMs != null) body.put("delay_ms", delayMs)
        admin("POST", "/admin/faults", body)
    }

    /** Ledger entries (debits) of one payment. */
    fun debitsOf(paymentId: String): List<JSONObject> {
        val entries = admin("GET", "/admin/ledger").getJSONArray("entries")
        return (0 until entries.length()).map { entries.getJSONObject(it) }
            .filter { it.getString("payment_id") == paymentId }
    }

    /** Waits for the push announcing `paymentId` to `deviceId`; returns its data map. */
    fun awaitPush(deviceId: String, paymentId: String, timeoutMs: Long = 10_000): Map<String, String> {
        val deadline = System.currentTimeMillis() + timeoutMs
        var after = 0L
        while (System.currentTimeMillis() < deadline) {
            val query = "device_id=" + URLEncoder.encode(deviceId, UTF_8) + "&after=$after&wait_ms=2000"
            val feed = admin("GET", "/admin/push-feed?$query")
            val notifications = feed.getJSONArray("notifications")
            for (i in 0 until notifications.length()) {
                val data = notifications.getJSONObject(i).getJSONObject("data")
                if (data.optString("payment_id") == paymentId) {
                    return data.keySet().associateWith { data.getString(it) }
                }
            }
            after = feed.getLong("next_after")
        }
        error("no push for $paymentId to $deviceId within $timeoutMs ms")
    }

    // ------------------------------------------------------------------ merchant side

    fun createPayment(account: String, total: String, apiKey: String = DEMO_MERCHANT_KEY): JSONObject =
        JSONObject(request("POST", "/v1/merchant/payment-requests", apiKey, JSONObject(mapOf(
            "account" to account, "total" to total, "order_ref" to "CMD-" + UUID.randomUUID().toString().take(8),
        ))))

    fun merchantPayment(id: String, apiKey: String = DEMO_MERCHANT_KEY): JSONObject =
        JSONObject(request("GET", "/v1/merchant/payment-requests/$id", apiKey))

    fun merchantStatus(id: String): String = merchantPayment(id).getString("status")

    companion object {
        /** Seeded by sandbox/seed/demo.json. */
        const val DEMO_MERCHANT_KEY = "mk_demo_boutique"
        const val SEED_EMAIL = "camille.martin@example.fr"
        const val SEED_PIN = "4827"
    }
}
