package fr.cvconnect.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import uniffi.cvconnect.ClientConfig
import uniffi.cvconnect.CvClient
import uniffi.cvconnect.CvException
import uniffi.cvconnect.Keypad
import uniffi.cvconnect.Platform
import uniffi.cvconnect.SignerFailure
import uniffi.cvconnect.parseAmount
import java.net.ServerSocket
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Rust errors arrive as typed Kotlin exceptions with their fields and a French message. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorMappingTest {
    private val sandbox = Sandbox()

    @AfterAll
    fun stop() = sandbox.close()

    @Test
    fun `unknown payment is PaymentNotFound`() = runBlocking {
        val email = sandbox.newAccount("10.00")
        Phone(sandbox).use { phone ->
            phone.enroll(email)
            val error = assertFailsWith<CvException.PaymentNotFound> { phone.client.openPayment("pay_doesnotexist") }
            assertEquals("pay_doesnotexist", error.paymentId)
            assertEquals("Cette demande de paiement est introuvable.", error.userMessage())
            assertEquals("payment pay_doesnotexist not found", error.toString())
        }
    }

    @Test
    fun `enrolling twice is AlreadyEnrolled`() = runBlocking {
        val email = sandbox.newAccount("10.00")
        Phone(sandbox).use { phone ->
            phone.enroll(email)
            val error = assertFailsWith<CvException.AlreadyEnrolled> { phone.enroll(email) }
            assertEquals("Cet appareil est déjà activé.", error.userMessage())
        }
    }

    @Test
    fun `a wrong activation code is an Api error with its protocol code`() = runBlocking {
        val email = sandbox.newAccount("10.00")
        Phone(sandbox).use { phone ->
            val error = assertFailsWith<CvException.Api> {
                phone.client.enroll(email, "WRONG-CODE", null, Platform.ANDROID)
            }
            assertEquals("invalid_activation_code", error.code)
            assertEquals(403.toUShort(), error.httpStatus)
            assertTrue(error.userMessage().isNotBlank())
            assertEquals(false, phone.client.isEnrolled())
        }
    }

    @Test
    fun `calls before enrollment are NotEnrolled`() = runBlocking {
        Phone(sandbox).use { phone ->
            assertEquals(null, phone.client.enrolledDevice())
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
    fun `no backend listening is Offline`() = runBlocking {
        val port = ServerSocket(0).use { it.localPort }
        Phone(sandbox, baseUrl = "http://127.0.0.1:$port").use { phone ->
            val error = assertFailsWith<CvException.Offline> {
                phone.client.enroll("x@example.fr", "CODE", null, Platform.ANDROID)
            }
            assertEquals("Pas de connexion. Vérifiez votre réseau et réessayez.", error.userMessage())
        }
    }

    @Test
    fun `a signer failure thrown in Kotlin comes back typed`() = runBlocking {
        val email = sandbox.newAccount("10.00")
        Phone(sandbox, signer = FailingSigner { SignerFailure.UserCancelled() }).use { phone ->
            assertFailsWith<CvException.SignerCancelled> { phone.enroll(email) }
        }
        Phone(sandbox, signer = FailingSigner { IllegalStateException("keystore exploded") }).use { phone ->
            val error = assertFailsWith<CvException.Signer> { phone.enroll(email) }
            assertTrue("keystore exploded" in error.detail, error.detail)
        }
    }

    @Test
    fun `amount and keypad misuse`() {
        assertEquals("1234.56", parseAmount("1 234,56 €"))
        val error = assertFailsWith<CvException.InvalidAmount> { parseAmount("1,2,3") }
        assertTrue(error.userMessage().startsWith("Montant invalide"), error.userMessage())
        assertFailsWith<CvException.Keypad> { Keypad(3u) }
        val keypad = Keypad(4u)
        val misuse = assertFailsWith<CvException.Keypad> { keypad.press(10u) }
        assertEquals("Touche inconnue (10).", misuse.userMessage())
        keypad.press(0u)
        keypad.press(1u)
        assertEquals(1.toUByte(), keypad.erase().entered)
        assertEquals(0.toUByte(), keypad.clear().entered)
    }
}
