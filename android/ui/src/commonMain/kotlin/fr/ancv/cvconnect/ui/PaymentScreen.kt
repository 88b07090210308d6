package fr.ancv.cvconnect.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.SpanStyle
import androidx.compose.ui.text.buildAnnotatedString
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.withStyle
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import fr.ancv.cvconnect.presenter.PaymentScreenState

/**
 * The payment request: who asks, how much, the balance, the amount paid with
 * Chèque-Vacances Connect (editable, in French: "120,00", "1 234,50 €"), and what is left
 * to pay by card. Every amount is the library's French text.
 */
@Composable
fun PaymentScreen(
    state: PaymentScreenState.PaymentScreen,
    onAmountChange: (String) -> Unit,
    onConfirm: () -> Unit,
    onDecline: () -> Unit,
) {
    SensitiveScreen()
    val view = state.view
    ScreenColumn(
        bottom = {
            PrimaryButton("Confirmer", onConfirm, enabled = state.canConfirm)
            QuietButton("Refuser", onDecline)
        },
    ) {
        RequestSummary(view.payeeName, view.totalText)
        AmountLine("Mon solde", view.balanceText)
        AmountField(view.paymentId, view.amountText, state.amountError, onAmountChange)
        AmountLine(
            REMAINDER_LABEL,
            view.remainderText,
            emphasised = state.hasRemainder,
            color = if (state.hasRemainder) CvColors.Warning else CvColors.Text,
        )
        if (view.attemptsLeft == 1) Banner(LAST_ATTEMPT_WARNING, Tone.Warning)
    }
}

/** What the card pays: total minus the amount paid with Chèque-Vacances Connect. */
const val REMAINDER_LABEL = "À payer par carte"

/** Shown while only one PIN attempt is left, before the keypad too. */
const val LAST_ATTEMPT_WARNING = "Attention\u00A0: il vous reste une seule tentative de code personnel avant son blocage."

@Composable
private fun RequestSummary(payee: String, total: String) {
    Column(
        Modifier.fillMaxWidth()
            .background(MaterialTheme.colorScheme.primaryContainer, RoundedCornerShape(16.dp))
            .padding(16.dp)
            .semantics(mergeDescendants = true) { heading() },
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        Text(
            buildAnnotatedString {
                withStyle(SpanStyle(fontWeight = FontWeight.Bold, color = CvColors.Text)) { append(payee) }
                append(" vous demande")
            },
            style = MaterialTheme.typography.titleMedium,
            color = CvColors.TextSecondary,
        )
        Text(total, style = MaterialTheme.typography.headlineLarge, fontWeight = FontWeight.Bold, color = CvColors.Primary)
    }
}

/**
 * The amount paid with vouchers. The field keeps what the beneficiary typed; every change
 * goes to the presenter, which asks the library to parse it and shows its French reason
 * when it is refused.
 */
@Composable
private fun AmountField(paymentId: String, amountText: String, error: String?, onChange: (String) -> Unit) {
    var text by rememberSaveable(paymentId) { mutableStateOf(amountText.removeSuffix("€").trimEnd()) }
    OutlinedTextField(
        value = text,
        onValueChange = {
            text = it
            onChange(it)
        },
        modifier = Modifier.fillMaxWidth().testTag(UiTags.AMOUNT_FIELD),
        label = { Text("Montant payé") },
        suffix = { Text("€") },
        isError = error != null,
        supportingText = error?.let { { Text(it) } },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal, imeAction = ImeAction.Done),
        singleLine = true,
        textStyle = MaterialTheme.typography.titleLarge,
    )
}
