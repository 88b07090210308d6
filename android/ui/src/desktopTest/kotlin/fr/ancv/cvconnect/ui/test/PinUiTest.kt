package fr.ancv.cvconnect.ui.test

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasContentDescription
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performClick
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.ui.ERASE_LABEL
import fr.ancv.cvconnect.ui.UiTags
import org.junit.Assert.assertEquals
import org.junit.Test

/** The keypad: wrong PINs up to the lock, labels, touch targets, erase, cancel, the guard. */
class PinUiTest {
    @Test
    fun `a wrong PIN, then the last-attempt warning, then the lock`() = onApp { app ->
        val push = app.receivePayment("50.00")
        app.click("Confirmer")

        app.enterPin("1111")
        app.waitForText("Code personnel incorrect. Il vous reste 2 tentatives.")
        app.assertDots(0, 4) // a fresh keypad
        app.assertMerchantSees(push, "PENDING")

        app.enterPin("1111")
        app.waitForText("Code personnel incorrect. Dernière tentative avant blocage.")
        app.assertDots(0, 4)

        app.enterPin("1111")
        app.waitForText("Code personnel bloqué")
        app.assertShown("Votre code personnel est bloqué après trop d'essais. Contactez l'ANCV.")
        app.assertMerchantSees(push, "REFUSED")
    }

    @Test
    fun `every key is labelled and large enough, erase and cancel work, the screens are guarded`() = onApp { app ->
        app.receivePayment("30.00")
        assertEquals("the payment screen is guarded", 1, app.guard.activeScreens)
        app.assertTouchTargets()
        app.openKeypad()
        assertEquals("the keypad is guarded", 1, app.guard.activeScreens)

        val keys = app.keysByDigit()
        assertEquals("ten keys, each digit once", (0..9).toSet(), keys.keys)
        for ((digit, key) in keys) {
            val node = key.fetchSemanticsNode()
            assertEquals(listOf(digit.toString()), node.config[SemanticsProperties.ContentDescription])
        }
        onNode(hasTestTag(UiTags.PIN_ERASE) and hasContentDescription(ERASE_LABEL) and hasClickAction()).fetchSemanticsNode()
        app.assertTouchTargets()

        app.typePin("48")
        app.assertDots(2, 4)
        onNode(hasTestTag(UiTags.PIN_ERASE)).performClick()
        app.assertDots(1, 4)
        onNode(hasText("Valider") and hasClickAction()).assertIsNotEnabled()
        app.typePin("827")
        onNode(hasText("Valider") and hasClickAction()).assertIsEnabled()

        app.click("Annuler")
        app.waitForPaymentScreen()
        app.click("Refuser")
        app.waitForText("Demande refusée")
        assertEquals("a result is not guarded", 0, app.guard.activeScreens)
        app.assertTouchTargets()
    }

    @Test
    fun `a person who knows the PIN pays after a typo they erased`() = onApp { app ->
        val push = app.receivePayment("25.00")
        app.openKeypad()
        app.typePin("9")
        onNode(hasTestTag(UiTags.PIN_ERASE)).performClick()
        app.enterPin(Seed.PIN)
        app.waitForText("Votre achat est validé !")
        app.assertMerchantSees(push, "AUTHORISED")
    }
}
