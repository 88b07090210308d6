package fr.ancv.cvconnect.testkit

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.KeyAttester
import fr.ancv.cvconnect.Keypad
import fr.ancv.cvconnect.LogLevel
import fr.ancv.cvconnect.LogSink
import fr.ancv.cvconnect.PaymentSession
import fr.ancv.cvconnect.Platform
import java.nio.file.Files
import java.nio.file.Path
import java.util.Collections

/**
 * One phone: its own data folder and key, a client built through the bindings as an app
 * builds it. [baseUrl] is the sandbox's unless the phone reaches it another way (a relay,
 * or a port where nothing listens); [attester] attests its key at enrollment (v1.2).
 */
class Phone(
    val sandbox: Sandbox,
    val signer: DeviceSigner = JdkSigner(),
    baseUrl: String = sandbox.baseUrl,
    sink: LogSink? = null,
    attester: KeyAttester? = null,
) : AutoCloseable {
    private val dataDir: Path = Files.createTempDirectory("cvconnect-phone-")
    private val config = ClientConfig(baseUrl = baseUrl, dataDir = dataDir.toString())

    /** Built as an app builds it: `CvClient.withAttester` when the phone has an [attester]. */
    val client = if (attester == null) CvClient(config, signer, sink) else CvClient.withAttester(config, signer, attester, sink)
    val deviceId: String get() = checkNotNull(client.enrolledDevice()) { "the phone is not enrolled" }.deviceId

    /** The e-mail of the account this phone enrolled on with [enroll]. */
    lateinit var account: String
        private set

    /** Enrolls on [email] with a fresh activation code from the admin side; returns this phone. */
    suspend fun enroll(email: String): Phone {
        client.enroll(email, sandbox.activationCode(email), "fcm:kit-" + System.nanoTime(), Platform.ANDROID)
        account = email
        return this
    }

    /**
     * The merchant asks [account] (by default the one this phone enrolled on) for [total];
     * returns the data map of the push this phone receives.
     */
    fun push(total: String, account: String = this.account): Map<String, String> =
        sandbox.pushPayment(deviceId, account, total)

    /** The merchant asks for [total]; the push arrives; the app opens the payment from it. */
    suspend fun receive(total: String, account: String = this.account): PaymentSession =
        client.openFromPush(push(total, account))

    override fun close() {
        client.close()
        dataDir.toFile().deleteRecursively()
    }
}

/** Log lines the core sent, for assertions. */
class RecordingSink : LogSink {
    val lines: MutableList<String> = Collections.synchronizedList(mutableListOf())

    override fun log(level: LogLevel, target: String, message: String) {
        lines.add("$level $target $message")
    }
}

/** Types [pin] the way a user does: finds each digit on the shuffled layout, presses its position. */
fun Keypad.type(pin: String) {
    val layout = layout()
    for (digit in pin) {
        val position = layout.indexOf(digit - '0')
        check(position >= 0) { "digit $digit missing from the layout" }
        press(position)
    }
}

/** A keypad for the session with [pin] typed in. */
fun PaymentSession.keypadWith(pin: String): Keypad = startPinEntry().also { it.type(pin) }
