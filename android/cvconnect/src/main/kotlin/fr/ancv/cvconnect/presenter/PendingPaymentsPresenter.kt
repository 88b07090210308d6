package fr.ancv.cvconnect.presenter

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import uniffi.cvconnect.CvClientInterface
import uniffi.cvconnect.CvException
import uniffi.cvconnect.formatAmountFr

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
 * Opening one goes through [PaymentPresenter.openPayment].
 */
class PendingPaymentsPresenter(
    private val client: CvClientInterface,
    private val scope: CoroutineScope,
) {
    private val mutableState = MutableStateFlow(PendingScreenState())
    val state: StateFlow<PendingScreenState> = mutableState.asStateFlow()
    private var job: Job? = null

    fun refresh() {
        job?.cancel()
        mutableState.value = mutableState.value.copy(loading = true, error = null)
        job = scope.launch {
            mutableState.value = try {
                val balance = client.balance()
                val pending = client.pendingPayments().map {
                    PendingPayment(it.paymentId, it.payee.name, formatAmountFr(it.total), it.expiresAt)
                }
                PendingScreenState(balanceText = balance.text, balanceStale = balance.stale, payments = pending)
            } catch (error: CvException) {
                val cached = runCatching { client.cachedBalance() }.getOrNull()
                mutableState.value.copy(
                    loading = false,
                    balanceText = cached?.text ?: mutableState.value.balanceText,
                    balanceStale = true,
                    error = error.userMessage(),
                )
            }
        }
    }
}
