package fr.ancv.cvconnect.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import fr.ancv.cvconnect.presenter.PaymentScreenState

/**
 * PIN entry on the library's shuffled keypad: key `position` shows `state.layout[position]`
 * and a touch sends the position, never the digit. The dots say how many digits were
 * typed, never which. The message above the keypad is the library's (wrong PIN, attempts
 * left, "Dernière tentative avant blocage.", keypad expired).
 */
@Composable
fun PinScreen(
    state: PaymentScreenState.PinEntry,
    onKey: (position: Int) -> Unit,
    onErase: () -> Unit,
    onValidate: () -> Unit,
    onCancel: () -> Unit,
) {
    PinEntryScreen(PinKeys(state.layout, state.entered, state.required, onKey, onErase), onValidate, onCancel) {
        Text(
            "${state.view.amountText} à ${state.view.payeeName}",
            style = MaterialTheme.typography.titleMedium,
            color = CvColors.TextSecondary,
        )
        val lastAttempt = state.view.attemptsLeft == 1
        val message = state.message
        when {
            message != null -> Banner(message, if (lastAttempt) Tone.Warning else Tone.Error)
            lastAttempt -> Banner(LAST_ATTEMPT_WARNING, Tone.Warning)
        }
    }
}

/** A keypad on screen: the digit on each key, the digits typed of those required, and where touches go. */
class PinKeys(
    val layout: List<Int>,
    val entered: Int,
    val required: Int,
    val onKey: (position: Int) -> Unit,
    val onErase: () -> Unit,
)

/**
 * Every screen that asks for the PIN (a payment, a revocation): guarded, the title "Code
 * personnel", what it is for ([header]), then the dots, the keys, "Annuler" and "Valider".
 */
@Composable
fun PinEntryScreen(keys: PinKeys, onValidate: () -> Unit, onCancel: () -> Unit, header: @Composable ColumnScope.() -> Unit) {
    SensitiveScreen()
    ScreenColumn(
        bottom = {
            PinDots(keys.entered, keys.required)
            KeypadGrid(keys.layout, keys.onKey, keys.onErase)
            ButtonPair(
                { SecondaryButton("Annuler", onCancel) },
                { PrimaryButton("Valider", onValidate, enabled = keys.entered == keys.required) },
            )
        },
    ) {
        ScreenTitle("Code personnel")
        header()
    }
}

/** "2 chiffres saisis sur 4", announced as it changes; the digits are never said. */
fun pinProgressLabel(entered: Int, required: Int): String =
    if (entered <= 1) "$entered chiffre saisi sur $required" else "$entered chiffres saisis sur $required"

@Composable
private fun PinDots(entered: Int, required: Int) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = 28.dp).testTag(UiTags.PIN_DOTS).semantics {
            contentDescription = pinProgressLabel(entered, required)
            liveRegion = LiveRegionMode.Polite
        },
        horizontalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterHorizontally),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        repeat(required) { index ->
            val dot = Modifier.size(18.dp).testTag(UiTags.PIN_DOT)
            if (index < entered) {
                Box(dot.background(CvColors.Primary, CircleShape))
            } else {
                Box(dot.border(2.dp, CvColors.Outline, CircleShape))
            }
        }
    }
}

/** The grid of [PaymentScreenState.KEY_GRID]; erase in the bottom-right corner. */
@Composable
private fun KeypadGrid(layout: List<Int>, onKey: (Int) -> Unit, onErase: () -> Unit) {
    Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(10.dp)) {
        PaymentScreenState.KEY_GRID.forEachIndexed { rowIndex, row ->
            Row(horizontalArrangement = Arrangement.spacedBy(10.dp)) {
                row.forEachIndexed { column, position ->
                    when {
                        position != null -> DigitKey(position, layout[position], onKey)
                        rowIndex == PaymentScreenState.KEY_GRID.lastIndex && column == row.lastIndex -> EraseKey(onErase)
                        else -> Spacer(Modifier.weight(1f))
                    }
                }
            }
        }
    }
}

private val keyShape = RoundedCornerShape(16.dp)

@Composable
private fun RowScope.keyModifier(label: String, tag: String, onClick: () -> Unit): Modifier =
    Modifier.weight(1f).heightIn(min = 60.dp).clip(keyShape)
        .background(MaterialTheme.colorScheme.surfaceVariant)
        .border(1.dp, CvColors.Outline, keyShape)
        .clickable(role = Role.Button, onClick = onClick)
        .semantics { contentDescription = label }
        .testTag(tag)

/** A key: shows its digit, labelled with it for screen readers (see docs/security.md). */
@Composable
private fun RowScope.DigitKey(position: Int, digit: Int, onKey: (Int) -> Unit) {
    Box(keyModifier(digit.toString(), UiTags.pinKey(position)) { onKey(position) }, contentAlignment = Alignment.Center) {
        Text(digit.toString(), style = MaterialTheme.typography.headlineMedium, fontWeight = FontWeight.Medium)
    }
}

@Composable
private fun RowScope.EraseKey(onErase: () -> Unit) {
    Box(keyModifier(ERASE_LABEL, UiTags.PIN_ERASE, onErase), contentAlignment = Alignment.Center) {
        EraseSymbol(CvColors.Text)
    }
}

const val ERASE_LABEL = "Effacer le dernier chiffre"
