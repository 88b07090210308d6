package fr.ancv.cvconnect.app.ui

import android.app.Activity
import android.content.Context
import android.content.ContextWrapper
import android.view.WindowManager
import androidx.activity.compose.BackHandler
import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import fr.ancv.cvconnect.app.AppViewModel
import fr.ancv.cvconnect.presenter.PaymentPresenter
import fr.ancv.cvconnect.presenter.PaymentScreenState
import fr.ancv.cvconnect.presenter.PendingPaymentsPresenter

// Every amount and message on these screens is the library's French text (PaymentView.*Text,
// PaymentOutcome.message(), CvException.message, the presenters' *Text fields): nothing is
// formatted here, and nothing here calls into the library (the presenters do, guarded).

@Composable
fun AppRoot(model: AppViewModel) {
    val enroll by model.enroll.collectAsStateWithLifecycle()
    val payment by model.payment.state.collectAsStateWithLifecycle()
    when {
        enroll.enrolled == null -> MessageScreen(enroll.error.orEmpty(), model::checkEnrollment, "Réessayer")
        enroll.enrolled == false -> EnrollScreen(enroll.busy, enroll.error, model::enroll)
        payment is PaymentScreenState.Idle -> PendingScreen(model.pending, model.payment::openPayment)
        else -> PaymentFlow(payment, model.payment)
    }
}

@Composable
private fun EnrollScreen(busy: Boolean, error: String?, onEnroll: (String, String) -> Unit) {
    var email by rememberSaveable { mutableStateOf("") }
    var code by rememberSaveable { mutableStateOf("") }
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Activer Chèque-Vacances Connect", style = MaterialTheme.typography.headlineSmall)
        OutlinedTextField(
            email, { email = it }, Modifier.fillMaxWidth().testTag("enroll-email"),
            label = { Text("Adresse e-mail") },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
        )
        OutlinedTextField(
            code, { code = it }, Modifier.fillMaxWidth().testTag("enroll-code"),
            label = { Text("Code d'activation") },
        )
        error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Button({ onEnroll(email, code) }, enabled = !busy && email.isNotBlank() && code.isNotBlank()) {
            Text("Activer cet appareil")
        }
    }
}

/** Home: the balance and the payments waiting (covers a push that never arrived). */
@Composable
private fun PendingScreen(presenter: PendingPaymentsPresenter, onOpen: (String) -> Unit) {
    val state by presenter.state.collectAsStateWithLifecycle()
    LaunchedEffect(Unit) { presenter.refresh() }
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Mon solde", style = MaterialTheme.typography.titleMedium)
        Text(state.balanceText ?: "…", style = MaterialTheme.typography.headlineMedium)
        if (state.balanceStale && state.balanceText != null) Text("Dernier solde connu")
        state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        HorizontalDivider()
        Text("Paiements en attente", style = MaterialTheme.typography.titleMedium)
        if (state.payments.isEmpty() && !state.loading) Text("Aucun paiement en attente.")
        LazyColumn(Modifier.weight(1f)) {
            items(state.payments, key = { it.paymentId }) { payment ->
                Row(
                    Modifier.fillMaxWidth().clickable { onOpen(payment.paymentId) }.padding(vertical = 12.dp),
                    horizontalArrangement = Arrangement.SpaceBetween,
                ) {
                    Text(payment.payeeName)
                    Text(payment.totalText)
                }
            }
        }
        OutlinedButton(presenter::refresh, enabled = !state.loading) { Text("Actualiser") }
    }
}

@Composable
private fun PaymentFlow(state: PaymentScreenState, presenter: PaymentPresenter) {
    when (state) {
        PaymentScreenState.Idle -> Unit
        PaymentScreenState.Loading -> Busy("Chargement du paiement…")
        is PaymentScreenState.PaymentScreen -> {
            BackHandler(onBack = presenter::dismiss)
            PaymentScreen(state, presenter)
        }
        is PaymentScreenState.PinEntry -> {
            BackHandler(onBack = presenter::cancelPinEntry)
            PinScreen(state, presenter)
        }
        is PaymentScreenState.Sending -> Busy("Envoi en cours…")
        is PaymentScreenState.Result -> ResultScreen(state, presenter::dismiss)
        is PaymentScreenState.Error -> MessageScreen(state.message, presenter::dismiss)
    }
}

