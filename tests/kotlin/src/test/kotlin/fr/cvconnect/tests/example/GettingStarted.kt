package fr.cvconnect.tests.example

// The example of docs/kotlin.md, compiled and run by GettingStartedTest against a real
// sandbox. DocsTest checks that the doc's code block is exactly the region below.

// region getting-started
import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentSession
import fr.ancv.cvconnect.PaymentView
import fr.ancv.cvconnect.Platform
import java.security.KeyPair
import java.security.Signature

/**
 * The device key: ECDSA P-256, SHA-256, DER signatures, the public key as X.509
 * SubjectPublicKeyInfo. On Android, use the library's JcaDeviceSigner with a key from
 * the Android Keystore instead: same calls, the private key stays in the hardware.
 */
class KeyPairSigner(private val keys: KeyPair) : DeviceSigner {
    override fun publicKey(): ByteArray = keys.public.encoded

    override fun sign(message: ByteArray): ByteArray =
        Signature.getInstance("SHA256withECDSA").run {
            initSign(keys.private)
            update(message)
            sign()
        }
}

/** One client per process: it holds the local store and the HTTP stack. */
fun buildClient(baseUrl: String, dataDir: String, keys: KeyPair): CvClient =
    CvClient(ClientConfig(baseUrl = baseUrl, dataDir = dataDir), KeyPairSigner(keys), null)

/** First launch: the e-mail and the one-time activation code the beneficiary received. */
suspend fun activate(client: CvClient, email: String, activationCode: String, pushToken: String?) {
    if (!client.isEnrolled()) client.enroll(email, activationCode, pushToken, Platform.ANDROID)
}

/** The app's screens, as the payment flow drives them. Every text comes from the library, in French. */
interface PaymentUi {
    /** Payee, `totalText`, `amountText`, `remainderText` (paid by card when it is above zero). */
    fun showPayment(view: PaymentView)

    /** Draws `layout[position]` on each key; returns the positions the user touched, never digits. */
    fun readPin(layout: List<Int>): List<Int>

    fun showResult(message: String, paid: Boolean)

    fun showError(message: String, canRetry: Boolean)
}

/**
 * A push arrived (the FCM data map): open the payment, show it, apply the amount the
 * beneficiary typed ("100,50 €", or null to keep the proposed one), take the personal
 * code as key positions and confirm.
 */
suspend fun payFromPush(client: CvClient, push: Map<String, String>, amountText: String?, ui: PaymentUi) {
    try {
        client.openFromPush(push).use { session ->
            ui.showPayment(session.view())
            if (amountText != null) ui.showPayment(session.setAmount(amountText))
            confirmWithPin(session, ui)
        }
    } catch (error: CvException.InvalidAmount) {
        ui.showError(error.userMessage(), canRetry = true) // the French reason, under the amount field
    } catch (error: CvException) {
        ui.showError(error.userMessage(), error.isRetryable()) // the French sentence to show
    }
}

private suspend fun confirmWithPin(session: PaymentSession, ui: PaymentUi) {
    var outcome: PaymentOutcome
    do {
        outcome = session.startPinEntry().use { keypad ->
            for (position in ui.readPin(keypad.layout())) keypad.press(position)
            session.confirm(keypad)
        }
        // "Code personnel incorrect. Il vous reste 2 tentatives.", then a new keypad.
        if (outcome is PaymentOutcome.WrongPin) ui.showError(outcome.message(), canRetry = true)
    } while (outcome is PaymentOutcome.WrongPin)
    val paid = outcome is PaymentOutcome.PaidInFull || outcome is PaymentOutcome.PaidInPart
    ui.showResult(outcome.message(), paid) // "Votre achat est validé !", locked, expired…
}
// endregion
