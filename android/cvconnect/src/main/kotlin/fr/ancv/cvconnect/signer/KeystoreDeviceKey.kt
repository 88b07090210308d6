package fr.ancv.cvconnect.signer

import fr.ancv.cvconnect.DeviceAttestation
import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.KeyAttester
import fr.ancv.cvconnect.SignerFailure

/**
 * What [KeystoreDeviceKey] needs of the Android Keystore, and nothing more: the app
 * implements it on `AndroidKeyStore` with `KeyGenParameterSpec` (app/…/keystore/DeviceKey.kt,
 * built by Gradle only); android/jvm-tests with a recording fake on JDK keys. All the
 * decisions (when to create, StrongBox or TEE, what an attestation is made of) stay on
 * this side, compiled and tested on the JVM.
 */
interface DeviceKeystore {
    /** Whether the device lists a StrongBox Keymaster (API 28+, `FEATURE_STRONGBOX_KEYSTORE`). */
    val hasStrongBox: Boolean

    /** Whether a key exists under the device key's alias. */
    fun contains(): Boolean

    /**
     * Generates the P-256 signing key under the alias, replacing any key there: in
     * StrongBox when [strongBox] (throws `StrongBoxUnavailableException` when StrongBox
     * cannot make it), with [attestationChallenge] as `setAttestationChallenge` when not null.
     */
    fun generate(strongBox: Boolean, attestationChallenge: ByteArray?)

    /** The key under the alias, as a signer. */
    fun signer(): JcaDeviceSigner

    /**
     * `KeyStore.getCertificateChain(alias)`, each certificate's DER (`encoded`), in the
     * Keystore's order: the key's own certificate first, the root last. Empty when the
     * Keystore has none.
     */
    fun certificateChain(): List<ByteArray>
}

/**
 * The device key in the Android Keystore, as the core's signer and as its attester
 * (protocol v1.2, `CvClient.withAttester(config, key, key, logSink)`).
 *
 * - Signing: the key under the alias ([JcaDeviceSigner]), created the first time it is
 *   needed ([ensureKey]), without attestation.
 * - [attest]: the core calls it at enrollment, only when the backend's policy asks for
 *   an attestation, and before it reads the public key. The key is then created anew
 *   under the same alias with the backend's challenge as attestation challenge (the
 *   Keystore writes it into the KeyDescription extension of the key's certificate), and
 *   the answer is the Keystore's certificate chain, leaf first, as the backend verifies
 *   it. The signer then reads the new key: the key enrolled is the key attested.
 * - An empty chain (a Keystore that does not attest) answers null, not a failure: the
 *   backend decides by its policy (`optional` enrolls the phone as unattested,
 *   `required` refuses it with `attestation_required`).
 * - StrongBox when the device lists it, the TEE when StrongBox refuses; any other
 *   Keystore failure is the core's [SignerFailure] ([JcaDeviceSigner.classifyFailure]).
 *
 * What is verified here, on the JVM (android/jvm-tests, a fake [DeviceKeystore] and a
 * real sandbox): the challenge reaches the key's generation, the key is recreated and
 * the signer follows it, the chain keeps its order, StrongBox falls back to the TEE, an
 * empty chain is null, failures are typed, and the core carries the chain to the
 * backend. What needs a device: that `AndroidKeyStore` puts the challenge into a chain
 * that verifies up to Google's roots (the app's `DeviceKey`, never compiled here).
 */
class KeystoreDeviceKey(private val keystore: DeviceKeystore) : DeviceSigner, KeyAttester {
    private val lock = Any()
    private var current: JcaDeviceSigner? = null

    /** Loads the key, creating it the first time (seconds in StrongBox: not on the main thread); returns this. */
    fun ensureKey(): KeystoreDeviceKey = apply { signer() }

    override fun publicKey(): ByteArray = signer().publicKey()

    override fun sign(message: ByteArray): ByteArray = signer().sign(message)

    override fun attest(challenge: ByteArray): DeviceAttestation? = keystoreCall {
        synchronized(lock) {
            current = null
            create(challenge)
        }
        val chain = keystore.certificateChain()
        if (chain.isEmpty()) null else DeviceAttestation.AndroidKey(chain)
    }

    private fun signer(): JcaDeviceSigner = synchronized(lock) {
        current ?: keystoreCall {
            if (!keystore.contains()) create(attestationChallenge = null)
            keystore.signer()
        }.also { current = it }
    }

    /** StrongBox when the device lists it, the TEE when StrongBox refuses. */
    private fun create(attestationChallenge: ByteArray?) {
        if (keystore.hasStrongBox) {
            try {
                keystore.generate(strongBox = true, attestationChallenge)
                return
            } catch (error: Exception) {
                if (!isStrongBoxUnavailable(error)) throw error
            }
        }
        keystore.generate(strongBox = false, attestationChallenge)
    }

    private companion object {
        const val STRONGBOX_UNAVAILABLE = "android.security.keystore.StrongBoxUnavailableException"

        /** Listed but unusable (or busy), recognised by class name: no `android.*` import here. */
        fun isStrongBoxUnavailable(error: Throwable): Boolean =
            generateSequence(error) { it.cause }.any { it.javaClass.name == STRONGBOX_UNAVAILABLE }

        /** Runs a Keystore call; what it throws becomes the core's [SignerFailure]. */
        inline fun <T> keystoreCall(call: () -> T): T = try {
            call()
        } catch (failure: SignerFailure) {
            throw failure
        } catch (error: Exception) {
            throw JcaDeviceSigner.classifyFailure(error)
        }
    }
}
