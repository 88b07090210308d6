import CVConnect
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Push to screen through the Swift binding: the twin of bench/ffi_push_to_screen.py,
// driven by cvconnect-bench (bench/src/foreign.rs) over the same line protocol.
//
// Usage: CVConnectPushBench BASE_URL EMAIL ACTIVATION_CODE DATA_DIR
//
// Enrolls a device, prints {"ready": DEVICE_ID}, then for every line read on stdin (a
// push data map as JSON) times openFromPush + view() and prints {"ns": ..., "payment_id": ...}.
// Stops on an empty line or end of input.
//
// Linux only (Package.swift declares it there): the key is the test library's
// softwareDeviceSigner(), an in-memory P-256 key in Rust, standing in for the Secure
// Enclave. `cargo xtask bench` builds it in release against a release build of that
// library.

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
}

@main
enum PushToScreen {
    /// Runs on the main actor, where an app opens its payment screen.
    static func main() async {
        do {
            try await run(CommandLine.arguments)
        } catch {
            FileHandle.standardError.write(Data("CVConnectPushBench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: [String]) async throws {
        guard arguments.count == 5 else {
            throw BenchFailure(description: "usage: CVConnectPushBench BASE_URL EMAIL ACTIVATION_CODE DATA_DIR")
        }
        let (baseURL, email, code, dataDir) = (arguments[1], arguments[2], arguments[3], arguments[4])
        let config = ClientConfig(baseUrl: baseURL, dataDir: dataDir)
        let client = try CvClient(config: config, signer: try softwareDeviceSigner(), logSink: nil)
        let device = try await client.enroll(
            email: email, activationCode: code, pushToken: "push-swift-bench", platform: .other)
        try say(["ready": device.deviceId])
        while let line = readLine(), !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let (nanoseconds, paymentId) = try await timedOpen(client, data: try pushData(line))
            try say(["ns": nanoseconds, "payment_id": paymentId])
        }
    }

    /// `openFromPush` + `view()`, timed on the monotonic clock; the session is released
    /// when this returns, after the clock is read.
    static func timedOpen(_ client: CvClient, data: [String: String]) async throws -> (UInt64, String) {
        let start = monotonicNanoseconds()
        let session = try await client.openFromPush(data: data)
        let view = session.view()
        let elapsed = monotonicNanoseconds() - start
        return (elapsed, view.paymentId)
    }

    static func pushData(_ line: String) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        guard let data = object as? [String: String] else {
            throw BenchFailure(description: "a push data map of strings was expected, got: \(line)")
        }
        return data
    }

    /// One JSON line on stdout, written at once (no stdio buffer to flush).
    static func say(_ object: [String: Any]) throws {
        var line = try JSONSerialization.data(withJSONObject: object)
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(line)
    }

    /// CLOCK_MONOTONIC, the clock of Python's perf_counter_ns on Linux.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
