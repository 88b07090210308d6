// Stand-ins for the Android Keystore exceptions, with their real fully-qualified names,
// so JcaDeviceSigner.classifyFailure (which matches by class name) is tested on the JVM.
// Test sources only: the library never depends on them.
package android.security.keystore

import java.security.InvalidKeyException

class KeyPermanentlyInvalidatedException : InvalidKeyException("Key permanently invalidated")

class UserNotAuthenticatedException : InvalidKeyException("User not authenticated")
