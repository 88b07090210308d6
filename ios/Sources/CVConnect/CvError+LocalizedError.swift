import Foundation

/// The French sentence of the core as the error's `localizedDescription`, so that an
/// app showing `error.localizedDescription` shows the core's text, never Swift's
/// generic "The operation couldn't be completed".
extension CvError: LocalizedError {
    public var errorDescription: String? { userMessage() }
}
