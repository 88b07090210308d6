package fr.ancv.cvconnect.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.size
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.graphics.drawscope.DrawScope
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.dp

/**
 * Status marks drawn with paths, not font glyphs or an icon library: the same on every
 * platform and font. Decorative: the text next to them says the same thing.
 */
enum class Mark { Check, Cross, Clock, Exclamation }

@Composable
fun StatusMark(mark: Mark, color: Color, size: Dp = 72.dp) {
    Canvas(Modifier.size(size)) {
        drawCircle(color)
        val stroke = Stroke(width = this.size.minDimension * 0.09f, cap = StrokeCap.Round, join = StrokeJoin.Round)
        when (mark) {
            Mark.Check -> drawPath(path(0.28f to 0.52f, 0.44f to 0.67f, 0.73f to 0.36f), Color.White, style = stroke)
            Mark.Cross -> {
                drawPath(path(0.33f to 0.33f, 0.67f to 0.67f), Color.White, style = stroke)
                drawPath(path(0.67f to 0.33f, 0.33f to 0.67f), Color.White, style = stroke)
            }
            Mark.Clock -> {
                drawCircle(Color.White, radius = this.size.minDimension * 0.28f, style = stroke)
                drawPath(path(0.5f to 0.34f, 0.5f to 0.5f, 0.62f to 0.58f), Color.White, style = stroke)
            }
            Mark.Exclamation -> {
                drawPath(path(0.5f to 0.27f, 0.5f to 0.56f), Color.White, style = stroke)
                drawCircle(Color.White, radius = this.size.minDimension * 0.055f, center = at(0.5f, 0.72f))
            }
        }
    }
}

/** The "erase" key's symbol: a tag-shaped outline with a cross, like ⌫. */
@Composable
fun EraseSymbol(color: Color, modifier: Modifier = Modifier) {
    Canvas(modifier.size(width = 32.dp, height = 24.dp)) {
        val stroke = Stroke(width = 2.2.dp.toPx(), cap = StrokeCap.Round, join = StrokeJoin.Round)
        val outline = path(0.3f to 0.08f, 0.96f to 0.08f, 0.96f to 0.92f, 0.3f to 0.92f, 0.04f to 0.5f)
        outline.close()
        drawPath(outline, color, style = stroke)
        drawPath(path(0.5f to 0.32f, 0.76f to 0.68f), color, style = stroke)
        drawPath(path(0.76f to 0.32f, 0.5f to 0.68f), color, style = stroke)
    }
}

private fun DrawScope.at(x: Float, y: Float) = Offset(size.width * x, size.height * y)

private fun DrawScope.path(vararg points: Pair<Float, Float>): Path = Path().apply {
    points.forEachIndexed { index, (x, y) ->
        val point = at(x, y)
        if (index == 0) moveTo(point.x, point.y) else lineTo(point.x, point.y)
    }
}
