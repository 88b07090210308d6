package fr.cvconnect.tests.example

import fr.ancv.cvconnect.PaymentView
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.eur
import fr.ancv.cvconnect.testkit.jdkKeyPair
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** A UI that records what the example shows and "types" the codes it is given, one per keypad. */
private class RecordingUi(vararg pins: String) : PaymentUi {
    val views = mutableListOf<PaymentView>()
    val shown = mutableListOf<String>()
    private val pins = ArrayDeque(pins.toList())

    override fun showPayment(view: PaymentView) {
        views.add(view)
        shown.add("payment ${view.payeeName} ${view.totalText}")
    }

    override fun readPin(layout: List<Int>): List<Int> = pins.removeFirst().map { layout.indexOf(it - '0') }

    override fun showResult(message: String, paid: Boolean) {
        shown.add("result paid=$paid $message")
    }

    override fun showError(message: String, canRetry: Boolean) {
        shown.add("error retry=$canRetry $message")
    }
}

/** docs/kotlin.md's example, run against a real sandbox. */
class GettingStartedTest {
    private val sandbox = World.shared.sandbox

    @TempDir
    lateinit var dataDir: Path

    private suspend fun enrolledClient(email: String) =
        buildClient(sandbox.baseUrl, Files.createTempDirectory(dataDir, "phone-").toString(), jdkKeyPair())
            .also { activate(it, email, sandbox.activationCode(email), "fcm:getting-started") }
    @Test
    fun `enroll, then pay part of a payment with an amount typed in French`() = runBlocking {
        val email = sandbox.newAccount("200.00")
        enrolledClient(email).use { client ->
            assertTrue(client.isEnrolled())
            val ui = RecordingUi(Seed.PIN)
            payFromPush(client, sandbox.pushPayment(client.enrolledDevice()!!.deviceId, email, "150.00"), "120,00 €", ui)

            assertEquals(
                listOf(
                    "payment Boutique Démo 150,00\u00A0€",
                    "payment Boutique Démo 150,00\u00A0€",
                    "result paid=true Paiement accepté. Reste à payer : 30,00\u00A0€ par carte bancaire.",
                ),
                ui.shown,
            )
            val applied = ui.views.last()
            assertEquals(eur("120.00"), applied.amount)
            assertEquals(eur("30.00"), applied.remainder)
            assertEquals("PARTIALLY_AUTHORISED", sandbox.merchantStatus(applied.paymentId))
            assertEquals(eur("80.00"), client.balance().amount)
        }
    }

    @Test
    fun `a wrong code gets a new keypad, then the right one pays`() = runBlocking {
        val email = sandbox.newAccount("200.00")
        enrolledClient(email).use { client ->
            val ui = RecordingUi("1111", Seed.PIN)
            payFromPush(client, sandbox.pushPayment(client.enrolledDevice()!!.deviceId, email, "60.00"), null, ui)
            assertEquals(
                listOf(
                    "payment Boutique Démo 60,00\u00A0€",
                    "error retry=true Code personnel incorrect. Il vous reste 2 tentatives.",
                    "result paid=true Votre achat est validé !",
                ),
                ui.shown,
            )
            assertEquals("AUTHORISED", sandbox.merchantStatus(ui.views.single().paymentId))
        }
    }

    @Test
    fun `errors reach the UI as French sentences`() = runBlocking {
        val email = sandbox.newAccount("200.00")
        enrolledClient(email).use { client ->
            val deviceId = client.enrolledDevice()!!.deviceId
            val refused = RecordingUi(Seed.PIN)
            payFromPush(client, sandbox.pushPayment(deviceId, email, "50.00"), "250", refused)
            assertEquals(2, refused.shown.size, refused.shown.toString())
            assertTrue(refused.shown.last().startsWith("error retry=true Le montant dépasse"), refused.shown.last())
            assertEquals("PENDING", sandbox.merchantStatus(refused.views.single().paymentId))

            val unknown = RecordingUi()
            val data = mapOf("type" to "payment_request", "payment_id" to "pay_doesnotexist", "message_id" to "msg_x")
            payFromPush(client, data, null, unknown)
            assertEquals(listOf("error retry=false Cette demande de paiement est introuvable."), unknown.shown)
        }
    }
}
