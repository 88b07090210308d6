import CVConnect
import CVConnectKit
import Foundation
import XCTest

/// Every case of `CvError`, as a value: the core's French sentence (computed in Rust),
/// `LocalizedError`, `isRetryable()` and what the screen offers. (Each is also thrown
/// by the library and caught by case in ErrorTests.)
final class ErrorPresentationTests: XCTestCase {
    static let everyCase: [CvError] = [
        .offline, .timeout, .certificateRejected, .server(status: 503), .protocolViolation(detail: "bad body"),
        .api(code: "amount_out_of_bounds", serverMessage: "Montant refusé.", httpStatus: 422),
        .notEnrolled, .alreadyEnrolled, .enrollmentLost, .unauthorized, .deviceRevoked, .paymentNotFound(paymentId: "pay_x"),
        .alreadyHandled(status: .expired), .confirmationInProgress, .invalidAmount(detail: "Montant invalide."),
        .pinEntryExpired, .pinEntry(detail: "Touche inconnue (10)."), .signer(detail: "busy"), .signerCancelled,
        .keyInvalidated, .storage(detail: "disk full"), .push(detail: "bad id"), .invalidConfig(reason: "http"),
        .unexpected(detail: "panic: boom"),
    ]

    func testEveryCaseHasAFrenchSentenceAndAnAction() {
        XCTAssertEqual(Set(Self.everyCase.map { "\($0)".prefix { $0 != "(" && $0 != " " } }).count, 24)
        for error in Self.everyCase {
            let message = error.userMessage()
            XCTAssertFalse(message.isEmpty, "\(error)")
            XCTAssertEqual(error.errorDescription, message, "LocalizedError is the user message")
            XCTAssertEqual((error as any Error).localizedDescription, message)
            XCTAssertNotEqual(message, error.description, "\(error): the French sentence, not the log text")
            let presented = ErrorPresentation(error)
            XCTAssertEqual(presented.message, message)
            XCTAssertEqual(presented.cause, error)
        }
        XCTAssertEqual(Self.everyCase.filter { $0.isRetryable() }, [.offline, .timeout, .server(status: 503)])
        XCTAssertEqual(Self.everyCase.filter { ErrorPresentation($0).action == .enrollAgain },
                       [.notEnrolled, .enrollmentLost, .unauthorized, .deviceRevoked, .keyInvalidated])
        XCTAssertEqual(Self.everyCase.filter { ErrorPresentation($0).action == .newPinEntry },
                       [.pinEntryExpired, .signerCancelled])
        XCTAssertEqual(CvError.api(code: "amount_out_of_bounds", serverMessage: "Montant refusé.", httpStatus: 422).userMessage(),
                       "Montant refusé.", "the backend's own sentence")
    }

    func testErrorsFromOutsideTheCore() {
        let cancelled = ErrorPresentation(SignerFailure.userCancelled)
        XCTAssertEqual(cancelled.cause, .signerCancelled)
        XCTAssertEqual(cancelled.action, .newPinEntry)
        XCTAssertEqual(ErrorPresentation(SignerFailure.keyInvalidated).action, .enrollAgain)
        XCTAssertEqual(ErrorPresentation(SignerFailure.unavailable(reason: "locked")).cause, .signer(detail: "locked"))
        let foreign = ErrorPresentation(CocoaError(.fileNoSuchFile))
        XCTAssertNil(foreign.cause)
        XCTAssertEqual(foreign.message, ErrorPresentation.unexpectedMessage)
        XCTAssertEqual(foreign.action, .dismiss)
    }
}
