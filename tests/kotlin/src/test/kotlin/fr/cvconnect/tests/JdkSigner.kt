package fr.cvconnect.tests

import fr.ancv.cvconnect.DeviceSigner
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.spec.ECGenParameterSpec

/**
 * The device key on the JVM: P-256 from the JDK's KeyPairGenerator, signatures with
 * `SHA256withECDSA` (DER), public key as X.509 SubjectPublicKeyInfo. The same calls an
 * Android app makes on a Keystore key (`KeyProperties.KEY_ALGORITHM_EC`, `DIGEST_SHA256`).
 */
class JdkSigner(private val keyPair: KeyPair = generate()) : DeviceSigner {
    @Volatile var signatures = 0
        private set

    override fun publicKey(): ByteArray = keyPair.public.encoded

    override fun sign(message: ByteArray): ByteArray {
        signatures++
        return Signature.getInstance("SHA256withECDSA").run {
            initSign(keyPair.private)
            update(message)
            sign()
        }
    }

    companion object {
        fun generate(): KeyPair = KeyPairGenerator.getInstance("EC").run {
            initialize(ECGenParameterSpec("secp256r1"))
            generateKeyPair()
        }
    }
}

/** A signer whose key store always fails the way `failure` says. */
class FailingSigner(private val failure: () -> Throwable) : DeviceSigner {
    private val real = JdkSigner()
    override fun publicKey(): ByteArray = real.publicKey()
    override fun sign(message: ByteArray): ByteArray = throw failure()
}
