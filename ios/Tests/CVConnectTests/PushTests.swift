import CVConnect
import CVConnectKit
import CVConnectPush
import Foundation
import XCTest

/// What the notification service extension decides without the core: the payload's
/// shape (checked against the core's own parser) and the texts shown; and the copies of a
/// push that the core recognises by message id.
final class PushTests: XCTestCase {
    static let valid = ["type": "payment_request", "payment_id": "pay_01-AZ_z9", "message_id": "msg_01"]

    static let payloads: [[String: String]] = [
        valid,
        valid.merging(["from": "apns", "extra": "ignored"]) { $1 },
        valid.merging(["type": "promotion"]) { $1 },
        valid.merging(["payment_id": "pay 1"]) { $1 },
        valid.merging(["payment_id": "pay_é"]) { $1 },
        valid.merging(["payment_id": String(repeating: "p", count: 64)]) { $1 },
        valid.merging(["payment_id": String(repeating: "p", count: 65)]) { $1 },
        valid.merging(["message_id": ""]) { $1 },
        valid.filter { $0.key != "message_id" },
        valid.filter { $0.key != "type" },
        valid.merging(["filler": String(repeating: "x", count: 4050)]) { $1 },
        valid.merging(["filler": String(repeating: "x", count: 3990)]) { $1 },
    ]

    /// The extension's check and the core's parser agree, payload by payload: the core
    /// refuses with `CvError.push` exactly what the extension does not recognise.
    func testTheShapeCheckAgreesWithTheCoresParser() async throws {
        let phone = try Phone()  // not enrolled: a recognised push stops at `notEnrolled`
        for data in Self.payloads {
            let recognised = PushPayload(data) != nil
            do {
                _ = try await phone.client.openFromPush(data: data)
                XCTFail("opened without enrollment")
            } catch CvError.push {
                XCTAssertFalse(recognised, "the core refused \(data.mapValues { $0.prefix(20) })")
            } catch CvError.notEnrolled {
                XCTAssertTrue(recognised, "the extension refused \(data.mapValues { $0.prefix(20) })")
            }
        }
        XCTAssertEqual(PushPayload(Self.valid), PushPayload(Self.valid))
        XCTAssertEqual(PushPayload(Self.valid)?.paymentId, "pay_01-AZ_z9")
    }

    /// A push that arrives again is a copy after its payment screen closed and after the
    /// app restarted (a new client on the same folder and key); a tap still opens the
    /// payment; a new message id for the same payment is not a copy.
    func testACopyIsDroppedAfterTheScreenClosedAndAfterARestart() async throws {
        let signer = try softwareDeviceSigner()
        let email = try await Sandbox.shared.newAccount(balance: "200.00")
        let phone = try Phone(signer: signer)
        try await phone.enroll(email)
        let push = try await phone.push(for: email, total: "150.00")
        let paymentId = try XCTUnwrap(push["payment_id"])
        let (new, copy) = (PushReceipt(paymentId: paymentId, duplicate: false), PushReceipt(paymentId: paymentId, duplicate: true))

        XCTAssertEqual(try phone.client.receivePush(data: push), new)
        _ = try await phone.client.openFromPush(data: push)  // the payment screen opened, then closed
        XCTAssertEqual(try phone.client.receivePush(data: push), copy)
        XCTAssertFalse(phone.client.shouldPresentArrivedPush(push))

        let restarted = try Phone(signer: signer, dataDir: phone.dataDir)
        XCTAssertEqual(try restarted.client.receivePush(data: push), copy)
        let tapped = try await restarted.client.openFromPush(data: push)
        XCTAssertEqual(tapped.paymentId(), paymentId, "a tap opens the payment, copy or not")
        let reminder = push.merging(["message_id": "msg_reminder"]) { $1 }
        XCTAssertTrue(restarted.client.shouldPresentArrivedPush(reminder))
        XCTAssertEqual(try restarted.client.receivePush(data: reminder), copy, "recorded by the first arrival")
    }

    func testTheNotificationNeverShowsTheAlertItCarries() {
        let userInfo: [AnyHashable: Any] = [
            "aps": ["alert": ["title": "Paiement de 1 000 € validé", "body": "Cliquez ici : http://evil.example"]],
            "type": "payment_request", "payment_id": "pay_123", "message_id": "msg_9", "n": 3,
        ]
        let data = PushPayload.dataKeys(from: userInfo)
        XCTAssertEqual(data, ["type": "payment_request", "payment_id": "pay_123", "message_id": "msg_9"])

        let text = PushNotificationText(data: data)
        XCTAssertEqual(text.title, "Chèque-Vacances Connect")
        XCTAssertEqual(text.body, "Nouvelle demande de paiement. Ouvrez l'application pour la vérifier.")
        XCTAssertEqual(text.categoryIdentifier, "PAYMENT_REQUEST")
        XCTAssertEqual(text.threadIdentifier, "payment-requests")
        XCTAssertTrue(text.timeSensitive)

        let hostile = PushNotificationText(data: ["type": "promotion", "payment_id": "pay_123", "message_id": "m"])
        XCTAssertEqual(hostile.title, "Chèque-Vacances Connect")
        XCTAssertNil(hostile.categoryIdentifier)
        XCTAssertFalse(hostile.timeSensitive, "only payment requests break through a Focus")
        for shown in [text.title, text.body, hostile.title, hostile.body] {
            XCTAssertFalse(shown.contains("1 000") || shown.contains("http"), shown)
        }
    }
}
