package fr.ancv.cvconnect.testkit

import fr.ancv.cvconnect.DeviceAttestation
import fr.ancv.cvconnect.KeyAttester
import java.util.Collections

/**
 * Key attestation at enrollment (protocol v1.2) from the suites' side: an attester that
 * records what the core asks it, and the sandbox options of a backend that wants one.
 *
 * The suites cannot make an attestation that verifies (that takes a platform's secure
 * hardware, or the Rust test kit's chains under a test CA whose key is not here): they
 * check what the binding does around it. The refusal of a garbage attestation shows that
 * it reached the backend, which otherwise answers `attestation_required`.
 */
object Attestation {
    /** The App Attest app id the sandbox is configured with, `TEAMID.bundle`. */
    const val APPLE_APP_ID = "ABCDE12345.fr.ancv.cvconnect"

    /** The size of the sandbox's enrollment challenges, in bytes. */
    const val CHALLENGE_SIZE = 32

    /** A self-signed test root (tests/fixtures/README.md): its key was thrown away, so nothing verifies under it. */
    val testRoot: String get() = workspaceRoot.resolve("tests/fixtures/attestation-test-root.pem").toString()

    /**
     * Sandbox options for attestation [policy] (`off`, `optional`, `required`), with App
     * Attest configured on [testRoot]: a policy other than `off` needs one platform.
     */
    fun sandboxArgs(policy: String): List<String> =
        listOf("--attestation", policy, "--apple-app-id", APPLE_APP_ID, "--apple-root", testRoot)

    /** An Android Key Attestation whose certificates are not DER: every check refuses it. */
    fun garbageAndroidChain(): DeviceAttestation =
        DeviceAttestation.AndroidKey(listOf(byteArrayOf(0x30, 0x03, 1, 2, 3), "not a certificate".toByteArray()))
}

/** A [KeyAttester] that records each challenge it is given and answers what [answer] makes of it. */
class RecordingAttester(
    private val answer: (ByteArray) -> DeviceAttestation? = { Attestation.garbageAndroidChain() },
) : KeyAttester {
    val challenges: MutableList<ByteArray> = Collections.synchronizedList(mutableListOf())

    override fun attest(challenge: ByteArray): DeviceAttestation? {
        challenges.add(challenge.copyOf())
        return answer(challenge)
    }
}
