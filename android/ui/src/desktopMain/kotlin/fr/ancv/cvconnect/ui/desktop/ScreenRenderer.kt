package fr.ancv.cvconnect.ui.desktop

import androidx.compose.runtime.Composable
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.text.TextLayoutResult
import androidx.compose.ui.unit.Density
import org.jetbrains.skia.EncodedImageFormat

/** A phone-sized frame: 360 × 780 dp, drawn at 2 px per dp. */
data class Frame(val widthDp: Int = 360, val heightDp: Int = 780, val density: Float = 2f, val fontScale: Float = 1f)

/** A rendered screen: the PNG, and what would look wrong to a beneficiary (clipped text). */
class Render(val png: ByteArray, val problems: List<String>)

/**
 * Renders a composable offscreen with Skia (no display needed) and checks its text: no
 * text may overflow its box (cut or ellipsised) or stick out of the screen's width.
 */
object ScreenRenderer {
    private const val SETTLED_NANOS = 700_000_000L

    fun render(frame: Frame, content: @Composable () -> Unit): Render {
        val width = (frame.widthDp * frame.density).toInt()
        val height = (frame.heightDp * frame.density).toInt()
        val scene = ImageComposeScene(width, height, Density(frame.density, frame.fontScale), content = content)
        try {
            scene.render(0L) // the first frame starts the animations (the spinner)…
            val image = scene.render(SETTLED_NANOS) // …drawn at a fixed moment, the same every time
            val png = requireNotNull(image.encodeToData(EncodedImageFormat.PNG)) { "PNG encoding failed" }.bytes
            val nodes = scene.semanticsOwners.flatMap { it.unmergedRootSemanticsNode.descendants() }
            return Render(png, nodes.flatMap { textProblems(it, width.toFloat()) })
        } finally {
            scene.close()
        }
    }

    private fun SemanticsNode.descendants(): List<SemanticsNode> = listOf(this) + children.flatMap { it.descendants() }

    private fun textProblems(node: SemanticsNode, screenWidth: Float): List<String> {
        val text = node.config.getOrNull(SemanticsProperties.Text)?.joinToString { it.text } ?: return emptyList()
        val layouts = mutableListOf<TextLayoutResult>()
        node.config.getOrNull(SemanticsActions.GetTextLayoutResult)?.action?.invoke(layouts)
        val problems = mutableListOf<String>()
        if (layouts.any { it.isCut() }) problems += "text cut or ellipsised: \"$text\""
        val bounds = node.boundsInRoot
        if (bounds.left < -0.5f || bounds.right > screenWidth + 0.5f) problems += "text outside the screen: \"$text\" $bounds"
        val visible = bounds.height > 0f
        if (visible && bounds.width < node.size.width - 1f) problems += "text cut by its container: \"$text\""
        if (visible && bounds.height < node.size.height - 1f) problems += "text cut at the bottom of the screen: \"$text\""
        return problems
    }

    /**
     * More lines than allowed, lines wider or taller than the box the text was given, or
     * a word broken across two lines because it did not fit ("person-" / "nel").
     */
    private fun TextLayoutResult.isCut(): Boolean {
        val paragraph = multiParagraph
        val widest = (0 until lineCount).maxOfOrNull { getLineRight(it) - getLineLeft(it) } ?: 0f
        val text = layoutInput.text.text
        val wordBroken = (0 until lineCount - 1).any { line ->
            val end = getLineEnd(line)
            end in 1 until text.length && text[end - 1].isLetterOrDigit() && text[end].isLetterOrDigit()
        }
        return paragraph.didExceedMaxLines || widest > size.width + 0.5f || paragraph.height > size.height + 0.5f || wordBroken
    }
}
