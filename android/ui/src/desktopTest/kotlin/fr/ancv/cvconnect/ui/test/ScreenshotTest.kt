package fr.ancv.cvconnect.ui.test

import fr.ancv.cvconnect.testkit.workspaceRoot
import fr.ancv.cvconnect.ui.desktop.Frame
import fr.ancv.cvconnect.ui.desktop.ScreenRenderer
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized
import java.io.File
import javax.imageio.ImageIO

/**
 * Every screen state rendered at 360 × 780 dp and compared with docs/screens/<name>.png.
 * A render whose text is cut or sticks out of the screen fails, whatever the image.
 *
 * Re-render the committed images (after a deliberate change; then look at each one):
 *
 *   mvn -B -f android/ui/pom.xml test -Dtest=ScreenshotTest -Dscreenshots.record=true
 */
@RunWith(Parameterized::class)
class ScreenshotTest(private val name: String) {
    companion object {
        private val record = System.getProperty("screenshots.record") == "true"
        val dir: File = workspaceRoot.resolve("docs/screens").toFile()
        private val failures: File = File("target/screenshots")

        @JvmStatic
        @Parameterized.Parameters(name = "{0}")
        fun names(): List<String> = Shots.names
    }

    @Test
    fun `matches the committed image`() {
        val shot = Shots.byName(ScreenStates.instance).getValue(name)
        val render = ScreenRenderer.render(shot.frame, shot.content)
        assertEquals("$name: text cut or outside the screen", emptyList<String>(), render.problems)
        val file = File(dir, "$name.png")
        if (record) {
            dir.mkdirs()
            file.writeBytes(render.png)
            return
        }
        assertTrue("$file is missing: render it with -Dscreenshots.record=true", file.isFile)
        val outcome = ImageCompare.compare(file, render.png)
        if (!outcome.same) {
            failures.mkdirs()
            File(failures, "$name.actual.png").writeBytes(render.png)
            outcome.diff?.let { ImageIO.write(it, "png", File(failures, "$name.diff.png")) }
        }
        assertTrue("$name: ${outcome.detail}; see ${failures.absolutePath}", outcome.same)
    }
}

/**
 * No image in docs/screens that no state renders (a renamed or removed screen). The
 * merchant's checkout page (`checkout-*`) is the browser suite's, not a Compose state.
 */
class ScreenshotSetTest {
    @Test
    fun `docs-screens holds exactly the rendered states`() {
        val committed = ScreenshotTest.dir.listFiles { file -> file.name.endsWith(".png") && !file.name.startsWith("checkout-") }
            .orEmpty().map { it.nameWithoutExtension }
        assertEquals(Shots.names.sorted(), committed.sorted())
        assertTrue("at least 8 screenshots", committed.size >= 8)
        assertTrue("the PIN and payment screens at 200 %", "pin-200" in committed && "payment-200" in committed)
    }
}

/** One image: its frame (size, font scale) and what it shows. */
class Shot(val frame: Frame, val content: @androidx.compose.runtime.Composable () -> Unit)
