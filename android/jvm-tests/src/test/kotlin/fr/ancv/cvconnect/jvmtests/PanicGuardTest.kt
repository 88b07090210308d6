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
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter
import fr.ancv.cvconnect.presenter.UNEXPECTED_FR
import fr.ancv.cvconnect.presenter.guarded
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
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
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PanicGuardTest {
    private val sandbox = Sandbox()

    @AfterAll
    fun stop() = sandbox.close()

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
    fun `a panic while opening a payment ends in the error state with the French message`(): Unit = runBlocking {
        val email = sandbox.newAccount("200.00")
        Phone(sandbox, jdkSigner()).use { phone ->
            phone.enroll(email)
            PresenterHarness(phone, coroutineContext, PanickingClient(phone.client)).use { h ->
                h.presenter.openPayment("pay_whatever")
                val error = h.presenter.state.await<Error>()
                assertEquals(UNEXPECTED_FR, error.message)
                val cause = assertIs<CvException.Unexpected>(error.cause)
                assertTrue("opening pay_whatever" in cause.detail, cause.detail)
                assertEquals(listOf("Idle", "Loading", "Error"), h.kinds())
            }
        }
    }

    @Test
    fun `a uniffi failure in a non-throwing call ends in the error state too`(): Unit = runBlocking {
        Phone(sandbox, jdkSigner()).use { phone ->
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
        Phone(sandbox, jdkSigner()).use { phone ->
            val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
            try {
                val pending = PendingPaymentsPresenter(PanickingClient(phone.client), scope)
                pending.refresh()
                val state = withTimeout(20_000) { pending.state.first { !it.loading } }
                assertEquals(UNEXPECTED_FR, state.error)
                assertTrue(state.balanceStale)
            } finally {
                scope.cancel()
            }
        }
    }
}
