import CVConnect
import Foundation

/// One line of "Mes appareils", with its French texts: the twin of Android's `DeviceRow`.
public struct DeviceRow: Equatable, Sendable {
    public let deviceId: String
    public let name: String
    public let enrolledText: String
    public let lastUsedText: String
    public let current: Bool
    /// This phone cannot revoke itself.
    public var canRevoke: Bool { !current }

    public init(_ device: DeviceInfo, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris")!) {
        func text(_ seconds: Int64, _ format: String) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "fr_FR")
            formatter.timeZone = timeZone
            formatter.dateFormat = format
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        deviceId = device.deviceId
        name = device.name
        current = device.current
        enrolledText = "Ajouté le " + text(device.enrolledAt, "d MMMM yyyy")
        lastUsedText = device.lastUsedAt.map { "Dernière utilisation le " + text($0, "d MMMM yyyy 'à' HH'h'mm") }
            ?? "Jamais utilisé"
    }
}

/// What "Mes appareils" shows, one screen at a time: the twin of Android's `DevicesScreenState`.
public enum DevicesScreenState: Equatable, Sendable {
    case loading
    /// The account's phones; `notice` says what just happened.
    case list([DeviceRow], notice: String?)
    /// The PIN that revokes the device, on the core's shuffled keypad; after a wrong PIN,
    /// the attempts left and the core's sentence.
    case pinEntry(device: DeviceRow, layout: [Int], entered: Int, required: Int, attemptsLeft: Int?, message: String?)
    case sending(DeviceRow)
    /// Too many wrong PINs: the PIN is locked and the device was not disconnected.
    case locked(DeviceRow)
    /// The device is cut off.
    case revoked(DeviceRow)
    case error(message: String)
    /// This phone itself was revoked: its data were wiped; the app offers the activation.
    case thisPhoneDisconnected

    public static let disconnectedTitle = "Ce téléphone a été déconnecté"
    public static let disconnectedMessage = "Il a été retiré de votre compte depuis un autre appareil ou par le service. "
        + "Activez-le à nouveau pour payer."
    public static let lockedMessage = "Code personnel bloqué après trop d'erreurs. L'appareil n'a pas été déconnecté."

    public static func revokedMessage(_ device: DeviceRow) -> String {
        "« \(device.name) » a été déconnecté de votre compte."
    }
}

/// "Mes appareils": the Swift twin of Android's `DevicesPresenter`, platform-neutral so
/// that it is tested on Linux. The PIN is typed as key positions on the core's keypad.
/// A `CvError.deviceRevoked` from any call turns the screen to `.thisPhoneDisconnected`
/// and calls `onDisconnected`, for the app to show it over everything.
@MainActor
public final class DevicesFlow {
    /// The screen to show. Every assignment is reported to the observers.
    public private(set) var state: DevicesScreenState = .loading {
        didSet { observers.forEach { $0(state) } }
    }

    private let client: any CvClientProtocol
    private let onDisconnected: @MainActor () -> Void
    private var observers: [@MainActor (DevicesScreenState) -> Void] = []
    private var keypad: Keypad?
    private var task: Task<Void, Never>?

    public init(client: any CvClientProtocol, onDisconnected: @escaping @MainActor () -> Void = {}) {
        self.client = client
        self.onDisconnected = onDisconnected
    }

    /// Calls `observer` with every state from now on.
    public func observe(_ observer: @escaping @MainActor (DevicesScreenState) -> Void) {
        observers.append(observer)
    }

    /// Reads the list again.
    public func refresh(notice: String? = nil) {
        keypad = nil
        state = .loading
        run { [client] in
            let devices = try await client.devices()
            guard !Task.isCancelled else { return }
            self.state = .list(devices.map { DeviceRow($0) }, notice: notice)
        }
    }

    /// "Déconnecter" on a line: a fresh keypad for the PIN.
    public func startRevocation(deviceId: String) {
        guard case let .list(devices, _) = state,
              let device = devices.first(where: { $0.deviceId == deviceId && $0.canRevoke }) else { return }
        showKeypad(device, attemptsLeft: nil, message: nil)
    }

    /// A touch on the key at `position`, whatever digit it shows.
    public func press(position: Int) {
        guard case let .pinEntry(device, layout, _, _, left, message) = state, let keypad else { return }
        do {
            let typed = try keypad.press(position: Int32(clamping: position))
            state = .pinEntry(device: device, layout: layout, entered: Int(typed.entered),
                              required: Int(typed.required), attemptsLeft: left, message: message)
        } catch CvError.pinEntry {
            // A press on a complete keypad: ignored.
        } catch {
            fail(error)
        }
    }

    /// "Valider" on a complete keypad: seals, signs and sends the revocation.
    public func validate() {
        guard case let .pinEntry(device, _, entered, required, _, _) = state, entered == required,
              let keypad else { return }
        self.keypad = nil
        state = .sending(device)
        run { [client] in
            let outcome = try await client.revokeDevice(deviceId: device.deviceId, keypad: keypad)
            guard !Task.isCancelled else { return }
            switch outcome {
            case .revoked: self.state = .revoked(device)
            case .locked: self.state = .locked(device)
            case let .wrongPin(attemptsLeft):
                let sentence = PaymentOutcome.wrongPin(attemptsLeft: attemptsLeft).message()
                self.showKeypad(device, attemptsLeft: Int(attemptsLeft), message: sentence)
            }
        }
    }

    /// Removes the last digit entered.
    public func erase() {
        guard case let .pinEntry(device, layout, _, required, left, message) = state, let keypad else { return }
        state = .pinEntry(device: device, layout: layout, entered: Int(keypad.erase().entered),
                          required: required, attemptsLeft: left, message: message)
    }

    /// Back from the keypad to the list; nothing is sent.
    public func cancel() {
        guard case .pinEntry = state else { return }
        refresh()
    }

    /// Returns once the call in flight, if any, has updated the state.
    public func settle() async {
        while let running = task {
            await running.value
            if task == running { task = nil }
        }
    }

    private func showKeypad(_ device: DeviceRow, attemptsLeft: Int?, message: String?) {
        keypad = nil
        run { [client] in
            let fresh = try await client.startRevocationPinEntry()
            guard !Task.isCancelled else { return }
            self.keypad = fresh
            let progress = fresh.state()
            self.state = .pinEntry(device: device, layout: fresh.layout().map(Int.init), entered: Int(progress.entered),
                                   required: Int(progress.required), attemptsLeft: attemptsLeft, message: message)
        }
    }

    private func run(_ work: @escaping @MainActor () async throws -> Void) {
        task?.cancel()
        task = Task {
            do {
                try await work()
            } catch {
                guard !Task.isCancelled else { return }
                self.fail(error)
            }
        }
    }

    private func fail(_ error: any Error) {
        keypad = nil
        if case CvError.deviceRevoked = error {
            state = .thisPhoneDisconnected
            onDisconnected()
        } else {
            state = .error(message: ErrorPresentation(error).message)
        }
    }
}
