package fr.ancv.cvconnect.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.staticCompositionLocalOf

/**
 * What the platform does while a screen where the beneficiary gives consent is shown
 * (the payment screen and the PIN keypad). On Android ([fr.ancv.cvconnect.ui.android]):
 * touches are refused while another window obscures ours (tap-jacking). `FLAG_SECURE`
 * is window-wide, set by the activity before any content, so no screen can forget it.
 *
 * Provided by the host through [LocalScreenGuard]; there is no default, so a host that
 * forgets it fails at the first sensitive screen instead of running unguarded.
 */
interface ScreenGuard {
    /** Called inside the sensitive screen's composition; active while it stays composed. */
    @Composable
    fun Guard()
}

val LocalScreenGuard = staticCompositionLocalOf<ScreenGuard> {
    error("No ScreenGuard provided: wrap the screens in CompositionLocalProvider(LocalScreenGuard provides …)")
}

/** Applies the host's guard for as long as the calling screen is shown. */
@Composable
internal fun SensitiveScreen() {
    LocalScreenGuard.current.Guard()
}
