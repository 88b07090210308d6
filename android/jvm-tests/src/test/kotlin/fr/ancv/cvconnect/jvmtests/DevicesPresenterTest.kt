package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.presenter.DevicesPresenter
import fr.ancv.cvconnect.presenter.DevicesScreenState
import fr.ancv.cvconnect.presenter.DevicesScreenState.DeviceList
import fr.ancv.cvconnect.presenter.DevicesScreenState.Locked
import fr.ancv.cvconnect.presenter.DevicesScreenState.PinEntry
import fr.ancv.cvconnect.presenter.DevicesScreenState.Revoked
import fr.ancv.cvconnect.presenter.DevicesScreenState.ThisPhoneDisconnected
import fr.ancv.cvconnect.presenter.Disconnection
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.testkit.AppMainThread
import fr.ancv.cvconnect.testkit.Phone
import fr.ancv.cvconnect.testkit.Seed
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlin.test.fail

/** Two phones on one fresh account, a [DevicesPresenter] on each, and the app-wide [Disconnection] of each. */
private class TwoPhones(val kept: Phone, val lost: Phone) : AutoCloseable {
    private val mainThread = AppMainThread()
    val scope = mainThread.scope
    val keptDisconnection = Disconnection()
    val lostDisconnection = Disconnection()
    val onKept = DevicesPresenter(kept.client, scope, keptDisconnection)
    val onLost = DevicesPresenter(lost.client, scope, lostDisconnection)

    override fun close() {
        onKept.close()
        onLost.close()
        mainThread.close()
        assertEquals(emptyList(), mainThread.uncaught, "exceptions escaped the presenters (a crash on Android)")
    }
}

private fun twoPhones(test: suspend TwoPhones.() -> Unit) = runBlocking {
    val world = World.shared
    world.enrolledPhone("100.00", jcaSigner()).use { kept ->
        world.phone(jcaSigner()).use { lost -> TwoPhones(kept, lost.enroll(kept.account)).use { it.test() } }
    }
}

/** Waits for a state of type [T]; fails at once on an unexpected [DevicesScreenState.Error]. */
private suspend inline fun <reified T : DevicesScreenState> StateFlow<DevicesScreenState>.await(
    crossinline until: (T) -> Boolean = { true },
): T {
    val state = withTimeout(20_000) {
        first { (it is T && until(it)) || (it is DevicesScreenState.Error && T::class != DevicesScreenState.Error::class) }
    }
    return state as? T ?: fail("expected ${T::class.simpleName}, got $state")
}

/** On the list, starts revoking [deviceId] and types [pin] by the positions of its digits. */
private suspend fun DevicesPresenter.typeRevocation(deviceId: String, pin: String): PinEntry {
    startRevocation(deviceId)
    var entry = state.await<PinEntry> { it.entered == 0 }
    for (digit in pin) {
        press(entry.layout.indexOf(digit - '0'))
        entry = state.value as? PinEntry ?: fail("left the keypad: ${state.value}")
    }
    return entry
}

/** "Mes appareils" on the JVM against a real sandbox: list, revocation, wrong PIN, this phone revoked. */
class DevicesPresenterTest {
    @Test
    fun `the list shows both phones in French, this one marked and not revocable`() = twoPhones {
        onKept.refresh()
        val list = onKept.state.await<DeviceList>()
        assertEquals(listOf(kept.deviceId, lost.deviceId), list.devices.map { it.deviceId })
        assertEquals(listOf(false, true), list.devices.map { it.canRevoke })
        val row = list.devices.first()
        assertEquals("Téléphone Android", row.name)
        assertTrue(row.enrolledText.startsWith("Ajouté le "), row.enrolledText)
        assertTrue(row.lastUsedText.startsWith("Dernière utilisation le "), row.lastUsedText)
        onKept.startRevocation(kept.deviceId)
        assertEquals(list, onKept.state.value, "this phone cannot revoke itself")
    }

    @Test
    fun `revoking the lost phone with the PIN, then the lost phone shows it was disconnected`() = twoPhones {
        onKept.refresh()
        onKept.state.await<DeviceList>()
        val typed = onKept.typeRevocation(lost.deviceId, Seed.PIN)
        assertTrue(typed.complete)
        onKept.validate()
        val revoked = onKept.state.await<Revoked>()
        assertEquals("« Téléphone Android » a été déconnecté de votre compte.", revoked.message)
        onKept.refresh()
        assertEquals(listOf(kept.deviceId), onKept.state.await<DeviceList>().devices.map { it.deviceId })

        onLost.refresh()
        onLost.state.await<ThisPhoneDisconnected>()
        assertTrue(lostDisconnection.disconnected.value)
        assertFalse(keptDisconnection.disconnected.value)
        assertFalse(lost.client.isEnrolled())
    }

    @Test
    fun `a wrong PIN comes back to a new keypad with two attempts left`() = twoPhones {
        onKept.refresh()
        onKept.state.await<DeviceList>()
        onKept.typeRevocation(lost.deviceId, if (Seed.PIN == "0000") "1111" else "0000")
        onKept.validate()
        val again = onKept.state.await<PinEntry> { it.attemptsLeft != null }
        assertEquals(2, again.attemptsLeft)
        assertEquals("Code personnel incorrect. Il vous reste 2 tentatives.", again.message)
        assertEquals(0, again.entered)
        onKept.cancel()
        assertEquals(2, onKept.state.await<DeviceList>().devices.size, "nothing was revoked")
    }

    @Test
    fun `three wrong PINs lock the PIN and leave the phone connected`() = twoPhones {
        val wrong = if (Seed.PIN == "0000") "1111" else "0000"
        onKept.refresh()
        onKept.state.await<DeviceList>()
        onKept.typeRevocation(lost.deviceId, wrong)
        onKept.validate()
        for (left in listOf(2, 1)) {
            val again = onKept.state.await<PinEntry> { it.attemptsLeft == left }
            for (digit in wrong) onKept.press(again.layout.indexOf(digit - '0'))
            onKept.validate()
        }
        val locked = onKept.state.await<Locked>()
        assertEquals(DevicesScreenState.LOCKED_FR, locked.message)
        assertTrue(lost.client.isEnrolled())
    }

    @Test
    fun `a payment screen on the revoked phone tells the whole app`() = twoPhones {
        onKept.refresh()
        onKept.state.await<DeviceList>()
        onKept.typeRevocation(lost.deviceId, Seed.PIN)
        onKept.validate()
        onKept.state.await<Revoked>()

        val payment = PaymentPresenter(lost.client, scope, lostDisconnection)
        payment.openPayment(World.shared.sandbox.createPayment(kept.account, "30.00"))
        val error = withTimeout(20_000) { payment.state.first { it is PaymentScreenState.Error } } as PaymentScreenState.Error
        assertIs<CvException.DeviceRevoked>(error.cause)
        assertTrue(lostDisconnection.disconnected.value)
        payment.close()
    }
}
