package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.Keypad
import fr.ancv.cvconnect.KeypadState

/**
 * The library's keypad of the PIN entry on screen, if there is one. A fresh keypad closes
 * the one it replaces; the request that sends the PIN [take]s it (and closes it once
 * sent); anything else [close]s it. Keys go in as positions: the digits never exist here.
 */
internal class KeypadSlot : AutoCloseable {
    private var keypad: Keypad? = null

    /** Puts [fresh] on screen; returns it. */
    fun show(fresh: Keypad): Keypad {
        close()
        keypad = fresh
        return fresh
    }

    /** A touch on key [position]; the entry after it, or null without a keypad. */
    fun press(position: Int): KeypadState? = keypad?.press(position)

    /** Removes the last digit; the entry after it, or null without a keypad. */
    fun erase(): KeypadState? = keypad?.erase()

    /** Hands the keypad to the request that sends it; the slot is empty afterwards. */
    fun take(): Keypad? = keypad.also { keypad = null }

    override fun close() {
        keypad?.close()
        keypad = null
    }
}
