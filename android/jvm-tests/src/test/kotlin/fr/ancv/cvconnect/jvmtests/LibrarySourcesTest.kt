package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.testkit.workspaceRoot
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.readText
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The AAR's helpers are the files tested here: they must compile on a plain JVM. */
class LibrarySourcesTest {
    @Test
    fun `the library's helpers import nothing from android`() {
        val dir = Path.of(System.getProperty("cvconnect.helpers.dir")
            ?: workspaceRoot.resolve("android/cvconnect/src/main/kotlin").toString())
        val files = Files.walk(dir).use { paths -> paths.filter { it.toString().endsWith(".kt") }.toList() }
        assertTrue(files.size >= 4, "helpers found in $dir: $files")
        val offending = files.filter { file ->
            file.readText().lines().any { it.trim().startsWith("import android") || it.trim().startsWith("import androidx") }
        }
        assertEquals(emptyList<Path>(), offending)
    }
}
