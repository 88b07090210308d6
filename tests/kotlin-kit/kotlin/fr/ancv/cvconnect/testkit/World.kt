package fr.ancv.cvconnect.testkit

import fr.ancv.cvconnect.DeviceSigner
import fr.ancv.cvconnect.KeyAttester
import fr.ancv.cvconnect.LogSink
import java.math.BigDecimal
import java.nio.file.Path
import java.nio.file.Paths

/** The workspace root: `CVCONNECT_ROOT`, else the `cvconnect.root` system property (set by the poms). */
val workspaceRoot: Path =
    Paths.get(System.getenv("CVCONNECT_ROOT") ?: System.getProperty("cvconnect.root") ?: "../..")
        .toAbsolutePath().normalize()

/** An amount as the library sends it: exact, two decimals ("150.00" has scale 2). */
fun eur(text: String): BigDecimal = BigDecimal(text)

/**
 * What a test stands in: a sandbox, in which each test makes its own accounts and phones.
 * Through [sandbox], it also asks for payments (pushes), arms faults and moves the clock.
 *
 * Most tests share [World.shared], one sandbox for the whole JVM, and stay apart by using
 * accounts of their own. A test that moves the clock, or needs other sandbox options,
 * takes a world of its own ([World.own]) and closes it.
 */
class World(val sandbox: Sandbox) : AutoCloseable {
    /** A fresh account of [balance] with [pin]; returns its e-mail. */
    fun account(balance: String = DEFAULT_BALANCE, pin: String = Seed.PIN): String = sandbox.newAccount(balance, pin)

    /** A phone, not enrolled yet; with an [attester], built with `CvClient.withAttester`. */
    fun phone(
        signer: DeviceSigner = JdkSigner(),
        baseUrl: String = sandbox.baseUrl,
        sink: LogSink? = null,
        attester: KeyAttester? = null,
    ): Phone = Phone(sandbox, signer, baseUrl, sink, attester)

    /** A phone enrolled on [email]: by default a fresh account of [balance]. */
    suspend fun enrolledPhone(
        balance: String = DEFAULT_BALANCE,
        signer: DeviceSigner = JdkSigner(),
        baseUrl: String = sandbox.baseUrl,
        email: String = account(balance),
    ): Phone {
        val phone = phone(signer, baseUrl)
        return try {
            phone.enroll(email)
        } catch (failure: Throwable) {
            phone.close()
            throw failure
        }
    }

    override fun close() = sandbox.close()

    companion object {
        /** The balance of a fresh account unless a test says otherwise, as the seed account's. */
        const val DEFAULT_BALANCE = "200.00"

        /** One world for the whole JVM, started (or joined) on first use, stopped when the JVM exits. */
        val shared: World by lazy {
            World(Sandbox.startOrJoin()).also { Runtime.getRuntime().addShutdownHook(Thread(it::close)) }
        }

        /** A world of its own, on a sandbox started with [extraArgs]; the caller closes it. */
        fun own(extraArgs: List<String> = emptyList()): World = World(Sandbox.start(extraArgs))
    }
}
