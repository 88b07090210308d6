import CVConnect
import CVConnectKit
import Foundation
import XCTest

/// `DevicesFlow` against the sandbox: the list, a revocation with the PIN typed by the
/// positions of its digits, a wrong PIN, and the revoked phone's own screen.
final class DevicesFlowTests: XCTestCase, @unchecked Sendable {  // no stored state; the tests run on the main actor
    @MainActor
    private func twoPhones() async throws -> (kept: Phone, lost: Phone) {
        let (kept, email) = try await Phone.enrolled(balance: "100.00")
        let lost = try Phone()
        try await lost.enroll(email)
        return (kept, lost)
    }

    @MainActor
    private func loadedFlow(_ phone: Phone, onDisconnected: @escaping @MainActor () -> Void = {}) async -> DevicesFlow {
        let flow = DevicesFlow(client: phone.client, onDisconnected: onDisconnected)
        flow.refresh()
        await flow.settle()
        return flow
    }

    /// On the list, starts revoking the line that is not this phone and types `pin`.
    @MainActor
    private func typeRevocation(_ flow: DevicesFlow, pin: String) async throws {
        guard case let .list(rows, _) = flow.state else { return XCTFail("not on the list: \(flow.state)") }
        flow.startRevocation(deviceId: try XCTUnwrap(rows.first { $0.canRevoke }).deviceId)
        await flow.settle()
        guard case let .pinEntry(_, layout, 0, 4, _, _) = flow.state else { return XCTFail("no keypad: \(flow.state)") }
        for digit in pin { flow.press(position: layout.firstIndex(of: Int(String(digit))!)!) }
    }

    @MainActor
    func testTheListMarksThisPhoneInFrench() async throws {
        let (kept, _) = try await twoPhones()
        let flow = await loadedFlow(kept)
        guard case let .list(rows, nil) = flow.state else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(rows.map(\.canRevoke), [false, true])
        XCTAssertEqual(rows.map(\.name), ["iPhone", "iPhone"])
        XCTAssertTrue(rows[0].enrolledText.hasPrefix("Ajouté le "), rows[0].enrolledText)
        XCTAssertTrue(rows[0].lastUsedText.hasPrefix("Dernière utilisation le "), rows[0].lastUsedText)
    }

    @MainActor
    func testRevokingTheLostPhoneThenItShowsItWasDisconnected() async throws {
        let (kept, lost) = try await twoPhones()
        let flow = await loadedFlow(kept)
        try await typeRevocation(flow, pin: seedPin)
        flow.validate()
        await flow.settle()
        guard case let .revoked(row) = flow.state else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(DevicesScreenState.revokedMessage(row), "« iPhone » a été déconnecté de votre compte.")

        var told = false
        let onLost = await loadedFlow(lost) { told = true }
        XCTAssertEqual(onLost.state, .thisPhoneDisconnected)
        XCTAssertTrue(told)
        XCTAssertFalse(try lost.client.isEnrolled())
    }

    @MainActor
    func testAWrongPinComesBackToANewKeypadWithTwoAttemptsLeft() async throws {
        let (kept, _) = try await twoPhones()
        let flow = await loadedFlow(kept)
        try await typeRevocation(flow, pin: seedPin == "0000" ? "1111" : "0000")
        flow.validate()
        await flow.settle()
        guard case let .pinEntry(_, _, entered, _, attemptsLeft, message) = flow.state else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(entered, 0)
        XCTAssertEqual(attemptsLeft, 2)
        XCTAssertEqual(message, "Code personnel incorrect. Il vous reste 2 tentatives.")
        flow.cancel()
        await flow.settle()
        guard case let .list(rows, _) = flow.state else { return XCTFail("\(flow.state)") }
        XCTAssertEqual(rows.count, 2, "nothing was revoked")
    }
}
