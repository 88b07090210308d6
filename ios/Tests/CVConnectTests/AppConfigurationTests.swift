import Foundation
import XCTest

/// What Linux can check of the Xcode project (ios/project.yml, read by XcodeGen on a
/// Mac): module names, the extension's dependencies, entitlements, language mode.
final class AppConfigurationTests: XCTestCase {
    private func text(_ path: String) throws -> String {
        try String(contentsOf: workspaceRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// Each target's module is its product name (PRODUCT_NAME, else the target's name);
    /// none may be a module of the package, or `import CVConnect` imports the app itself.
    func testNoAppModuleHidesAPackageModule() throws {
        let package = try text("ios/Package.swift")
        let packageModules = Set(matches(#"\.(?:target|systemLibrary|binaryTarget)\(name: "(\w+)""#, in: package))
        XCTAssertTrue(packageModules.isSuperset(of: ["CVConnectFFI", "CVConnect", "CVConnectKit", "CVConnectPush", "CVConnectApple"]))

        let project = try text("ios/project.yml")
        let targets = matches(#"(?m)^  (\w+):\n    type:"#, in: project)
        XCTAssertEqual(targets, ["CVConnectApp", "CVConnectNotificationService", "CVConnectUITests"])
        let productNames = matches(#"PRODUCT_NAME: (\w+)"#, in: project)
        XCTAssertEqual(productNames, ["CVConnectApp"])
        for module in Set(targets).union(productNames) {
            XCTAssertFalse(packageModules.contains(module), "\(module) is also a module of the package")
        }
        XCTAssertTrue(project.contains(#"SWIFT_VERSION: "6.0""#))
        XCTAssertTrue(project.contains("- Tests/CVConnectTests/SandboxClient.swift"), "the UI test compiles the kit's sandbox client")
    }

    /// The extension links the push texts only, and the app carries the entitlement the
    /// time-sensitive level needs.
    func testTheExtensionLinksNoCoreAndTheAppMayInterruptAFocus() throws {
        let project = try text("ios/project.yml")
        let start = try XCTUnwrap(project.range(of: "  CVConnectNotificationService:\n"))
        let end = try XCTUnwrap(project.range(of: "  CVConnectUITests:\n"))
        let extensionSpec = String(project[start.upperBound..<end.lowerBound])
        XCTAssertEqual(matches(#"product: (\w+)"#, in: extensionSpec), ["CVConnectPush"])
        let package = try text("ios/Package.swift")
        XCTAssertTrue(package.contains(#".target(name: "CVConnectPush"),"#), "CVConnectPush depends on nothing")

        let app = String(project[..<start.lowerBound])
        XCTAssertTrue(app.contains("com.apple.developer.usernotifications.time-sensitive: true"))
    }

    /// The app may call App Attest (`DeviceCheckAppAttest`) only with its entitlement.
    func testTheAppHasTheAppAttestEntitlementForAttestation() throws {
        let project = try text("ios/project.yml")
        let start = try XCTUnwrap(project.range(of: "  CVConnectNotificationService:\n"))
        let app = String(project[..<start.lowerBound])
        XCTAssertEqual(matches(#"com\.apple\.developer\.devicecheck\.appattest-environment: (\w+)"#, in: app), ["development"])
    }
}

private func matches(_ pattern: String, in text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: pattern)
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
        Range($0.range(at: 1), in: text).map { String(text[$0]) }
    }
}
