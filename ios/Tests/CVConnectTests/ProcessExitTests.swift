import Foundation
import XCTest

#if os(Linux)
/// A process that builds a client, opens a payment and exits must exit cleanly, every
/// time: no library thread may outlive the app's objects or call into a process that is
/// ending. Each run is a fresh process: the push-to-screen driver
/// (`Sources/CVConnectPushBench`), which enrolls, opens one payment from its push, and
/// returns from `main` as soon as its input ends.
final class ProcessExitTests: XCTestCase {
    private static let runs = 6

    func testOpeningAPaymentThenExitingEndsCleanly() async throws {
        let driver = workspaceRoot.appendingPathComponent("ios/.build/debug/CVConnectPushBench")
        guard FileManager.default.isExecutableFile(atPath: driver.path) else {
            throw HarnessFailure(description: "\(driver.path) is not built (swift build builds it)")
        }
        let sandbox = Sandbox.shared
        for run in 1...Self.runs {
            let email = try await sandbox.newAccount(balance: "50.00")
            let code = try await sandbox.activationCode(email)
            let child = try Driver(driver, arguments: [sandbox.baseURL, email, code, Phone.temporaryDirectory()])
            let deviceId = try XCTUnwrap(child.readJSON()["ready"] as? String, "run \(run): no ready line")
            let paymentId = try await sandbox.createPayment(account: email, total: "20.00")
            let push = try await sandbox.awaitPush(deviceId: deviceId, paymentId: paymentId)
            try child.writeLine(String(decoding: JSONSerialization.data(withJSONObject: push), as: UTF8.self))
            let answer = try child.readJSON()
            XCTAssertEqual(answer["payment_id"] as? String, paymentId, "run \(run)")
            let (reason, status) = try child.endInput()
            XCTAssertEqual(reason, .exit, "run \(run) ended by a signal (\(status))")
            XCTAssertEqual(status, 0, "run \(run)")
        }
    }
}

/// A child process spoken to by lines on its standard input and output.
private final class Driver {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    init(_ executable: URL, arguments: [String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    func readJSON() throws -> [String: Any] {
        let newline = UInt8(ascii: "\n")
        while !buffer.contains(newline) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw HarnessFailure(description: "the driver ended its output") }
            buffer.append(chunk)
        }
        let end = buffer.firstIndex(of: newline)!
        let line = buffer[buffer.startIndex..<end]
        buffer = Data(buffer[buffer.index(after: end)...])
        return try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
    }

    func writeLine(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the driver's input, which ends it, and waits for its end.
    func endInput() throws -> (Process.TerminationReason, Int32) {
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus)
    }
}
#endif
