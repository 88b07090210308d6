package fr.ancv.cvconnect.ui.test

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import fr.ancv.cvconnect.presenter.DevicesPresenter
import fr.ancv.cvconnect.presenter.DevicesScreenState
import fr.ancv.cvconnect.presenter.Disconnection
import fr.ancv.cvconnect.testkit.AppMainThread
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import fr.ancv.cvconnect.ui.DevicesScreen
import fr.ancv.cvconnect.ui.desktop.DesktopHost
import fr.ancv.cvconnect.ui.desktop.RecordingScreenGuard
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * "Mes appareils" on one phone of an account with two, through the real presenter and
 * bindings against the sandbox: the screen is driven by clicks on texts, keys found by the
 * digit they show.
 */
private class DevicesUnderTest(val compose: ComposeUiTest, world: World = World.shared) : AutoCloseable {
    val kept: Phone = world.phone(jcaSigner())
    val lost: Phone = world.phone(jcaSigner())
    private val mainThread = AppMainThread()
    private val scope = mainThread.scope
    val disconnection = Disconnection()
    val presenter = DevicesPresenter(kept.client, scope, disconnection)
    val guard = RecordingScreenGuard()

    init {
        runBlocking { lost.enroll(kept.enroll(world.account("100.00")).account) }
        presenter.refresh()
        compose.setContent {
            DesktopHost(guard) {
                val state by presenter.state.collectAsState()
                DevicesScreen(state, presenter, onEnrollAgain = {})
            }
        }
    }

    fun waitForText(text: String) = compose.waitUntil("\"$text\" on screen (state: ${presenter.state.value})", 20_000) {
        compose.onAllNodes(hasText(text)).fetchSemanticsNodes().isNotEmpty()
    }

    fun click(text: String) = compose.onNode(hasText(text) and hasClickAction()).performClick()

    /** Types [pin] by clicking, for each digit, the key that shows it. */
    fun typePin(pin: String) {
        for (digit in pin) compose.onNode(hasText(digit.toString()) and hasClickAction()).performClick()
    }

    override fun close() {
        presenter.close()
        mainThread.close()
        lost.close()
        kept.close()
        assertEquals("exceptions escaped the presenter (a crash on Android)", emptyList<Throwable>(), mainThread.uncaught)
    }
}

private fun onDevices(block: ComposeUiTest.(DevicesUnderTest) -> Unit) = onPhone { DevicesUnderTest(this).use { block(it) } }

class DevicesUiTest {
    @Test
    fun `the list shows both phones, the lost one is disconnected with the PIN typed on the keys`() = onDevices { app ->
        app.waitForText("Mes appareils")
        app.waitForText("Ce téléphone")
        assertEquals("one revoke action: this phone cannot revoke itself", 1, onAllNodes(hasText("Déconnecter")).fetchSemanticsNodes().size)

        app.click("Déconnecter")
        app.waitForText("Pour déconnecter «\u00A0Téléphone Android\u00A0»")
        assertEquals("the keypad is guarded", 1, app.guard.activeScreens)
        app.typePin(Seed.PIN)
        app.click("Valider")
        app.waitForText("« Téléphone Android » a été déconnecté de votre compte.")

        app.click("Retour à mes appareils")
        app.waitForText("Mes appareils")
        assertEquals(0, onAllNodes(hasText("Déconnecter")).fetchSemanticsNodes().size)
        assertFalse(app.disconnection.disconnected.value)
        val refused = runCatching { runBlocking { app.lost.client.balance() } }.exceptionOrNull()
        assertTrue("$refused", refused is fr.ancv.cvconnect.CvException.DeviceRevoked)
    }

    @Test
    fun `a wrong PIN shows the attempts left on a fresh keypad`() = onDevices { app ->
        app.waitForText("Mes appareils")
        app.click("Déconnecter")
        app.waitForText("Code personnel")
        app.typePin(if (Seed.PIN == "0000") "1111" else "0000")
        app.click("Valider")
        app.waitForText("Code personnel incorrect. Il vous reste 2 tentatives.")
        assertTrue(app.presenter.state.value is DevicesScreenState.PinEntry)
        app.click("Annuler")
        app.waitForText("Mes appareils")
        assertEquals(1, onAllNodes(hasText("Déconnecter")).fetchSemanticsNodes().size)
    }
}
