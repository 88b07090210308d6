import CVConnect
import CVConnectKit
import Foundation
import XCTest

/// The account's phones through the real binding: the list, a lost phone revoked from
/// another with the PIN typed by key positions, and a wrong PIN counted.
final class DevicesTests: XCTestCase {
    /// Two phones enrolled on one fresh account: the one kept, the one lost.
    private func twoPhones() async throws -> (kept: Phone, lost: Phone) {
        let (kept, email) = try await Phone.enrolled(balance: "100.00")
        let lost = try Phone()
        try await lost.enroll(email)
        return (kept, lost)
    }

    private func deviceId(_ phone: Phone) throws -> String {
        try XCTUnwrap(try phone.client.enrolledDevice()).deviceId
    }

    private func revoke(_ target: Phone, from phone: Phone, pin: String) async throws -> RevocationOutcome {
        let keypad = try await phone.client.startRevocationPinEntry()
        try type(pin, on: keypad)
        return try await phone.client.revokeDevice(deviceId: try deviceId(target), keypad: keypad)
    }

    func testTheListShowsBothPhonesAndMarksThisOne() async throws {
        let (kept, lost) = try await twoPhones()
        let listed = try await kept.client.devices()
        XCTAssertEqual(listed.map(\.deviceId), [try deviceId(kept), try deviceId(lost)])
        XCTAssertEqual(listed.map(\.current), [true, false])
        XCTAssertEqual(Set(listed.map(\.name)), ["iPhone"])
        XCTAssertEqual(Set(listed.map(\.platform)), [.ios])
        let fromLost = try await lost.client.devices()
        XCTAssertEqual(fromLost.map(\.current), [false, true])
    }

    func testARevokedPhoneIsToldAtItsNextCallAndIsNoLongerEnrolled() async throws {
        let (kept, lost) = try await twoPhones()
        guard case let .revoked(revokedAt) = try await revoke(lost, from: kept, pin: seedPin) else {
            return XCTFail("not revoked")
        }
        XCTAssertGreaterThan(revokedAt, 0)
        do {
            _ = try await lost.client.balance()
            XCTFail("a revoked phone read its balance")
        } catch CvError.deviceRevoked {
            XCTAssertEqual(CvError.deviceRevoked.userMessage(),
                           "Ce téléphone a été déconnecté de votre compte. Activez-le à nouveau pour payer.")
        }
        XCTAssertFalse(try lost.client.isEnrolled())
        let remaining = try await kept.client.devices()
        XCTAssertEqual(remaining.map(\.deviceId), [try deviceId(kept)])
    }

    func testAWrongPinOnRevokeIsCounted() async throws {
        let (kept, lost) = try await twoPhones()
        let wrong = seedPin == "0000" ? "1111" : "0000"
        let outcome = try await revoke(lost, from: kept, pin: wrong)
        XCTAssertEqual(outcome, .wrongPin(attemptsLeft: 2))
        let balance = try await lost.client.balance()
        XCTAssertEqual(balance.amount, Decimal(100), "the phone stays enrolled")
    }

    func testAPhoneRevokedByAnAdministratorIsToldAtItsNextCall() async throws {
        let (kept, lost) = try await twoPhones()
        try await Sandbox.shared.revokeDevice(try deviceId(lost))
        do {
            _ = try await lost.client.pendingPayments()
            XCTFail("a revoked phone listed its payments")
        } catch CvError.deviceRevoked {}
        XCTAssertFalse(try lost.client.isEnrolled())
        let balance = try await kept.client.balance()
        XCTAssertEqual(balance.amount, Decimal(100))
    }
}
