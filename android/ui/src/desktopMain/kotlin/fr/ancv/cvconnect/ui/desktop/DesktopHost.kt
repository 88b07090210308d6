package fr.ancv.cvconnect.ui.desktop

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.DisposableEffect
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.platform.Font
import fr.ancv.cvconnect.ui.CvTheme
import fr.ancv.cvconnect.ui.LocalScreenGuard
import fr.ancv.cvconnect.ui.ScreenGuard
import java.io.File
import java.util.concurrent.atomic.AtomicInteger

/**
 * The desktop stand-in for Android's guard. A desktop window has no overlay windows whose
 * touches could be refused and no FLAG_SECURE; what the desktop build can show is that
 * the common screens ask for the guard, exactly while they are shown: it counts them.
 */
class RecordingScreenGuard : ScreenGuard {
    private val active = AtomicInteger()

    /** How many sensitive screens are composed right now (0 or 1 in practice). */
    val activeScreens: Int get() = active.get()

    @Composable
    override fun Guard() {
        DisposableEffect(Unit) {
            active.incrementAndGet()
            onDispose { active.decrementAndGet() }
        }
    }
}

/**
 * DejaVu Sans from fonts-dejavu-core, loaded from its files rather than through
 * fontconfig, so that a render does not depend on the other fonts a machine has.
 */
object DesktopFonts {
    private val dir = File(System.getProperty("cvconnect.fonts.dir") ?: "/usr/share/fonts/truetype/dejavu")

    val dejaVuSans: FontFamily by lazy {
        val regular = File(dir, "DejaVuSans.ttf")
        val bold = File(dir, "DejaVuSans-Bold.ttf")
        check(regular.isFile && bold.isFile) { "DejaVu Sans not found in $dir: install fonts-dejavu-core" }
        FontFamily(Font(regular, FontWeight.Normal), Font(bold, FontWeight.Bold))
    }
}

/** What the Android activity provides, on the desktop: the theme (DejaVu Sans) and a guard. */
@Composable
fun DesktopHost(guard: ScreenGuard, content: @Composable () -> Unit) {
    CompositionLocalProvider(LocalScreenGuard provides guard) {
        CvTheme(fontFamily = DesktopFonts.dejaVuSans, content = content)
    }
}
