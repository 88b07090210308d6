package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.testkit.workspaceRoot
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The test kit's shared folder (tests/kotlin-kit/kotlin) is compiled into the app's
 * instrumented test too (android/app/build.gradle.kts), which this machine cannot build:
 * it may use only what Android has. No JDK-only import (`java.net.http`…), and none of
 * the members the JDK has and Android lacks or hides.
 */
class KitSourcesTest {
    private val files = workspaceRoot.resolve("tests/kotlin-kit/kotlin").toFile()
        .walk().filter { it.isFile && it.name.endsWith(".kt") }.toList()

    /** Packages and classes that Android's SDK has, as the JDK does (coroutines: the app's dependency). */
    private val allowedImports = listOf(
        "fr.ancv.cvconnect.", "kotlin.", "kotlinx.coroutines.", "org.json.",
        "java.io.", "java.math.", "java.security.", "java.util.",
        "java.net.HttpURLConnection", "java.net.URL", "java.net.URLEncoder",
        "java.nio.file.Files", "java.nio.file.Path", "java.nio.file.Paths",
    )

    /**
     * Members of allowed classes that Android lacks (`Path.of`, Java 9's `Redirect.DISCARD`
     * and stream helpers, the Charset overloads of Java 10) or hides (`JSONObject.keySet`).
     */
    private val jdkOnlyMembers = Regex(
        """\bPath\.of\(|Redirect\.DISCARD|nullOutputStream|readAllBytes|transferTo\(|\.keySet\(\)|\b(encode|decode)\([^)]*,\s*(UTF_8|StandardCharsets|Charsets)""",
    )

    @Test
    fun `the kit's shared sources import only what Android has`() {
        assertTrue(files.size >= 5, "sources in the kit: $files")
        val offending = files.flatMap { file ->
            file.readLines().filter { it.startsWith("import ") }
                .map { it.removePrefix("import ").trim() }
                .filter { import -> allowedImports.none(import::startsWith) }
                .map { "${file.name}: $it" }
        }
        assertEquals(emptyList(), offending)
    }

    @Test
    fun `the kit's shared sources call no member Android lacks`() {
        val offending = files.flatMap { file ->
            file.readLines().withIndex()
                .filter { (_, line) -> !line.trimStart().startsWith("*") && !line.trimStart().startsWith("//") }
                .filter { (_, line) -> jdkOnlyMembers.containsMatchIn(line) }
                .map { (index, line) -> "${file.name}:${index + 1}: ${line.trim()}" }
        }
        assertEquals(emptyList(), offending)
    }
}
