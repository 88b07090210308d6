package fr.ancv.cvconnect.jvmtests

import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.UserNotAuthenticatedException
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.SignerFailure
import fr.ancv.cvconnect.signer.JcaDeviceSigner
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import fr.ancv.cvconnect.testkit.jdkKeyPair
import fr.ancv.cvconnect.testkit.keypadWith
import fr.ancv.cvconnect.verifyDeviceSignature
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.math.BigDecimal
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.SignatureException
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

class JcaDeviceSignerTest {
    private val world = World.shared

    @Test
    fun `signature verifies with the core and with the JDK`() {
        val keys = jdkKeyPair()
        val signer = JcaDeviceSigner(keys.private, keys.public)
        val spki = signer.publicKey()
        assertEquals(91, spki.size, "P-256 SubjectPublicKeyInfo DER")
        val message = "cvconnect/confirm/v1 test message".toByteArray()
        val signature = signer.sign(message)
        assertEquals(0x30, signature[0].toInt(), "DER SEQUENCE")
        assertTrue(verifyDeviceSignature(spki, message, signature), "the core accepts it")
        assertFalse(verifyDeviceSignature(spki, message + 1, signature), "and refuses another message")
        val jdk = Signature.getInstance("SHA256withECDSA").apply { initVerify(keys.public); update(message) }
        assertTrue(jdk.verify(signature))
    }

    @Test
    fun `the sandbox accepts its enrollment and its payment confirmation`(): Unit = runBlocking {
        world.enrolledPhone("100.00", jcaSigner()).use { phone ->
            val session = phone.receive("25.00")
            val keypad = session.keypadWith(Seed.PIN)
            assertEquals(PaymentOutcome.PaidInFull(paid = BigDecimal("25.00"), balance = BigDecimal("75.00")), session.confirm(keypad))
            assertEquals("AUTHORISED", world.sandbox.merchantStatus(session.paymentId()))
        }
    }

    @Test
    fun `a key the JCA cannot sign with becomes a Signer error in the core`(): Unit = runBlocking {
        val rsa = KeyPairGenerator.getInstance("RSA").apply { initialize(2048) }.generateKeyPair()
        val signer = JcaDeviceSigner(rsa.private, jdkKeyPair().public)
        assertIs<SignerFailure.Failed>(assertFailsWith<SignerFailure> { signer.sign(byteArrayOf(1, 2, 3)) })
        val email = world.account("100.00")
        world.phone(signer).use { phone ->
            assertFailsWith<CvException.Signer> { phone.enroll(email) }
            assertFalse(phone.client.isEnrolled())
        }
    }

    @Test
    fun `Android Keystore failures map to the core's signer failures`() {
        assertIs<SignerFailure.KeyInvalidated>(JcaDeviceSigner.classifyFailure(KeyPermanentlyInvalidatedException()))
        val auth = JcaDeviceSigner.classifyFailure(UserNotAuthenticatedException())
        assertIs<SignerFailure.Unavailable>(auth)
        assertIs<SignerFailure.KeyInvalidated>(
            JcaDeviceSigner.classifyFailure(SignatureException("wrapped", KeyPermanentlyInvalidatedException())),
        )
        assertIs<SignerFailure.Failed>(JcaDeviceSigner.classifyFailure(SignatureException("hardware failure")))
    }

    @Test
    fun `only EC keys are accepted`() {
        val rsa = KeyPairGenerator.getInstance("RSA").apply { initialize(2048) }.generateKeyPair()
        assertFailsWith<IllegalArgumentException> { JcaDeviceSigner(rsa.private, rsa.public) }
    }
}
