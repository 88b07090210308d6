package fr.ancv.cvconnect.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.ancv.cvconnect.presenter.PendingPayment
import fr.ancv.cvconnect.presenter.PendingScreenState

/**
 * Home: the balance and the payments waiting for the beneficiary, which covers a push
 * that never arrived. Offline, the last balance known is shown as such, with the
 * library's French reason.
 */
@Composable
fun HomeScreen(
    state: PendingScreenState,
    onOpen: (paymentId: String) -> Unit,
    onRefresh: () -> Unit,
    onDevices: (() -> Unit)? = null,
) {
    ScreenColumn(bottom = { SecondaryButton(if (state.loading) "Actualisation…" else "Actualiser", onRefresh, enabled = !state.loading) }) {
        ScreenTitle(APP_NAME)
        BalanceCard(state.balanceText, state.balanceStale)
        onDevices?.let { SecondaryButton("Mes appareils", it) }
        state.error?.let { Banner(it, Tone.Error) }
        Text(
            "Paiements en attente",
            Modifier.semantics { heading() },
            style = MaterialTheme.typography.titleMedium,
            fontWeight = FontWeight.Bold,
        )
        PendingList(state, onOpen)
    }
}

/** The app's name, its hyphen unbreakable so that "Chèque-" never ends a line. */
const val APP_NAME = "Chèque\u2011Vacances Connect"

@Composable
private fun BalanceCard(balanceText: String?, stale: Boolean) {
    Column(
        Modifier.fillMaxWidth()
            .background(MaterialTheme.colorScheme.primaryContainer, RoundedCornerShape(16.dp))
            .padding(16.dp)
            .semantics(mergeDescendants = true) {},
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        Text("Mon solde", style = MaterialTheme.typography.bodyLarge, color = CvColors.TextSecondary)
        Text(balanceText ?: "—", style = MaterialTheme.typography.headlineLarge, fontWeight = FontWeight.Bold, color = CvColors.Primary)
        if (stale && balanceText != null) {
            Text("Dernier solde connu, pas à jour", style = MaterialTheme.typography.bodyMedium, color = CvColors.Warning, fontWeight = FontWeight.Bold)
        }
    }
}

@Composable
private fun PendingList(state: PendingScreenState, onOpen: (String) -> Unit) {
    when {
        state.payments.isNotEmpty() -> Column {
            state.payments.forEach { payment ->
                PendingRow(payment, onOpen)
                HorizontalDivider()
            }
        }
        state.loading -> Text("Recherche des demandes…", style = MaterialTheme.typography.bodyLarge, color = CvColors.TextSecondary)
        state.error != null -> Text(
            "La liste n’a pas pu être mise à jour.", style = MaterialTheme.typography.bodyLarge, color = CvColors.TextSecondary,
        )
        else -> Text("Aucun paiement en attente.", style = MaterialTheme.typography.bodyLarge, color = CvColors.TextSecondary)
    }
}

@Composable
private fun PendingRow(payment: PendingPayment, onOpen: (String) -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = 56.dp)
            .clickable(role = Role.Button, onClickLabel = "Ouvrir la demande") { onOpen(payment.paymentId) }
            .testTag(UiTags.PENDING_ROW_PREFIX + payment.paymentId)
            .padding(vertical = 10.dp),
        horizontalArrangement = Arrangement.spacedBy(12.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Text(payment.payeeName, Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
        Text(payment.totalText, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.Bold)
        Text("›", style = MaterialTheme.typography.titleLarge, color = CvColors.TextSecondary)
    }
}
