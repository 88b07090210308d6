import CVConnectPush
@preconcurrency import UserNotifications

/// Notification Service Extension, kept small: it links CVConnectPush only, not the core
/// (a second copy of the Rust library, its runtime and SQLite in a process limited to
/// 24 MB is not worth it for display).
///
/// The alert text of the APNs payload is never shown: it is untrusted (anyone able to
/// send a push to this app writes it). `PushNotificationText` builds the title and body
/// from fixed French texts and the payload's shape (protocol.md §9), marks payment
/// requests time-sensitive (entitlement in project.yml) in the `PAYMENT_REQUEST`
/// category (registered by the app) and groups them. On tap the app hands the keys to the
/// core (`CvClient.openFromPush`), which reads the payment from the API before anything
/// about it is shown.
final class NotificationService: UNNotificationServiceExtension {
    private var contentHandler: ((UNNotificationContent) -> Void)?
    private var neutral: UNNotificationContent?

    override func didReceive(_ request: UNNotificationRequest,
                             withContentHandler contentHandler: @escaping (UNNotificationContent) -> Void) {
        self.contentHandler = contentHandler
        let content = Self.content(for: request.content)
        neutral = content
        contentHandler(content)
    }

    /// Never falls back to the payload as received.
    override func serviceExtensionTimeWillExpire() {
        if let contentHandler, let neutral { contentHandler(neutral) }
    }

    static func content(for received: UNNotificationContent) -> UNNotificationContent {
        let content = UNMutableNotificationContent()
        content.userInfo = received.userInfo
        content.sound = received.sound
        content.badge = received.badge
        content.apply(PushNotificationText(data: PushPayload.dataKeys(from: received.userInfo)))
        return content
    }
}
