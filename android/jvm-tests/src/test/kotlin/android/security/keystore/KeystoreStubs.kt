// Stand-ins for the Android Keystore exceptions, with their real fully-qualified names and
// superclasses, so the library's code that matches them by class name
// (JcaDeviceSigner.classifyFailure, KeystoreDeviceKey's StrongBox fallback) is tested on the JVM.
// Test sources only: the library never depends on them.
package android.security.keystore

import java.security.InvalidKeyException
import java.security.ProviderException

class KeyPermanentlyInvalidatedException : InvalidKeyException("Key permanently invalidated")

class UserNotAuthenticatedException : InvalidKeyException("User not authenticated")

/** Thrown by a StrongBox key generation the secure element refuses (a `ProviderException`, as on Android). */
class StrongBoxUnavailableException : ProviderException("StrongBox unavailable")
