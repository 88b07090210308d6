package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.testkit.AppMainThread
import fr.ancv.cvconnect.testkit.World
import kotlinx.coroutines.launch
import org.junit.jupiter.api.Test
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The harnesses close the app's main thread before the phones: closing it must wait for
 * a coroutine that is running when it is cancelled, or that coroutine's next call reaches
 * a destroyed client ("object has already been destroyed", a flaky UI test once).
 */
class AppMainThreadTest {
    @Test
    fun `closing waits for a running coroutine, so its last call finds the client alive`() {
        val phone = World.shared.phone()
        val mainThread = AppMainThread()
        val running = CountDownLatch(1)
        var enrolled: Boolean? = null
        mainThread.scope.launch {
            running.countDown()
            Thread.sleep(300) // busy on the main thread, no suspension point: cancelling cannot stop it
            enrolled = phone.client.isEnrolled()
        }
        assertTrue(running.await(10, TimeUnit.SECONDS))

        mainThread.close()
        phone.close()

        assertEquals(emptyList(), mainThread.uncaught)
        assertEquals(false, enrolled, "the coroutine ran to its end before close returned")
    }
}
