package fr.ancv.cvconnect.ui.test

import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.hasTestTag
import fr.ancv.cvconnect.formatAmountFr
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.ui.REMAINDER_LABEL
import fr.ancv.cvconnect.ui.UiTags
import org.junit.Assert.assertEquals
import org.junit.Test
import java.math.BigDecimal

/** The seed flow, as a person does it on the screens, against a real sandbox. */
class SeedFlowUiTest {
    @Test
    fun `seed flow - 120,00 EUR in vouchers, the rest by card, the merchant sees PARTIALLY_AUTHORISED`() = onPhone {
        AppUnderTest(this, email = Seed.EMAIL).use { app ->
            app.waitForText(fr("200,00"))
            val push = app.receivePayment("150.00")
            app.assertShown("Boutique Démo vous demande")
            app.assertShown(fr("150,00")) // the total
            app.assertShown(fr("200,00")) // the balance
            app.assertShown(fr("0,00")) // nothing left for the card yet
            onNode(hasTestTag(UiTags.AMOUNT_FIELD)).assertTextContains("150,00", substring = true)

            app.typeAmount("120,00")
            app.waitForText(fr("30,00"))
            app.assertShown(REMAINDER_LABEL)
            app.click("Confirmer")

            app.enterPin(Seed.PIN)
            app.waitForText("Paiement accepté en partie")
            app.assertShown("Paiement accepté. Reste à payer : ${fr("30,00")} par carte bancaire.")
            app.assertShown(fr("80,00")) // the new balance

            val merchant = app.sandbox.merchantPayment(app.paymentId(push))
            assertEquals("PARTIALLY_AUTHORISED", merchant.getString("status"))
            assertEquals(fr("30,00"), formatAmountFr(BigDecimal(merchant.getString("remaining_amount"))))
            assertEquals(0, BigDecimal("120.00").compareTo(BigDecimal(merchant.getString("paid_amount"))))

            app.click("Terminer")
            app.waitForText("Paiements en attente")
            app.waitForText(fr("80,00"))
        }
    }

    @Test
    fun `a full payment`() = onApp { app ->
        app.waitForText(fr("200,00"))
        val push = app.receivePayment("60.00")
        app.assertShown(fr("60,00"))
        app.click("Confirmer")
        app.enterPin(Seed.PIN)
        app.waitForText("Paiement accepté")
        app.assertShown("Votre achat est validé !")
        app.assertShown(fr("140,00"))
        app.assertMerchantSees(push, "AUTHORISED")
    }
}
