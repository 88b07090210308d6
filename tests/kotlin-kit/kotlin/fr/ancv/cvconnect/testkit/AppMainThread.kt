package fr.ancv.cvconnect.testkit

import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.job
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/**
 * The app's main thread for presenters under test: one thread, as on Android, and a
 * [scope] whose escaped exceptions (a crash on Android) are kept in [uncaught].
 *
 * [close] cancels the presenters' coroutines and *waits* for them to finish before it
 * returns. Close it before the phones whose clients the presenters hold: a coroutine
 * already running on this thread when the scope is cancelled goes on to its next
 * suspension point, and if that is a call on a client closed meanwhile, uniffi throws
 * "object has already been destroyed" (a flaky UI test once).
 */
class AppMainThread(name: String = "app-main") : AutoCloseable {
    private val executor = Executors.newSingleThreadExecutor { Thread(it, name).apply { isDaemon = true } }
    private val escaped: MutableList<Throwable> = CopyOnWriteArrayList()
    val scope = CoroutineScope(
        SupervisorJob() + executor.asCoroutineDispatcher() + CoroutineExceptionHandler { _, error -> escaped += error },
    )

    /** Every exception that escaped a coroutine of [scope] so far. */
    val uncaught: List<Throwable> get() = escaped.toList()

    override fun close() {
        runBlocking { scope.coroutineContext.job.cancelAndJoin() }
        executor.shutdown()
        check(executor.awaitTermination(10, TimeUnit.SECONDS)) { "the app's main thread did not stop" }
    }
}
