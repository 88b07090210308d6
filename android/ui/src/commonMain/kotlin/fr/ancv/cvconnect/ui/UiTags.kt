package fr.ancv.cvconnect.ui

/**
 * Test tags (semantics, shared by the desktop UI tests and the Android emulator tests).
 * Tests find keys by the digit they show and screens by their texts; tags only mark
 * what has no stable text (a key, whatever its digit; the amount field).
 */
object UiTags {
    const val PIN_KEY_PREFIX = "pin-key-"
    const val PIN_ERASE = "pin-erase"
    const val PIN_DOTS = "pin-dots"
    const val PIN_DOT = "pin-dot"
    const val AMOUNT_FIELD = "amount"
    const val ENROLL_EMAIL = "enroll-email"
    const val ENROLL_CODE = "enroll-code"
    const val PENDING_ROW_PREFIX = "pending-"
    const val DEVICE_ROW_PREFIX = "device-"

    fun pinKey(position: Int) = PIN_KEY_PREFIX + position
}
