package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.Platform
import org.json.JSONObject
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.UUID
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong

/** The workspace root: `CVCONNECT_ROOT`, else the `cvconnect.root` system property (set by the pom). */
val workspaceRoot: Path =
    Path.of(System.getenv("CVCONNECT_ROOT") ?: System.getProperty("cvconnect.root") ?: "../..")
        .toAbsolutePath().normalize()

/**
 * A real sandbox process on 127.0.0.1 (in-memory database, seeded with
 * sandbox/seed/demo.json): the merchant and admin side over HTTP, as in tests/kotlin.
 * Shared by the presenter tests (android/jvm-tests) and the UI tests (android/ui).
 *
 * @param extraArgs more command-line options (`--ttl-secs 60`…).
 */
class Sandbox(extraArgs: List<String> = emptyList()) : AutoCloseable {
    private val adminToken = "adm_" + UUID.randomUUID().toString().replace("-", "")
    private val process: Process
    val baseUrl: String
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    private val accounts = AtomicLong(System.nanoTime() % 1_000_000)

    init {
        val bin = System.getenv("CVCONNECT_SANDBOX_BIN")
            ?: error("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
        val seed = workspaceRoot.resolve("sandbox/seed/demo.json").toString()
        process = ProcessBuilder(listOf(bin, "--port", "0", "--memory", "--admin-token", adminToken, "--seed", seed) + extraArgs)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val out = BufferedReader(InputStreamReader(process.inputStream, UTF_8))
        val first = out.readLine() ?: error("the sandbox exited before printing its URL")
        check(first.startsWith("http://127.0.0.1:")) { "unexpected first line: $first" }
        baseUrl = first.trim().trimEnd('/')
        Thread { out.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    private fun request(method: String, path: String, bearer: String, body: JSONObject? = null): JSONObject {
        val builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(40))
            .header("Authorization", "Bearer $bearer")
        if (body != null) builder.header("Content-Type", "application/json")
        builder.method(method, body?.let { HttpRequest.BodyPublishers.ofString(it.toString(), UTF_8) }
            ?: HttpRequest.BodyPublishers.noBody())
        val response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(UTF_8))
        check(response.statusCode() in 200..299) { "HTTP ${response.statusCode()}: ${response.body()}" }
        return if (response.body().isBlank()) JSONObject() else JSONObject(response.body())
    }

    private fun admin(method: String, path: String, body: JSONObject? = null) = request(method, path, adminToken, body)

    /** A fresh account with its own e-mail; returns the e-mail. */
    fun newAccount(balance: String, pin: String = SEED_PIN): String {
        val n = accounts.incrementAndGet()
        val email = "android.$n@example.fr"
        admin("POST", "/admin/accounts", JSONObject(mapOf(
            "email" to email, "account_number" to "8%010d".format(n % 10_000_000_000L),
            "balance" to balance, "pin" to pin,
        )))
        return email
    }

    fun activationCode(email: String): String =
        admin("POST", "/admin/activation-codes", JSONObject(mapOf("email" to email))).getString("code")

    /** The merchant asks `account` for `total`; returns the payment id. */
    fun createPayment(account: String, total: String): String =
        request("POST", "/v1/merchant/payment-requests", DEMO_MERCHANT_KEY, JSONObject(mapOf(
            "account" to account, "total" to total, "order_ref" to "CMD-" + UUID.randomUUID().toString().take(8),
        ))).getString("id")

    fun merchantStatus(paymentId: String): String = merchantPayment(paymentId).getString("status")

    /** The payment as the merchant's API shows it (status, paid_amount, remaining_amount…). */
    fun merchantPayment(paymentId: String): JSONObject =
        request("GET", "/v1/merchant/payment-requests/$paymentId", DEMO_MERCHANT_KEY)

    /** The merchant withdraws its request. */
    fun cancelPayment(paymentId: String) {
        request("POST", "/v1/merchant/payment-requests/$paymentId/cancel", DEMO_MERCHANT_KEY)
    }

    /** Moves the sandbox's clock forward (payments expire, tokens age); this sandbox only. */
    fun advanceClock(seconds: Long) {
        admin("POST", "/admin/clock", JSONObject(mapOf("advance_secs" to seconds)))
    }

    /** Long-polls the push feed until the push announcing `paymentId` to `deviceId`; its data map. */
    fun awaitPush(deviceId: String, paymentId: String, timeoutMs: Long = 10_000): Map<String, String> {
        val deadline = System.currentTimeMillis() + timeoutMs
        var after = 0L
        while (System.currentTimeMillis() < deadline) {
            val query = "device_id=" + URLEncoder.encode(deviceId, UTF_8) + "&after=$after&wait_ms=2000"
            val feed = admin("GET", "/admin/push-feed?$query")
            val notifications = feed.getJSONArray("notifications")
            for (i in 0 until notifications.length()) {
                val data = notifications.getJSONObject(i).getJSONObject("data")
                if (data.optString("payment_id") == paymentId) return data.keySet().associateWith { data.getString(it) }
            }
            after = feed.getLong("next_after")
        }
        error("no push for $paymentId to $deviceId within $timeoutMs ms")
    }

    companion object {
        const val DEMO_MERCHANT_KEY = "mk_demo_boutique"
        const val SEED_EMAIL = "camille.martin@example.fr"
        const val SEED_PIN = "4827"
    }
}

/**
 * One phone: its own data folder and key, a client built through the bindings.
 * [baseUrl] is the sandbox's unless the phone reaches it another way (a relay).
 */
class Phone(val sandbox: Sandbox, signer: DeviceSigner, baseUrl: String = sandbox.baseUrl) : AutoCloseable {
    private val dataDir: Path = Files.createTempDirectory("cvconnect-android-jvm-")
    val client = CvClient(ClientConfig(baseUrl = baseUrl, dataDir = dataDir.toString()), signer, null)
    val deviceId: String get() = client.enrolledDevice()!!.deviceId

    suspend fun enroll(email: String): Phone {
        client.enroll(email, sandbox.activationCode(email), "fcm:android-jvm-" + System.nanoTime(), Platform.ANDROID)
        return this
    }

    /** The merchant asks for `total`; returns the push data map the phone receives. */
    fun push(email: String, total: String): Map<String, String> =
        sandbox.awaitPush(deviceId, sandbox.createPayment(email, total))

    override fun close() {
        client.close()
        dataDir.toFile().deleteRecursively()
    }
}
