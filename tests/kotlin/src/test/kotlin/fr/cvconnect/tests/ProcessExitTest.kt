package fr.cvconnect.tests

import fr.ancv.cvconnect.ClientConfig
import fr.ancv.cvconnect.CvClient
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.testkit.JdkSigner
import fr.ancv.cvconnect.testkit.World
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals

/**
 * A JVM that builds a client, opens a payment and exits must exit cleanly every time:
 * no background work of the library may outlive the app's objects or call into a JVM
 * that is shutting down. Each run is a fresh JVM (the [ExitProbe] below).
 */
class ProcessExitTest {
    private val sandbox = World.shared.sandbox

    @Test
    fun `opening a payment then exiting never crashes the JVM`() {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val failures = (1..RUNS).mapNotNull { run ->
            val email = sandbox.newAccount("50.00")
            val code = sandbox.activationCode(email)
            val paymentId = sandbox.createPayment(email, "20.00")
            val child = ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), ExitProbe::class.java.name,
                sandbox.baseUrl, email, code, paymentId,
            ).redirectErrorStream(true).start()
            val output = child.inputStream.bufferedReader().readText()
            check(child.waitFor(60, TimeUnit.SECONDS)) { "run $run did not end" }
            if (child.exitValue() != 0) "run $run: exit ${child.exitValue()}: ${output.takeLast(300)}" else null
        }
        assertEquals(emptyList(), failures)
    }

    private companion object {
        const val RUNS = 8
    }
}

/** The child JVM: enroll, open the payment, exit at once. */
object ExitProbe {
    @JvmStatic
    fun main(args: Array<String>) = runBlocking {
        val (baseUrl, email, code, paymentId) = args
        val dataDir = Files.createTempDirectory("cvconnect-exit-").toString()
        val client = CvClient(ClientConfig(baseUrl = baseUrl, dataDir = dataDir), JdkSigner(), null)
        client.enroll(email, code, null, Platform.ANDROID)
        client.openPayment(paymentId)
        Unit
    }
}
