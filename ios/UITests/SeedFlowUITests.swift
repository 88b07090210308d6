import XCTest

/// The seed flow on a simulator, as a person does it, against a sandbox on the host (the
/// simulator shares the host's loopback):
///
///     cvconnect-sandbox --port 8787 --admin-token "$ADMIN" --seed sandbox/seed/demo.json --memory
///     TEST_RUNNER_CVCONNECT_ADMIN_TOKEN="$ADMIN" xcodebuild test -project CVConnectSample.xcodeproj \
///       -scheme CVConnectApp -destination 'platform=iOS Simulator,name=iPhone 15'
///
/// Enrolls camille.martin@example.fr, has the merchant ask for 150,00 €, takes the push
/// from the sandbox's feed and hands its data keys to the app (debug URL, the path of a
/// tapped notification), confirms, types 4827 by reading the digits drawn on the shuffled
/// keys, and checks the merchant sees AUTHORISED.
///
/// On a fresh simulator the app's first launch asks for the notification permission: a
/// system alert above the app that would swallow the test's taps. It is answered by an
/// interruption monitor and, since a monitor only runs when the test next touches the
/// app, by looking for it in SpringBoard right after launch.
///
/// The sandbox's routes come from the Swift kit's client (the suite's
/// `SandboxClient.swift`, listed among this target's sources in project.yml;
/// Tests/README.md): the seed e-mail and PIN, `JoinedSandbox`.
final class SeedFlowUITests: XCTestCase {
    /// The permission alert's button, in the simulator's language.
    static let allowLabels = ["Autoriser", "Allow"]

    override func setUpWithError() throws {
        continueAfterFailure = false
    }

    @MainActor
    func testSeedFlowInFullFromThePushFeed() async throws {
        guard #available(iOS 16.4, *) else { throw XCTSkip("XCUIApplication.open(_:) needs iOS 16.4") }
        let env = ProcessInfo.processInfo.environment
        let sandbox = JoinedSandbox(
            baseURL: env["CVCONNECT_SANDBOX_URL"] ?? "http://127.0.0.1:8787",
            adminToken: try XCTUnwrap(env["CVCONNECT_ADMIN_TOKEN"], "run with TEST_RUNNER_CVCONNECT_ADMIN_TOKEN=<admin token>")
        )

        let app = XCUIApplication()
        app.launchArguments.append("-cvconnect-reset") // not enrolled, no key
        app.launchEnvironment["CVCONNECT_BASE_URL"] = sandbox.baseURL
        addUIInterruptionMonitor(withDescription: "Notification permission") { alert in
            Self.tapAllow(in: alert)
        }
        app.launch()
        allowNotificationsIfAsked()

        // Activation, as the beneficiary types it.
        let code = try await sandbox.activationCode(seedEmail)
        let email = app.textFields["enroll-email"]
        XCTAssertTrue(email.waitForExistence(timeout: 10))
        email.tap()
        email.typeText(seedEmail)
        let codeField = app.textFields["enroll-code"]
        codeField.tap()
        codeField.typeText(code)
        app.buttons["Activer cet appareil"].tap()
        XCTAssertTrue(app.staticTexts["Aucun paiement en attente."].waitForExistence(timeout: 20)
            || app.staticTexts["Paiements en attente"].exists)

        // The merchant asks for 150,00 €; the push comes from the sandbox's feed.
        let paymentId = try await sandbox.createPayment(account: seedEmail, total: "150.00")
        let data = try await sandbox.awaitPush(paymentId: paymentId, timeout: 30)
        var url = URLComponents()
        url.scheme = "cvconnect-debug"
        url.host = "push"
        url.queryItems = data.map { URLQueryItem(name: $0.key, value: $0.value) }
        app.open(try XCTUnwrap(url.url))

        // The payment screen: 150,00 € on a 200,00 € balance.
        let confirm = app.buttons["Confirmer"]
        XCTAssertTrue(confirm.waitForExistence(timeout: 20))
        XCTAssertTrue(app.staticTexts["Boutique Démo"].exists)
        XCTAssertTrue(app.staticTexts.containing(NSPredicate(format: "label CONTAINS %@", "150,00")).count > 0)
        XCTAssertTrue(app.staticTexts.containing(NSPredicate(format: "label CONTAINS %@", "200,00")).count > 0)
        confirm.tap()

        // The shuffled keypad: find each digit of the PIN on the keys, press that key.
        let keys = app.buttons.matching(identifier: "pin-key")
        XCTAssertTrue(keys.firstMatch.waitForExistence(timeout: 10))
        XCTAssertEqual(keys.count, 10)
        for digit in seedPin {
            keys.matching(NSPredicate(format: "label == %@", String(digit))).firstMatch.tap()
        }
        app.buttons["Valider"].tap()

        XCTAssertTrue(app.staticTexts["Votre achat est validé !"].waitForExistence(timeout: 30))
        let status = try await sandbox.merchant(paymentId).status
        XCTAssertEqual(status, "AUTHORISED")
    }
}

extension SeedFlowUITests {
    /// Answers the permission alert if SpringBoard shows it within a few seconds.
    @MainActor
    func allowNotificationsIfAsked() {
        let springboard = XCUIApplication(bundleIdentifier: "com.apple.springboard")
        let alert = springboard.alerts.firstMatch
        if alert.waitForExistence(timeout: 5) { _ = Self.tapAllow(in: alert) }
    }

    @MainActor
    static func tapAllow(in alert: XCUIElement) -> Bool {
        for label in allowLabels where alert.buttons[label].exists {
            alert.buttons[label].tap()
            return true
        }
        return false
    }
}
