import CVConnect
import CVConnectKit
import Foundation
import XCTest

// The examples of docs/swift.md are the regions below, verbatim: a test compares them
// with the document's code blocks, and other tests run them against the sandbox.

// region: getting-started
/// Enrolls this device once, opens the payment a push announces, pays `amount` (as the
/// user typed it, in French) with the code typed on the core's shuffled keypad, and
/// returns the French sentence to show.
///
/// `touch` stands for the user: given the digit drawn on each key, it returns the keys
/// (positions) touched. The code's digits never exist in the app.
func payFromPush(
    backend: String, dataFolder: String, signer: any DeviceSigner,
    email: String, activationCode: String,
    push: [String: String], amount: String,
    touch: @Sendable (_ layout: [Int32]) -> [Int32]
) async throws -> String {
    let client = try CvClient(
        config: ClientConfig(baseUrl: backend, dataDir: dataFolder),
        signer: signer,
        logSink: nil
    )
    if try !client.isEnrolled() {
        _ = try await client.enroll(
            email: email, activationCode: activationCode, pushToken: nil, platform: .ios
        )
    }
    do {
        let session = try await client.openFromPush(data: push)
        let view = try session.setAmount(text: amount)  // "100,50 €" -> 100.50
        print("\(view.payeeName): \(view.amountText), reste \(view.remainderText)")

        let keypad = try session.startPinEntry()
        for position in touch(keypad.layout()) {
            _ = try keypad.press(position: position)
        }
        let outcome = try await session.confirm(keypad: keypad)
        return outcome.message()  // "Votre achat est validé !", "Il vous reste…"
    } catch let error as CvError {
        return error.userMessage()  // the core's French sentence
    }
}
// endregion

// region: payment-flow
/// The same payment through `PaymentFlow`, the state machine the screens draw:
/// every state is reported to the observer (SwiftUI: `PaymentModel.state`).
@MainActor
func payWithTheFlow(client: CvClient, push: [String: String], pinKeys: (_ layout: [Int]) -> [Int]) async -> PaymentScreenState {
    let flow = PaymentFlow(client: client)
    flow.observe { state in print("screen:", state.kind) }

    flow.openFromPush(push)      // .loading, then .payment
    await flow.settle()
    flow.setAmount("20,00")      // .payment with the new amount
    flow.startPinEntry()         // .pinEntry: draw layout[position] on each key
    if case let .pinEntry(entry) = flow.state {
        for position in pinKeys(entry.layout) { flow.press(position: position) }
    }
    flow.validate()              // .sending, then .result (or .pinEntry after a wrong code)
    await flow.settle()
    return flow.state
}
// endregion

final class GettingStartedTests: XCTestCase, @unchecked Sendable {  // no stored state; some tests run on the main actor
    /// docs/swift.md shows exactly the regions above.
    func testTheDocumentShowsTheSuitesCode() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let document = try String(contentsOf: workspaceRoot.appendingPathComponent("docs/swift.md"), encoding: .utf8)
        for name in ["getting-started", "payment-flow"] {
            let region = try XCTUnwrap(between(source, "// region: \(name)\n", "// endregion"), name)
            let block = try XCTUnwrap(between(document, "<!-- example: \(name) -->\n```swift\n", "```"), name)
            XCTAssertEqual(block, region, "docs/swift.md's \(name) differs from GettingStartedTests.swift")
        }
    }

    func testTheGettingStartedExampleRuns() async throws {
        let sandbox = Sandbox.shared
        let email = try await sandbox.newAccount(balance: "200.00")
        let signer = try softwareDeviceSigner()
        let phone = try Phone(signer: signer)  // the example's folder and key, to receive the push
        try await phone.enroll(email)
        let push = try await phone.push(for: email, total: "150.00")
        let message = try await payFromPush(
            backend: sandbox.baseURL, dataFolder: phone.dataDir, signer: signer,
            email: email, activationCode: "unused: enrolled already", push: push, amount: "100,50 €",
            touch: { layout in seedPin.map { Int32(layout.firstIndex(of: Int32(String($0))!)!) } }
        )
        XCTAssertTrue(message.contains("49,50\u{a0}€"), message)
        let status = try await sandbox.merchant(push["payment_id"]!).status
        XCTAssertEqual(status, "PARTIALLY_AUTHORISED")
    }

    @MainActor
    func testThePaymentFlowExampleRuns() async throws {
        let (phone, email) = try await Phone.enrolled(balance: "200.00")
        let state = await payWithTheFlow(client: phone.client, push: try await phone.push(for: email, total: "50.00")) { layout in
            seedPin.map { layout.firstIndex(of: Int(String($0))!)! }
        }
        guard case let .result(result) = state else { return XCTFail("\(state)") }
        XCTAssertEqual(result.outcome, .paidInPart(paid: Decimal("20"), remainder: Decimal("30"), balance: Decimal("180")))
    }
}

/// The text between `start` and the next `end`.
private func between(_ text: String, _ start: String, _ end: String) -> String? {
    guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
    return String(text[from.upperBound..<to.lowerBound])
}
