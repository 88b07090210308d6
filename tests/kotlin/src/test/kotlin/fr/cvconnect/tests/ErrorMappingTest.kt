package fr.cvconnect.tests

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.Keypad
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.SignerFailure
import fr.ancv.cvconnect.parseAmount
import fr.ancv.cvconnect.testkit.FailingSigner
import fr.ancv.cvconnect.testkit.JdkSigner
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.eur
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.net.ServerSocket
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Rust errors arrive as typed Kotlin exceptions with their fields and a French message. */
class ErrorMappingTest {
    private val world = World.shared

    @Test
    fun `unknown payment is PaymentNotFound, its message the French sentence`() = runBlocking {
        world.enrolledPhone("10.00").use { phone ->
            val error = assertFailsWith<CvException.PaymentNotFound> { phone.client.openPayment("pay_doesnotexist") }
            assertEquals("pay_doesnotexist", error.paymentId)
            assertEquals("Cette demande de paiement est introuvable.", error.message)
            assertEquals(error.userMessage(), error.message)
            assertEquals("Cette demande de paiement est introuvable.", error.localizedMessage)
            assertEquals("payment pay_doesnotexist not found", error.toString(), "toString() is the English log text")
            assertFalse(error.isRetryable())
        }
    }

    @Test
    fun `enrolling twice is AlreadyEnrolled`() = runBlocking {
        world.enrolledPhone("10.00").use { phone ->
            val error = assertFailsWith<CvException.AlreadyEnrolled> { phone.enroll(phone.account) }
            assertEquals("Cet appareil est déjà activé.", error.message)
        }
    }

    @Test
    fun `a wrong activation code is an Api error with its protocol code`() = runBlocking {
        val email = world.account("10.00")
        world.phone().use { phone ->
            val error = assertFailsWith<CvException.Api> {
                phone.client.enroll(email, "WRONG-CODE", null, Platform.ANDROID)
            }
            assertEquals("invalid_activation_code", error.code)
            assertEquals(403, error.httpStatus)
            assertTrue(error.message.isNotBlank())
            assertEquals(false, phone.client.isEnrolled())
        }
    }

    @Test
    fun `calls before enrollment are NotEnrolled`() = runBlocking {
        world.phone().use { phone ->
            assertEquals(null, phone.client.enrolledDevice())
            assertFalse(phone.client.isEnrolled())
            assertFailsWith<CvException.NotEnrolled> { phone.client.balance() }
            Unit
        }
    }

    @Test
    fun `plain http to a remote host is InvalidConfig`() {
        val dir = Files.createTempDirectory("cvconnect-kotlin-")
        val error = assertFailsWith<CvException.InvalidConfig> {
            CvClient(ClientConfig(baseUrl = "http://api.example.fr", dataDir = dir.toString()), JdkSigner(), null)
        }
        assertTrue(error.reason.isNotBlank())
        dir.toFile().deleteRecursively()
    }

    @Test
    fun `a negative or zero timeout, or negative retries, is InvalidConfig`() {
        val dir = Files.createTempDirectory("cvconnect-kotlin-")
        val base = ClientConfig(baseUrl = "http://127.0.0.1:9", dataDir = dir.toString())
        for (config in listOf(base.copy(connectTimeoutMs = -1), base.copy(requestTimeoutMs = 0))) {
            val error = assertFailsWith<CvException.InvalidConfig> { CvClient(config, JdkSigner(), null) }
            assertTrue("timeout" in error.reason, error.reason)
            assertEquals("Configuration de l'application invalide.", error.message)
        }
        val retries = assertFailsWith<CvException.InvalidConfig> { CvClient(base.copy(maxRetries = -3), JdkSigner(), null) }
        assertTrue("max_retries" in retries.reason, retries.reason)
        CvClient(base.copy(connectTimeoutMs = 2_000, requestTimeoutMs = 5_000, maxRetries = 0), JdkSigner(), null).close()
        dir.toFile().deleteRecursively()
    }

    @Test
    fun `no backend listening is Offline, and retryable`() = runBlocking {
        val port = ServerSocket(0).use { it.localPort }
        world.phone(baseUrl = "http://127.0.0.1:$port").use { phone ->
            val error = assertFailsWith<CvException.Offline> {
                phone.client.enroll("x@example.fr", "CODE", null, Platform.ANDROID)
            }
            assertEquals("Pas de connexion. Vérifiez votre réseau et réessayez.", error.message)
            assertTrue(error.isRetryable())
        }
    }

    @Test
    fun `a signer failure thrown in Kotlin comes back typed`() = runBlocking {
        val email = world.account("10.00")
        world.phone(FailingSigner { SignerFailure.UserCancelled() }).use { phone ->
            assertFailsWith<CvException.SignerCancelled> { phone.enroll(email) }
        }
        world.phone(FailingSigner { IllegalStateException("keystore exploded") }).use { phone ->
            val error = assertFailsWith<CvException.Signer> { phone.enroll(email) }
            assertTrue("keystore exploded" in error.detail, error.detail)
        }
    }

    @Test
    fun `amount and keypad misuse`() {
        assertEquals(eur("1234.56"), parseAmount("1 234,56 €"))
        val error = assertFailsWith<CvException.InvalidAmount> { parseAmount("1,2,3") }
        assertTrue(error.message.startsWith("Montant invalide"), error.message)
        assertFailsWith<CvException.PinEntry> { Keypad(3) }
        val keypad = Keypad(4)
        assertEquals(4, keypad.pinLength())
        val misuse = assertFailsWith<CvException.PinEntry> { keypad.press(10) }
        assertEquals("Touche inconnue (10).", misuse.message)
        assertEquals("Touche inconnue (10).", misuse.detail)
        assertFailsWith<CvException.PinEntry> { keypad.press(-1) }
        keypad.press(0)
        keypad.press(1)
        assertEquals(1, keypad.erase().entered)
        assertEquals(0, keypad.clear().entered)
    }
}
