package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvException
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow

/**
 * App-wide: whether this phone was revoked. Any call of the library can be the first to
 * learn it (it throws [CvException.DeviceRevoked] and wipes the phone's data), so every
 * presenter reports its failures here and the app shows "Ce téléphone a été déconnecté"
 * over whatever screen is open, then the activation.
 */
class Disconnection {
    private val mutableDisconnected = MutableStateFlow(false)
    val disconnected: StateFlow<Boolean> = mutableDisconnected.asStateFlow()

    /** Records [error]; true when it says this phone was revoked. */
    fun notice(error: CvException): Boolean {
        val revoked = error is CvException.DeviceRevoked
        if (revoked) mutableDisconnected.value = true
        return revoked
    }

    /** The phone was enrolled again: back to normal. */
    fun reenrolled() {
        mutableDisconnected.value = false
    }
}
