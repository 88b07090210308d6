import CVConnect
import Foundation

/// What the payment flow shows, one screen at a time: the Swift twin of the Android
/// library's `PaymentScreenState`. Every text is the core's French (`PaymentView.*Text`,
/// `PaymentOutcome.message()`, `CvError.userMessage()`): the UI shows them as they are
/// and formats no amount itself.
public enum PaymentScreenState: Equatable, Sendable {
    /// No payment open (before the first push, after `PaymentFlow.dismiss()`).
    case idle
    /// Opening a payment: the push was handed to the core, the API is being read.
    case loading
    /// Payee, total, balance, the editable amount paid with vouchers, the remainder by card.
    case payment(PaymentScreen)
    /// The PIN on the core's shuffled keypad.
    case pinEntry(PinEntry)
    /// The confirmation (or the decline) is on its way; nothing can be pressed.
    case sending(PaymentView)
    /// The end of the flow.
    case result(PaymentResult)
    /// Something failed.
    case error(PaymentError)

    /// The screen, without its data: what the state sequences of the tests compare.
    public enum Kind: String, Sendable {
        case idle, loading, payment, pinEntry, sending, result, error
    }

    public var kind: Kind {
        switch self {
        case .idle: .idle
        case .loading: .loading
        case .payment: .payment
        case .pinEntry: .pinEntry
        case .sending: .sending
        case .result: .result
        case .error: .error
        }
    }

    /// Where each key position goes on screen: a 3x3 grid of positions 0 to 8, then
    /// position 9 alone in the bottom centre (nil: no key; the UI puts "Effacer" on the
    /// left and "Valider" on the right of the last row).
    public static let keyGrid: [[Int?]] = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [nil, 9, nil]]
}

/// The payment screen. `amountError` is the French reason the last typed amount was
/// refused (shown under the field).
public struct PaymentScreen: Equatable, Sendable {
    public let view: PaymentView
    public let amountError: String?

    public init(view: PaymentView, amountError: String? = nil) {
        self.view = view
        self.amountError = amountError
    }

    /// "Confirmer" is enabled.
    public var canConfirm: Bool { view.canConfirm && amountError == nil }

    /// Part of the total is left to pay by card.
    public var hasRemainder: Bool { view.remainder != 0 }
}

/// PIN entry: `layout[position]` is the digit drawn on key `position` (see
/// `PaymentScreenState.keyGrid`); `entered` of `required` digits typed, never which.
/// `message` is the French sentence above the keypad (wrong PIN and attempts left,
/// entry expired, signature cancelled), nil when there is none.
public struct PinEntry: Equatable, Sendable {
    public let view: PaymentView
    public let layout: [Int]
    public let entered: Int
    public let required: Int
    public let message: String?

    public init(view: PaymentView, layout: [Int], entered: Int, required: Int, message: String? = nil) {
        self.view = view
        self.layout = layout
        self.entered = entered
        self.required = required
        self.message = message
    }

    /// "Valider" is enabled.
    public var complete: Bool { entered == required }

    func with(_ progress: KeypadState) -> PinEntry {
        PinEntry(view: view, layout: layout, entered: Int(progress.entered),
                 required: Int(progress.required), message: message)
    }
}

/// The end of the flow: `message` is `outcome.message()`; after a payment, the new
/// balance and the remainder to pay by card, formatted by the core.
public struct PaymentResult: Equatable, Sendable {
    public let outcome: PaymentOutcome
    public let message: String
    public let view: PaymentView?
    public let balanceText: String?
    public let remainderText: String?

    public init(outcome: PaymentOutcome, message: String, view: PaymentView?,
                balanceText: String? = nil, remainderText: String? = nil) {
        self.outcome = outcome
        self.message = message
        self.view = view
        self.balanceText = balanceText
        self.remainderText = remainderText
    }

    /// The result of `outcome` on `session`'s payment.
    init(_ outcome: PaymentOutcome, of session: PaymentSession) throws {
        switch outcome {
        case let .paidInFull(_, balance):
            self.init(outcome: outcome, message: outcome.message(), view: session.view(),
                      balanceText: try formatAmountFr(amount: balance))
        case let .paidInPart(_, remainder, balance):
            self.init(outcome: outcome, message: outcome.message(), view: session.view(),
                      balanceText: try formatAmountFr(amount: balance),
                      remainderText: try formatAmountFr(amount: remainder))
        default:
            self.init(outcome: outcome, message: outcome.message(), view: session.view())
        }
    }

    /// The payment went through, in full or in part.
    public var paid: Bool {
        switch outcome {
        case .paidInFull, .paidInPart: true
        default: false
        }
    }
}

/// A failure: `message` is the French sentence to show, `cause` the core's error.
public struct PaymentError: Equatable, Sendable {
    public let message: String
    public let cause: CvError?

    public init(_ error: any Error) {
        let presented = ErrorPresentation(error)
        message = presented.message
        cause = presented.cause
    }
}
