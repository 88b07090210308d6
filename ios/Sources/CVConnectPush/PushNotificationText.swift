import Foundation

/// What the notification shows, built only from what the app trusts. The alert text of
/// an APNs payload (`aps.alert`) is not: anyone who can send a push to this app (a leaked
/// APNs key, a compromised provider) could write "Paiement de 1 000 € validé" or a
/// phishing link there. The extension therefore replaces it with fixed French texts; the
/// payment itself (payee, amount) is shown by the app after reading it from the API.
public struct PushNotificationText: Equatable, Sendable {
    /// Registered by the app (`NotificationCategories.register`), set by the extension.
    public static let paymentRequestCategory = "PAYMENT_REQUEST"
    /// Groups payment requests together in the notification centre.
    public static let paymentRequestThread = "payment-requests"
    public static let appName = "Chèque-Vacances Connect"
    /// Shown instead of the body when previews are hidden (lock screen).
    public static let hiddenPreviewPlaceholder = "Demande de paiement"

    public let title: String
    public let body: String
    /// `PAYMENT_REQUEST` for a payment request, nil otherwise.
    public let categoryIdentifier: String?
    public let threadIdentifier: String?
    /// Payment requests interrupt a Focus (they lapse in 3 minutes); needs the
    /// `com.apple.developer.usernotifications.time-sensitive` entitlement.
    public let timeSensitive: Bool

    /// The texts for a push whose custom keys are `data`; the payload's own alert text is
    /// never read.
    public init(data: [String: String]) {
        if PushPayload(data) != nil {
            title = Self.appName
            body = "Nouvelle demande de paiement. Ouvrez l'application pour la vérifier."
            categoryIdentifier = Self.paymentRequestCategory
            threadIdentifier = Self.paymentRequestThread
            timeSensitive = true
        } else {
            title = Self.appName
            body = "Ouvrez l'application pour voir les nouveautés."
            categoryIdentifier = nil
            threadIdentifier = nil
            timeSensitive = false
        }
    }
}
