package fr.cvconnect.tests

import fr.ancv.cvconnect.ConfirmationFields
import fr.ancv.cvconnect.appAttestClientDataHash
import fr.ancv.cvconnect.canonicalConfirmationBytes
import fr.ancv.cvconnect.testkit.JdkSigner
import fr.ancv.cvconnect.testkit.eur
import fr.ancv.cvconnect.testkit.workspaceRoot
import fr.ancv.cvconnect.verifyDeviceSignature
import org.json.JSONObject
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyFactory
import java.security.KeyPair
import java.security.MessageDigest
import java.security.PublicKey
import java.security.Signature
import java.util.Base64
import java.security.spec.PKCS8EncodedKeySpec
import java.security.spec.X509EncodedKeySpec
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

private fun String.unhex(): ByteArray = chunked(2).map { it.toInt(16).toByte() }.toByteArray()

/** protocol.md "Canonical bytes": the tag, then each field, each behind its length as 4 big-endian bytes. */
private fun canonicalFields(tag: String, vararg fields: ByteArray): ByteArray {
    val out = ByteArrayOutputStream()
    for (field in listOf(tag.toByteArray(), *fields)) {
        out.write(ByteBuffer.allocate(4).putInt(field.size).array())
        out.write(field)
    }
    return out.toByteArray()
}

/** §6.4, rebuilt in the JVM (the bindings export no request proof) from the request as the vector gives it. */
private fun requestProofBytes(request: JSONObject): ByteArray {
    val bodyHash = MessageDigest.getInstance("SHA-256").digest(request.getString("body").toByteArray())
    assertContentEquals(request.getString("body_sha256_hex").unhex(), bodyHash, "body hash")
    val text = listOf("device_id", "method", "target").map { request.getString(it).toByteArray() }
    val (timestamp, proofId) = request.getLong("timestamp").toString() to request.getString("proof_id")
    return canonicalFields("cvconnect/request/v1", *text.toTypedArray(), bodyHash, timestamp.toByteArray(), proofId.toByteArray())
}

/** Whether the JDK verifies a DER ECDSA P-256 SHA-256 [signature] of [message] by [key]. */
private fun jdkVerifies(key: PublicKey, message: ByteArray, signature: ByteArray): Boolean =
    Signature.getInstance("SHA256withECDSA").run {
        initVerify(key)
        update(message)
        verify(signature)
    }

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

    @Test
    fun `the attestation client data vector rebuilds in the JVM and its hash is the binding's`() {
        val v = vectors.getJSONObject("attestation_client_data")
        val (challenge, key) = v.getString("challenge_hex").unhex() to v.getString("public_key_spki_hex").unhex()
        val clientData = canonicalFields("cvconnect/attest/v1", challenge, key)
        assertContentEquals(v.getString("client_data_hex").unhex(), clientData)
        val hash = v.getString("client_data_hash_hex").unhex()
        assertContentEquals(hash, MessageDigest.getInstance("SHA-256").digest(clientData))
        assertContentEquals(hash, appAttestClientDataHash(challenge, key))
        assertFalse(hash.contentEquals(appAttestClientDataHash(challenge, JdkSigner().publicKey())), "another key")
    }

    @Test
    fun `the request proof vector rebuilds in the JVM, header included`() {
        val r = vectors.getJSONObject("request_proof")
        assertContentEquals(r.getString("expected_hex").unhex(), requestProofBytes(r))
        assertEquals(22, r.getString("proof_id").length)
        val unsigned = "CVC-Proof ${r.getString("device_id")}.${r.getLong("timestamp")}.${r.getString("proof_id")}."
        assertEquals(unsigned, r.getString("header_without_signature"))
        val signature = Base64.getUrlEncoder().withoutPadding().encodeToString(r.getString("signature_der_hex").unhex())
        assertEquals(unsigned + signature, r.getString("authorization"))
    }

    @Test
    fun `the request proof signature verifies its request only, in the JDK and in Rust`() {
        val r = vectors.getJSONObject("request_proof")
        val spki = vectors.getJSONObject("signature").getString("public_key_spki_hex").unhex()
        val public = KeyFactory.getInstance("EC").generatePublic(X509EncodedKeySpec(spki))
        val message = r.getString("expected_hex").unhex()
        val signature = r.getString("signature_der_hex").unhex()
        assertTrue(jdkVerifies(public, message, signature))
        assertTrue(verifyDeviceSignature(spki, message, signature))

        val refused = r.getJSONArray("refused")
        val changedFields = mutableSetOf<String>()
        for (i in 0 until refused.length()) {
            val change = refused.getJSONObject(i)
            val changed = change.getString("expected_hex").unhex()
            val request = JSONObject(r.toString()).apply { change.keySet().forEach { put(it, change.get(it)) } }
            assertContentEquals(changed, requestProofBytes(request), "$change")
            assertFalse(changed.contentEquals(message), "$change")
            assertFalse(jdkVerifies(public, changed, signature), "$change")
            assertFalse(verifyDeviceSignature(spki, changed, signature), "$change")
            changedFields += change.keySet()
        }
        assertTrue(changedFields.containsAll(listOf("method", "target", "body", "timestamp", "proof_id")), "$changedFields")
        assertTrue((0 until refused.length()).any { refused.getJSONObject(it).optString("body", "-") == "" }, "a request without a body")
    }
}
