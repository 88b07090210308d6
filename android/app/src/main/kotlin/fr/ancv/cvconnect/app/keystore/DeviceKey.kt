package fr.ancv.cvconnect.app.keystore

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import androidx.annotation.WorkerThread
import fr.ancv.cvconnect.signer.DeviceKeystore
import fr.ancv.cvconnect.signer.JcaDeviceSigner
import fr.ancv.cvconnect.signer.KeystoreDeviceKey
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.spec.ECGenParameterSpec

/**
 * The device key in the Android Keystore: P-256, sign only, SHA-256, non-exportable (the
 * private key never leaves the TEE / secure element), in StrongBox when the device has
 * one. The decisions (when to create, the StrongBox fallback, attestation, signing) are
 * [KeystoreDeviceKey]'s, JVM-tested; this file only speaks to `AndroidKeyStore`, and is
 * compiled by Gradle only (never on this machine).
 */
object DeviceKey {
    private const val PROVIDER = "AndroidKeyStore"
    private const val ALIAS = "cvconnect-device-key"

    /**
     * The device key as signer and attester, loaded (created the first time). Call it off
     * the main thread: generating a key takes up to seconds (StrongBox).
     * [fr.ancv.cvconnect.app.CvConnectApp] calls it on an IO thread while building the client.
     *
     * @param requireUserAuthentication guard the key with the lock screen (each signature
     *   within 30 s of an unlock, or behind a BiometricPrompt the app shows). Off in the sample.
     */
    @WorkerThread
    fun open(context: Context, requireUserAuthentication: Boolean = false): KeystoreDeviceKey =
        KeystoreDeviceKey(AndroidDeviceKeystore(context, requireUserAuthentication)).ensureKey()

    /** After `KeyInvalidated`: drop the key; the next [open] makes a new one, then enroll again. */
    @WorkerThread
    fun delete() {
        keyStore().deleteEntry(ALIAS)
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }

    /** `AndroidKeyStore` under [ALIAS]. */
    private class AndroidDeviceKeystore(
        context: Context,
        private val requireUserAuthentication: Boolean,
    ) : DeviceKeystore {
        override val hasStrongBox: Boolean = Build.VERSION.SDK_INT >= 28 &&
            context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)

        override fun contains(): Boolean = keyStore().containsAlias(ALIAS)

        override fun generate(strongBox: Boolean, attestationChallenge: ByteArray?) {
            keyStore().deleteEntry(ALIAS)
            val spec = KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_SIGN)
                .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
                .setDigests(KeyProperties.DIGEST_SHA256)
                .apply {
                    if (strongBox && Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true)
                    if (attestationChallenge != null) setAttestationChallenge(attestationChallenge)
                    if (requireUserAuthentication) requireUserAuthentication()
                }
                .build()
            KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, PROVIDER)
                .apply { initialize(spec) }
                .generateKeyPair()
        }

        override fun signer(): JcaDeviceSigner {
            val entry = keyStore().getEntry(ALIAS, null) as KeyStore.PrivateKeyEntry
            return JcaDeviceSigner(entry.privateKey, entry.certificate.publicKey)
        }

        override fun certificateChain(): List<ByteArray> =
            keyStore().getCertificateChain(ALIAS).orEmpty().map { it.encoded }

        private fun KeyGenParameterSpec.Builder.requireUserAuthentication() {
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
}
