package fr.ancv.cvconnect.app.keystore

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import androidx.annotation.WorkerThread
import fr.ancv.cvconnect.signer.JcaDeviceSigner
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.spec.ECGenParameterSpec

/**
 * The device key in the Android Keystore: P-256, sign only, SHA-256, non-exportable (the
 * private key never leaves the TEE / secure element), in StrongBox when the device has
 * one. Signing itself is [JcaDeviceSigner], JVM-tested with a JDK key.
 */
object DeviceKey {
    private const val PROVIDER = "AndroidKeyStore"
    private const val ALIAS = "cvconnect-device-key"

    /**
     * Loads the key, creating it the first time. Call it off the main thread: generating
     * a key takes up to seconds (StrongBox). [fr.ancv.cvconnect.app.CvConnectApp] calls it
     * on an IO thread while building the client.
     *
     * @param requireUserAuthentication guard the key with the lock screen (each signature
     *   within 30 s of an unlock, or behind a BiometricPrompt the app shows). Off in the sample.
     */
    @WorkerThread
    fun signer(context: Context, requireUserAuthentication: Boolean = false): JcaDeviceSigner {
        val keyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }
        if (!keyStore.containsAlias(ALIAS)) create(context, requireUserAuthentication)
        val entry = keyStore.getEntry(ALIAS, null) as KeyStore.PrivateKeyEntry
        return JcaDeviceSigner(entry.privateKey, entry.certificate.publicKey)
    }

    /** After `KeyInvalidated`: drop the key; the next [signer] makes a new one, then enroll again. */
    @WorkerThread
    fun delete() {
        KeyStore.getInstance(PROVIDER).apply { load(null) }.deleteEntry(ALIAS)
    }

    private fun create(context: Context, requireUserAuthentication: Boolean) {
        val strongBox = Build.VERSION.SDK_INT >= 28 &&
            context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
        if (strongBox) {
            try {
                generate(strongBox = true, requireUserAuthentication)
                return
            } catch (_: StrongBoxUnavailableException) {
                // Listed but unusable (or busy): fall back to the TEE.
            }
        }
        generate(strongBox = false, requireUserAuthentication)
    }

    private fun generate(strongBox: Boolean, requireUserAuthentication: Boolean) {
        val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_SIGN)
            .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
            .setDigests(KeyProperties.DIGEST_SHA256)
            .apply {
                if (strongBox && Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true)
                if (requireUserAuthentication) {
                    setUserAuthenticationRequired(true)
                    if (Build.VERSION.SDK_INT >= 30) {
                        setUserAuthenticationParameters(
                            30,
                            KeyProperties.AUTH_BIOMETRIC_STRONG or KeyProperties.AUTH_DEVICE_CREDENTIAL,
                        )
                    }
                    setInvalidatedByBiometricEnrollment(true)
                }
            }
            .build()
        KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, PROVIDER).apply { initialize(spec) }.generateKeyPair()
    }
}
