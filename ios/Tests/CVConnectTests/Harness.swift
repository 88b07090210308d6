import CVConnect
import CVConnectKit
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The one test kit of the Swift suite (Tests/README.md): a real sandbox process on
// 127.0.0.1 (its admin and merchant routes in SandboxClient.swift, shared with the UI
// test), phones built through the generated binding with the test library's software
// signer, and what drives a `PaymentFlow` as a user would (FlowHarness.swift).
// `cargo xtask test swift` sets CVCONNECT_ROOT and CVCONNECT_SANDBOX_BIN.

/// The workspace root (the lane bind-mounts it at the same path inside the Swift root).
let workspaceRoot = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CVCONNECT_ROOT"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").path)
    .standardizedFileURL

/// `cvconnect-sandbox --port 0 --memory --admin-token T --seed sandbox/seed/demo.json`;
/// the first stdout line is its URL (with `--tls`, the second is its SPKI pin).
final class Sandbox: SandboxClient, @unchecked Sendable {  // immutable after init; Process is thread-safe here
    /// Shared by most tests (each uses its own accounts); started at first use.
    static let shared = try! Sandbox()

    let baseURL: String
    let adminToken = "adm_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    let pin: String?
    private let process = Process()

    /// - Parameter arguments: more command-line options (`attestationArguments("required")`…).
    init(tls: Bool = false, arguments: [String] = []) throws {
        guard let binary = ProcessInfo.processInfo.environment["CVCONNECT_SANDBOX_BIN"] else {
            throw HarnessFailure(description: "CVCONNECT_SANDBOX_BIN is not set (cargo xtask test swift sets it)")
        }
        let seed = workspaceRoot.appendingPathComponent("sandbox/seed/demo.json").path
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--port", "0", "--memory", "--admin-token", adminToken, "--seed", seed] + (tls ? ["--tls"] : []) + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Sandbox.stopAtExit(process)
        let lines = Self.readLines(tls ? 2 : 1, from: output.fileHandleForReading)
        guard let url = lines.first, url.hasPrefix(tls ? "https://127.0.0.1:" : "http://127.0.0.1:") else {
            process.terminate()
            throw HarnessFailure(description: "unexpected first line from the sandbox: \(lines)")
        }
        baseURL = url
        pin = lines.dropFirst().first.map { String($0.dropFirst("pin: ".count)) }
    }

    /// Stops a sandbox of one test (the shared one stops with the test bundle). SIGKILL:
    /// on SIGTERM the sandbox waits for its open connections, which this process holds.
    func stop() {
        Self.forceStop(process)
    }

    fileprivate static func forceStop(_ process: Process) {
        _ = kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Blocking reads until `count` lines (or end of output).
    private static func readLines(_ count: Int, from handle: FileHandle) -> [String] {
        var buffer = Data()
        while buffer.filter({ $0 == UInt8(ascii: "\n") }).count < count {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Every sandbox of the run stops when the test bundle finishes.
    private static func stopAtExit(_ process: Process) {
        XCTestObservationCenter.shared.addTestObserver(Stopper(process: process))
    }

    private final class Stopper: NSObject, XCTestObservation, @unchecked Sendable {
        let process: Process
        init(process: Process) { self.process = process }
        func testBundleDidFinish(_ testBundle: Bundle) {
            Sandbox.forceStop(process)
        }
    }

    /// Polls `condition` until it holds or `timeout` passes (no sleep as synchronisation).
    func waitUntil(timeout: TimeInterval = 10, _ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)  // the polling interval
        }
        throw HarnessFailure(description: "timed out waiting for \(what)")
    }
}

/// One phone: its own data folder and key, a client built through the binding.
final class Phone: Sendable {
    let sandbox: Sandbox
    let client: CvClient
    let dataDir: String

    /// With an `attester`, the client is built with `CvClient.withAttester`, as an app that
    /// attests its key at enrollment builds it.
    init(_ sandbox: Sandbox = .shared, signer: (any DeviceSigner)? = nil, attester: (any KeyAttester)? = nil,
         baseURL: String? = nil, dataDir: String? = nil, configure: (ClientConfig) -> ClientConfig = { $0 }) throws {
        self.sandbox = sandbox
        self.dataDir = dataDir ?? Self.temporaryDirectory()
        let config = configure(ClientConfig(baseUrl: baseURL ?? sandbox.baseURL, dataDir: self.dataDir))
        let signer = try signer ?? softwareDeviceSigner()
        client = try attester.map { try CvClient.withAttester(config: config, signer: signer, attester: $0, logSink: nil) }
            ?? CvClient(config: config, signer: signer, logSink: nil)
    }

    static func temporaryDirectory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cvconnect-swift-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    @discardableResult
    func enroll(_ email: String) async throws -> EnrolledDevice {
        let code = try await sandbox.activationCode(email)
        return try await client.enroll(email: email, activationCode: code, pushToken: "apns:swift-\(UUID().uuidString)", platform: .ios)
    }

    /// A phone enrolled on a fresh account holding `balance`.
    static func enrolled(balance: String, in sandbox: Sandbox = .shared) async throws -> (Phone, String) {
        let email = try await sandbox.newAccount(balance: balance)
        let phone = try Phone(sandbox)
        try await phone.enroll(email)
        return (phone, email)
    }

    /// The merchant asks for `total`; returns the push data the phone receives.
    func push(for email: String, total: String) async throws -> [String: String] {
        let paymentId = try await sandbox.createPayment(account: email, total: total)
        let deviceId = try XCTUnwrap(try client.enrolledDevice()).deviceId
        return try await sandbox.awaitPush(deviceId: deviceId, paymentId: paymentId)
    }
}

/// Presses the keys showing the digits of `pin` on `keypad`'s shuffled layout.
func type(_ pin: String, on keypad: Keypad) throws {
    let layout = keypad.layout()
    for digit in pin {
        _ = try keypad.press(position: Int32(layout.firstIndex(of: Int32(String(digit))!)!))
    }
}

func keypad(_ session: PaymentSession, with pin: String) throws -> Keypad {
    let keypad = try session.startPinEntry()
    try type(pin, on: keypad)
    return keypad
}

/// A key store whose signatures fail with `error` (its public key is a real one).
final class FailingSigner: DeviceSigner {
    let error: any Error & Sendable
    let real: any DeviceSigner

    init(_ error: any Error & Sendable) throws {
        self.error = error
        real = try softwareDeviceSigner()
    }

    func publicKey() throws -> Data { try real.publicKey() }
    func sign(message: Data) throws -> Data { throw error }
}

extension Decimal {
    init(_ text: String) { self = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
}
