import CVConnect
import Foundation

/// How an error reaches the screen: the core's French sentence and what the screen
/// offers next. Anything the app catches goes through here, so that no screen shows
/// Swift's "The operation couldn't be completed" or an English log text.
public struct ErrorPresentation: Equatable, Sendable {
    /// What the screen offers after the message.
    public enum Action: Equatable, Sendable {
        /// The same call may work later (network, server): "Réessayer".
        case retry
        /// This device must be enrolled (again): back to activation.
        case enrollAgain
        /// A new PIN entry (the previous one lapsed, or the signature was cancelled).
        case newPinEntry
        /// Nothing to retry: acknowledge and go back.
        case dismiss
    }

    /// Shown for an error that is not the core's (none is expected; the core's own
    /// sentence for its internal errors).
    public static let unexpectedMessage = "Une erreur inattendue est survenue. Veuillez réessayer."

    public let message: String
    public let cause: CvError?
    public let action: Action

    public init(_ error: any Error) {
        let cause = Self.coreError(error)
        self.cause = cause
        message = cause?.userMessage() ?? Self.unexpectedMessage
        action = cause.map(Self.action) ?? .dismiss
    }

    /// The core's error for `error`: itself, or what the core makes of a signer failure
    /// (the signer's errors reach the screen without the core when the app's own code
    /// calls the key store).
    static func coreError(_ error: any Error) -> CvError? {
        switch error {
        case let error as CvError: error
        case SignerFailure.userCancelled: .signerCancelled
        case SignerFailure.keyInvalidated: .keyInvalidated
        case let SignerFailure.unavailable(reason), let SignerFailure.failed(reason): .signer(detail: reason)
        default: nil
        }
    }

    static func action(for error: CvError) -> Action {
        if error.isRetryable() { return .retry }
        switch error {
        case .notEnrolled, .enrollmentLost, .unauthorized, .deviceRevoked, .keyInvalidated: return .enrollAgain
        case .pinEntryExpired, .signerCancelled: return .newPinEntry
        default: return .dismiss
        }
    }
}
