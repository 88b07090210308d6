import Foundation

/// The shape of a push (protocol.md §9), checked without the core: the notification
/// service extension does not link it (a second copy of the Rust library in a process
/// limited to 24 MB). The same rules as the core's parser, which a test on Linux checks
/// payload by payload; the app still hands the keys to the core on tap
/// (`CvClient.openFromPush`), which is what decides.
public struct PushPayload: Equatable, Sendable {
    public static let paymentRequestType = "payment_request"
    /// Longest id (protocol.md §1).
    public static let maxIdLength = 64
    /// Largest payload, keys plus values, in bytes (the FCM data limit).
    public static let maxBytes = 4096

    public let paymentId: String
    public let messageId: String

    /// The payment request `data` announces, or nil if `data` is not one: another
    /// `type`, a missing key, an id outside the id charset, more than 4 KiB.
    public init?(_ data: [String: String]) {
        let size = data.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= Self.maxBytes, data["type"] == Self.paymentRequestType,
              let paymentId = data["payment_id"], Self.isId(paymentId),
              let messageId = data["message_id"], Self.isId(messageId)
        else { return nil }
        self.paymentId = paymentId
        self.messageId = messageId
    }

    /// The string keys of an APNs `userInfo` (the protocol's keys are custom keys of the
    /// payload); `aps` and every non-string value are left out. The result is a plain
    /// `[String: String]`, safe to hand to another task, unlike `userInfo`.
    public static func dataKeys(from userInfo: [AnyHashable: Any]) -> [String: String] {
        var data: [String: String] = [:]
        for case let (key as String, value as String) in userInfo where key != "aps" {
            data[key] = value
        }
        return data
    }

    /// The protocol's id charset: ASCII letters, digits, `_` and `-`, 1 to 64 bytes.
    public static func isId(_ id: String) -> Bool {
        (1...maxIdLength).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}
