package fr.ancv.cvconnect.signer

import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.SignerFailure
import java.security.GeneralSecurityException
import java.security.InvalidKeyException
import java.security.PrivateKey
import java.security.PublicKey
import java.security.Signature

/**
 * The device key as the library wants it, on `java.security` only: ECDSA P-256 with
 * SHA-256 (`SHA256withECDSA`, DER signature), public key as X.509 SubjectPublicKeyInfo
 * (`publicKey.encoded`, 91 bytes for P-256).
 *
 * The app hands it a key from the Android Keystore (`AndroidKeyStore` provider: the private
 * key never leaves the secure hardware, `privateKey.encoded` is null there); the JVM tests
 * hand it a key from the JDK's `KeyPairGenerator`. The code path is the same.
 *
 * No `android.*` import: Keystore exceptions are recognised by class name (see
 * [classifyFailure]) so this file compiles and is tested on a plain JVM.
 *
 * @param provider the JCA provider of `Signature`; null lets the JCA pick the one that
 *   accepts the key (with a Keystore key that is `AndroidKeyStoreBCWorkaround`).
 */
class JcaDeviceSigner(
    private val privateKey: PrivateKey,
    private val publicKey: PublicKey,
    private val provider: String? = null,
) : DeviceSigner {

    init {
        require(publicKey.algorithm == "EC") { "the device key must be an EC (P-256) key, not ${publicKey.algorithm}" }
    }

    override fun publicKey(): ByteArray =
        publicKey.encoded ?: throw SignerFailure.Unavailable("the public key has no X.509 encoding")

    override fun sign(message: ByteArray): ByteArray = try {
        val signature = if (provider == null) Signature.getInstance(ALGORITHM)
        else Signature.getInstance(ALGORITHM, provider)
        signature.initSign(privateKey)
        signature.update(message)
        signature.sign()
    } catch (failure: SignerFailure) {
        throw failure
    } catch (error: Exception) {
        throw classifyFailure(error)
    }

    companion object {
        const val ALGORITHM = "SHA256withECDSA"

        private const val KEYSTORE = "android.security.keystore."

        /**
         * Maps what the key store threw to the core's [SignerFailure]:
         * - `KeyPermanentlyInvalidatedException` (lock screen removed, biometrics changed):
         *   [SignerFailure.KeyInvalidated]: the app must enroll again;
         * - `UserNotAuthenticatedException` (a key with `setUserAuthenticationRequired`
         *   and no recent unlock): [SignerFailure.Unavailable]: authenticate, then retry;
         * - `KeyStoreException` / `StrongBoxUnavailableException` / other
         *   [GeneralSecurityException]: [SignerFailure.Unavailable] or [SignerFailure.Failed].
         *
         * The user dismissing a BiometricPrompt is signalled by the app itself (it throws
         * [SignerFailure.UserCancelled] from its own signer wrapper), not by the JCA.
         */
        fun classifyFailure(error: Throwable): SignerFailure {
            val chain = generateSequence(error) { it.cause }.toList()
            val names = chain.map { it.javaClass.name }
            val reason = error.message ?: error.javaClass.simpleName
            return when {
                names.any { it == KEYSTORE + "KeyPermanentlyInvalidatedException" } -> SignerFailure.KeyInvalidated()
                names.any { it == KEYSTORE + "UserNotAuthenticatedException" } ->
                    SignerFailure.Unavailable("user authentication required")
                names.any { it == KEYSTORE + "StrongBoxUnavailableException" || it == "android.security.KeyStoreException" } ->
                    SignerFailure.Unavailable(reason)
                error is InvalidKeyException -> SignerFailure.Failed("invalid key: $reason")
                error is GeneralSecurityException -> SignerFailure.Failed(reason)
                else -> SignerFailure.Failed(reason)
            }
        }
    }
}
