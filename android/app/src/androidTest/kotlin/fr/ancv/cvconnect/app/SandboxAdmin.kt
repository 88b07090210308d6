package fr.ancv.cvconnect.app

import org.json.JSONObject
import java.net.HttpURLConnection
import java.net.URL
import java.net.URLEncoder
import java.util.UUID

/**
 * The merchant and admin side of the sandbox, over HTTP from the device (the sandbox runs
 * on the host, 10.0.2.2 from the emulator; plain http to it is allowed by the debug
 * network security config only).
 */
class SandboxAdmin(private val baseUrl: String, private val adminToken: String) {

    private fun call(method: String, path: String, bearer: String, body: JSONObject? = null): JSONObject {
        val connection = URL(baseUrl.trimEnd('/') + path).openConnection() as HttpURLConnection
        connection.requestMethod = method
        connection.connectTimeout = 5_000
        connection.readTimeout = 40_000
        connection.setRequestProperty("Authorization", "Bearer $bearer")
        if (body != null) {
            connection.doOutput = true
            connection.setRequestProperty("Content-Type", "application/json")
            connection.outputStream.use { it.write(body.toString().toByteArray()) }
        }
        val status = connection.responseCode
        val text = (if (status in 200..299) connection.inputStream else connection.errorStream)
            ?.bufferedReader()?.use { it.readText() }.orEmpty()
        check(status in 200..299) { "$method $path: HTTP $status $text" }
        return if (text.isBlank()) JSONObject() else JSONObject(text)
    }

    fun activationCode(email: String): String =
        call("POST", "/admin/activation-codes", adminToken, JSONObject().put("email", email)).getString("code")

    fun createPayment(account: String, total: String): String =
        call(
            "POST", "/v1/merchant/payment-requests", MERCHANT_KEY,
            JSONObject().put("account", account).put("total", total).put("order_ref", "CMD-" + UUID.randomUUID().toString().take(8)),
        ).getString("id")

    fun merchantStatus(paymentId: String): String =
        call("GET", "/v1/merchant/payment-requests/$paymentId", MERCHANT_KEY).getString("status")

    /** The data map of the push announcing [paymentId], from the sandbox's push feed. */
    fun awaitPush(paymentId: String, timeoutMs: Long = 30_000): Map<String, String> {
        val deadline = System.currentTimeMillis() + timeoutMs
        var after = 0L
        while (System.currentTimeMillis() < deadline) {
            val feed = call("GET", "/admin/push-feed?after=$after&wait_ms=5000", adminToken)
            val notifications = feed.getJSONArray("notifications")
            for (i in 0 until notifications.length()) {
                val data = notifications.getJSONObject(i).getJSONObject("data")
                if (data.optString("payment_id") == paymentId) {
                    return data.keys().asSequence().associateWith { data.getString(it) }
                }
            }
            after = feed.getLong("next_after")
        }
        error("no push for $paymentId within $timeoutMs ms (feed ${URLEncoder.encode(baseUrl, "UTF-8")})")
    }

    companion object {
        const val MERCHANT_KEY = "mk_demo_boutique"
        const val SEED_EMAIL = "camille.martin@example.fr"
        const val SEED_PIN = "4827"
    }
}
