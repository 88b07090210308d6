package fr.ancv.cvconnect.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.ancv.cvconnect.presenter.DeviceRow
import fr.ancv.cvconnect.presenter.DevicesPresenter
import fr.ancv.cvconnect.presenter.DevicesScreenState

/**
 * "Mes appareils": the account's phones, a lost one disconnected with the PIN on the
 * shuffled keypad, and what follows (revoked, wrong PIN, locked, error). When this phone
 * itself was revoked, the screen says so and offers the activation.
 */
@Composable
fun DevicesScreen(
    state: DevicesScreenState,
    onRevoke: (deviceId: String) -> Unit,
    onKey: (position: Int) -> Unit,
    onErase: () -> Unit,
    onValidate: () -> Unit,
    onBack: () -> Unit,
    onEnrollAgain: () -> Unit,
    onClose: (() -> Unit)? = null,
) {
    when (state) {
        DevicesScreenState.Loading -> BusyScreen("Chargement des appareils…")
        is DevicesScreenState.DeviceList -> DeviceListScreen(state, onRevoke, onBack, onClose)
        is DevicesScreenState.PinEntry -> RevocationPinScreen(state, onKey, onErase, onValidate, onBack)
        is DevicesScreenState.Sending -> BusyScreen("Déconnexion en cours…", state.device.name)
        is DevicesScreenState.Revoked -> Outcome(Presentation("Appareil déconnecté", Mark.Check, CvColors.Success), state.message, onBack)
        is DevicesScreenState.Locked -> Outcome(Presentation("Code bloqué", Mark.Cross, CvColors.Error), state.message, onBack)
        is DevicesScreenState.Error -> Outcome(presentation(state.cause), state.message, onBack)
        DevicesScreenState.ThisPhoneDisconnected -> ThisPhoneDisconnectedScreen(onEnrollAgain)
    }
}

/** [DevicesScreen] driven by its presenter; [onClose], when given, leaves the list ("Retour"). */
@Composable
fun DevicesScreen(
    state: DevicesScreenState,
    presenter: DevicesPresenter,
    onEnrollAgain: () -> Unit,
    onClose: (() -> Unit)? = null,
) =
    DevicesScreen(
        state, presenter::startRevocation, presenter::press, presenter::erase, presenter::validate,
        onBack = { if (state is DevicesScreenState.PinEntry) presenter.cancel() else presenter.refresh() },
        onEnrollAgain = onEnrollAgain,
        onClose = onClose,
    )

/** What the whole app shows when any call found that this phone was revoked. */
@Composable
fun ThisPhoneDisconnectedScreen(onEnrollAgain: () -> Unit) {
    ScreenColumn(bottom = { PrimaryButton("Activer ce téléphone", onEnrollAgain) }) {
        Verdict(
            Presentation(DevicesScreenState.ThisPhoneDisconnected.TITLE, Mark.Exclamation, CvColors.Warning),
            DevicesScreenState.ThisPhoneDisconnected.MESSAGE,
        )
    }
}

@Composable
private fun DeviceListScreen(
    state: DevicesScreenState.DeviceList,
    onRevoke: (String) -> Unit,
    onRefresh: () -> Unit,
    onClose: (() -> Unit)?,
) {
    val buttons = @Composable {
        Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            SecondaryButton("Actualiser", onRefresh, modifier = Modifier.fillMaxWidth())
            onClose?.let { SecondaryButton("Retour", it, modifier = Modifier.fillMaxWidth()) }
        }
    }
    ScreenColumn(bottom = { if (onClose == null) SecondaryButton("Actualiser", onRefresh) else buttons() }) {
        ScreenTitle("Mes appareils")
        state.notice?.let { Banner(it, Tone.Success) }
        Column {
            state.devices.forEach { device ->
                DeviceLine(device, onRevoke)
                HorizontalDivider()
            }
        }
    }
}

@Composable
private fun DeviceLine(device: DeviceRow, onRevoke: (String) -> Unit) {
    Column(
        Modifier.fillMaxWidth().padding(vertical = 10.dp).testTag(UiTags.DEVICE_ROW_PREFIX + device.deviceId),
        verticalArrangement = Arrangement.spacedBy(2.dp),
    ) {
        Column(Modifier.fillMaxWidth().semantics(mergeDescendants = true) {}) {
            Text(device.name, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.Bold)
            if (device.current) Text("Ce téléphone", style = MaterialTheme.typography.bodyMedium, color = CvColors.Primary)
            Text("${device.platformText} · ${device.enrolledText}", style = MaterialTheme.typography.bodyMedium, color = CvColors.TextSecondary)
            Text(device.lastUsedText, style = MaterialTheme.typography.bodyMedium, color = CvColors.TextSecondary)
        }
        if (device.canRevoke) QuietButton("Déconnecter", { onRevoke(device.deviceId) })
    }
}

@Composable
private fun RevocationPinScreen(
    state: DevicesScreenState.PinEntry,
    onKey: (Int) -> Unit,
    onErase: () -> Unit,
    onValidate: () -> Unit,
    onCancel: () -> Unit,
) {
    PinEntryScreen(PinKeys(state.layout, state.entered, state.required, onKey, onErase), onValidate, onCancel) {
        Text(
            "Pour déconnecter «\u00A0${state.device.name}\u00A0»",
            style = MaterialTheme.typography.titleMedium,
            color = CvColors.TextSecondary,
        )
        state.message?.let { Banner(it, if (state.attemptsLeft == 1) Tone.Warning else Tone.Error) }
    }
}

@Composable
private fun Outcome(look: Presentation, message: String, onDone: () -> Unit) {
    ScreenColumn(bottom = { PrimaryButton("Retour à mes appareils", onDone) }) {
        Verdict(look, message)
    }
}
