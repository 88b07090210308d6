package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvClientInterface
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.formatAmountFr
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/** One line of the pending list, with its French texts. */
data class PendingPayment(
    val paymentId: String,
    val payeeName: String,
    val totalText: String,
    val expiresAt: Long,
)

/** The home screen: balance and the payments waiting for this account. */
data class PendingScreenState(
    val loading: Boolean = false,
    val balanceText: String? = null,
    val balanceStale: Boolean = false,
    val payments: List<PendingPayment> = emptyList(),
    val error: String? = null,
)

/**
 * The pending-payments screen, for when the push was lost (or notifications are off).
 * Opening one goes through [PaymentPresenter.openPayment]. A failure saying this phone was
 * revoked is also reported to [disconnection].
 */
class PendingPaymentsPresenter(
    private val client: CvClientInterface,
    private val scope: CoroutineScope,
    private val disconnection: Disconnection? = null,
) {
    private val mutableState = MutableStateFlow(PendingScreenState())
    val state: StateFlow<PendingScreenState> = mutableState.asStateFlow()
    private var job: Job? = null

    /** Reads the balance and the pending list again; offline, shows the last balance known. */
    fun refresh() {
        job?.cancel()
        mutableState.value = mutableState.value.copy(loading = true, error = null)
        job = scope.launch {
            mutableState.value = guarded(::failed) {
                val balance = client.balance()
                val pending = client.pendingPayments().map {
                    PendingPayment(it.paymentId, it.payee.name, formatAmountFr(it.total), it.expiresAt)
                }
                PendingScreenState(balanceText = balance.text, balanceStale = balance.stale, payments = pending)
            }
        }
    }

    /** The screen after a failure: the French sentence, and the last balance known, marked stale. */
    private fun failed(error: CvException): PendingScreenState {
        disconnection?.notice(error)
        val cached = guarded({ null }) { client.cachedBalance() }
        return mutableState.value.copy(
            loading = false,
            balanceText = cached?.text ?: mutableState.value.balanceText,
            balanceStale = true,
            error = frenchMessage(error),
        )
    }
}
