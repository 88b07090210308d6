import SwiftUI
import UIKit
import UserNotifications
import CVConnect
import CVConnectKit

/// Sample beneficiary app. Never compiled here (no Xcode in this repository).
@main
struct CVConnectApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @StateObject private var model = AppModel.shared

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .environmentObject(model.payment)
                .environmentObject(model.pending)
                .onOpenURL { url in
                    #if DEBUG
                    model.openDebugPush(url)
                    #endif
                }
        }
    }
}

/// The one client of the process, enrollment, and the screens' models.
@MainActor
final class AppModel: ObservableObject {
    static let shared = AppModel()

    let client: CvClient
    let payment: PaymentModel
    let pending: PendingPaymentsModel
    @Published private(set) var enrolled: Bool
    @Published private(set) var enrollError: String?
    @Published private(set) var enrolling = false
    var apnsToken: String?

    private init() {
        let environment = ProcessInfo.processInfo.environment
        let dataDir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("cvconnect", isDirectory: true)
        #if DEBUG
        if ProcessInfo.processInfo.arguments.contains("-cvconnect-reset") {
            try? FileManager.default.removeItem(at: dataDir)
            DeviceKeyStore.delete()
        }
        #endif
        try? FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        // The sandbox on the host in debug (the simulator shares its loopback); the core
        // allows plain http only on loopback.
        #if DEBUG
        let baseUrl = environment["CVCONNECT_BASE_URL"] ?? "http://127.0.0.1:8787"
        #else
        let baseUrl = "https://api.cvconnect.example"
        #endif
        do {
            client = try CvClient(
                config: ClientConfig(baseUrl: baseUrl, dataDir: dataDir.path),
                signer: try DeviceKeyStore.signer(),
                logSink: nil
            )
        } catch {
            fatalError("cannot start the core: \(error)")
        }
        payment = PaymentModel(client: client)
        pending = PendingPaymentsModel(client: client)
        enrolled = client.isEnrolled()
    }

    func enroll(email: String, code: String) {
        enrolling = true
        enrollError = nil
        Task {
            defer { enrolling = false }
            do {
                _ = try await client.enroll(email: email.trimmingCharacters(in: .whitespaces),
                                            activationCode: code.trimmingCharacters(in: .whitespaces),
                                            pushToken: apnsToken, platform: .ios)
                enrolled = true
            } catch {
                enrollError = (error as? CvError)?.userMessage() ?? String(describing: error)
            }
        }
    }

    func pushTokenChanged(_ token: String) {
        apnsToken = token
        guard client.isEnrolled() else { return }
        Task { try? await client.updatePushToken(pushToken: token) }
    }

    #if DEBUG
    /// Debug builds: `cvconnect-debug://push?type=…&payment_id=…&message_id=…` hands a push
    /// data map from the sandbox's feed to the app, as a tapped notification would (the
    /// XCUITest opens it; by hand: `xcrun simctl openurl booted "<url>"`).
    func openDebugPush(_ url: URL) {
        guard url.scheme == "cvconnect-debug", url.host == "push",
              let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems else { return }
        var data: [String: String] = [:]
        for item in items { data[item.name] = item.value ?? "" }
        payment.openFromPush(data)
    }
    #endif
}

final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    func application(_ application: UIApplication,
                     didFinishLaunchingWithOptions options: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        UNUserNotificationCenter.current().delegate = self
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge]) { granted, _ in
            guard granted else { return }
            DispatchQueue.main.async { application.registerForRemoteNotifications() }
        }
        return true
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken token: Data) {
        let hex = token.map { String(format: "%02x", $0) }.joined()
        Task { @MainActor in AppModel.shared.pushTokenChanged("apns:" + hex) }
    }

    /// In the foreground: show the banner anyway.
    func userNotificationCenter(_ center: UNUserNotificationCenter, willPresent notification: UNNotification,
                                withCompletionHandler completion: @escaping (UNNotificationPresentationOptions) -> Void) {
        completion([.banner, .sound])
    }

    /// Tapped: the custom keys go to the core, which reads the payment from the API.
    func userNotificationCenter(_ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse,
                                withCompletionHandler completion: @escaping () -> Void) {
        let userInfo = response.notification.request.content.userInfo
        Task { @MainActor in
            AppModel.shared.payment.openFromPush(userInfo.filter { ($0.key as? String) != "aps" })
            completion()
        }
    }
}
