import CVConnect
import Foundation

/// The payment flow of one screen: the Swift twin of the Android library's
/// `PaymentPresenter`, platform-neutral (no Combine, no Observation), so that it is
/// compiled and tested on Linux. On Apple platforms `PaymentModel` (CVConnectApple)
/// republishes `state` for SwiftUI.
///
/// An action that waits on the network switches the state at once (`.loading`,
/// `.sending`) and runs the call in a task; the others (amount, keypad) are synchronous
/// calls into the core. Key presses go to the core's keypad as positions: the PIN's
/// digits never exist in Swift. A confirmation in flight is not cancelled by leaving the
/// screen: the core runs it to its end and records the outcome (`CvClient.reconcile()`
/// or reopening shows it).
@MainActor
public final class PaymentFlow {
    /// The screen to show. Every assignment is reported to the observers.
    public private(set) var state: PaymentScreenState = .idle {
        didSet { observers.forEach { $0(state) } }
    }

    private let client: any CvClientProtocol
    private var observers: [@MainActor (PaymentScreenState) -> Void] = []
    private var session: PaymentSession?
    private var keypad: Keypad?
    private var task: Task<Void, Never>?

    public init(client: any CvClientProtocol) {
        self.client = client
    }

    /// Calls `observer` with every state from now on.
    public func observe(_ observer: @escaping @MainActor (PaymentScreenState) -> Void) {
        observers.append(observer)
    }

    /// A push arrived or its notification was tapped: `data` is the push's string keys
    /// (`PushPayload.dataKeys(from:)` turns an APNs `userInfo` into them).
    public func openFromPush(_ data: [String: String]) {
        open { [client] in try await client.openFromPush(data: data) }
    }

    /// A payment picked from the pending list.
    public func openPayment(id: String) {
        open { [client] in try await client.openPayment(paymentId: id) }
    }

    /// The beneficiary edited the amount paid with vouchers ("12,50", "1 234,56 €"…).
    public func setAmount(_ text: String) {
        guard case .payment = state, let session else { return }
        do {
            state = .payment(PaymentScreen(view: try session.setAmount(text: text)))
        } catch let error as CvError {
            guard case let .invalidAmount(detail) = error else { return fail(error) }
            state = .payment(PaymentScreen(view: session.view(), amountError: detail))
        } catch {
            fail(error)
        }
    }

    /// "Confirmer" on the payment screen: a fresh shuffled keypad.
    public func startPinEntry() {
        guard case let .payment(screen) = state, screen.canConfirm else { return }
        showKeypad(message: nil)
    }

    /// A touch on the key at `position` (0 to 9), whatever digit it shows.
    public func press(position: Int) {
        guard case let .pinEntry(entry) = state, let keypad else { return }
        do {
            state = .pinEntry(entry.with(try keypad.press(position: Int32(clamping: position))))
        } catch {
            keypadError(error)
        }
    }

    /// Removes the last digit entered.
    public func erase() {
        guard case let .pinEntry(entry) = state, let keypad else { return }
        state = .pinEntry(entry.with(keypad.erase()))
    }

    /// Back from the keypad to the payment screen (the digits entered are dropped).
    public func cancelPinEntry() {
        guard case .pinEntry = state, let session else { return }
        keypad = nil
        state = .payment(PaymentScreen(view: session.view()))
    }

    /// "Valider" on a complete keypad: seals, signs and sends, then shows the outcome;
    /// a wrong PIN comes back to a new keypad with the core's sentence.
    public func validate() {
        guard case let .pinEntry(entry) = state, entry.complete, let session, let keypad else { return }
        self.keypad = nil
        state = .sending(entry.view)
        run(onError: keypadError) {
            let outcome = try await session.confirm(keypad: keypad)
            guard !Task.isCancelled else { return }
            if case .wrongPin = outcome {
                self.showKeypad(message: outcome.message())
            } else {
                self.state = .result(try PaymentResult(outcome, of: session))
            }
        }
    }

    /// "Refuser": the merchant sees the request cancelled.
    public func decline() {
        let view: PaymentView
        switch state {
        case let .payment(screen): view = screen.view
        case let .pinEntry(entry): view = entry.view
        default: return
        }
        guard let session else { return }
        keypad = nil
        state = .sending(view)
        run {
            let outcome = try await session.decline()
            guard !Task.isCancelled else { return }
            self.state = .result(try PaymentResult(outcome, of: session))
        }
    }

    /// Leaves the flow (result or error acknowledged, screen closed): back to `.idle`.
    public func dismiss() {
        reset()
        state = .idle
    }

    /// Returns once the call in flight, if any, has updated the state.
    public func settle() async {
        while let running = task {
            await running.value
            if task == running { task = nil }
        }
    }

    private func open(_ load: @escaping @MainActor () async throws -> PaymentSession) {
        reset()
        state = .loading
        run {
            let opened = try await load()
            guard !Task.isCancelled else { return }
            self.session = opened
            self.state = .payment(PaymentScreen(view: opened.view()))
        }
    }

    /// Runs `work` as the call in flight; a failure goes to `onError` (by default, the
    /// error screen).
    private func run(onError: (@MainActor (any Error) -> Void)? = nil,
                     _ work: @escaping @MainActor () async throws -> Void) {
        task = Task {
            do {
                try await work()
            } catch {
                guard !Task.isCancelled else { return }
                (onError ?? fail)(error)
            }
        }
    }

    /// On the keypad: a press on a complete keypad is ignored; a lapsed entry, a
    /// dismissed key prompt or another misuse shows a new keypad with the core's
    /// sentence; anything else ends the flow.
    private func keypadError(_ error: any Error) {
        switch error {
        case CvError.pinEntry where state.kind == .pinEntry:
            break
        case CvError.pinEntryExpired, CvError.signerCancelled, CvError.pinEntry:
            showKeypad(message: ErrorPresentation(error).message)
        default:
            fail(error)
        }
    }

    private func showKeypad(message: String?) {
        guard let session else { return }
        keypad = nil
        do {
            let fresh = try session.startPinEntry()
            keypad = fresh
            let progress = fresh.state()
            state = .pinEntry(PinEntry(
                view: session.view(), layout: fresh.layout().map(Int.init),
                entered: Int(progress.entered), required: Int(progress.required), message: message
            ))
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: any Error) {
        keypad = nil
        state = .error(PaymentError(error))
    }

    private func reset() {
        task?.cancel()
        task = nil
        keypad = nil
        session = nil
    }
}
