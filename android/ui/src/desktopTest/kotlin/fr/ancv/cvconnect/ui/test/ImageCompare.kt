package fr.ancv.cvconnect.ui.test

import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.io.File
import javax.imageio.ImageIO
import kotlin.math.abs

/**
 * Compares a render with the committed image: same size, and at most [maxDifferentShare]
 * of the pixels differing by more than [channelTolerance] on a colour channel (text
 * anti-aliasing may move a little between Skia builds; a layout change moves much more).
 */
object ImageCompare {
    const val channelTolerance = 40
    const val maxDifferentShare = 0.002

    data class Outcome(val same: Boolean, val detail: String, val diff: BufferedImage?)

    fun compare(expected: File, actualPng: ByteArray): Outcome {
        val want = ImageIO.read(expected) ?: return Outcome(false, "$expected is not a PNG", null)
        val got = ImageIO.read(ByteArrayInputStream(actualPng))
        if (want.width != got.width || want.height != got.height) {
            return Outcome(false, "size ${got.width}×${got.height}, committed ${want.width}×${want.height}", null)
        }
        val diff = BufferedImage(got.width, got.height, BufferedImage.TYPE_INT_RGB)
        var different = 0
        for (y in 0 until got.height) {
            for (x in 0 until got.width) {
                val a = want.getRGB(x, y)
                val b = got.getRGB(x, y)
                val off = (0..3).any { channel -> abs((a shr (8 * channel) and 0xFF) - (b shr (8 * channel) and 0xFF)) > channelTolerance }
                if (off) different++
                diff.setRGB(x, y, if (off) 0xFF0000 else (b and 0xFFFFFF) or 0xC0C0C0)
            }
        }
        val share = different.toDouble() / (got.width * got.height)
        val detail = "%d pixels differ (%.3f %%, tolerance %.3f %%)".format(different, share * 100, maxDifferentShare * 100)
        return Outcome(share <= maxDifferentShare, detail, diff)
    }
}
