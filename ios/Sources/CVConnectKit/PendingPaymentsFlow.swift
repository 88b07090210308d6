import CVConnect
import Foundation

/// One line of the pending list, with its French texts.
public struct PendingPayment: Equatable, Sendable, Identifiable {
    public let id: String
    public let payeeName: String
    public let totalText: String
    public let expiresAt: Int64
}

/// The home screen: the balance and the payments waiting for this account.
public struct PendingScreenState: Equatable, Sendable {
    public var loading = false
    public var balanceText: String?
    /// The balance shown is the last one known (the backend could not be reached).
    public var balanceStale = false
    public var payments: [PendingPayment] = []
    public var error: String?

    public init() {}
}

/// The pending-payments screen, for when the push was lost (or notifications are off):
/// the twin of the Android `PendingPaymentsPresenter`. Opening a line goes through
/// `PaymentFlow.openPayment(id:)`.
@MainActor
public final class PendingPaymentsFlow {
    public private(set) var state = PendingScreenState() {
        didSet { observers.forEach { $0(state) } }
    }

    private let client: any CvClientProtocol
    private var observers: [@MainActor (PendingScreenState) -> Void] = []

    public init(client: any CvClientProtocol) {
        self.client = client
    }

    public func observe(_ observer: @escaping @MainActor (PendingScreenState) -> Void) {
        observers.append(observer)
    }

    /// Reads the balance and the pending payments; on failure keeps the last balance
    /// known, marked stale, and shows the core's sentence.
    public func refresh() async {
        var loading = state
        loading.loading = true
        loading.error = nil
        state = loading
        do {
            let balance = try await client.balance()
            let pending = try await client.pendingPayments().map(Self.line)
            var loaded = PendingScreenState()
            loaded.balanceText = balance.text
            loaded.balanceStale = balance.stale
            loaded.payments = pending
            state = loaded
        } catch {
            state = failed(error)
        }
    }

    private func failed(_ error: any Error) -> PendingScreenState {
        var failed = state
        failed.loading = false
        if let cached = try? client.cachedBalance() {
            failed.balanceText = cached.text
        }
        failed.balanceStale = true
        failed.error = ErrorPresentation(error).message
        return failed
    }

    nonisolated private static func line(_ summary: PaymentSummary) throws -> PendingPayment {
        PendingPayment(id: summary.paymentId, payeeName: summary.payee.name,
                       totalText: try formatAmountFr(amount: summary.total), expiresAt: summary.expiresAt)
    }
}
