package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvClientInterface
import fr.ancv.cvconnect.Platform
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * Whether this device is enrolled. [enrolled] is null while the library has not answered
 * yet ([error] null) or could not tell because its local database failed ([error] set):
 * the app then offers to try again rather than sending an enrolled beneficiary back to
 * the activation screen. [busy] while an activation is on its way.
 */
data class EnrollmentState(
    val enrolled: Boolean? = null,
    val busy: Boolean = false,
    val error: String? = null,
) {
    val checking: Boolean get() = enrolled == null && error == null
}

/**
 * The activation screen's logic: reads the enrollment from the library's store (off the
 * UI thread: it is a disk read), and enrolls with the e-mail and the activation code.
 *
 * @param pushToken the push token to register with the device (`"fcm:…"`), or null when
 *   push is not configured; called when the beneficiary activates.
 */
class EnrollmentPresenter(
    private val client: CvClientInterface,
    private val scope: CoroutineScope,
    private val platform: Platform = Platform.ANDROID,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    private val pushToken: suspend () -> String? = { null },
) {
    private val mutableState = MutableStateFlow(EnrollmentState())
    val state: StateFlow<EnrollmentState> = mutableState.asStateFlow()

    /** Asks the library whether this device is enrolled (at start, and after a storage failure). */
    fun check() {
        mutableState.value = EnrollmentState()
        scope.launch {
            mutableState.value = guarded({ EnrollmentState(enrolled = null, error = frenchMessage(it)) }) {
                EnrollmentState(enrolled = withContext(io) { client.isEnrolled() })
            }
        }
    }

    /** "Activer cet appareil": e-mail and activation code as typed (trimmed). */
    fun enroll(email: String, activationCode: String) {
        if (mutableState.value.busy) return
        mutableState.value = mutableState.value.copy(busy = true, error = null)
        scope.launch {
            mutableState.value = guarded({ EnrollmentState(enrolled = false, error = frenchMessage(it)) }) {
                client.enroll(email.trim(), activationCode.trim(), pushToken(), platform)
                EnrollmentState(enrolled = true)
            }
        }
    }
}
