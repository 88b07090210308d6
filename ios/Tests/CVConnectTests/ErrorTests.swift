import CVConnect
import CVConnectKit
import Foundation
import XCTest

/// Every `CvError` case the library throws, caught by its case (`catch CvError.x`), with
/// its fields, its French sentence as `LocalizedError`, and what the screen offers next.
final class ErrorTests: XCTestCase, @unchecked Sendable {  // no stored state; some tests run on the main actor
    func testOfflineIsRetryable() async throws {
        let phone = try Phone(baseURL: try closedURL())
        do {
            _ = try await phone.client.enroll(email: "x@example.fr", activationCode: "CODE", pushToken: nil, platform: .ios)
            XCTFail("enrolled without a backend")
        } catch CvError.offline {
            let error = CvError.offline
            XCTAssertEqual(error.userMessage(), "Pas de connexion. Vérifiez votre réseau et réessayez.")
            XCTAssertEqual(error.localizedDescription, error.userMessage())
            XCTAssertTrue(error.isRetryable())
            XCTAssertEqual(ErrorPresentation(error).action, .retry)
        }
    }

    func testTimeoutWhenTheBackendIsSlow() async throws {
        let email = try await Sandbox.shared.newAccount(balance: "10.00")
        let phone = try Phone { config in
            ClientConfig(baseUrl: config.baseUrl, dataDir: config.dataDir, requestTimeoutMs: 500, maxRetries: 0)
        }
        try await phone.enroll(email)
        try await phone.sandbox.armFault(route: "/v1/balance", kind: "delay", delayMs: 3000)
        do {
            _ = try await phone.client.balance()
            XCTFail("answered in time")
        } catch CvError.timeout {
            XCTAssertTrue(CvError.timeout.isRetryable())
        }
    }

    func testServerErrorCarriesItsStatus() async throws {
        let email = try await Sandbox.shared.newAccount(balance: "10.00")
        let phone = try Phone { ClientConfig(baseUrl: $0.baseUrl, dataDir: $0.dataDir, maxRetries: 0) }
        try await phone.enroll(email)
        try await phone.sandbox.armFault(route: "/v1/balance", kind: "error")
        do {
            _ = try await phone.client.balance()
            XCTFail("no server error")
        } catch let CvError.server(status) {
            XCTAssertEqual(status, 500)
            XCTAssertTrue(CvError.server(status: status).isRetryable())
        }
    }

    func testCertificateRejectedByThePins() async throws {
        let tls = try Sandbox(tls: true)
        defer { tls.stop() }
        XCTAssertTrue(tls.pin?.hasPrefix("sha256/") ?? false, "\(String(describing: tls.pin))")
        let otherKeys = ["sha256/" + String(repeating: "A", count: 43) + "=", "sha256/" + String(repeating: "B", count: 42) + "A="]
        for pins in [otherKeys, []] {  // pinned to other keys; or no pin, the system's CAs alone
            let phone = try Phone(tls) { ClientConfig(baseUrl: $0.baseUrl, dataDir: $0.dataDir, spkiPins: pins) }
            do {
                _ = try await phone.client.enroll(email: seedEmail, activationCode: "CODE", pushToken: nil, platform: .ios)
                XCTFail("talked to an unpinned key")
            } catch CvError.certificateRejected {
                XCTAssertFalse(CvError.certificateRejected.isRetryable())
            }
        }
    }

    func testProtocolViolationForMalformedConfirmationFields() throws {
        let fields = ConfirmationFields(paymentId: "pay_1", nonce: "n", payeeId: "mer_1", payeeName: "Boutique",
                                        total: Decimal("10"), amount: Decimal("10"), expiresAt: 0,
                                        deviceId: "dev_1", sealedPinHash: Data([1, 2, 3]))
        do {
            _ = try canonicalConfirmationBytes(fields: fields)
            XCTFail("a 3-byte hash was accepted")
        } catch let CvError.protocolViolation(detail) {
            XCTAssertTrue(detail.contains("3 bytes"), detail)
        }
    }

    func testApiErrorForAWrongActivationCode() async throws {
        let email = try await Sandbox.shared.newAccount(balance: "10.00")
        let phone = try Phone()
        do {
            _ = try await phone.client.enroll(email: email, activationCode: "WRONG-CODE", pushToken: nil, platform: .ios)
            XCTFail("enrolled with a wrong code")
        } catch let CvError.api(code, serverMessage, httpStatus) {
            XCTAssertEqual(code, "invalid_activation_code")
            XCTAssertEqual(httpStatus, 403)
            XCTAssertFalse(serverMessage.isEmpty)
        }
        XCTAssertFalse(try phone.client.isEnrolled())
    }

