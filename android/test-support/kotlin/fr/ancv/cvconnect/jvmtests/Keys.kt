package fr.ancv.cvconnect.jvmtests

import fr.ancv.cvconnect.signer.JcaDeviceSigner
import java.math.BigDecimal
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.spec.ECGenParameterSpec

/** A P-256 key pair from the JDK: what the Android Keystore gives the app, in software. */
fun jdkKeyPair(): KeyPair = KeyPairGenerator.getInstance("EC").run {
    initialize(ECGenParameterSpec("secp256r1"))
    generateKeyPair()
}

/** An amount as the library sends it: exact, two decimals ("150.00" has scale 2). */
fun eur(text: String): BigDecimal = BigDecimal(text)

fun jdkSigner(): JcaDeviceSigner = jdkKeyPair().let { JcaDeviceSigner(it.private, it.public) }
