package fr.ancv.cvconnect.testkit

/**
 * Polls [probe] until it returns a value, and returns it; fails with [what] when
 * [timeoutMs] have passed first. For a change that no call announces (what a phone records
 * in the background, a fault the sandbox took): the wait ends as soon as the change is
 * seen, and the deadline only turns a change that never comes into a failure. Never a
 * fixed sleep, which is too short on a loaded machine and too long everywhere else.
 *
 * @param intervalMs the pause between two probes (0 for a probe that waits by itself, such
 *   as a long poll).
 */
fun <T : Any> waitFor(what: String, timeoutMs: Long = Sandbox.DEFAULT_WAIT_MS, intervalMs: Long = 20, probe: () -> T?): T {
    val deadline = System.nanoTime() + timeoutMs * 1_000_000
    while (true) {
        probe()?.let { return it }
        if (System.nanoTime() - deadline > 0) throw AssertionError("$what: not within $timeoutMs ms")
        if (intervalMs > 0) Thread.sleep(intervalMs)
    }
}
