package fr.ancv.cvconnect.testkit

import fr.ancv.cvconnect.DeviceSigner
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.spec.ECGenParameterSpec

/** A P-256 key pair from the JDK: what the Android Keystore gives the app, in software. */
fun jdkKeyPair(): KeyPair = KeyPairGenerator.getInstance("EC").run {
    initialize(ECGenParameterSpec("secp256r1"))
    generateKeyPair()
}

/**
 * The device key on the JVM: P-256 from the JDK's KeyPairGenerator, signatures with
 * `SHA256withECDSA` (DER), public key as X.509 SubjectPublicKeyInfo. The same calls an
 * Android app makes on a Keystore key (`KeyProperties.KEY_ALGORITHM_EC`, `DIGEST_SHA256`).
 */
class JdkSigner(private val keyPair: KeyPair = jdkKeyPair()) : DeviceSigner {
    override fun publicKey(): ByteArray = keyPair.public.encoded

    override fun sign(message: ByteArray): ByteArray = Signature.getInstance("SHA256withECDSA").run {
        initSign(keyPair.private)
        update(message)
        sign()
    }
}

/** A signer whose key store always fails the way [failure] says. */
class FailingSigner(private val failure: () -> Throwable) : DeviceSigner {
    private val real = JdkSigner()
    override fun publicKey(): ByteArray = real.publicKey()
    override fun sign(message: ByteArray): ByteArray = throw failure()
}