@Composable
private fun PaymentScreen(state: PaymentScreenState.PaymentScreen, presenter: PaymentPresenter) {
    val view = state.view
    var amount by rememberSaveable(view.paymentId) { mutableStateOf(view.amountText) }
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(view.payeeName, style = MaterialTheme.typography.headlineSmall)
        Line("Montant total", view.totalText)
        Line("Mon solde", view.balanceText)
        OutlinedTextField(
            amount,
            { amount = it; presenter.setAmount(it) },
            Modifier.fillMaxWidth().testTag("amount"),
            label = { Text("Payé en Chèque-Vacances") },
            isError = state.amountError != null,
            supportingText = { state.amountError?.let { Text(it) } },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
            singleLine = true,
        )
        if (state.hasRemainder) Line("Reste à payer par carte", view.remainderText)
        Spacer(Modifier.weight(1f))
        Button(presenter::startPinEntry, Modifier.fillMaxWidth(), enabled = state.canConfirm) { Text("Confirmer") }
        TextButton(presenter::decline, Modifier.fillMaxWidth()) { Text("Refuser") }
    }
}

/** The core's shuffled keypad: keys drawn from `layout`, touches sent as positions. */
@Composable
private fun PinScreen(state: PaymentScreenState.PinEntry, presenter: PaymentPresenter) {
    SecureWindow()
    Column(
        Modifier.fillMaxSize().padding(24.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(16.dp),
    ) {
        Text("Code personnel", style = MaterialTheme.typography.headlineSmall)
        Text("${state.view.amountText} à ${state.view.payeeName}")
        state.message?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Row(
            Modifier.semantics { contentDescription = "${state.entered} chiffres saisis sur ${state.required}" },
            horizontalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            repeat(state.required) { index ->
                val filled = index < state.entered
                Box(
                    Modifier.size(16.dp).background(
                        if (filled) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.surfaceVariant,
                        CircleShape,
                    ),
                )
            }
        }
        PaymentScreenState.KEY_GRID.forEachIndexed { rowIndex, row ->
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                row.forEachIndexed { column, position ->
                    val slot = Modifier.size(80.dp)
                    when {
                        position != null -> OutlinedButton(
                            { presenter.press(position) },
                            slot.testTag("pin-key-$position"),
                            shape = CircleShape,
                        ) { Text(state.layout[position].toString(), style = MaterialTheme.typography.headlineSmall) }
                        rowIndex == 3 && column == 0 -> TextButton(presenter::erase, slot) { Text("Effacer") }
                        rowIndex == 3 && column == 2 ->
                            TextButton(presenter::validate, slot, enabled = state.complete) { Text("Valider") }
                        else -> Spacer(slot)
                    }
                }
            }
        }
        TextButton(presenter::cancelPinEntry) { Text("Annuler") }
    }
}

/** FLAG_SECURE while the keypad is shown: no screenshot, no recording, blank in Recents. */
@Composable
private fun SecureWindow() {
    val activity = LocalContext.current.findActivity()
    DisposableEffect(activity) {
        activity?.window?.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        onDispose { activity?.window?.clearFlags(WindowManager.LayoutParams.FLAG_SECURE) }
    }
}

@Composable
private fun ResultScreen(state: PaymentScreenState.Result, onDone: () -> Unit) {
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text(state.message, style = MaterialTheme.typography.headlineSmall)
        state.remainderText?.let { Line("Reste à payer par carte", it) }
        state.balanceText?.let { Line("Nouveau solde", it) }
        Spacer(Modifier.weight(1f))
        Button(onDone, Modifier.fillMaxWidth()) { Text("Terminer") }
    }
}

@Composable
private fun MessageScreen(message: String, onDone: () -> Unit, action: String = "Retour") {
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text(message, color = MaterialTheme.colorScheme.error)
        Button(onDone) { Text(action) }
    }
}

@Composable
private fun Busy(label: String) {
    Column(
        Modifier.fillMaxSize(),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.Center,
    ) {
        CircularProgressIndicator()
        Spacer(Modifier.height(16.dp))
        Text(label)
    }
}

@Composable
private fun Line(label: String, value: String) {
    Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
        Text(label)
        Text(value, style = MaterialTheme.typography.titleMedium)
    }
}

private tailrec fun Context.findActivity(): Activity? = when (this) {
    is Activity -> this
    is ContextWrapper -> baseContext.findActivity()
    else -> null
}
