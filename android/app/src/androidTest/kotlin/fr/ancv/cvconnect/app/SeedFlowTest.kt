package fr.ancv.cvconnect.app

import android.Manifest
import android.content.Intent
import android.os.Build
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createAndroidComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.test.ext.junit.runners.AndroidJUnit4
import androidx.test.platform.app.InstrumentationRegistry
import androidx.test.rule.GrantPermissionRule
import androidx.test.uiautomator.By
import androidx.test.uiautomator.UiDevice
import androidx.test.uiautomator.Until
import fr.ancv.cvconnect.testkit.Sandbox
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.ui.ENROLL_TITLE
import fr.ancv.cvconnect.ui.UiTags
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test
import org.junit.rules.RuleChain
import org.junit.runner.RunWith

/**
 * The seed flow on an emulator, as a person does it, against a sandbox on the host
 * (reached at 10.0.2.2: the app through its debug loopback relay, this test directly):
 *
 *   cvconnect-sandbox --port 8787 --admin-token "$ADMIN" --seed sandbox/seed/demo.json --memory
 *   ./gradlew :app:connectedDebugAndroidTest -Pandroid.testInstrumentationRunnerArguments.adminToken="$ADMIN"
 *
 * The sandbox's admin and merchant side is the Kotlin test kit's [Sandbox] (tests/kotlin-kit,
 * added to this source set by build.gradle.kts), joined at the host's URL.
 *
 * (`SemanticsMatcher.and` is a member function: it needs no import.)
 *
 * Enrolls camille.martin@example.fr through the activation screen, has the merchant ask for
 * 150,00 €, takes the push from the sandbox's feed and delivers it through the debug
 * receiver (the FCM path), taps the notification, confirms, types 4827 by reading the
 * digits drawn on the shuffled keys, and checks the merchant sees AUTHORISED.
 */
@RunWith(AndroidJUnit4::class)
class SeedFlowTest {
    private val compose = createAndroidComposeRule<MainActivity>()

    @get:Rule
    val rules: RuleChain = RuleChain
        .outerRule(
            if (Build.VERSION.SDK_INT >= 33) GrantPermissionRule.grant(Manifest.permission.POST_NOTIFICATIONS)
            else GrantPermissionRule.grant(),
        )
        .around(compose)

    private val instrumentation = InstrumentationRegistry.getInstrumentation()
    private val args = InstrumentationRegistry.getArguments()
    private val sandbox = Sandbox.join(
        args.getString("sandboxUrl") ?: BuildConfig.BACKEND_URL,
        args.getString("adminToken") ?: error("pass -Pandroid.testInstrumentationRunnerArguments.adminToken=…"),
    )

    /** A key of the PIN pad (tag `pin-key-<position>`), whatever digit it shows. */
    private val isPinKey = SemanticsMatcher("is a PIN key") {
        it.config.getOrNull(SemanticsProperties.TestTag)?.startsWith(UiTags.PIN_KEY_PREFIX) == true
    }

    private fun waitForText(text: String, timeoutMs: Long = 30_000) = compose.waitUntil(timeoutMs) {
        compose.onAllNodes(hasText(text, substring = true)).fetchSemanticsNodes().isNotEmpty()
    }

    @Test
    fun seedFlowInFullFromThePushFeed() {
        // Activation, as the beneficiary types it.
        val code = sandbox.activationCode(Seed.EMAIL)
        waitForText(ENROLL_TITLE)
        compose.onNodeWithTag(UiTags.ENROLL_EMAIL).performTextInput(Seed.EMAIL)
        compose.onNodeWithTag(UiTags.ENROLL_CODE).performTextInput(code)
        compose.onNodeWithText("Activer cet appareil").performClick()
        waitForText("Paiements en attente")

        // The merchant asks for 150,00 €; the push comes from the sandbox's feed.
        // The app enrolled through its screens: the test does not know its device id.
        val paymentId = sandbox.createPayment(Seed.EMAIL, "150.00")
        val data = sandbox.awaitPush(deviceId = null, paymentId = paymentId, timeoutMs = 30_000)
        val context = instrumentation.targetContext
        context.sendBroadcast(
            Intent("fr.ancv.cvconnect.DEBUG_PUSH").setPackage(context.packageName).apply {
                data.forEach { (key, value) -> putExtra(key, value) }
            },
        )

        // The notification, tapped.
        val device = UiDevice.getInstance(instrumentation)
        device.openNotification()
        val notification = device.wait(Until.findObject(By.textContains("Boutique Démo")), 30_000)
        assertNotNull("the payment notification", notification)
        notification.click()

        // The payment screen: 150,00 € on a 200,00 € balance.
        waitForText("Confirmer")
        assertTrue(compose.onAllNodes(hasText("Boutique Démo", substring = true)).fetchSemanticsNodes().isNotEmpty())
        assertTrue(compose.onAllNodes(hasText("150,00", substring = true)).fetchSemanticsNodes().isNotEmpty())
        assertTrue(compose.onAllNodes(hasText("200,00", substring = true)).fetchSemanticsNodes().isNotEmpty())
        compose.onNodeWithText("Confirmer").performClick()

        // The shuffled keypad: find each digit of the PIN on the keys, press that key.
        waitForText("Code personnel")
        for (digit in Seed.PIN) {
            compose.onNode(isPinKey and hasText(digit.toString())).performClick()
        }
        compose.onNodeWithText("Valider").performClick()

        waitForText("Votre achat est validé !")
        assertEquals("AUTHORISED", sandbox.merchantStatus(paymentId))
    }
}
