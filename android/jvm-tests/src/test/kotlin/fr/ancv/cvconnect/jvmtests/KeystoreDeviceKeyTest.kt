package fr.ancv.cvconnect.jvmtests

import android.security.keystore.StrongBoxUnavailableException
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.DeviceAttestation
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.SignerFailure
import fr.ancv.cvconnect.signer.DeviceKeystore
import fr.ancv.cvconnect.signer.JcaDeviceSigner
import fr.ancv.cvconnect.signer.KeystoreDeviceKey
import fr.ancv.cvconnect.testkit.Attestation
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jdkKeyPair
import fr.ancv.cvconnect.verifyDeviceSignature
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.security.KeyPair
import java.security.ProviderException
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** One key generation the fake Keystore was asked for. */
private data class Generation(val strongBox: Boolean, val challenge: List<Byte>?)

/**
 * The Keystore on JDK keys, recording each generation. Its chain stands in for the
 * Keystore's: the "leaf" is the current key's SubjectPublicKeyInfo (what the real leaf
 * certifies), then an intermediate and a root; [chainless] gives none.
 */
private class FakeKeystore(
    override val hasStrongBox: Boolean = true,
    private val strongBoxRefuses: Boolean = false,
    private val chainless: Boolean = false,
    private val failure: Exception? = null,
) : DeviceKeystore {
    val generations = mutableListOf<Generation>()
    private var keys: KeyPair? = null

    override fun contains() = keys != null

    override fun generate(strongBox: Boolean, attestationChallenge: ByteArray?) {
        generations += Generation(strongBox, attestationChallenge?.toList())
        failure?.let { throw it }
        if (strongBox && strongBoxRefuses) throw StrongBoxUnavailableException()
        keys = jdkKeyPair()
    }

    override fun signer() = checkNotNull(keys).let { JcaDeviceSigner(it.private, it.public) }

    override fun certificateChain(): List<ByteArray> =
        if (chainless) emptyList() else listOf(checkNotNull(keys).public.encoded, INTERMEDIATE, ROOT)

    companion object {
        val INTERMEDIATE = "intermediate".toByteArray()
        val ROOT = "root".toByteArray()
    }
}

private val challenge = ByteArray(32) { it.toByte() }

/** [KeystoreDeviceKey]: the Android shell's key as signer and attester, on a fake Keystore. */
class KeystoreDeviceKeyTest {
    @Test
    fun `attestation recreates the key with the challenge and answers its chain leaf first`() {
        val keystore = FakeKeystore()
        val key = KeystoreDeviceKey(keystore).ensureKey()
        val before = key.publicKey()

        val attestation = assertIs<DeviceAttestation.AndroidKey>(key.attest(challenge))

        assertEquals(listOf(Generation(true, null), Generation(true, challenge.toList())), keystore.generations)
        val after = key.publicKey()
        assertFalse(before.contentEquals(after), "the key was created anew")
        val chain = attestation.certificateChain
        assertEquals(3, chain.size)
        assertContentEquals(after, chain[0], "the leaf is the new key's")
        assertContentEquals(FakeKeystore.ROOT, chain[2], "the root last")
        val message = "cvconnect/enroll/v1".toByteArray()
        assertTrue(verifyDeviceSignature(after, message, key.sign(message)), "the signer follows the new key")
    }

    @Test
    fun `attestation falls back to the TEE when StrongBox refuses, as the first key does`() {
        val keystore = FakeKeystore(strongBoxRefuses = true)
        val key = KeystoreDeviceKey(keystore).ensureKey()
        assertIs<DeviceAttestation.AndroidKey>(key.attest(challenge))
        val expected = listOf(null, challenge.toList()).flatMap { listOf(Generation(true, it), Generation(false, it)) }
        assertEquals(expected, keystore.generations)
    }

    @Test
    fun `attestation stays in the TEE on a device that lists no StrongBox`() {
        val keystore = FakeKeystore(hasStrongBox = false)
        KeystoreDeviceKey(keystore).attest(challenge)
        assertEquals(listOf(Generation(false, challenge.toList())), keystore.generations)
    }

    @Test
    fun `attestation from a Keystore without a chain is null and the new key signs`() {
        val keystore = FakeKeystore(chainless = true)
        val key = KeystoreDeviceKey(keystore)
        assertNull(key.attest(challenge), "the backend's policy decides")
        assertEquals(listOf(Generation(true, challenge.toList())), keystore.generations, "no second key made")
        val message = byteArrayOf(1, 2, 3)
        assertTrue(verifyDeviceSignature(key.publicKey(), message, key.sign(message)))
    }

    @Test
    fun `Keystore failures during attestation are the core's signer failures`() {
        val key = KeystoreDeviceKey(FakeKeystore(failure = ProviderException("keymaster error")))
        val failure = assertIs<SignerFailure.Failed>(assertFailsWith<SignerFailure> { key.attest(challenge) })
        assertTrue("keymaster error" in failure.reason, failure.reason)
        assertIs<SignerFailure.Failed>(assertFailsWith<SignerFailure> { key.publicKey() }, "no key was made")
    }

    @Test
    fun `attestation required - the core carries the Keystore chain to the sandbox, which refuses it`() =
        World.own(Attestation.sandboxArgs("required")).use { world ->
            runBlocking {
                val keystore = FakeKeystore()
                val key = KeystoreDeviceKey(keystore)
                val email = world.account()
                world.phone(signer = key, attester = key).use { phone ->
                    val error = assertFailsWith<CvException.Api> {
                        phone.client.enroll(email, world.sandbox.activationCode(email), null, Platform.ANDROID)
                    }
                    assertEquals("attestation_refused", error.code)
                    assertNull(phone.client.enrolledDevice())
                }
                val challenges = keystore.generations.mapNotNull { it.challenge }
                assertEquals(listOf(Attestation.CHALLENGE_SIZE), challenges.map { it.size }, "one key made for the sandbox's challenge")
                assertEquals(emptyList(), world.sandbox.devicesOf(email))
            }
        }

    @Test
    fun `a Keystore that fails to attest fails the enrollment with a Signer error (attestation optional)`() =
        World.own(Attestation.sandboxArgs("optional")).use { world ->
            runBlocking {
                val key = KeystoreDeviceKey(FakeKeystore(failure = ProviderException("keymaster error")))
                val email = world.account()
                world.phone(signer = key, attester = key).use { phone ->
                    assertFailsWith<CvException.Signer> {
                        phone.client.enroll(email, world.sandbox.activationCode(email), null, Platform.ANDROID)
                    }
                    assertNull(phone.client.enrolledDevice())
                }
            }
        }

    @Test
    fun `attestation off - the key is made once, for no challenge, and enrolls`() = runBlocking {
        val world = World.shared
        val keystore = FakeKeystore()
        val key = KeystoreDeviceKey(keystore)
        world.phone(signer = key, attester = key).use { phone ->
            phone.enroll(world.account())
            assertEquals(listOf(Generation(true, null)), keystore.generations)
            assertNull(phone.client.devices().single().attestedSecurityLevel)
        }
    }
}
