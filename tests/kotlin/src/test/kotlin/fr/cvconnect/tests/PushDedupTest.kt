package fr.cvconnect.tests

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.PushReceipt
import fr.ancv.cvconnect.testkit.JdkSigner
import fr.ancv.cvconnect.testkit.World
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.nio.file.Files
import kotlin.test.assertEquals

/**
 * Push de-duplication through the bindings (issue 20, item 2): a push that arrives again
 * is a copy after its payment screen closed and after the app restarted (a new client on
 * the same folder and key); a tap still opens the payment; a new message id for the same
 * payment is not a copy. The app is built here rather than with the kit's Phone, whose
 * folder a restart needs.
 */
class PushDedupTest {
    private val sandbox = World.shared.sandbox

    @Test
    fun `a copy is dropped after the screen closed and after a restart`() = runBlocking {
        val dataDir = Files.createTempDirectory("cvconnect-push-")
        val signer = JdkSigner()
        fun app() = CvClient(ClientConfig(baseUrl = sandbox.baseUrl, dataDir = dataDir.toString()), signer, null)
        try {
            val email = World.shared.account()
            val push = app().use { client ->
                client.enroll(email, sandbox.activationCode(email), "fcm:push-dedup", Platform.ANDROID)
                val push = sandbox.pushPayment(checkNotNull(client.enrolledDevice()).deviceId, email, "150.00")
                val paymentId = push.getValue("payment_id")
                assertEquals(PushReceipt(paymentId, duplicate = false), client.receivePush(push))
                client.openFromPush(push).close() // the payment screen opened, then closed
                assertEquals(PushReceipt(paymentId, duplicate = true), client.receivePush(push))
                push
            }
            app().use { restarted ->
                val paymentId = push.getValue("payment_id")
                assertEquals(PushReceipt(paymentId, duplicate = true), restarted.receivePush(push))
                restarted.openFromPush(push).use { tapped ->
                    assertEquals(paymentId, tapped.view().paymentId, "a tap opens the payment, copy or not")
                }
                val reminder = push + ("message_id" to "msg_reminder")
                assertEquals(PushReceipt(paymentId, duplicate = false), restarted.receivePush(reminder))
            }
        } finally {
            dataDir.toFile().deleteRecursively()
        }
    }
}
