package fr.ancv.cvconnect.ui.test

import fr.ancv.cvconnect.DeviceInfo
import fr.ancv.cvconnect.Platform
import fr.ancv.cvconnect.presenter.DeviceRow
import fr.ancv.cvconnect.presenter.DevicesScreenState
import fr.ancv.cvconnect.ui.test.ScreenStates.Companion.FIXED_LAYOUT
import java.time.ZoneId

/**
 * The states of "Mes appareils" for the images, from fixed device records (the real ones
 * carry the time of the run) turned into rows by the presenter's own [DeviceRow.of]. The
 * UI test drives the same screen with the real presenter against the sandbox.
 */
object DeviceStates {
    private val paris: ZoneId = ZoneId.of("Europe/Paris")
    private val thisPhone = row("dev_pixel", "Pixel de Camille", Platform.ANDROID, 1_764_579_600, 1_764_620_700, current = true)
    private val lost = row("dev_iphone", "iPhone de Camille", Platform.IOS, 1_733_043_600, 1_764_441_300, current = false)

    private fun row(id: String, name: String, platform: Platform, enrolled: Long, used: Long, current: Boolean) =
        DeviceRow.of(DeviceInfo(id, name, platform, enrolled, used, current, null), paris)

    val list = DevicesScreenState.DeviceList(listOf(thisPhone, lost))
    val pin = DevicesScreenState.PinEntry(lost, FIXED_LAYOUT, entered = 2, required = 4)
    val revoked = DevicesScreenState.Revoked(lost)
}
