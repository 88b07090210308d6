package fr.cvconnect.tests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.RevocationOutcome
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.eur
import fr.ancv.cvconnect.testkit.type
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** Runs [test] with two phones enrolled on one fresh account: the one kept, the one lost. */
private fun World.twoPhones(test: suspend (kept: Phone, lost: Phone) -> Unit) = runBlocking {
    enrolledPhone("100.00").use { kept ->
        phone().use { lost -> test(kept, lost.enroll(kept.account)) }
    }
}

/** Types [pin] by key positions on a revocation keypad and revokes [target] from this phone. */
private suspend fun Phone.revoke(target: String, pin: String): RevocationOutcome {
    val keypad = client.startRevocationPinEntry()
    keypad.type(pin)
    return client.revokeDevice(target, keypad)
}

/** The account's phones through the real binding: the list, a revocation, a wrong PIN. */
class DevicesTest {
    private val world = World.shared

    @Test
    fun `the list shows both phones and marks this one`() = world.twoPhones { kept, lost ->
        val listed = kept.client.devices()
        assertEquals(listOf(kept.deviceId to true, lost.deviceId to false), listed.map { it.deviceId to it.current })
        assertTrue(listed.all { it.platform == Platform.ANDROID && it.name == "Téléphone Android" })
        assertEquals(listOf(false, true), lost.client.devices().map { it.current })
    }

    @Test
    fun `a phone revoked from another is told at its next call and is no longer enrolled`() =
        world.twoPhones { kept, lost ->
            val outcome = kept.revoke(lost.deviceId, Seed.PIN)
            assertIs<RevocationOutcome.Revoked>(outcome)
            assertTrue(outcome.revokedAt > 0)

            val error = assertFailsWith<CvException.DeviceRevoked> { lost.client.balance() }
            assertTrue(error.message!!.isNotBlank())
            assertFalse(lost.client.isEnrolled())
            assertFailsWith<CvException.NotEnrolled> { lost.client.balance() }
            assertEquals(listOf(kept.deviceId), kept.client.devices().map { it.deviceId })
        }

    @Test
    fun `a wrong PIN on revoke is counted and the phone stays`() = world.twoPhones { kept, lost ->
        val wrong = if (Seed.PIN == "0000") "1111" else "0000"
        assertEquals(RevocationOutcome.WrongPin(attemptsLeft = 2), kept.revoke(lost.deviceId, wrong))
        assertEquals(eur("100.00"), lost.client.balance().amount)
    }

    @Test
    fun `a phone revoked by an administrator is told at its next call`() = world.twoPhones { kept, lost ->
        assertTrue(world.sandbox.revokeDevice(lost.deviceId) > 0)
        assertFailsWith<CvException.DeviceRevoked> { lost.client.pendingPayments() }
        assertFalse(lost.client.isEnrolled())
        assertEquals(eur("100.00"), kept.client.balance().amount)
    }
}
