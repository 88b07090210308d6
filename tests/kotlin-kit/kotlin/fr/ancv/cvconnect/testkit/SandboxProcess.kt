package fr.ancv.cvconnect.testkit

import java.io.IOException
import java.io.Reader
import java.util.UUID
import java.util.concurrent.TimeUnit

/**
 * A sandbox process of the JVM suites' own: [Sandbox.start] runs it, [Sandbox.close] stops
 * it. A device never starts one (it joins the host's), but this file compiles there too,
 * like the rest of the kit's shared folder: `java.lang.Process` only, no JDK-only API.
 */
internal object SandboxProcess {
    fun start(extraArgs: List<String>): Sandbox {
        val bin = System.getenv("CVCONNECT_SANDBOX_BIN")
            ?: error("CVCONNECT_SANDBOX_BIN is not set (cargo xtask test sets it)")
        val seed = workspaceRoot.resolve("sandbox/seed/demo.json").toString()
        val token = "adm_" + UUID.randomUUID().toString().replace("-", "")
        val process = ProcessBuilder(
            listOf(bin, "--port", "0", "--memory", "--admin-token", token, "--seed", seed) + extraArgs,
        ).start()
        val url = try {
            drain(process.errorStream.bufferedReader(Charsets.UTF_8))
            firstLineUrl(process)
        } catch (failure: Throwable) {
            process.destroyForcibly()
            throw failure
        }
        return Sandbox(url, token) { stop(process) }
    }

    private fun stop(process: Process) {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    /** The URL the sandbox prints first; the rest of its output is drained so that it never blocks. */
    private fun firstLineUrl(process: Process): String {
        val out = process.inputStream.bufferedReader(Charsets.UTF_8)
        val first = out.readLine() ?: error("the sandbox exited before printing its URL")
        check(first.startsWith("http://127.0.0.1:")) { "unexpected first line: $first" }
        drain(out)
        return first.trim().trimEnd('/')
    }

    /**
     * Reads and drops [source] on a daemon thread, so that a full pipe never blocks the
     * sandbox. Stopping the process closes the pipe under the reader: that ends it too.
     */
    private fun drain(source: Reader) {
        Thread {
            try {
                source.use { reader ->
                    val buffer = CharArray(8192)
                    while (reader.read(buffer) >= 0) continue
                }
            } catch (_: IOException) {
                // The process was stopped.
            }
        }.apply { isDaemon = true }.start()
    }
}
