package fr.cvconnect.tests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.testkit.Attestation
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.RecordingAttester
import fr.ancv.cvconnect.testkit.World
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Enrolls [phone] on [email] with [code]; the backend's refusal, whose code the test checks. */
private suspend fun refusal(phone: Phone, email: String, code: String): CvException.Api =
    assertFailsWith<CvException.Api> { phone.client.enroll(email, code, null, Platform.ANDROID) }.also {
        assertEquals(403, it.httpStatus)
        assertNull(phone.client.enrolledDevice(), "nothing enrolled on this phone")
    }

/**
 * Key attestation at enrollment (protocol v1.2) through the real binding, against a
 * sandbox whose policy requires it (App Attest configured on a test root), and one whose
 * policy is the default `off`.
 */
class AttestationTest {
    @Test
    fun `attestation required refuses a client without attester and spends nothing`() =
        World.own(Attestation.sandboxArgs("required")).use { world ->
            runBlocking {
                val email = world.account()
                val code = world.sandbox.activationCode(email)
                world.phone().use { phone ->
                    assertEquals("attestation_required", refusal(phone, email, code).code)
                }
                // The same code again, with an attester: it reaches the attestation check, so
                // the first refusal did not spend it.
                world.phone(attester = RecordingAttester()).use { phone ->
                    assertEquals("attestation_refused", refusal(phone, email, code).code)
                }
                assertEquals(emptyList(), world.sandbox.devicesOf(email))
            }
        }

    @Test
    fun `a garbage attestation is refused and the attester had the sandbox's fresh challenge`() =
        World.own(Attestation.sandboxArgs("required")).use { world ->
            runBlocking {
                val email = world.account()
                val attester = RecordingAttester()
                world.phone(attester = attester).use { phone ->
                    repeat(2) {
                        val error = refusal(phone, email, world.sandbox.activationCode(email))
                        assertEquals("attestation_refused", error.code)
                    }
                }
                val (first, second) = attester.challenges
                assertEquals(listOf(Attestation.CHALLENGE_SIZE, Attestation.CHALLENGE_SIZE), attester.challenges.map { it.size })
                assertTrue(!first.contentEquals(second), "each enrollment has a challenge of its own")
                assertEquals(emptyList(), world.sandbox.devicesOf(email))
            }
        }

    @Test
    fun `under the default policy the attester is never called (attestation off)`() = runBlocking {
        val world = World.shared
        val attester = RecordingAttester()
        world.phone(attester = attester).use { phone ->
            phone.enroll(world.account())
            assertEquals(emptyList(), attester.challenges, "no attestation asked")
            val device = phone.client.devices().single()
            assertNull(device.attestedSecurityLevel)
        }
    }
}
