#if canImport(UserNotifications)
@preconcurrency import UserNotifications

/// The app's notification categories: registered at launch (`register()`), so that the
/// `PAYMENT_REQUEST` category the extension sets is known to the system (hidden-preview
/// text, grouping).
public enum NotificationCategories {
    public static var all: Set<UNNotificationCategory> {
        [UNNotificationCategory(
            identifier: PushNotificationText.paymentRequestCategory,
            actions: [],
            intentIdentifiers: [],
            hiddenPreviewsBodyPlaceholder: PushNotificationText.hiddenPreviewPlaceholder,
            options: []
        )]
    }

    public static func register(on center: UNUserNotificationCenter = .current()) {
        center.setNotificationCategories(all)
    }
}

extension UNMutableNotificationContent {
    /// Replaces what the notification shows with `text` (the payload's alert is dropped).
    public func apply(_ text: PushNotificationText) {
        title = text.title
        subtitle = ""
        body = text.body
        categoryIdentifier = text.categoryIdentifier ?? ""
        threadIdentifier = text.threadIdentifier ?? ""
        if #available(iOS 15.0, macOS 12.0, *) {
            interruptionLevel = text.timeSensitive ? .timeSensitive : .active
        }
    }
}
#endif
