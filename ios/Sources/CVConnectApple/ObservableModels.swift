#if canImport(Combine)
import Combine
import CVConnect
import CVConnectKit

/// SwiftUI's view of a `PaymentFlow` (CVConnectKit, tested on Linux): `state` is
/// republished for the screens, the actions pass through. Nothing is decided here.
@MainActor
public final class PaymentModel: ObservableObject {
    @Published public private(set) var state: PaymentScreenState = .idle
    public let flow: PaymentFlow

    public init(client: any CvClientProtocol) {
        flow = PaymentFlow(client: client)
        flow.observe { [weak self] in self?.state = $0 }
    }

    /// `data`: `PushPayload.dataKeys(from: userInfo)`, taken before leaving the
    /// notification delegate (a `userInfo` dictionary is not Sendable).
    public func openFromPush(_ data: [String: String]) { flow.openFromPush(data) }
    public func openPayment(id: String) { flow.openPayment(id: id) }
    public func setAmount(_ text: String) { flow.setAmount(text) }
    public func startPinEntry() { flow.startPinEntry() }
    public func press(position: Int) { flow.press(position: position) }
    public func erase() { flow.erase() }
    public func cancelPinEntry() { flow.cancelPinEntry() }
    public func validate() { flow.validate() }
    public func decline() { flow.decline() }
    public func dismiss() { flow.dismiss() }
}

/// SwiftUI's view of a `PendingPaymentsFlow`.
@MainActor
public final class PendingPaymentsModel: ObservableObject {
    @Published public private(set) var state = PendingScreenState()
    public let flow: PendingPaymentsFlow

    public init(client: any CvClientProtocol) {
        flow = PendingPaymentsFlow(client: client)
        flow.observe { [weak self] in self?.state = $0 }
    }

    public func refresh() async { await flow.refresh() }
}

/// SwiftUI's view of a `DevicesFlow` ("Mes appareils").
@MainActor
public final class DevicesModel: ObservableObject {
    @Published public private(set) var state: DevicesScreenState = .loading
    public let flow: DevicesFlow

    /// `onDisconnected`: this phone was revoked; the app shows it over every screen.
    public init(client: any CvClientProtocol, onDisconnected: @escaping @MainActor () -> Void) {
        flow = DevicesFlow(client: client, onDisconnected: onDisconnected)
        flow.observe { [weak self] in self?.state = $0 }
    }

    public func refresh() { flow.refresh() }
    public func startRevocation(deviceId: String) { flow.startRevocation(deviceId: deviceId) }
    public func press(position: Int) { flow.press(position: position) }
    public func erase() { flow.erase() }
    public func validate() { flow.validate() }
    public func cancel() { flow.cancel() }
}
#endif
