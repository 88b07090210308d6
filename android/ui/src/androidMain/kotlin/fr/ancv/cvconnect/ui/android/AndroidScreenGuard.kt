package fr.ancv.cvconnect.ui.android

import android.app.Activity
import android.content.Context
import android.content.ContextWrapper
import android.view.WindowManager
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalView
import fr.ancv.cvconnect.ui.ScreenGuard

/**
 * Android's [ScreenGuard], provided by MainActivity around the screens.
 *
 * Tap-jacking: while the payment screen or the keypad is shown, the window's root view
 * (the DecorView) has `filterTouchesWhenObscured`: `View.onFilterTouchEventForSecurity`
 * drops every touch that carries `MotionEvent.FLAG_WINDOW_IS_OBSCURED` (another visible
 * window over ours at that point) before it reaches the Compose hierarchy, so a
 * transparent overlay cannot make the beneficiary press keys or "Confirmer" unknowingly.
 * Compose has no modifier of its own for this; the host view's flag is its equivalent.
 *
 * Capture: `FLAG_SECURE` is set on the whole window by MainActivity before any content;
 * the guard sets it again if it is missing (it never clears it), so the keypad, balance
 * and amounts stay out of screenshots, screen recordings and the Recents thumbnail.
 */
object AndroidScreenGuard : ScreenGuard {
    @Composable
    override fun Guard() {
        val root = LocalView.current.rootView
        val activity = LocalContext.current.findActivity()
        DisposableEffect(root, activity) {
            val before = root.filterTouchesWhenObscured
            root.filterTouchesWhenObscured = true
            activity?.window?.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
            onDispose { root.filterTouchesWhenObscured = before }
        }
    }

    private tailrec fun Context.findActivity(): Activity? = when (this) {
        is Activity -> this
        is ContextWrapper -> baseContext.findActivity()
        else -> null
    }
}
