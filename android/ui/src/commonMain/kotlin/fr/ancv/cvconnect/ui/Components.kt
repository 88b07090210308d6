package fr.ancv.cvconnect.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.layout.Layout
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.Constraints
import androidx.compose.ui.unit.dp
import kotlin.math.max

/** Minimum touch target (WCAG 2.5.5 / Android guidelines): 48 dp. */
val MinTouch = 48.dp

/**
 * A whole screen: scrolls when the text is large (200 % font scale), so nothing is cut;
 * [bottom] holds the actions, after the content.
 */
@Composable
fun ScreenColumn(
    modifier: Modifier = Modifier,
    bottom: @Composable ColumnScope.() -> Unit = {},
    content: @Composable ColumnScope.() -> Unit,
) {
    Surface(modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
        Column(
            Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(horizontal = 24.dp, vertical = 20.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            content()
            Spacer(Modifier.weight(1f))
            bottom()
        }
    }
}

/** The screen's title, announced as a heading by screen readers. */
@Composable
fun ScreenTitle(text: String, modifier: Modifier = Modifier, textAlign: TextAlign = TextAlign.Start) {
    Text(
        text,
        modifier.semantics { heading() },
        style = MaterialTheme.typography.headlineSmall,
        fontWeight = FontWeight.Bold,
        textAlign = textAlign,
    )
}

/**
 * "Label …… value" on one line when both fit, else the label above and the value below it
 * on the right (large fonts); read as one item by screen readers.
 */
@Composable
fun AmountLine(label: String, value: String, emphasised: Boolean = false, color: Color = Color.Unspecified) {
    Layout(
        content = {
            Text(label, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant)
            Text(
                value,
                style = if (emphasised) MaterialTheme.typography.titleLarge else MaterialTheme.typography.titleMedium,
                fontWeight = FontWeight.Bold,
                color = color,
                textAlign = TextAlign.End,
            )
        },
        modifier = Modifier.fillMaxWidth().semantics(mergeDescendants = true) {},
    ) { (labelText, valueText), constraints ->
        val width = constraints.maxWidth
        val gap = 12.dp.roundToPx()
        val value = valueText.measure(Constraints(maxWidth = width))
        if (labelText.maxIntrinsicWidth(Constraints.Infinity) + gap + value.width <= width) {
            val label = labelText.measure(Constraints(maxWidth = width - gap - value.width))
            val height = max(label.height, value.height)
            layout(width, height) {
                label.place(0, (height - label.height) / 2)
                value.place(width - value.width, (height - value.height) / 2)
            }
        } else {
            val label = labelText.measure(Constraints(maxWidth = width))
            layout(width, label.height + value.height) {
                label.place(0, 0)
                value.place(width - value.width, label.height)
            }
        }
    }
}

enum class Tone { Info, Success, Warning, Error }

private fun Tone.colors(): Pair<Color, Color> = when (this) {
    Tone.Info -> CvColors.PrimaryContainer to CvColors.Primary
    Tone.Success -> CvColors.SuccessContainer to CvColors.Success
    Tone.Warning -> CvColors.WarningContainer to CvColors.Warning
    Tone.Error -> CvColors.ErrorContainer to CvColors.Error
}

/** A message in a coloured box; announced when it appears (polite live region). */
@Composable
fun Banner(text: String, tone: Tone, modifier: Modifier = Modifier) {
    val (background, accent) = tone.colors()
    Row(
        modifier.fillMaxWidth()
            .background(background, RoundedCornerShape(12.dp))
            .padding(horizontal = 14.dp, vertical = 12.dp)
            .semantics(mergeDescendants = true) { liveRegion = LiveRegionMode.Polite },
        horizontalArrangement = Arrangement.spacedBy(10.dp),
    ) {
        Box(Modifier.padding(top = 4.dp).size(10.dp).background(accent, RoundedCornerShape(5.dp)))
        Text(text, style = MaterialTheme.typography.bodyLarge, color = CvColors.Text)
    }
}

@Composable
fun PrimaryButton(text: String, onClick: () -> Unit, enabled: Boolean = true, modifier: Modifier = Modifier) {
    Button(onClick, modifier.fillMaxWidth().heightIn(min = 52.dp), enabled = enabled) {
        Text(text, style = MaterialTheme.typography.titleMedium, textAlign = TextAlign.Center)
    }
}

@Composable
fun SecondaryButton(text: String, onClick: () -> Unit, enabled: Boolean = true, modifier: Modifier = Modifier) {
    OutlinedButton(onClick, modifier.fillMaxWidth().heightIn(min = 52.dp), enabled = enabled) {
        Text(text, style = MaterialTheme.typography.titleMedium, textAlign = TextAlign.Center)
    }
}

/**
 * Two buttons side by side, each half the width, when both labels fit; one above the
 * other otherwise (large fonts), [second] first in reading order either way.
 */
@Composable
fun ButtonPair(first: @Composable () -> Unit, second: @Composable () -> Unit) {
    Layout(contents = listOf(first, second), modifier = Modifier.fillMaxWidth()) { (a, b), constraints ->
        val width = constraints.maxWidth
        val gap = 12.dp.roundToPx()
        val half = (width - gap) / 2
        val left = a.single()
        val right = b.single()
        if (left.maxIntrinsicWidth(Constraints.Infinity) <= half && right.maxIntrinsicWidth(Constraints.Infinity) <= half) {
            val one = left.measure(Constraints.fixedWidth(half))
            val two = right.measure(Constraints.fixedWidth(half))
            layout(width, max(one.height, two.height)) {
                one.place(0, 0)
                two.place(width - half, 0)
            }
        } else {
            val one = left.measure(Constraints.fixedWidth(width))
            val two = right.measure(Constraints.fixedWidth(width))
            layout(width, one.height + gap + two.height) {
                two.place(0, 0)
                one.place(0, two.height + gap)
            }
        }
    }
}

@Composable
fun QuietButton(text: String, onClick: () -> Unit, modifier: Modifier = Modifier) {
    TextButton(onClick, modifier.fillMaxWidth().heightIn(min = MinTouch)) {
        Text(text, style = MaterialTheme.typography.titleMedium, textAlign = TextAlign.Center)
    }
}

/** Waiting for the network: a spinner, what is happening, and optionally what for. */
@Composable
fun BusyScreen(label: String, detail: String? = null) {
    Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
        Column(
            Modifier.fillMaxSize().padding(24.dp).semantics(mergeDescendants = true) { liveRegion = LiveRegionMode.Polite },
            horizontalAlignment = Alignment.CenterHorizontally,
            verticalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterVertically),
        ) {
            CircularProgressIndicator(Modifier.size(48.dp))
            Text(label, style = MaterialTheme.typography.titleLarge, textAlign = TextAlign.Center)
            detail?.let {
                Text(it, style = MaterialTheme.typography.bodyLarge, textAlign = TextAlign.Center, color = CvColors.TextSecondary)
            }
        }
    }
}
