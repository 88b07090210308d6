package fr.ancv.cvconnect.testkit

import org.json.JSONObject
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.charset.StandardCharsets.UTF_8
import java.time.Duration
import java.util.UUID
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong

/** What sandbox/seed/demo.json puts in every fresh sandbox. */
object Seed {
    const val EMAIL = "camille.martin@example.fr"
    const val PIN = "4827"
    const val MERCHANT_KEY = "mk_demo_boutique"
}

/** The sandbox routes a test arms faults on (the route pattern, as the sandbox matches it). */
object Routes {
    const val CONFIRM = "/v1/payments/{payment_id}/confirm"
}

/** A fault the sandbox plays on a route once armed (`POST /admin/faults`), by its name on the wire. */
enum class Fault(val wire: String) {
    /** Answers late, by the fault's `delay_ms`. */
    DELAY("delay"),

    /** Answers HTTP 500 without doing the work. */
    ERROR("error"),

    /** Does the work, commits it, then drops the connection unanswered. */
    DROP_AFTER_COMMIT("drop_after_commit"),
}

/** An admin or merchant call the sandbox answered with a status outside 2xx. */
class HttpFailure(val status: Int, val body: String) : RuntimeException("HTTP $status: $body")

/**
 * A sandbox, driven over HTTP from the merchant's and the admin's side: accounts,
 * activation codes, payment requests, the push feed, faults, the clock and the ledger.
 * The phone's side goes through the bindings ([Phone]), never through this class.
 *
 * Either a process of its own ([start]: the binary in `CVCONNECT_SANDBOX_BIN`, in memory,
 * seeded with sandbox/seed/demo.json, on a free port of 127.0.0.1), stopped by [close];
 * or one already running ([join]), which [close] leaves alone.
 */
