import Foundation
import CVConnect

/// The payment flow of one screen, the Swift twin of the Android library's
/// `PaymentPresenter` (which is JVM-tested; this one is not compiled here). Every text
/// comes from the core in French: `PaymentView.*Text`, `outcomeMessage`, `userMessage()`.
///
/// Key presses go to the core's keypad as positions: the PIN's digits never exist in Swift.
/// A confirmation in flight is not cancelled by leaving the screen: the core runs it to its
/// end and records the outcome (`CvClient.reconcile()` or reopening shows it).
@MainActor
public final class PaymentModel: ObservableObject {
    public enum State: Equatable {
        /// No payment open.
        case idle
        /// The push was handed to the core; the payment is being read from the API.
        case loading
        /// Payee, total, balance, editable amount, remainder by card; `amountError` is the
        /// French reason the last typed amount was refused.
        case payment(PaymentView, amountError: String?)
        /// `layout[position]` is the digit drawn on key `position` (see `keyGrid`).
        case pinEntry(PaymentView, layout: [Int], entered: Int, required: Int, message: String?)
        case sending(PaymentView)
        case result(PaymentOutcome, message: String, view: PaymentView?)
        case error(message: String)
    }

    /// Positions 0 to 8 in a 3x3 grid, position 9 alone in the bottom centre.
    public static let keyGrid: [[Int?]] = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [nil, 9, nil]]

    @Published public private(set) var state: State = .idle

    private let client: CvClient
    private var session: PaymentSession?
    private var keypad: Keypad?
    private var task: Task<Void, Never>?

    public init(client: CvClient) {
        self.client = client
    }

    /// A push arrived or its notification was tapped: the APNs custom keys.
    public func openFromPush(_ userInfo: [AnyHashable: Any]) {
        var data: [String: String] = [:]
        for (key, value) in userInfo {
            if let key = key as? String, let value = value as? String { data[key] = value }
        }
        open { [client] in try await client.openFromPush(data: data) }
    }

    public func openPayment(id: String) {
        open { [client] in try await client.openPayment(paymentId: id) }
    }

    private func open(_ load: @escaping @Sendable () async throws -> PaymentSession) {
        reset()
        state = .loading
        task = Task {
            do {
                let opened = try await load()
                guard !Task.isCancelled else { return }
                session = opened
                state = .payment(opened.view(), amountError: nil)
            } catch {
                fail(error)
            }
        }
    }

    public func setAmount(_ text: String) {
        guard case .payment = state, let session else { return }
        do {
            state = .payment(try session.setAmount(text: text), amountError: nil)
        } catch CvError.InvalidAmount(let detail) {
            state = .payment(session.view(), amountError: detail)
        } catch {
            fail(error)
        }
    }

    public var canConfirm: Bool {
        if case let .payment(view, amountError) = state { return view.canConfirm && amountError == nil }
        return false
    }

    public func startPinEntry() {
        guard canConfirm else { return }
        showKeypad(message: nil)
    }

    public func press(position: Int) {
        guard case let .pinEntry(view, layout, _, _, message) = state, let keypad else { return }
        do {
            let progress = try keypad.press(position: UInt8(position))
            state = .pinEntry(view, layout: layout, entered: Int(progress.entered),
                              required: Int(progress.required), message: message)
        } catch let error as CvError {
            if keypad.isExpired() { showKeypad(message: error.userMessage()) }
        } catch {}
    }

    public func erase() {
        guard case let .pinEntry(view, layout, _, required, message) = state, let keypad else { return }
        let progress = keypad.erase()
        state = .pinEntry(view, layout: layout, entered: Int(progress.entered), required: required, message: message)
    }

    public func cancelPinEntry() {
        guard case .pinEntry = state, let session else { return }
        keypad = nil
        state = .payment(session.view(), amountError: nil)
    }

    public func validate() {
        guard case let .pinEntry(view, _, entered, required, _) = state, entered == required,
              let session, let keypad else { return }
        self.keypad = nil
        state = .sending(view)
        task = Task {
            do {
                let outcome = try await session.confirm(keypad: keypad)
                if case .wrongPin = outcome {
                    showKeypad(message: outcomeMessage(outcome: outcome))
                } else {
                    state = .result(outcome, message: outcomeMessage(outcome: outcome), view: session.view())
                }
            } catch let error as CvError {
                switch error {
                case .SignerCancelled, .Keypad: showKeypad(message: error.userMessage())
                default: fail(error)
                }
            } catch {
                fail(error)
            }
        }
    }

    public func decline() {
        let view: PaymentView
        switch state {
        case let .payment(current, _): view = current
        case let .pinEntry(current, _, _, _, _): view = current
        default: return
        }
        guard let session else { return }
        keypad = nil
        state = .sending(view)
        task = Task {
            do {
                let outcome = try await session.decline()
                state = .result(outcome, message: outcomeMessage(outcome: outcome), view: session.view())
            } catch {
                fail(error)
            }
        }
    }

    public func dismiss() {
        reset()
        state = .idle
    }

    private func showKeypad(message: String?) {
        guard let session else { return }
        do {
            let fresh = try session.startPinEntry()
            keypad = fresh
            let progress = fresh.state()
            state = .pinEntry(session.view(), layout: fresh.layout().map { Int($0) },
                              entered: Int(progress.entered), required: Int(progress.required), message: message)
        } catch {
            fail(error)
        }
    }

    private func fail(_ error: Error) {
        keypad = nil
        let message = (error as? CvError)?.userMessage()
            ?? "Une erreur inattendue est survenue. Veuillez réessayer."
        state = .error(message: message)
    }

    private func reset() {
        task?.cancel()
        task = nil
        keypad = nil
        session = nil
    }
}

/// The pending-payments screen: the balance and what waits (a push that never arrived).
@MainActor
public final class PendingPaymentsModel: ObservableObject {
    public struct Line: Identifiable, Equatable {
        public let id: String
        public let payeeName: String
        public let totalText: String
    }

    @Published public private(set) var balanceText: String?
    @Published public private(set) var balanceStale = false
    @Published public private(set) var payments: [Line] = []
    @Published public private(set) var error: String?
    @Published public private(set) var loading = false

    private let client: CvClient

    public init(client: CvClient) {
        self.client = client
    }

    public func refresh() async {
        loading = true
        defer { loading = false }
        do {
            let balance = try await client.balance()
            let pending = try await client.pendingPayments()
            balanceText = balance.text
            balanceStale = balance.stale
            payments = pending.map { Line(id: $0.paymentId, payeeName: $0.payee.name, totalText: formatAmountFr(amount: $0.total)) }
            error = nil
        } catch {
            self.error = (error as? CvError)?.userMessage() ?? String(describing: error)
            if let cached = try? client.cachedBalance() {
                balanceText = cached.text
                balanceStale = true
            }
        }
    }
}
