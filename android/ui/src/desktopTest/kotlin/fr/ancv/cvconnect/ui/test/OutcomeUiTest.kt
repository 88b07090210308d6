package fr.ancv.cvconnect.ui.test

import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import org.junit.Test

/** How a payment can end other than paid: declined, expired, withdrawn, unknown. */
class OutcomeUiTest {
    @Test
    fun `the beneficiary declines and the merchant sees it cancelled`() = onApp { app ->
        val push = app.receivePayment("80.00")
        app.click("Refuser")
        app.waitForText("Demande refusée")
        app.assertShown("Paiement refusé.")
        app.assertMerchantSees(push, "CANCELLED")
        app.click("Terminer")
        app.waitForText("Aucun paiement en attente.")
    }

    @Test
    fun `the request expires while the beneficiary is on the keypad`() = onPhone {
        // A world of its own: moving the clock must not age the other tests' payments.
        World.own().use { world ->
            AppUnderTest(this, world).use { app ->
                val push = app.receivePayment("45.00")
                app.openKeypad()
                world.sandbox.advanceClock(181) // the request lives 180 s
                app.enterPin(Seed.PIN)
                app.waitForText("Demande expirée")
                app.assertShown("La demande de paiement a expiré.")
                app.assertMerchantSees(push, "EXPIRED")
            }
        }
    }

    @Test
    fun `the merchant withdraws the request before the PIN is validated`() = onApp { app ->
        val push = app.receivePayment("35.00")
        app.openKeypad()
        app.sandbox.cancelPayment(app.paymentId(push))
        app.enterPin(Seed.PIN)
        app.waitForText("Demande annulée")
        app.assertShown("Ce paiement a déjà été traité.")
        app.assertMerchantSees(push, "CANCELLED")
    }

    @Test
    fun `a push for a payment the backend does not know shows the unknown-payment error`() = onApp { app ->
        val push = app.merchantAsks("20.00")
        val unknown = push + ("payment_id" to unknownLike(app.paymentId(push)))
        app.deliver(unknown)
        app.waitForText("Paiement introuvable")
        app.assertShown("Cette demande de paiement est introuvable.")
        app.click("Retour")
        app.waitForText("Paiements en attente")
    }

    /** Another id of the same shape: the last characters changed. */
    private fun unknownLike(id: String): String = id.dropLast(4) + if (id.endsWith("0000")) "1111" else "0000"
}
