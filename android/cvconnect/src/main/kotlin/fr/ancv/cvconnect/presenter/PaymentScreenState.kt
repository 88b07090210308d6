package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentView

/**
 * What the payment flow shows, one screen at a time. Every text is the library's French
 * (`PaymentView.*Text`, `PaymentOutcome.message()`, `CvException.message`): the UI
 * displays them as they are and formats no amount itself. Amounts are exact
 * `java.math.BigDecimal`s: compare them with `compareTo` or `signum()`, never as text.
 */
sealed interface PaymentScreenState {

    /** No payment open (before the first push, after [PaymentPresenter.dismiss]). */
    data object Idle : PaymentScreenState

    /** Opening a payment: the push was handed to the library, the API is being read. */
    data object Loading : PaymentScreenState

    /**
     * The payment screen: payee, total (`view.totalText`), balance (`view.balanceText`),
     * the amount paid with vouchers (`view.amountText`, editable), the remainder paid by
     * card (`view.remainderText`). [amountError] is the French reason the last typed
     * amount was refused (shown under the field); confirm is possible when [canConfirm].
     */
    data class PaymentScreen(val view: PaymentView, val amountError: String? = null) : PaymentScreenState {
        val canConfirm: Boolean get() = view.canConfirm && amountError == null
        val hasRemainder: Boolean get() = view.remainder.signum() > 0
    }

    /**
     * PIN entry on the library's shuffled keypad: `layout[position]` is the digit drawn on
     * key `position` (see [KEY_GRID]); [entered] of [required] digits typed, never which.
     * [message] is the French sentence to show above the keypad (wrong PIN and attempts
     * left, keypad expired, …), null when there is none.
     */
    data class PinEntry(
        val view: PaymentView,
        val layout: List<Int>,
        val entered: Int,
        val required: Int,
        val message: String? = null,
    ) : PaymentScreenState {
        val complete: Boolean get() = entered == required
    }

    /** The confirmation (or the decline) is on its way; nothing can be pressed. */
    data class Sending(val view: PaymentView) : PaymentScreenState

    /**
     * The end of the flow: [message] is `outcome.message()`. When paid, [balanceText] is
     * the new balance and [remainderText] what is left to pay by card (paid in part), in
     * French.
     */
    data class Result(
        val outcome: PaymentOutcome,
        val message: String,
        val view: PaymentView? = null,
        val balanceText: String? = null,
        val remainderText: String? = null,
    ) : PaymentScreenState {
        val paid: Boolean get() = outcome is PaymentOutcome.PaidInFull || outcome is PaymentOutcome.PaidInPart
    }

    /**
     * Something failed: [message] is the library's French sentence. [cause] is the
     * error; a bug in the library (a Rust panic included) is [CvException.Unexpected].
     */
    data class Error(val message: String, val cause: CvException? = null) : PaymentScreenState

    companion object {
        /**
         * Where each key position goes on screen: a 3x3 grid of positions 0 to 8, then
         * position 9 alone in the bottom centre (null: no key; the UI puts "erase" on the
         * left and "validate" on the right of the last row).
         */
        val KEY_GRID: List<List<Int?>> = listOf(
            listOf(0, 1, 2),
            listOf(3, 4, 5),
            listOf(6, 7, 8),
            listOf(null, 9, null),
        )
    }
}