class Sandbox private constructor(
    val baseUrl: String,
    private val adminToken: String,
    private val process: Process?,
) : AutoCloseable {
    private val http: HttpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    private val accounts = AtomicLong(System.nanoTime() % 1_000_000)

    override fun close() {
        val process = process ?: return
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    // ------------------------------------------------------------------ admin side

    /** A fresh account with its own e-mail and 11-digit number; returns the e-mail. */
    fun newAccount(balance: String, pin: String = Seed.PIN): String {
        val n = accounts.incrementAndGet()
        val email = "kit.$n@example.fr"
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

    /** Moves this sandbox's clock forward: payments expire, tokens age, for every test using it. */
    fun advanceClock(seconds: Long) {
        admin("POST", "/admin/clock", JSONObject(mapOf("advance_secs" to seconds)))
    }

    /** The next [count] calls to [route] meet [fault] ([delayMs]: how late, for [Fault.DELAY]). */
    fun armFault(route: String, fault: Fault, delayMs: Long? = null, count: Int = 1) {
        val body = JSONObject(mapOf("route" to route, "kind" to fault.wire, "count" to count))
        if (delayMs != null) body.put("delay_ms", delayMs)
        admin("POST", "/admin/faults", body)
    }

    /** The ledger's entries (debits) of one payment. */
    fun debitsOf(paymentId: String): List<JSONObject> {
        val entries = admin("GET", "/admin/ledger").getJSONArray("entries")
        return (0 until entries.length()).map { entries.getJSONObject(it) }
            .filter { it.getString("payment_id") == paymentId }
    }

    /** Long-polls the push feed until the push announcing [paymentId] to [deviceId]; its data map. */
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

    /** The merchant asks [account] for [total]; returns the data map of the push [deviceId] receives. */
    fun pushPayment(deviceId: String, account: String, total: String): Map<String, String> =
        awaitPush(deviceId, createPayment(account, total))

    // ------------------------------------------------------------------ merchant side

    /** The merchant asks [account] for [total]; returns the payment id. */
    fun createPayment(account: String, total: String, apiKey: String = Seed.MERCHANT_KEY): String =
        merchant("POST", "/v1/merchant/payment-requests", apiKey, JSONObject(mapOf(
            "account" to account, "total" to total, "order_ref" to "CMD-" + UUID.randomUUID().toString().take(8),
        ))).getString("id")

    /** The payment as the merchant's API shows it (status, paid_amount, remaining_amount…). */
    fun merchantPayment(paymentId: String, apiKey: String = Seed.MERCHANT_KEY): JSONObject =
        merchant("GET", "/v1/merchant/payment-requests/$paymentId", apiKey)

    fun merchantStatus(paymentId: String): String = merchantPayment(paymentId).getString("status")

    /** The merchant withdraws its request. */
    fun cancelPayment(paymentId: String, apiKey: String = Seed.MERCHANT_KEY) {
        merchant("POST", "/v1/merchant/payment-requests/$paymentId/cancel", apiKey)
    }

    // ------------------------------------------------------------------ HTTP

    private fun admin(method: String, path: String, body: JSONObject? = null) = call(method, path, adminToken, body)

    private fun merchant(method: String, path: String, apiKey: String, body: JSONObject? = null) =
        call(method, path, apiKey, body)

    /** One call with a bearer token; the JSON answer (an empty object for an empty body). */
    private fun call(method: String, path: String, bearer: String, body: JSONObject?): JSONObject {
        val request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(40))
            .header("Authorization", "Bearer $bearer")
        if (body != null) request.header("Content-Type", "application/json")
        request.method(method, body?.let { HttpRequest.BodyPublishers.ofString(it.toString(), UTF_8) }
            ?: HttpRequest.BodyPublishers.noBody())
        val response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(UTF_8))
        if (response.statusCode() !in 200..299) throw HttpFailure(response.statusCode(), response.body())
        return if (response.body().isBlank()) JSONObject() else JSONObject(response.body())
    }

    companion object {
        /**
         * Starts the binary in `CVCONNECT_SANDBOX_BIN` (in memory, seeded with
         * sandbox/seed/demo.json, on a free port of 127.0.0.1, with a random admin token).
         *
         * @param extraArgs more command-line options (`--ttl-secs 60`…).
         */
        fun start(extraArgs: List<String> = emptyList()): Sandbox {
            val bin = System.getenv("CVCONNECT_SANDBOX_BIN")
                ?: error("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
            val seed = workspaceRoot.resolve("sandbox/seed/demo.json").toString()
            val token = "adm_" + UUID.randomUUID().toString().replace("-", "")
            val process = ProcessBuilder(
                listOf(bin, "--port", "0", "--memory", "--admin-token", token, "--seed", seed) + extraArgs,
            ).redirectError(ProcessBuilder.Redirect.DISCARD).start()
            val url = try {
                firstLineUrl(process)
            } catch (failure: Throwable) {
                process.destroyForcibly()
                throw failure
            }
            return Sandbox(url, token, process)
        }

        /** A sandbox already running at [baseUrl], whose admin routes [adminToken] opens. */
        fun join(baseUrl: String, adminToken: String): Sandbox = Sandbox(baseUrl.trimEnd('/'), adminToken, null)

        /**
         * Joins the sandbox of `CVCONNECT_SANDBOX_URL` (with `CVCONNECT_ADMIN_TOKEN`) when it
         * is set, as the Python suite does; else starts one.
         */
        fun startOrJoin(): Sandbox {
            val url = System.getenv("CVCONNECT_SANDBOX_URL") ?: return start()
            val token = System.getenv("CVCONNECT_ADMIN_TOKEN")
                ?: error("CVCONNECT_SANDBOX_URL is set without CVCONNECT_ADMIN_TOKEN")
            return join(url, token)
        }

        /** The URL the sandbox prints first; the rest of its output is drained so that it never blocks. */
        private fun firstLineUrl(process: Process): String {
            val out = BufferedReader(InputStreamReader(process.inputStream, UTF_8))
            val first = out.readLine() ?: error("the sandbox exited before printing its URL")
            check(first.startsWith("http://127.0.0.1:")) { "unexpected first line: $first" }
            Thread { out.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
            return first.trim().trimEnd('/')
        }
    }
}
