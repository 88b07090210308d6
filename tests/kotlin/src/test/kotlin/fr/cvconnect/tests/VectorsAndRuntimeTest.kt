package fr.cvconnect.tests

import fr.ancv.cvconnect.ConfirmationFields
import fr.ancv.cvconnect.canonicalConfirmationBytes
import fr.ancv.cvconnect.testkit.JdkSigner
import fr.ancv.cvconnect.testkit.eur
import fr.ancv.cvconnect.testkit.workspaceRoot
import fr.ancv.cvconnect.verifyDeviceSignature
import org.json.JSONObject
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyFactory
import java.security.KeyPair
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.security.spec.X509EncodedKeySpec
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

private fun String.unhex(): ByteArray = chunked(2).map { it.toInt(16).toByte() }.toByteArray()

/** docs/protocol-vectors.json, checked through the bindings, and signatures across Kotlin and Rust. */
class VectorsAndRuntimeTest {
    private val vectors = JSONObject(
        Files.readString(System.getenv("CVCONNECT_VECTORS")?.let(Path::of) ?: workspaceRoot.resolve("docs/protocol-vectors.json")),
    )

    @Test
    fun `canonical confirmation bytes match the vector`() {
        val v = vectors.getJSONObject("confirmation")
        val bytes = canonicalConfirmationBytes(
            ConfirmationFields(
                paymentId = v.getString("payment_id"),
                nonce = v.getString("nonce"),
                payeeId = v.getString("payee_id"),
                payeeName = v.getString("payee_name"),
                total = eur(v.getString("total")),
                amount = eur(v.getString("amount")),
                expiresAt = v.getLong("expires_at"),
                deviceId = v.getString("device_id"),
                sealedPinHash = v.getString("sealed_pin_hash_hex").unhex(),
            ),
        )
        assertContentEquals(v.getString("expected_hex").unhex(), bytes)
    }

    @Test
    fun `a Kotlin signature verifies in Rust, and a Rust signature in the JDK`() {
        val s = vectors.getJSONObject("signature")
        val message = s.getString("message_hex").unhex()
        val tampered = s.getString("tampered_message_hex").unhex()

        // Our own JDK key: Rust's verifier (the backend's) accepts it.
        val signer = JdkSigner()
        val signature = signer.sign(message)
        assertTrue(verifyDeviceSignature(signer.publicKey(), message, signature))
        assertFalse(verifyDeviceSignature(signer.publicKey(), tampered, signature))
        assertEquals(91, signer.publicKey().size, "SPKI DER of an uncompressed P-256 point")

        // The vector's key, loaded from PKCS#8 into the JDK: same SPKI, signature verifies in Rust.
        val keys = KeyFactory.getInstance("EC")
        val private = keys.generatePrivate(PKCS8EncodedKeySpec(s.getString("private_key_pkcs8_hex").unhex()))
        val public = keys.generatePublic(X509EncodedKeySpec(s.getString("public_key_spki_hex").unhex()))
        assertContentEquals(s.getString("public_key_spki_hex").unhex(), public.encoded)
        val vectorSigner = JdkSigner(KeyPair(public, private))
        assertTrue(verifyDeviceSignature(public.encoded, message, vectorSigner.sign(message)))

        // The signature Rust produced for the vector verifies with the JDK.
        val jdk = Signature.getInstance("SHA256withECDSA")
        jdk.initVerify(public)
        jdk.update(message)
        assertTrue(jdk.verify(s.getString("signature_der_hex").unhex()))
    }
}
