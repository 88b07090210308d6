import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// The sandbox's admin and merchant routes over HTTP, written once for the Swift kit
// (Tests/README.md). Two targets compile this file: the XCTest suite (this folder, built
// and run on Linux) and the XCUITest target, whose sources in ios/project.yml list it.
// The two cannot share a module (the UI test target is an Xcode bundle that links the
// app only, the suite a SwiftPM test target), so the file stays free of the binding and
// of XCTest: Foundation only.

/// What sandbox/seed/demo.json puts in every fresh sandbox.
let seedEmail = "camille.martin@example.fr"
let seedPin = "4827"
let merchantKey = "mk_demo_boutique"
/// The confirmation route, as the sandbox's faults name it.
let confirmRoute = "/v1/payments/{payment_id}/confirm"

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
}

/// A sandbox seen from a test: its address and admin token. The routes come with it.
protocol SandboxClient: Sendable {
    var baseURL: String { get }
    var adminToken: String { get }
}

/// A sandbox already running, joined by its URL and admin token (the UI test's, on the host).
struct JoinedSandbox: SandboxClient {
    let baseURL: String
    let adminToken: String
}

extension SandboxClient {
    // MARK: HTTP

    func request(_ method: String, _ path: String, bearer: String?, body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 40
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw HarnessFailure(description: "\(method) \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self))")
        }
        if data.isEmpty { return [:] }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func admin(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        try await request(method, path, bearer: adminToken, body: body)
    }

    // MARK: Admin side

    /// A fresh account with its own e-mail and 11-digit number.
    func newAccount(balance: String, pin: String = seedPin) async throws -> String {
        let digits = String(Int.random(in: 0..<10_000_000_000))
        let number = "7" + String(repeating: "0", count: 10 - digits.count) + digits
        let email = "swift.\(number)@example.fr"
        _ = try await admin("POST", "/admin/accounts", ["email": email, "account_number": number, "balance": balance, "pin": pin])
        return email
    }

    /// The one-time code the beneficiary would receive by e-mail.
    func activationCode(_ email: String) async throws -> String {
        try await admin("POST", "/admin/activation-codes", ["email": email])["code"] as! String
    }

    /// The devices enrolled on the account of `email`, as the admin API lists them.
    func devices(of email: String) async throws -> [[String: Any]] {
        try await admin("GET", "/admin/accounts/\(email)/devices")["devices"] as? [[String: Any]] ?? []
    }

    /// An administrator cuts `deviceId` off (`POST /admin/devices/{id}/revoke`).
    func revokeDevice(_ deviceId: String) async throws {
        _ = try await admin("POST", "/admin/devices/\(deviceId)/revoke")
    }

    func advanceClock(seconds: Int) async throws {
        _ = try await admin("POST", "/admin/clock", ["advance_secs": seconds])
    }

    func armFault(route: String, kind: String, delayMs: Int? = nil, count: Int = 1) async throws {
        var body: [String: Any] = ["route": route, "kind": kind, "count": count]
        body["delay_ms"] = delayMs
        _ = try await admin("POST", "/admin/faults", body)
    }

    func armedFaults() async throws -> Int {
        (try await admin("GET", "/admin/faults")["faults"] as? [Any])?.count ?? 0
    }

    func debits(of paymentId: String) async throws -> Int {
        let entries = try await admin("GET", "/admin/ledger")["entries"] as? [[String: Any]] ?? []
        return entries.filter { $0["payment_id"] as? String == paymentId }.count
    }

    /// The data keys of the push announcing `paymentId` (to `deviceId`, or to any device),
    /// from the sandbox's push feed.
    func awaitPush(deviceId: String? = nil, paymentId: String, timeout: TimeInterval = 10) async throws -> [String: String] {
        let device = deviceId.map { "device_id=\($0)&" } ?? ""
        let deadline = Date().addingTimeInterval(timeout)
        var after = 0
        while Date() < deadline {
            let feed = try await admin("GET", "/admin/push-feed?\(device)after=\(after)&wait_ms=2000")
            for notification in feed["notifications"] as? [[String: Any]] ?? [] {
                if let data = notification["data"] as? [String: String], data["payment_id"] == paymentId { return data }
            }
            after = feed["next_after"] as? Int ?? after
        }
        throw HarnessFailure(description: "no push for \(paymentId) to \(deviceId ?? "any device") within \(timeout) s")
    }

    // MARK: Merchant side

    /// The merchant asks the account `account` for `total`; returns the payment id.
    func createPayment(account: String, total: String) async throws -> String {
        let body = ["account": account, "total": total, "order_ref": "CMD-" + String(UUID().uuidString.prefix(8))]
        return try await request("POST", "/v1/merchant/payment-requests", bearer: merchantKey, body: body)["id"] as! String
    }

    /// The merchant's view: status, paid and remaining amounts.
    func merchant(_ paymentId: String) async throws -> (status: String, paid: String?, remaining: String?) {
        let payment = try await request("GET", "/v1/merchant/payment-requests/\(paymentId)", bearer: merchantKey)
        return (payment["status"] as! String, payment["paid_amount"] as? String, payment["remaining_amount"] as? String)
    }
}
