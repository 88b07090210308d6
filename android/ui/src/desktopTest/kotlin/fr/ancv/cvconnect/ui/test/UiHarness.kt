package fr.ancv.cvconnect.ui.test

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.v2.runDesktopComposeUiTest
import androidx.compose.ui.unit.dp
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.presenter.DevicesPresenter
import fr.ancv.cvconnect.presenter.Disconnection
import fr.ancv.cvconnect.presenter.EnrollmentPresenter
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import fr.ancv.cvconnect.testkit.AppMainThread
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import fr.ancv.cvconnect.ui.CvConnectScreens
import fr.ancv.cvconnect.ui.UiTags
import fr.ancv.cvconnect.ui.desktop.DesktopHost
import fr.ancv.cvconnect.ui.desktop.RecordingScreenGuard
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue

/** "150,00 €" as the library writes it: a no-break space before the euro sign. */
fun fr(amount: String): String = "$amount\u00A0€"

/**
 * A Compose UI test (JUnit 4 runs it) in a phone-sized window, 360 × 780 dp, rather than
 * the desktop test rule's 1024 × 768: the layouts, the scrolling and the touch targets
 * tested are the phone's.
 */
fun onPhone(block: ComposeUiTest.() -> Unit) = runDesktopComposeUiTest(width = 360, height = 780) { block() }

/** A UI test on the phone-sized window, the app enrolled on a fresh account of the shared world. */
fun onApp(block: ComposeUiTest.(AppUnderTest) -> Unit) = onPhone { AppUnderTest(this).use { block(it) } }

/**
 * One beneficiary's phone running the app's screens: a client through the real bindings
 * (its own data folder, the library's signer on a JDK P-256 key), the real presenters, and
 * [CvConnectScreens] in the Compose UI test, hosted as on Android but with the desktop
 * theme and a guard that records which screens asked for protection. Its account is a
 * fresh one of [world] unless [email] is given.
 *
 * Threads: as on Android, the presenters' coroutines run on one "main" thread; the test
 * thread performs the clicks (the Compose desktop test's UI thread). The state reaches
 * the screens through StateFlow. Every exception that escapes a presenter coroutine (a
 * crash on Android) is recorded and fails the test at [close].
 */
