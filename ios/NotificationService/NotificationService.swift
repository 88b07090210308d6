import UserNotifications

/// Notification Service Extension, kept small: it does not link the core (a second copy of
/// the Rust library, its runtime and SQLite in a process limited to 24 MB, sharing the
/// app's store through an App Group, is not worth it for display). It only checks the
/// payload's shape as protocol.md §9 defines it, groups payment requests, and marks them
/// time-sensitive. The app hands the same keys to the core's push parser on tap
/// (`CvClient.openFromPush`), which is what decides; nothing in a push is trusted.
final class NotificationService: UNNotificationServiceExtension {
    private var contentHandler: ((UNNotificationContent) -> Void)?
    private var content: UNMutableNotificationContent?

    override func didReceive(_ request: UNNotificationRequest,
                             withContentHandler contentHandler: @escaping (UNNotificationContent) -> Void) {
        self.contentHandler = contentHandler
        guard let content = request.content.mutableCopy() as? UNMutableNotificationContent else {
            return contentHandler(request.content)
        }
        self.content = content
        let info = content.userInfo
        if info["type"] as? String == "payment_request",
           let paymentId = info["payment_id"] as? String, Self.isId(paymentId) {
            content.threadIdentifier = "payment-requests"
            content.categoryIdentifier = "PAYMENT_REQUEST"
            if #available(iOS 15.0, *) { content.interruptionLevel = .timeSensitive }
        }
        contentHandler(content)
    }

    override func serviceExtensionTimeWillExpire() {
        if let contentHandler, let content { contentHandler(content) }
    }

    /// The protocol's id charset (`pay_…`): letters, digits, `_` and `-`, at most 64.
    private static func isId(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" || $0 == "-"
        }
    }
}
