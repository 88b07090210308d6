package fr.ancv.cvconnect.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.sp

/**
 * Colours chosen for contrast (WCAG 2.2 AA: 4.5:1 for text, 3:1 for control outlines).
 * On white: primary 8.0:1, success 6.6:1, error 6.5:1, warning 6.8:1, secondary text
 * 9.3:1, outline 4.5:1. Primary on its container 6.5:1, warning on it 5.5:1.
 */
object CvColors {
    val Primary = Color(0xFF0A4F9E)
    val OnPrimary = Color.White
    val PrimaryContainer = Color(0xFFDCE8F8)
    val Success = Color(0xFF1E6B34)
    val SuccessContainer = Color(0xFFDDF1E2)
    val Error = Color(0xFFB3261E)
    val ErrorContainer = Color(0xFFFBE3E1)
    val Warning = Color(0xFF8A4B00)
    val WarningContainer = Color(0xFFFFEBCC)
    val Text = Color(0xFF1A1C1E)
    val TextSecondary = Color(0xFF44474E)
    val Outline = Color(0xFF74777F)
    val Surface = Color.White
    val SurfaceVariant = Color(0xFFF1F3F7)
}

/**
 * The app's Material 3 theme. [fontFamily] is the platform default on Android (Roboto);
 * the desktop renders pass DejaVu Sans, loaded from its file, so that a screenshot is the
 * same on every machine with fonts-dejavu-core.
 */
@Composable
fun CvTheme(fontFamily: FontFamily = FontFamily.Default, content: @Composable () -> Unit) {
    val colors = lightColorScheme(
        primary = CvColors.Primary,
        onPrimary = CvColors.OnPrimary,
        primaryContainer = CvColors.PrimaryContainer,
        onPrimaryContainer = CvColors.Text,
        error = CvColors.Error,
        errorContainer = CvColors.ErrorContainer,
        onErrorContainer = CvColors.Text,
        background = CvColors.Surface,
        onBackground = CvColors.Text,
        surface = CvColors.Surface,
        onSurface = CvColors.Text,
        surfaceVariant = CvColors.SurfaceVariant,
        onSurfaceVariant = CvColors.TextSecondary,
        outline = CvColors.Outline,
    )
    val fontScale = LocalDensity.current.fontScale
    MaterialTheme(colorScheme = colors, typography = typography(fontFamily, fontScale), content = content)
}

/**
 * Text of [LARGE_TEXT] or more is already large: at a high font scale it grows at most
 * [LARGE_TEXT_MAX_SCALE] times, so that a 200 % setting enlarges body text fully without
 * pushing titles and amounts off the screen. Android 14's non-linear font scaling does
 * the same (a 24 sp title becomes 40 dp at 200 %, not 48 dp).
 */
const val LARGE_TEXT_MAX_SCALE = 1.5f
private val LARGE_TEXT = 20.sp

private fun TextStyle.capped(fontScale: Float): TextStyle {
    if (fontScale <= LARGE_TEXT_MAX_SCALE || fontSize < LARGE_TEXT) return this
    val factor = LARGE_TEXT_MAX_SCALE / fontScale
    return copy(fontSize = fontSize * factor, lineHeight = if (lineHeight.isSp) lineHeight * factor else lineHeight)
}

private fun typography(family: FontFamily, fontScale: Float): Typography {
    val base = Typography()
    fun TextStyle.f() = copy(fontFamily = family).capped(fontScale)
    // One row per role of the type scale; displayLarge and displayMedium, used by no screen, keep the defaults.
    return Typography(
        displaySmall = base.displaySmall.f(),
        headlineLarge = base.headlineLarge.f(), headlineMedium = base.headlineMedium.f(), headlineSmall = base.headlineSmall.f(),
        titleLarge = base.titleLarge.f(), titleMedium = base.titleMedium.f(), titleSmall = base.titleSmall.f(),
        bodyLarge = base.bodyLarge.f(), bodyMedium = base.bodyMedium.f(), bodySmall = base.bodySmall.f(),
        labelLarge = base.labelLarge.f(), labelMedium = base.labelMedium.f(), labelSmall = base.labelSmall.f(),
    )
}
