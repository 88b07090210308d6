import CVConnect
import CVConnectKit
import Foundation
import XCTest

// The kit's side of `PaymentFlow` (Tests/README.md): a flow opened from a push with its
// states recorded, the PIN typed as a user types it (by reading the digits drawn on the
// shuffled keys), and the screen shown read as the one a test expects.

/// Records the kinds of state a flow goes through; consecutive repeats (a key press on
/// the keypad) count once.
@MainActor
final class StateRecorder {
    private(set) var states: [PaymentScreenState] = []

    init(_ flow: PaymentFlow) {
        flow.observe { [weak self] in self?.states.append($0) }
    }

    var kinds: [PaymentScreenState.Kind] {
        states.map(\.kind).reduce(into: []) { if $0.last != $1 { $0.append($1) } }
    }
}

extension Phone {
    /// A flow test's start: a phone enrolled on a fresh account holding `balance`, and a
    /// flow opened from the push of a payment of `total` (`flowFromPush`).
    @MainActor
    static func enrolledWithFlow(total: String, balance: String = "200.00", in sandbox: Sandbox = .shared) async throws
        -> (phone: Phone, email: String, flow: PaymentFlow, recorder: StateRecorder) {
        let (phone, email) = try await enrolled(balance: balance, in: sandbox)
        let (flow, recorder) = try await phone.flowFromPush(total: total, account: email)
        return (phone, email, flow, recorder)
    }

    /// The merchant asks `email` for `total`; a new flow, its states recorded, opens the
    /// payment from the push this phone receives and settles on the payment screen.
    @MainActor
    func flowFromPush(total: String, account email: String) async throws -> (PaymentFlow, StateRecorder) {
        let flow = PaymentFlow(client: client)
        let recorder = StateRecorder(flow)
        await flow.open(try await push(for: email, total: total))
        return (flow, recorder)
    }
}

extension PaymentFlow {
    /// Types `pin` on the keypad shown, as the user would by looking at the keys.
    func type(_ pin: String) throws {
        let entry = try shown(\.asPinEntry)
        for digit in pin { press(position: entry.layout.firstIndex(of: Int(String(digit))!)!) }
    }

    /// Types `pin` on the keypad shown, validates, and returns once the answer is shown.
    func submit(_ pin: String) async throws {
        try type(pin)
        validate()
        await settle()
    }

    /// Opens the keypad and types `pin` on it, without validating.
    func startPinEntry(typing pin: String) throws {
        startPinEntry()
        try type(pin)
    }

    /// Opens the keypad, then types and validates `pin`: a payment confirmed by the user.
    func confirm(with pin: String) async throws {
        try startPinEntry(typing: pin)
        validate()
        await settle()
    }

    /// The flow opened from `push`, settled on its payment screen.
    func open(_ push: [String: String]) async {
        openFromPush(push)
        await settle()
    }

    /// The screen shown, read as the one expected (`\.asResult`…); a test failure naming
    /// the state shown otherwise.
    func shown<Screen>(_ expected: KeyPath<PaymentScreenState, Screen?>) throws -> Screen {
        try XCTUnwrap(state[keyPath: expected], "the flow shows \(state)")
    }
}

extension PaymentScreenState {
    var asPayment: PaymentScreen? { if case let .payment(screen) = self { screen } else { nil } }
    var asPinEntry: PinEntry? { if case let .pinEntry(entry) = self { entry } else { nil } }
    var asResult: PaymentResult? { if case let .result(result) = self { result } else { nil } }
    var asError: PaymentError? { if case let .error(error) = self { error } else { nil } }
}
