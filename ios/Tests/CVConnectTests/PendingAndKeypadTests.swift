import CVConnect
import CVConnectKit
import Foundation
import XCTest

/// A lost push, a duplicate push, the keypad's editing, and two calls racing on one
/// payment, through `PendingPaymentsFlow` and `PaymentFlow`.
final class PendingAndKeypadTests: XCTestCase, @unchecked Sendable {  // no stored state; some tests run on the main actor
    @MainActor
    func testThePendingListCoversALostPush() async throws {
        let (phone, email) = try await Phone.enrolled(balance: "200.00")
        let paymentId = try await phone.sandbox.createPayment(account: email, total: "42.00")  // its push is never read

        let pending = PendingPaymentsFlow(client: phone.client)
        var loading: [Bool] = []
        pending.observe { loading.append($0.loading) }
        await pending.refresh()
        XCTAssertEqual(loading, [true, false])
        XCTAssertEqual(pending.state.balanceText, "200,00\u{a0}€")
        XCTAssertFalse(pending.state.balanceStale)
        XCTAssertNil(pending.state.error)
        let line = try XCTUnwrap(pending.state.payments.first { $0.id == paymentId })
        XCTAssertEqual(line.payeeName, "Boutique Démo")
        XCTAssertEqual(line.totalText, "42,00\u{a0}€")

        let flow = PaymentFlow(client: phone.client)
        let recorder = StateRecorder(flow)
        flow.openPayment(id: line.id)
        await flow.settle()
        XCTAssertEqual(recorder.kinds, [.loading, .payment])
        XCTAssertEqual(try flow.shown(\.asPayment).view.total, Decimal("42"))
    }

    @MainActor
    func testThePendingListKeepsTheLastBalanceWhenOffline() async throws {
        let (phone, _) = try await Phone.enrolled(balance: "64.00")
        _ = try await phone.client.balance()
        let offline = try Phone(baseURL: try closedURL(), dataDir: phone.dataDir)
        let pending = PendingPaymentsFlow(client: offline.client)
        await pending.refresh()
        XCTAssertEqual(pending.state.balanceText, "64,00\u{a0}€")
        XCTAssertTrue(pending.state.balanceStale)
        XCTAssertEqual(pending.state.error, CvError.offline.userMessage())
        XCTAssertFalse(pending.state.loading)
    }

    @MainActor
    func testADuplicatePushOpensTheSamePaymentAndPaysOnce() async throws {
        let (phone, email) = try await Phone.enrolled(balance: "200.00")
        let push = try await phone.push(for: email, total: "35.00")
        let first = try await phone.client.openFromPush(data: push)
        let again = try await phone.client.openFromPush(data: push)
        XCTAssertEqual(first.paymentId(), again.paymentId())

        let flow = PaymentFlow(client: phone.client)
        let recorder = StateRecorder(flow)
        await flow.open(push)
        await flow.open(push)  // the same notification delivered twice
        let paymentId = try flow.shown(\.asPayment).view.paymentId
        XCTAssertEqual(paymentId, first.paymentId())
        try await flow.confirm(with: seedPin)
        await flow.open(push)  // and once more after paying
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .loading, .payment, .pinEntry, .sending, .result, .loading, .error])
        XCTAssertEqual(try flow.shown(\.asError).cause, .alreadyHandled(status: .authorised))
        let debits = try await phone.sandbox.debits(of: paymentId)
        XCTAssertEqual(debits, 1)
    }

    @MainActor
    func testKeypadEditingEraseCancelAndAFullKeypad() async throws {
        let (_, _, flow, recorder) = try await Phone.enrolledWithFlow(total: "20.00")
        try flow.startPinEntry(typing: "482")
        flow.erase()
        XCTAssertEqual(try flow.shown(\.asPinEntry).entered, 2)
        flow.validate()
        XCTAssertEqual(flow.state.kind, .pinEntry, "no validation before the code is complete")

        flow.cancelPinEntry()
        XCTAssertEqual(flow.state.kind, .payment)
        flow.startPinEntry()
        XCTAssertEqual(try flow.shown(\.asPinEntry).entered, 0, "the digits typed before were dropped")
        try flow.type(seedPin)
        flow.press(position: 0)  // a fifth digit on a four-digit code: ignored
        XCTAssertTrue(try flow.shown(\.asPinEntry).complete)
        flow.validate()
        await flow.settle()
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .payment, .pinEntry, .sending, .result])
        XCTAssertEqual(PaymentScreenState.keyGrid.joined().compactMap { $0 }.sorted(), Array(0...9))
    }

    @MainActor
    func testASecondConfirmationWhileOneIsInFlight() async throws {
        let (phone, email) = try await Phone.enrolled(balance: "200.00")
        let session = try await phone.client.openFromPush(data: try await phone.push(for: email, total: "40.00"))
        try await phone.sandbox.armFault(route: confirmRoute, kind: "delay", delayMs: 3000)
        let firstKeypad = try keypad(session, with: seedPin)
        let first = Task { try await session.confirm(keypad: firstKeypad) }
        // The first request has reached the backend once the fault is used up.
        try await phone.sandbox.waitUntil("the first confirmation at the backend") {
            try await phone.sandbox.armedFaults() == 0
        }
        do {
            _ = try await session.confirm(keypad: try keypad(session, with: seedPin))
            XCTFail("a second confirmation went through")
        } catch CvError.confirmationInProgress {
            XCTAssertEqual(CvError.confirmationInProgress.errorDescription, CvError.confirmationInProgress.userMessage())
        }
        let outcome = try await first.value
        XCTAssertEqual(outcome, .paidInFull(paid: Decimal("40"), balance: Decimal("160")))
        let debits = try await phone.sandbox.debits(of: session.paymentId())
        XCTAssertEqual(debits, 1)
    }

    @MainActor
    func testACancelledSignatureComesBackToTheKeypad() async throws {
        let signer = try SwitchableSigner()
        let email = try await Sandbox.shared.newAccount(balance: "200.00")
        let phone = try Phone(signer: signer)
        try await phone.enroll(email)
        _ = try await phone.client.balance()  // the device's token, signed while the key works
        let (flow, recorder) = try await phone.flowFromPush(total: "30.00", account: email)
        try flow.startPinEntry(typing: seedPin)
        signer.failure = SignerFailure.userCancelled  // the user dismisses Face ID
        flow.validate()
        await flow.settle()
        XCTAssertEqual(try flow.shown(\.asPinEntry).message, CvError.signerCancelled.userMessage())
        signer.failure = nil
        try await flow.submit(seedPin)
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .pinEntry, .sending, .result])
        XCTAssertTrue(try flow.shown(\.asResult).paid)
    }
}

/// The software key, whose signatures fail with `failure` while it is set.
final class SwitchableSigner: DeviceSigner, @unchecked Sendable {  // `failure` behind `lock`
    private let real: any DeviceSigner
    private let lock = NSLock()
    private var current: (any Error & Sendable)?

    init() throws { real = try softwareDeviceSigner() }

    var failure: (any Error & Sendable)? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    func publicKey() throws -> Data { try real.publicKey() }

    func sign(message: Data) throws -> Data {
        if let failure { throw failure }
        return try real.sign(message: message)
    }
}

/// The URL of a sandbox that was started and stopped: nothing listens there any more.
func closedURL() throws -> String {
    let gone = try Sandbox()
    gone.stop()
    return gone.baseURL
}