class AppUnderTest(
    val compose: ComposeUiTest,
    world: World = World.shared,
    val email: String = world.account(),
    enrolled: Boolean = true,
    baseUrl: String = world.sandbox.baseUrl,
) : AutoCloseable {
    val sandbox = world.sandbox
    val phone = world.phone(jcaSigner(), baseUrl)
    private val mainThread = AppMainThread()
    private val scope = mainThread.scope
    val disconnection = Disconnection()
    val payment = PaymentPresenter(phone.client, scope, disconnection)
    val pending = PendingPaymentsPresenter(phone.client, scope, disconnection)
    val devices = DevicesPresenter(phone.client, scope, disconnection)
    val enrollment = EnrollmentPresenter(phone.client, scope, Platform.ANDROID, pushToken = { "fcm:ui-test-" + System.nanoTime() })
    val guard = RecordingScreenGuard()

    init {
        if (enrolled) runBlocking { phone.enroll(email) }
        enrollment.check()
        compose.setContent { DesktopHost(guard) { CvConnectScreens(enrollment, pending, payment, disconnection, devices) } }
    }

    /** The merchant asks for [total] ("150.00"); returns the push data map from the sandbox's feed. */
    fun merchantAsks(total: String): Map<String, String> = phone.push(total, account = email)

    /** The push handed to the app code, as MainActivity does with a tapped notification. */
    fun deliver(push: Map<String, String>) = compose.runOnUiThread { payment.openFromPush(push) }

    /** The merchant asks for [total], the push is delivered, the payment screen shows; returns the push. */
    fun receivePayment(total: String): Map<String, String> =
        merchantAsks(total).also {
            deliver(it)
            waitForPaymentScreen()
        }

    /** From the payment screen to the keypad. */
    fun openKeypad() {
        click("Confirmer")
        waitForText("Code personnel")
    }

    fun paymentId(push: Map<String, String>): String = push.getValue("payment_id")

    /** Waits (polling with a deadline, no sleep) until [text] is on screen. */
    fun waitForText(text: String, substring: Boolean = false, timeoutMs: Long = 20_000) {
        compose.waitUntil("\"$text\" on screen", timeoutMs) {
            compose.onAllNodes(hasText(text, substring = substring)).fetchSemanticsNodes().isNotEmpty()
        }
    }

    /** The payment screen: "<payee> vous demande <total>". */
    fun waitForPaymentScreen() = waitForText(" vous demande", substring = true)

    fun assertShown(text: String, substring: Boolean = false) {
        assertTrue("\"$text\" should be on screen", compose.onAllNodes(hasText(text, substring)).fetchSemanticsNodes().isNotEmpty())
    }

    fun click(text: String) = compose.onNode(hasText(text) and hasClickAction()).performClick()

    /** Replaces the amount typed, as a person does: clear the field, type. */
    fun typeAmount(text: String) {
        val field = compose.onNode(hasTestTag(UiTags.AMOUNT_FIELD))
        field.performTextClearance()
        field.performTextInput(text)
    }

    /** A key of the keypad, whatever digit it shows. */
    val isPinKey = SemanticsMatcher("is a PIN key") {
        it.config.getOrNull(SemanticsProperties.TestTag)?.startsWith(UiTags.PIN_KEY_PREFIX) == true
    }

    /** The digit drawn on each key, read from the screen: digit → the key showing it. */
    fun keysByDigit(): Map<Int, SemanticsNodeInteraction> {
        val nodes = compose.onAllNodes(isPinKey).fetchSemanticsNodes()
        return nodes.associate { node ->
            val digit = node.config.getOrNull(SemanticsProperties.Text)!!.joinToString("") { it.text }.toInt()
            val tag = node.config[SemanticsProperties.TestTag]
            digit to compose.onNode(hasTestTag(tag))
        }
    }

    /** Types [pin] by finding each digit on the shuffled keys and clicking that key. */
    fun typePin(pin: String) {
        for (digit in pin) compose.onNode(isPinKey and hasText(digit.toString())).performClick()
    }

    /** Waits for the keypad, types [pin], validates. */
    fun enterPin(pin: String) {
        waitForText("Code personnel")
        typePin(pin)
        assertDots(pin.length, 4)
        click("Valider")
    }

    fun assertDots(entered: Int, required: Int) {
        val label = if (entered <= 1) "$entered chiffre saisi sur $required" else "$entered chiffres saisis sur $required"
        compose.onNode(hasTestTag(UiTags.PIN_DOTS) and hasContentDescription(label)).fetchSemanticsNode("dots: $label")
    }

    /**
     * Every clickable thing on screen is laid out at least 48 × 48 dp. Its layout size, not
     * its touch bounds: Compose stretches the touch bounds of a smaller node to 48 dp,
     * which would hide a key drawn too small.
     */
    fun assertTouchTargets() {
        val nodes = compose.onAllNodes(hasClickAction()).fetchSemanticsNodes()
        assertTrue("clickable nodes on screen", nodes.isNotEmpty())
        val density = compose.density
        for (node in nodes) {
            val width = with(density) { node.size.width.toDp() }
            val height = with(density) { node.size.height.toDp() }
            val what = listOfNotNull(
                node.config.getOrNull(SemanticsProperties.TestTag),
                node.config.getOrNull(SemanticsProperties.ContentDescription),
                node.config.getOrNull(SemanticsProperties.Text),
            )
            assertTrue("$what: $width × $height", width >= 48.dp && height >= 48.dp)
        }
    }

    fun assertMerchantSees(push: Map<String, String>, status: String) =
        assertEquals(status, sandbox.merchantStatus(paymentId(push)))

    override fun close() {
        payment.close()
        mainThread.close()
        phone.close()
        assertEquals("exceptions escaped the presenters (a crash on Android)", emptyList<Throwable>(), mainThread.uncaught)
    }
}
