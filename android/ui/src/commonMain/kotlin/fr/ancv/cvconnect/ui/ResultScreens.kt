package fr.ancv.cvconnect.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.wrapContentWidth
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.style.TextAlign
import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.PaymentOutcome
import fr.ancv.cvconnect.PaymentStatus
import fr.ancv.cvconnect.presenter.PaymentScreenState

/** How a result or an error looks: its title (the app's), mark and colour. */
data class Presentation(val title: String, val mark: Mark, val color: Color, val hint: String? = null)

/** The end of a payment: paid in full or in part, declined, expired, cancelled, locked. */
fun presentation(outcome: PaymentOutcome): Presentation = when (outcome) {
    is PaymentOutcome.PaidInFull -> Presentation("Paiement accepté", Mark.Check, CvColors.Success)
    is PaymentOutcome.PaidInPart -> Presentation("Paiement accepté en partie", Mark.Check, CvColors.Success)
    PaymentOutcome.Declined -> Presentation(
        "Demande refusée", Mark.Cross, CvColors.TextSecondary,
        "Rien n’a été débité. Le commerçant voit la demande annulée.",
    )
    PaymentOutcome.Expired -> Presentation(
        "Demande expirée", Mark.Clock, CvColors.Warning,
        "Rien n’a été débité. Demandez au commerçant une nouvelle demande de paiement.",
    )
    PaymentOutcome.Locked -> Presentation(
        "Code personnel bloqué", Mark.Exclamation, CvColors.Error, "Ce paiement est refusé. Rien n’a été débité.",
    )
    is PaymentOutcome.AlreadyHandled -> alreadyHandled(outcome.status)
    is PaymentOutcome.WrongPin -> Presentation("Code personnel incorrect", Mark.Exclamation, CvColors.Error)
}

private fun alreadyHandled(status: PaymentStatus): Presentation = when (status) {
    PaymentStatus.CANCELLED -> Presentation(
        "Demande annulée", Mark.Cross, CvColors.TextSecondary,
        "Le commerçant a annulé cette demande. Rien n’a été débité.",
    )
    PaymentStatus.EXPIRED -> Presentation("Demande expirée", Mark.Clock, CvColors.Warning)
    PaymentStatus.REFUSED -> Presentation("Paiement refusé", Mark.Cross, CvColors.Error)
    else -> Presentation("Paiement déjà traité", Mark.Check, CvColors.Primary)
}

/** The title of an error screen, from the library's error; the sentence is the library's. */
fun presentation(error: CvException?): Presentation = when (error) {
    is CvException.Offline -> Presentation(
        "Pas de connexion", Mark.Exclamation, CvColors.Warning, "Rien n’a été envoyé ni débité.",
    )
    is CvException.Timeout -> Presentation("Pas de réponse", Mark.Clock, CvColors.Warning)
    is CvException.PaymentNotFound -> Presentation(
        "Paiement introuvable", Mark.Exclamation, CvColors.Error,
        "Vérifiez auprès du commerçant qu’il vous a bien envoyé une demande.",
    )
    is CvException.AlreadyHandled -> alreadyHandled(error.status)
    else -> Presentation("Une erreur est survenue", Mark.Exclamation, CvColors.Error)
}

@Composable
fun ResultScreen(state: PaymentScreenState.Result, onDone: () -> Unit) {
    val look = presentation(state.outcome)
    ScreenColumn(bottom = { PrimaryButton("Terminer", onDone) }) {
        Verdict(look, state.message)
        if (state.paid) {
            state.view?.let { AmountLine("Payé à ${it.payeeName}", it.amountText) }
            state.remainderText?.let { AmountLine(REMAINDER_LABEL, it, emphasised = true, color = CvColors.Warning) }
            state.balanceText?.let { AmountLine("Nouveau solde", it) }
        }
    }
}

@Composable
fun ErrorScreen(state: PaymentScreenState.Error, onDone: () -> Unit) {
    val look = presentation(state.cause)
    ScreenColumn(bottom = { PrimaryButton("Retour", onDone) }) {
        Verdict(look, state.message)
    }
}

/** The top of a result or an error screen: the look's mark and title, the library's [message], the look's hint. */
@Composable
internal fun Verdict(look: Presentation, message: String) {
    Box(Modifier.fillMaxWidth().wrapContentWidth()) { StatusMark(look.mark, look.color) }
    ScreenTitle(look.title, Modifier.fillMaxWidth(), TextAlign.Center)
    Text(message, style = MaterialTheme.typography.titleMedium, textAlign = TextAlign.Center, modifier = Modifier.fillMaxWidth())
    look.hint?.let { Text(it, Modifier.fillMaxWidth(), style = MaterialTheme.typography.bodyLarge, color = CvColors.TextSecondary, textAlign = TextAlign.Center) }
}

@Composable
fun SendingScreen(state: PaymentScreenState.Sending) =
    BusyScreen("Envoi en cours…", "${state.view.payeeName} · ${state.view.amountText}")

@Composable
fun LoadingScreen() = BusyScreen("Chargement du paiement…")
