package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.InternalException

/**
 * Calls [block]; when the library fails, returns [onError] of the failure instead of
 * letting it crash the app (an uncaught exception in `viewModelScope.launch` does).
 *
 * The library throws [CvException], a Rust panic included ([CvException.Unexpected]).
 * Calls that declare no error (`view()`, `layout()`, `message()`…) can still raise
 * uniffi's [InternalException]: it becomes [CvException.Unexpected] here. Cancellation
 * and anything else pass through.
 */
inline fun <T> guarded(onError: (CvException) -> T, block: () -> T): T =
    try {
        block()
    } catch (error: CvException) {
        onError(error)
    } catch (error: InternalException) {
        onError(error.asUnexpected())
    }

/** uniffi's runtime failure as the library's own "unexpected" error. */
fun InternalException.asUnexpected(): CvException.Unexpected =
    CvException.Unexpected(detail = message ?: "uniffi internal error")

/** The French sentence for [error], even if asking the library for it fails. */
fun frenchMessage(error: CvException): String =
    try {
        error.userMessage()
    } catch (_: InternalException) {
        UNEXPECTED_FR
    }

/** The library's sentence for an unexpected error, for when the library cannot give it. */
const val UNEXPECTED_FR = "Une erreur inattendue est survenue. Veuillez réessayer."
