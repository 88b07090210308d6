package fr.ancv.cvconnect.presenter

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.DeviceInfo
import fr.ancv.cvconnect.Platform
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/** One line of "Mes appareils", with its French texts. This phone cannot revoke itself. */
data class DeviceRow(
    val deviceId: String,
    val name: String,
    val platformText: String,
    val enrolledText: String,
    val lastUsedText: String,
    val current: Boolean,
) {
    val canRevoke: Boolean get() = !current

    companion object {
        private val DATE = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.FRENCH)
        private val DATE_TIME = DateTimeFormatter.ofPattern("d MMMM yyyy 'à' HH'h'mm", Locale.FRENCH)

        /** The row of [device], its dates in French in [zone]. */
        fun of(device: DeviceInfo, zone: ZoneId): DeviceRow {
            fun at(seconds: Long) = Instant.ofEpochSecond(seconds).atZone(zone)
            return DeviceRow(
                deviceId = device.deviceId,
                name = device.name,
                platformText = when (device.platform) {
                    Platform.ANDROID -> "Android"
                    Platform.IOS -> "iOS"
                    Platform.OTHER -> "Autre"
                },
                enrolledText = "Ajouté le " + DATE.format(at(device.enrolledAt)),
                lastUsedText = device.lastUsedAt?.let { "Dernière utilisation le " + DATE_TIME.format(at(it)) }
                    ?: "Jamais utilisé",
                current = device.current,
            )
        }
    }
}

/** What "Mes appareils" shows, one screen at a time; every text is French and ready to show. */
sealed interface DevicesScreenState {
    /** The list is being read. */
    data object Loading : DevicesScreenState

    /** The account's phones, this one first as the backend lists it; [notice] says what just happened. */
    data class DeviceList(val devices: List<DeviceRow>, val notice: String? = null) : DevicesScreenState

    /**
     * The PIN that revokes [device], on the library's shuffled keypad (see
     * [PaymentScreenState.KEY_GRID]); [attemptsLeft] and [message] after a wrong PIN.
     */
    data class PinEntry(
        val device: DeviceRow,
        val layout: List<Int>,
        val entered: Int,
        val required: Int,
        val attemptsLeft: Int? = null,
        val message: String? = null,
    ) : DevicesScreenState {
        val complete: Boolean get() = entered == required
    }

    /** The revocation is on its way; nothing can be pressed. */
    data class Sending(val device: DeviceRow) : DevicesScreenState

    /** Too many wrong PINs: the PIN is locked and [device] was not disconnected. */
    data class Locked(val device: DeviceRow, val message: String = LOCKED_FR) : DevicesScreenState

    /** [device] is cut off: its requests are refused and no payment request reaches it. */
    data class Revoked(val device: DeviceRow) : DevicesScreenState {
        val message: String get() = "« ${device.name} » a été déconnecté de votre compte."
    }

    /** Something failed: the library's French sentence. */
    data class Error(val message: String, val cause: CvException? = null) : DevicesScreenState

    /** This phone itself was revoked (from another phone or by the service): its data are wiped. */
    data object ThisPhoneDisconnected : DevicesScreenState {
        const val TITLE = "Ce téléphone a été déconnecté"
        const val MESSAGE = "Il a été retiré de votre compte depuis un autre appareil ou par le service. " +
            "Activez-le à nouveau pour payer."
    }

    companion object {
        const val LOCKED_FR = "Code personnel bloqué après trop d'erreurs. L'appareil n'a pas été déconnecté."
    }
}