    func testNotEnrolledThenAlreadyEnrolled() async throws {
        let email = try await Sandbox.shared.newAccount(balance: "10.00")
        let phone = try Phone()
        do {
            _ = try await phone.client.balance()
            XCTFail("a balance before enrollment")
        } catch CvError.notEnrolled {
            XCTAssertEqual(ErrorPresentation(CvError.notEnrolled).action, .enrollAgain)
        }
        try await phone.enroll(email)
        do {
            try await phone.enroll(email)
            XCTFail("enrolled twice")
        } catch CvError.alreadyEnrolled {
            XCTAssertEqual(CvError.alreadyEnrolled.userMessage(), "Cet appareil est déjà activé.")
        }
    }

    func testEnrollmentLostWhenTheDatabaseIsGoneThenEnrolledAgainWithTheSameKey() async throws {
        let email = try await Sandbox.shared.newAccount(balance: "30.00")
        let signer = try softwareDeviceSigner()
        let dataDir = Phone.temporaryDirectory()
        do {
            let phone = try Phone(signer: signer, dataDir: dataDir)
            try await phone.enroll(email)
        }  // the client is closed here
        let database = URL(fileURLWithPath: dataDir).appendingPathComponent("cvconnect.sqlite3")
        try FileHandle(forWritingTo: database).truncate(atOffset: 0)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database.path + suffix) }

        let phone = try Phone(signer: signer, dataDir: dataDir)
        do {
            _ = try phone.client.isEnrolled()
            XCTFail("a lost enrollment taken for a new phone")
        } catch CvError.enrollmentLost {
            XCTAssertEqual(ErrorPresentation(CvError.enrollmentLost).action, .enrollAgain)
        }
        try await phone.enroll(email)
        let balance = try await phone.client.balance()
        XCTAssertEqual(balance.amount, Decimal("30"), "the same key authenticates")
    }

    func testUnauthorizedWhenTheDeviceKeyWasReplaced() async throws {
        let (phone, _) = try await Phone.enrolled(balance: "10.00")
        // What the old SecureEnclaveSigner did on a locked launch: a new key, same data.
        let replaced = try Phone(dataDir: phone.dataDir)
        do {
            _ = try await replaced.client.balance()
            XCTFail("the backend accepted another key")
        } catch CvError.unauthorized {
            XCTAssertEqual(ErrorPresentation(CvError.unauthorized).action, .enrollAgain)
        }
    }

    func testPaymentNotFoundAndAlreadyHandled() async throws {
        let (phone, email) = try await Phone.enrolled(balance: "10.00")
        do {
            _ = try await phone.client.openPayment(paymentId: "pay_doesnotexist")
            XCTFail("opened a payment that does not exist")
        } catch let CvError.paymentNotFound(paymentId) {
            XCTAssertEqual(paymentId, "pay_doesnotexist")
            XCTAssertEqual(CvError.paymentNotFound(paymentId: paymentId).userMessage(), "Cette demande de paiement est introuvable.")
            XCTAssertEqual(CvError.paymentNotFound(paymentId: paymentId).description, "payment pay_doesnotexist not found")
        }
        let session = try await phone.client.openFromPush(data: try await phone.push(for: email, total: "20.00"))
        _ = try await session.decline()
        do {
            _ = try session.startPinEntry()
            XCTFail("a keypad for a declined payment")
        } catch let CvError.alreadyHandled(status) {
            XCTAssertEqual(status, .cancelled)
        }
    }

    func testInvalidAmountAndPinEntryMisuse() throws {
        XCTAssertEqual(try parseAmount(text: "1 234,56 €"), Decimal("1234.56"))
        for bad in [{ try parseAmount(text: "1,2,3") }, { try parseAmount(text: "-5") }] {
            do {
                _ = try bad()
                XCTFail("accepted")
            } catch let CvError.invalidAmount(detail) {
                XCTAssertEqual(CvError.invalidAmount(detail: detail).userMessage(), detail, "already the French sentence")
            }
        }
        do {
            _ = try formatAmountFr(amount: Decimal("1.234"))
            XCTFail("three decimals formatted")
        } catch CvError.invalidAmount {}
        do {
            _ = try Keypad(pinLength: 3)
            XCTFail("a three-digit keypad")
        } catch CvError.pinEntry {}
        let keypad = try Keypad(pinLength: 4)
        do {
            _ = try keypad.press(position: 10)
            XCTFail("a key that does not exist")
        } catch let CvError.pinEntry(detail) {
            XCTAssertEqual(detail, "Touche inconnue (10).")
        }
        _ = try keypad.press(position: 0)
        _ = try keypad.press(position: 1)
        XCTAssertEqual(keypad.erase().entered, 1)
        XCTAssertEqual(keypad.clear().entered, 0)
        XCTAssertFalse(keypad.isExpired())
    }

    func testSignerFailuresComeBackTyped() async throws {
        let email = try await Sandbox.shared.newAccount(balance: "10.00")
        let cases: [(any Error & Sendable, (CvError) -> Bool)] = [
            (SignerFailure.userCancelled, { $0 == .signerCancelled }),
            (SignerFailure.keyInvalidated, { $0 == .keyInvalidated }),
            (SignerFailure.failed(reason: "enclave busy"), { if case let .signer(detail) = $0 { detail.contains("enclave busy") } else { false } }),
            (SignerFailure.unavailable(reason: "device locked"), { if case let .signer(detail) = $0 { detail.contains("device locked") } else { false } }),
            (HarnessFailure(description: "keystore exploded"), { if case .signer = $0 { true } else { false } }),
        ]
        for (thrown, expected) in cases {
            let phone = try Phone(signer: try FailingSigner(thrown))
            do {
                try await phone.enroll(email)
                XCTFail("enrolled with a failing signer")
            } catch let error as CvError {
                XCTAssertTrue(expected(error), "\(thrown) became \(error)")
            }
        }
    }

    func testStorageErrorForAnUnusableDataFolder() throws {
        let file = Phone.temporaryDirectory() + "/not-a-folder"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        do {
            _ = try Phone(dataDir: file)
            XCTFail("a client on a file")
        } catch let CvError.storage(detail) {
            XCTAssertFalse(detail.isEmpty)
        }
    }

    @MainActor
    func testARefusedPushIsAPushError() async throws {
        let (phone, _) = try await Phone.enrolled(balance: "10.00")
        let flow = PaymentFlow(client: phone.client)
        let recorder = StateRecorder(flow)
        flow.openFromPush(["type": "payment_request", "payment_id": "pay 1", "message_id": "msg_1"])
        await flow.settle()
        XCTAssertEqual(recorder.kinds, [.loading, .error])
        guard case let .error(error) = flow.state, case .push? = error.cause else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(error.message, error.cause?.userMessage())
    }

    func testInvalidConfigIsRefusedAtConstruction() throws {
        for config in [ClientConfig(baseUrl: "http://api.example.fr", dataDir: Phone.temporaryDirectory()),
                       ClientConfig(baseUrl: "https://api.example.fr", dataDir: Phone.temporaryDirectory(), requestTimeoutMs: 0)] {
            do {
                _ = try CvClient(config: config, signer: try softwareDeviceSigner(), logSink: nil)
                XCTFail("accepted \(config)")
            } catch let CvError.invalidConfig(reason) {
                XCTAssertFalse(reason.isEmpty)
            }
        }
    }

    func testAPanicBecomesUnexpected() async throws {
        do {
            try cvconnectSelftestPanic(reason: "sync")
            XCTFail("no error")
        } catch let CvError.unexpected(detail) {
            XCTAssertTrue(detail.contains("sync"), detail)
        }
        do {
            try await cvconnectSelftestPanicAsync(reason: "async")
            XCTFail("no error")
        } catch let CvError.unexpected(detail) {
            XCTAssertTrue(detail.contains("async"), detail)
            let presented = ErrorPresentation(CvError.unexpected(detail: detail))
            XCTAssertEqual(presented.message, ErrorPresentation.unexpectedMessage)
            XCTAssertEqual(presented.action, .dismiss)
        }
    }
}

/// The one case that needs five idle minutes in an app: the test library's lapsed keypad.
final class PinEntryExpiredTests: XCTestCase {
    func testALapsedEntryThrowsPinEntryExpired() throws {
        let keypad = try Keypad.lapsed(pinLength: 4)
        XCTAssertTrue(keypad.isExpired())
        do {
            _ = try keypad.press(position: 0)
            XCTFail("a lapsed entry took a key")
        } catch CvError.pinEntryExpired {
            XCTAssertTrue(CvError.pinEntryExpired.localizedDescription.contains("inactivité"))
        }
    }
}
