package fr.ancv.cvconnect.testkit

import org.json.JSONObject
import java.net.HttpURLConnection
import java.net.URL
import java.net.URLEncoder
import java.util.UUID
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
    /** Answers late, by the fault's `delay_ms`: the request waits in the sandbox before any work. */
    DELAY("delay"),

    /** Answers HTTP 500 without doing the work. */
    ERROR("error"),

    /** Does the work, commits it, then drops the connection unanswered. */
    DROP_AFTER_COMMIT("drop_after_commit"),

    /** Answers 404 `not_found` without doing the work, as a backend older than the route. */
    MISSING("missing"),
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
 *
 * The calls go through `java.net.HttpURLConnection`, which the JVM and Android both have:
 * the app's instrumented test (android/app/src/androidTest) joins the host's sandbox with
 * this same class from a device.
 */
class Sandbox internal constructor(
    val baseUrl: String,
    private val adminToken: String,
    private val stop: () -> Unit = {},
) : AutoCloseable {
    private val accounts = AtomicLong(System.nanoTime() % 1_000_000)

    /** Stops the sandbox's process when [start] started it; a joined sandbox keeps running. */
    override fun close() = stop()

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

    /** The devices enrolled on the account of [email], as the admin API lists them (`GET /admin/accounts/{account}/devices`). */
    fun devicesOf(email: String): List<JSONObject> {
        val devices = admin("GET", "/admin/accounts/" + URLEncoder.encode(email, "UTF-8") + "/devices").getJSONArray("devices")
        return (0 until devices.length()).map { devices.getJSONObject(it) }
    }

    /** An administrator cuts [deviceId] off (`POST /admin/devices/{id}/revoke`); returns when, in Unix seconds. */
    fun revokeDevice(deviceId: String): Long = admin("POST", "/admin/devices/$deviceId/revoke").getLong("revoked_at")

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

    /**
     * Waits until every fault armed on [route] has met its calls: the last call it took is
     * then inside the sandbox (held there, for [Fault.DELAY]). A test waits on this instead
     * of guessing how long a request takes to arrive.
     */
    fun awaitFaultsPlayed(route: String, timeoutMs: Long = DEFAULT_WAIT_MS) {
        waitFor("the faults armed on $route to meet their calls", timeoutMs) {
            val armed = admin("GET", "/admin/faults").getJSONArray("faults")
            Unit.takeIf { (0 until armed.length()).none { armed.getJSONObject(it).getString("route") == route } }
        }
    }

    /** The ledger's entries (debits) of one payment. */
    fun debitsOf(paymentId: String): List<JSONObject> {
        val entries = admin("GET", "/admin/ledger").getJSONArray("entries")
        return (0 until entries.length()).map { entries.getJSONObject(it) }
            .filter { it.getString("payment_id") == paymentId }
    }

    /**
     * Long-polls the push feed until the push announcing [paymentId]; its data map. To
     * [deviceId] only, or to any device when it is null (an app enrolled through its screens,
     * whose device id the test does not know).
     */
    fun awaitPush(deviceId: String?, paymentId: String, timeoutMs: Long = DEFAULT_WAIT_MS): Map<String, String> {
        val device = deviceId?.let { "device_id=" + URLEncoder.encode(it, "UTF-8") + "&" }.orEmpty()
        var after = 0L
        return waitFor("a push for $paymentId to ${deviceId ?: "any device"}", timeoutMs, intervalMs = 0) {
            val feed = admin("GET", "/admin/push-feed?${device}after=$after&wait_ms=2000")
            val notifications = feed.getJSONArray("notifications")
            after = feed.getLong("next_after")
            (0 until notifications.length()).map { notifications.getJSONObject(it).getJSONObject("data") }
                .firstOrNull { it.optString("payment_id") == paymentId }
                ?.let { data -> data.keys().asSequence().associateWith { data.getString(it) } }
        }
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

    /**
     * One call with a bearer token; the JSON answer (an empty object for an empty body).
     * A POST always sends a body, empty when [body] is null, with its length.
     */
    private fun call(method: String, path: String, bearer: String, body: JSONObject?): JSONObject {
        val connection = URL(baseUrl + path).openConnection() as HttpURLConnection
        connection.requestMethod = method
        connection.connectTimeout = CONNECT_TIMEOUT_MS
        connection.readTimeout = READ_TIMEOUT_MS
        connection.setRequestProperty("Authorization", "Bearer $bearer")
        if (body != null || method == "POST") {
            val bytes = body?.toString()?.toByteArray(Charsets.UTF_8) ?: ByteArray(0)
            if (body != null) connection.setRequestProperty("Content-Type", "application/json")
            connection.doOutput = true
            connection.setFixedLengthStreamingMode(bytes.size)
            connection.outputStream.use { it.write(bytes) }
        }
        val status = connection.responseCode
        val text = (if (status in 200..299) connection.inputStream else connection.errorStream)
            ?.use { it.readBytes().toString(Charsets.UTF_8) }.orEmpty()
        if (status !in 200..299) throw HttpFailure(status, text)
        return if (text.isBlank()) JSONObject() else JSONObject(text)
    }

    companion object {
        /** How long a call may take to connect, and to answer (a long poll waits up to 2 s). */
        private const val CONNECT_TIMEOUT_MS = 5_000
        private const val READ_TIMEOUT_MS = 40_000

        /** How long the kit waits for a push or a fault to be played before it fails. */
        const val DEFAULT_WAIT_MS = 20_000L

        /**
         * Starts the binary in `CVCONNECT_SANDBOX_BIN` (in memory, seeded with
         * sandbox/seed/demo.json, on a free port of 127.0.0.1, with a random admin token).
         * On the JVM only: a device joins the host's sandbox instead.
         *
         * @param extraArgs more command-line options (`--ttl-secs 60`…).
         */
        fun start(extraArgs: List<String> = emptyList()): Sandbox = SandboxProcess.start(extraArgs)

        /** A sandbox already running at [baseUrl], whose admin routes [adminToken] opens. */
        fun join(baseUrl: String, adminToken: String): Sandbox = Sandbox(baseUrl.trimEnd('/'), adminToken)

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
    }
}
