package fr.ancv.cvconnect.ui.test

import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextClearance
import androidx.compose.ui.test.performTextInput
import fr.ancv.cvconnect.app.debug.relay.LoopbackRelay
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.ui.ENROLL_TITLE
import fr.ancv.cvconnect.ui.UiTags
import org.junit.Assert.assertEquals
import org.junit.Test
import java.net.URI

/** Home: activation, the pending list when the push was lost, and the offline screens. */
class HomeUiTest {
    @Test
    fun `the pending list pays a request whose push was lost`() = onApp { app ->
        app.waitForText("Aucun paiement en attente.")
        val paymentId = app.sandbox.createPayment(app.email, "42.00") // no push delivered
        app.click("Actualiser")
        app.waitForText(fr("42,00"))
        app.assertTouchTargets()
        onNode(hasTestTag(UiTags.PENDING_ROW_PREFIX + paymentId)).performClick()

        app.waitForPaymentScreen()
        app.assertShown(fr("42,00"))
        app.click("Confirmer")
        app.enterPin(Seed.PIN)
        app.waitForText("Votre achat est validé !")
        assertEquals("AUTHORISED", app.sandbox.merchantStatus(paymentId))

        app.click("Terminer")
        app.waitForText(fr("158,00"))
        app.waitForText("Aucun paiement en attente.")
    }

    @Test
    fun `home opens my devices, this phone listed, and comes back`() = onApp { app ->
        app.waitForText("Aucun paiement en attente.")
        app.click("Mes appareils")
        app.waitForText("Ce téléphone")
        app.assertShown("Mes appareils")
        app.click("Retour")
        app.waitForText("Paiements en attente")
    }

    @Test
    fun `offline, home shows the last balance known and a push cannot open`() = onPhone {
        val port = URI(World.shared.sandbox.baseUrl).port
        LoopbackRelay("127.0.0.1", port).use { network ->
            AppUnderTest(this, baseUrl = network.url).use { app ->
                app.waitForText(fr("200,00"))
                val push = app.merchantAsks("70.00")

                network.close() // the phone loses the network
                app.click("Actualiser")
                app.waitForText("Pas de connexion. Vérifiez votre réseau et réessayez.")
                app.assertShown("Dernier solde connu, pas à jour")
                app.assertShown(fr("200,00"))
                app.assertShown("La liste n’a pas pu être mise à jour.")

                app.deliver(push)
                app.waitForText("Pas de connexion")
                app.assertShown("Rien n’a été envoyé ni débité.")
                app.click("Retour")
                app.waitForText("Dernier solde connu, pas à jour")
                app.assertMerchantSees(push, "PENDING")
            }
        }
    }

    @Test
    fun `activation through the screen, a wrong code first`() = onPhone {
        val world = World.shared
        val email = world.account("95.50")
        AppUnderTest(this, email = email, enrolled = false).use { app ->
            app.waitForText(ENROLL_TITLE)
            app.assertTouchTargets()
            onNode(hasTestTag(UiTags.ENROLL_EMAIL)).performTextInput(email)
            onNode(hasTestTag(UiTags.ENROLL_CODE)).performTextInput("000000")
            app.click("Activer cet appareil")
            app.waitForText("Code d'activation invalide ou expiré.")

            val code = world.sandbox.activationCode(email)
            val field = onNode(hasTestTag(UiTags.ENROLL_CODE))
            field.performTextClearance()
            field.performTextInput(code)
            app.click("Activer cet appareil")
            app.waitForText("Paiements en attente")
            app.waitForText(fr("95,50"))

            app.receivePayment("21.00") // the push token given at activation reaches the feed
            app.assertShown(fr("21,00"))
        }
    }
}
