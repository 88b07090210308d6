package fr.ancv.cvconnect.ui

import androidx.compose.foundation.layout.fillMaxWidth
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
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import fr.ancv.cvconnect.presenter.EnrollmentState

/** Activation of this device: the account's e-mail and the activation code received. */
@Composable
fun EnrollScreen(state: EnrollmentState, onEnroll: (email: String, code: String) -> Unit) {
    var email by rememberSaveable { mutableStateOf("") }
    var code by rememberSaveable { mutableStateOf("") }
    val ready = !state.busy && email.isNotBlank() && code.isNotBlank()
    ScreenColumn(
        bottom = {
            PrimaryButton(if (state.busy) "Activation…" else "Activer cet appareil", { onEnroll(email, code) }, enabled = ready)
        },
    ) {
        ScreenTitle(ENROLL_TITLE)
        Text(
            "Pour payer avec Chèque\u2011Vacances Connect, activez cet appareil avec l’adresse e-mail de votre compte et le code d’activation que vous avez reçu.",
            style = MaterialTheme.typography.bodyLarge,
            color = CvColors.TextSecondary,
        )
        OutlinedTextField(
            email, { email = it }, Modifier.fillMaxWidth().testTag(UiTags.ENROLL_EMAIL),
            label = { Text("Adresse e-mail") },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email, imeAction = ImeAction.Next),
            singleLine = true,
        )
        OutlinedTextField(
            code, { code = it }, Modifier.fillMaxWidth().testTag(UiTags.ENROLL_CODE),
            label = { Text("Code d’activation") },
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Ascii, imeAction = ImeAction.Done),
            singleLine = true,
        )
        state.error?.let { Banner(it, Tone.Error) }
    }
}

/** The activation screen's title. */
const val ENROLL_TITLE = "Bienvenue"

/** The library could not tell whether this device is enrolled (its storage failed). */
@Composable
fun StartupErrorScreen(message: String, onRetry: () -> Unit) {
    ScreenColumn(bottom = { PrimaryButton("Réessayer", onRetry) }) {
        ScreenTitle(APP_NAME)
        Banner(message, Tone.Error)
    }
}
