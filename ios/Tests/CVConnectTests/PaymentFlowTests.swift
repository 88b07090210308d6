import CVConnect
import CVConnectKit
import XCTest

/// The payment flows end to end through `PaymentFlow` (the twin of the Android
/// `PaymentPresenter`): the real library on the phone side, a real sandbox on the other,
/// and the sequence of screens the flow goes through.
final class PaymentFlowTests: XCTestCase, @unchecked Sendable {  // no stored state; some tests run on the main actor
    func testEnrollmentGivesTheDeviceAndTheBalance() async throws {
        let sandbox = Sandbox.shared
        let email = try await sandbox.newAccount(balance: "75.00")
        let phone = try Phone()
        XCTAssertFalse(try phone.client.isEnrolled())
        XCTAssertNil(try phone.client.enrolledDevice())

        let device = try await phone.enroll(email)
        XCTAssertTrue(device.deviceId.hasPrefix("dev_"), device.deviceId)
        XCTAssertEqual(device.emailMasked, "s***@example.fr")
        XCTAssertTrue(try phone.client.isEnrolled())
        XCTAssertEqual(try phone.client.enrolledDevice(), device)
        let balance = try await phone.client.balance()
        XCTAssertEqual(balance.amount, Decimal("75.00"))
        XCTAssertEqual(balance.text, "75,00\u{a0}€")
        XCTAssertFalse(balance.stale)
        // The cache is written off the path to the screen: it appears shortly after.
        let client = phone.client
        try await Sandbox.shared.waitUntil("the balance cached") { try client.cachedBalance() != nil }
        XCTAssertEqual(try phone.client.cachedBalance()?.amount, Decimal("75"))
        XCTAssertEqual(try phone.client.cachedBalance()?.stale, true)
    }

