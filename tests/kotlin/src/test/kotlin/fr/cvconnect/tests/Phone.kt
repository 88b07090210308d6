package fr.cvconnect.tests

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.Keypad
import fr.ancv.cvconnect.LogLevel
import fr.ancv.cvconnect.LogSink
import fr.ancv.cvconnect.PaymentSession
import fr.ancv.cvconnect.Platform
import java.math.BigDecimal
import java.nio.file.Files
import java.util.Collections

/** An amount as the library sends it: exact, two decimals ("150.00" has scale 2). */
fun eur(text: String): BigDecimal = BigDecimal(text)

/** Log lines the core sent, for assertions. */
class RecordingSink : LogSink {
    val lines: MutableList<String> = Collections.synchronizedList(mutableListOf())
    override fun log(level: LogLevel, target: String, message: String) {
        lines.add("$level $target $message")
    }
}

/** One phone: its own data folder, its own key, a client built through the bindings. */
class Phone(
    val sandbox: Sandbox,
    val signer: DeviceSigner = JdkSigner(),
    baseUrl: String = sandbox.baseUrl,
    val sink: RecordingSink? = null,
) : AutoCloseable {
    val dataDir = Files.createTempDirectory("cvconnect-kotlin-")
    val client = CvClient(ClientConfig(baseUrl = baseUrl, dataDir = dataDir.toString()), signer, sink)
    val deviceId: String get() = client.enrolledDevice()!!.deviceId

    suspend fun enroll(email: String): Phone {
        client.enroll(email, sandbox.activationCode(email), "fcm:kotlin-" + System.nanoTime(), Platform.ANDROID)
        return this
    }

    /** Merchant asks for `total`; the push arrives; the app opens the payment from it. */
    suspend fun receive(email: String, total: String): PaymentSession {
        val paymentId = sandbox.createPayment(email, total).getString("id")
        val data = sandbox.awaitPush(deviceId, paymentId)
        return client.openFromPush(data)
    }

    override fun close() {
        client.close()
        dataDir.toFile().deleteRecursively()
    }
}

/** Types `pin` the way a user does: finds each digit on the shuffled layout, presses its position. */
fun Keypad.type(pin: String) {
    val layout = layout()
    for (digit in pin) {
        val position = layout.indexOf(digit - '0')
        check(position >= 0) { "digit missing from the layout" }
        press(position)
    }
}

/** A keypad for the session with `pin` typed in. */
fun PaymentSession.keypadWith(pin: String): Keypad = startPinEntry().also { it.type(pin) }
