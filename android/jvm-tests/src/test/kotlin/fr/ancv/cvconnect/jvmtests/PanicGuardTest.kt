package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.BalanceInfo
import fr.ancv.cvconnect.CvClientInterface
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.InternalException
import fr.ancv.cvconnect.Keypad
import fr.ancv.cvconnect.NoHandle
import fr.ancv.cvconnect.PaymentSession
import fr.ancv.cvconnect.cvconnectSelftestPanic
import fr.ancv.cvconnect.cvconnectSelftestPanicAsync
import fr.ancv.cvconnect.presenter.PaymentScreenState.Error
import fr.ancv.cvconnect.presenter.UNEXPECTED_FR
import fr.ancv.cvconnect.presenter.guarded
import fr.ancv.cvconnect.testkit.World
import fr.ancv.cvconnect.testkit.jcaSigner
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** The real client, except that opening a payment panics in Rust (the test library's self-test panic). */
private class PanickingClient(real: CvClientInterface) : CvClientInterface by real {
    override suspend fun openPayment(paymentId: String): PaymentSession {
        cvconnectSelftestPanicAsync("opening $paymentId")
        error("the self-test panic returned")
    }

    override suspend fun balance(): BalanceInfo {
        cvconnectSelftestPanicAsync("reading the balance")
        error("the self-test panic returned")
    }

    /** A session with no Rust object behind it: its calls fail in uniffi itself ([InternalException]). */
    override suspend fun openFromPush(data: Map<String, String>): PaymentSession = PaymentSession(NoHandle)
}

/** A Rust panic, or a uniffi failure, reaching a presenter ends in its error state, in French: no crash. */
class PanicGuardTest {
    private val world = World.shared

    @Test
    fun `the shared guard turns a Rust panic into CvException Unexpected`() {
        val caught = guarded({ it }) { cvconnectSelftestPanic("sync panic"); null }
        val unexpected = assertIs<CvException.Unexpected>(caught)
        assertTrue("sync panic" in unexpected.detail, unexpected.detail)
        assertEquals(UNEXPECTED_FR, unexpected.userMessage())
        assertEquals(UNEXPECTED_FR, unexpected.message)
    }

    @Test
    fun `the shared guard maps uniffi's InternalException to CvException Unexpected`() {
        val orphan = Keypad(NoHandle)
        assertFailsWith<InternalException> { orphan.layout() } // what the guard is for
        val caught = assertIs<CvException.Unexpected>(guarded({ it }) { orphan.layout(); null })
        assertTrue("NoHandle" in caught.detail, caught.detail)
        assertEquals(UNEXPECTED_FR, caught.userMessage())
    }

    @Test
    fun `the shared guard lets other exceptions through`() {
        assertFailsWith<IllegalStateException> { guarded({ it }) { error("not the library's") } }
    }

    @Test
    fun `a panic while opening a payment ends in the error state with the French message`() =
        presenterTest(client = ::PanickingClient) {
            presenter.openPayment("pay_whatever")
            val error = presenter.state.await<Error>()
            assertEquals(UNEXPECTED_FR, error.message)
            val cause = assertIs<CvException.Unexpected>(error.cause)
            assertTrue("opening pay_whatever" in cause.detail, cause.detail)
            assertEquals(listOf("Idle", "Loading", "Error"), kinds())
        }

    @Test
    fun `a uniffi failure in a non-throwing call ends in the error state too`(): Unit = runBlocking {
        world.phone(jcaSigner()).use { phone ->
            PresenterHarness(phone, coroutineContext, PanickingClient(phone.client)).use { h ->
                h.presenter.openFromPush(mapOf("type" to "payment_request"))
                val error = h.presenter.state.await<Error>()
                assertEquals(UNEXPECTED_FR, error.message)
                assertIs<CvException.Unexpected>(error.cause)
            }
        }
    }

    @Test
    fun `a panic while reading the balance ends the pending list in French`(): Unit = runBlocking {
        world.phone(jcaSigner()).use { phone ->
            val state = loadedPendingList(PanickingClient(phone.client))
            assertEquals(UNEXPECTED_FR, state.error)
            assertTrue(state.balanceStale)
        }
    }
}
