package fr.ancv.cvconnect.ui.test

import fr.ancv.cvconnect.testkit.workspaceRoot
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The screens are shared: src/commonMain compiles for Android (Gradle, androidx) and for
 * the desktop (this build) only if it uses the common Compose APIs, and the screens take
 * state and callbacks only, so they must not reach the library themselves.
 */
class CommonSourcesTest {
    private val files = workspaceRoot.resolve("android/ui/src/commonMain/kotlin").toFile()
        .walk().filter { it.isFile && it.name.endsWith(".kt") }.toList()

    private val allowedImports = listOf("androidx.compose.", "fr.ancv.cvconnect.", "kotlin.", "kotlinx.coroutines.")

    /** Calls into the bindings that only the presenters may make. */
    private val libraryCalls = Regex("""\b(CvClient|PaymentSession|Keypad|formatAmountFr|parseAmount)\b""")

    @Test
    fun `common sources import only the common Compose APIs, the library's types and Kotlin`() {
        assertTrue("sources in commonMain: $files", files.size >= 8)
        val offending = files.flatMap { file ->
            file.readLines().filter { it.startsWith("import ") }
                .map { it.removePrefix("import ").trim() }
                .filter { import -> allowedImports.none(import::startsWith) }
                .map { "${file.name}: $it" }
        }
        assertEquals(emptyList<String>(), offending)
    }

    @Test
    fun `no screen calls the library`() {
        val offending = files.flatMap { file ->
            file.readLines().withIndex()
                .filter { (_, line) -> !line.trimStart().startsWith("*") && !line.trimStart().startsWith("//") }
                .filter { (_, line) -> libraryCalls.containsMatchIn(line) }
                .map { (index, line) -> "${file.name}:${index + 1}: ${line.trim()}" }
        }
        assertEquals(emptyList<String>(), offending)
    }

}
