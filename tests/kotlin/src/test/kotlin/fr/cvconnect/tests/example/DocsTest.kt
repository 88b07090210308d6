package fr.cvconnect.tests.example

import fr.ancv.cvconnect.testkit.workspaceRoot
import org.junit.jupiter.api.Test
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** docs/kotlin.md shows the example that GettingStartedTest runs, word for word. */
class DocsTest {
    private val example = "tests/kotlin/src/test/kotlin/fr/cvconnect/tests/example/GettingStarted.kt"

    /** The lines strictly between `// region <name>` and the next `// endregion`. */
    private fun region(lines: List<String>, name: String): List<String> {
        val start = lines.indexOfFirst { it.trim() == "// region $name" }
        check(start >= 0) { "no region $name" }
        val end = lines.drop(start + 1).indexOfFirst { it.trim() == "// endregion" }
        check(end >= 0) { "region $name is not closed" }
        return lines.subList(start + 1, start + 1 + end)
    }

    /** The first ```kotlin block after the doc's `<!-- region <name> … -->` marker. */
    private fun codeBlock(lines: List<String>, name: String): List<String> {
        val marker = lines.indexOfFirst { it.trim().startsWith("<!-- region $name ") }
        check(marker >= 0) { "no <!-- region $name … --> marker" }
        val open = marker + 1 + lines.drop(marker + 1).indexOfFirst { it.trim() == "```kotlin" }
        check(open > marker) { "no ```kotlin block after the marker" }
        val close = lines.drop(open + 1).indexOfFirst { it.trim() == "```" }
        check(close >= 0) { "the ```kotlin block is not closed" }
        return lines.subList(open + 1, open + 1 + close)
    }

    @Test
    fun `the getting started code block is the example the suite runs`() {
        val doc = Files.readAllLines(workspaceRoot.resolve("docs/kotlin.md"))
        val source = Files.readAllLines(workspaceRoot.resolve(example))
        val expected = region(source, "getting-started")
        assertTrue(expected.size > 40, "the region holds the example: ${expected.size} lines")
        assertEquals(
            expected.joinToString("\n"),
            codeBlock(doc, "getting-started").joinToString("\n"),
            "docs/kotlin.md drifted from $example: copy the region into the doc",
        )
    }
}
