package fr.ancv.cvconnect.testkit

import fr.ancv.cvconnect.signer.JcaDeviceSigner

/**
 * The Android library's own signer (android/cvconnect: [JcaDeviceSigner]) on a fresh JDK
 * key, as the app builds it on a Keystore key: the suites that compile the library's
 * sources (android/jvm-tests, android/ui) enroll their phones with it.
 */
fun jcaSigner(): JcaDeviceSigner = jdkKeyPair().let { JcaDeviceSigner(it.private, it.public) }