    @MainActor
    func testSeedFlowPaidInFullFromAPush() async throws {
        let phone = try Phone()
        try await phone.enroll(seedEmail)
        let (flow, recorder) = try await phone.flowFromPush(total: "150.00", account: seedEmail)
        let screen = try flow.shown(\.asPayment)
        XCTAssertEqual(screen.view.payeeName, "Boutique Démo")
        XCTAssertEqual(screen.view.status, .pending)
        XCTAssertEqual([screen.view.total, screen.view.balance, screen.view.amount, screen.view.remainder],
                       [Decimal("150.00"), Decimal("200.00"), Decimal("150.00"), Decimal("0")])
        XCTAssertEqual(screen.view.totalText, "150,00\u{a0}€")
        XCTAssertTrue(screen.canConfirm)
        XCTAssertFalse(screen.hasRemainder)

        flow.startPinEntry()
        let entry = try flow.shown(\.asPinEntry)
        XCTAssertEqual(entry.layout.sorted(), Array(0...9))
        XCTAssertEqual([entry.entered, entry.required], [0, 4])
        try await flow.submit(seedPin)

        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .result])
        let entered = recorder.states.compactMap(\.asPinEntry?.entered)
        XCTAssertEqual(entered, [0, 1, 2, 3, 4], "digits counted, never shown")
        let result = try flow.shown(\.asResult)
        XCTAssertEqual(result.outcome, .paidInFull(paid: Decimal("150.00"), balance: Decimal("50.00")))
        XCTAssertEqual(result.message, "Votre achat est validé !")
        XCTAssertTrue(result.paid)

        let paymentId = screen.view.paymentId
        let merchant = try await phone.sandbox.merchant(paymentId)
        XCTAssertEqual(merchant.status, "AUTHORISED")
        let debits = try await phone.sandbox.debits(of: paymentId)
        XCTAssertEqual(debits, 1)
        let balance = try await phone.client.balance()
        XCTAssertEqual(balance.amount, Decimal("50"))
        let record = try XCTUnwrap(try phone.client.history().first { $0.paymentId == paymentId })
        XCTAssertEqual(record.status, .authorised)
        XCTAssertEqual(record.paidAmount, Decimal("150"))
    }

    @MainActor
    func testPaidInPartWhenTheBalanceIsShort() async throws {
        let (phone, _, flow, recorder) = try await Phone.enrolledWithFlow(total: "150.00", balance: "120.00")
        let screen = try flow.shown(\.asPayment)
        XCTAssertEqual([screen.view.amount, screen.view.remainder, screen.view.maxAmount],
                       [Decimal("120"), Decimal("30"), Decimal("120")])
        XCTAssertTrue(screen.hasRemainder)
        XCTAssertEqual(screen.view.remainderText, "30,00\u{a0}€")

        try await flow.confirm(with: seedPin)

        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .result])
        let result = try flow.shown(\.asResult)
        XCTAssertEqual(result.outcome, .paidInPart(paid: Decimal("120"), remainder: Decimal("30"), balance: Decimal("0")))
        XCTAssertTrue(result.message.contains("30,00\u{a0}€"), result.message)
        let merchant = try await phone.sandbox.merchant(screen.view.paymentId)
        XCTAssertEqual(merchant.status, "PARTIALLY_AUTHORISED")
        XCTAssertEqual(merchant.paid, "120.00")
        XCTAssertEqual(merchant.remaining, "30.00")
    }

    @MainActor
    func testAnAmountTypedInFrench() async throws {
        let (_, _, flow, recorder) = try await Phone.enrolledWithFlow(total: "150.00")

        flow.setAmount("250")
        let refused = try flow.shown(\.asPayment)
        XCTAssertTrue(refused.amountError?.hasPrefix("Le montant dépasse") ?? false, "\(refused)")
        XCTAssertFalse(refused.canConfirm)
        flow.startPinEntry()
        XCTAssertEqual(flow.state.kind, .payment, "no keypad for a refused amount")

        flow.setAmount("100,50 €")
        let screen = try flow.shown(\.asPayment)
        XCTAssertNil(screen.amountError)
        XCTAssertEqual([screen.view.amount, screen.view.remainder], [Decimal("100.50"), Decimal("49.50")])
        XCTAssertEqual(screen.view.amountText, "100,50\u{a0}€")

        try await flow.confirm(with: seedPin)
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .result])
        let result = try flow.shown(\.asResult)
        XCTAssertEqual(result.outcome, .paidInPart(paid: Decimal("100.50"), remainder: Decimal("49.50"), balance: Decimal("99.50")))
    }

    @MainActor
    func testWrongPinWarnsOnTheLastAttemptThenLocks() async throws {
        let (phone, email, flow, recorder) = try await Phone.enrolledWithFlow(total: "60.00")
        flow.startPinEntry()

        var messages: [String?] = []
        for wrong in ["0000", "0001", "0002"] {
            try await flow.submit(wrong)
            if let entry = flow.state.asPinEntry {
                messages.append(entry.message)
                XCTAssertEqual(entry.entered, 0, "a fresh keypad")
            }
        }
        XCTAssertEqual(messages.first, "Code personnel incorrect. Il vous reste 2 tentatives.")
        XCTAssertTrue(messages.last??.contains("Dernière tentative") ?? false, "\(messages)")
        XCTAssertEqual(messages.count, 2)
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .pinEntry, .sending, .pinEntry, .sending, .result])
        let result = try flow.shown(\.asResult)
        XCTAssertEqual(result.outcome, .locked)
        XCTAssertFalse(result.paid)
        let paymentId = try XCTUnwrap(result.view?.paymentId)
        let merchant = try await phone.sandbox.merchant(paymentId)
        XCTAssertEqual(merchant.status, "REFUSED")

        // The code stays locked for the next payment: nothing is debited.
        let (following, _) = try await phone.flowFromPush(total: "30.00", account: email)
        try await following.confirm(with: seedPin)
        XCTAssertEqual(try following.shown(\.asResult).outcome, .locked)
        let balance = try await phone.client.balance()
        XCTAssertEqual(balance.amount, Decimal("200"))
    }

    @MainActor
    func testAWrongPinThenTheRightOne() async throws {
        let (phone, _, flow, _) = try await Phone.enrolledWithFlow(total: "60.00")
        try await flow.confirm(with: "1111")
        let retry = try flow.shown(\.asPinEntry)
        XCTAssertEqual(retry.view.attemptsLeft, 2)
        let status = try await phone.sandbox.merchant(retry.view.paymentId).status
        XCTAssertEqual(status, "PENDING")
        try await flow.submit(seedPin)
        XCTAssertEqual(try flow.shown(\.asResult).outcome, .paidInFull(paid: Decimal("60"), balance: Decimal("140")))
    }

    @MainActor
    func testDeclineCancelsThePayment() async throws {
        let (phone, _, flow, recorder) = try await Phone.enrolledWithFlow(total: "80.00")
        let paymentId = try flow.shown(\.asPayment).view.paymentId
        flow.decline()
        await flow.settle()
        let result = try flow.shown(\.asResult)
        XCTAssertEqual(result.outcome, .declined)
        XCTAssertFalse(result.paid)
        let merchant = try await phone.sandbox.merchant(paymentId)
        XCTAssertEqual(merchant.status, "CANCELLED")
        let debits = try await phone.sandbox.debits(of: paymentId)
        XCTAssertEqual(debits, 0)

        // Reopened from the pending list: final already.
        flow.openPayment(id: paymentId)
        await flow.settle()
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .sending, .result, .loading, .error])
        let error = try flow.shown(\.asError)
        XCTAssertEqual(error.cause, .alreadyHandled(status: .cancelled))
        XCTAssertEqual(error.message, CvError.alreadyHandled(status: .cancelled).userMessage())
    }

    @MainActor
    func testDeclineFromTheKeypad() async throws {
        let (_, _, flow, recorder) = try await Phone.enrolledWithFlow(total: "25.00")
        try flow.startPinEntry(typing: "48")
        flow.decline()
        await flow.settle()
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .result])
        XCTAssertEqual(try flow.shown(\.asResult).outcome, .declined)
    }

    @MainActor
    func testExpiryWhileTheCodeIsTyped() async throws {
        let sandbox = try Sandbox()  // its clock moves: not the shared one
        defer { sandbox.stop() }
        let (_, _, flow, recorder) = try await Phone.enrolledWithFlow(total: "150.00", in: sandbox)
        try flow.startPinEntry(typing: seedPin)
        try await sandbox.advanceClock(seconds: 200)
        flow.validate()
        await flow.settle()
        XCTAssertEqual(recorder.kinds, [.loading, .payment, .pinEntry, .sending, .result])
        let result = try flow.shown(\.asResult)
        XCTAssertEqual(result.outcome, .expired)
        let paymentId = try XCTUnwrap(result.view?.paymentId)
        let merchant = try await sandbox.merchant(paymentId)
        XCTAssertEqual(merchant.status, "EXPIRED")
        let debits = try await sandbox.debits(of: paymentId)
        XCTAssertEqual(debits, 0)
    }
}
