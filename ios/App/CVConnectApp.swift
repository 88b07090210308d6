import CVConnect
import CVConnectApple
import CVConnectKit
import CVConnectPush
import SwiftUI
import UIKit
@preconcurrency import UserNotifications

/// Sample beneficiary app (module `CVConnectApp`, see project.yml). Compiled by Xcode
/// only: its logic lives in CVConnectKit, which is tested on Linux (ios/README.md).
@main
struct CVConnectApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) private var delegate
    @StateObject private var model = AppModel.shared

    var body: some Scene {
        WindowGroup {
            Group {
                if let services = model.services {
                    RootView()
                        .environmentObject(model)
                        .environmentObject(services.payment)
                        .environmentObject(services.pending)
                        .environmentObject(services.devices)
                } else {
                    Text(model.startError ?? ErrorPresentation.unexpectedMessage).padding()
                }
            }
            .onOpenURL { url in
                #if DEBUG
                model.openDebugPush(url)
                #endif
            }
        }
    }
}

/// The one client of the process and the screens' models.
@MainActor
final class Services {
    let client: CvClient
    let payment: PaymentModel
    let pending: PendingPaymentsModel
    let devices: DevicesModel

    init(client: CvClient) {
        self.client = client
        payment = PaymentModel(client: client)
        pending = PendingPaymentsModel(client: client)
        devices = DevicesModel(client: client, onDisconnected: { AppModel.shared.markDisconnected() })
    }
}

/// Start-up and enrollment. Building the client touches no key (the signer finds it at
/// the first signature), so a launch in the background while the device is locked
/// neither crashes nor makes a new key; a client that cannot start shows its French
/// sentence instead of `fatalError`.
@MainActor
final class AppModel: ObservableObject {
    static let shared = AppModel()

    let services: Services?
    let startError: String?
    @Published private(set) var enrolled = false
    @Published private(set) var enrollError: String?
    @Published private(set) var enrolling = false
    /// This phone was revoked: "Ce téléphone a été déconnecté" over every screen.
    @Published private(set) var disconnected = false
    var apnsToken: String?

    private init() {
        let dataDir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("cvconnect", isDirectory: true)
        #if DEBUG
        if ProcessInfo.processInfo.arguments.contains("-cvconnect-reset") {
            try? FileManager.default.removeItem(at: dataDir)
            DeviceKeyStore.delete()
        }
        #endif
        try? FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        do {
            // The Secure Enclave key signs; App Attest attests it at enrollment when the
            // backend asks (protocol v1.2).
            let signer = DeviceKeyStore.signer()
            let client = try CvClient.withAttester(
                config: ClientConfig(baseUrl: Self.baseUrl, dataDir: dataDir.path),
                signer: signer,
                attester: AppAttestAttester(service: DeviceCheckAppAttest(), signer: signer),
                logSink: nil
            )
            services = Services(client: client)
            startError = nil
        } catch {
            services = nil
            startError = ErrorPresentation(error).message
        }
        refreshEnrollment()
    }

    /// The sandbox on the host in debug builds (the simulator shares its loopback; the
    /// core allows plain http only on loopback).
    private static var baseUrl: String {
        #if DEBUG
        ProcessInfo.processInfo.environment["CVCONNECT_BASE_URL"] ?? "http://127.0.0.1:8787"
        #else
        "https://api.cvconnect.example"
        #endif
    }

    /// `enrollmentLost` (the local data was lost, the key kept) shows the activation
    /// screen with the core's sentence: enrolling again keeps the same key.
    func refreshEnrollment() {
        guard let client = services?.client else { return }
        do {
            enrolled = try client.isEnrolled()
        } catch {
            enrolled = false
            enrollError = ErrorPresentation(error).message
        }
    }

    func markDisconnected() { disconnected = true }

    /// After "Activer ce téléphone": the core wiped its data, so the activation shows.
    func startOver() {
        disconnected = false
        refreshEnrollment()
    }

    func enroll(email: String, code: String) {
        guard let client = services?.client else { return }
        enrolling = true
        enrollError = nil
        let token = apnsToken
        Task {
            defer { enrolling = false }
            do {
                _ = try await client.enroll(email: email.trimmingCharacters(in: .whitespaces),
                                            activationCode: code.trimmingCharacters(in: .whitespaces),
                                            pushToken: token, platform: .ios)
                enrolled = true
            } catch {
                enrollError = ErrorPresentation(error).message
            }
        }
    }

    func pushTokenChanged(_ token: String) {
        apnsToken = token
        guard let client = services?.client, enrolled else { return }
        Task { try? await client.updatePushToken(pushToken: token) }
    }

    /// The keys of a tapped notification (taken from `userInfo` by the delegate).
    func openFromPush(_ data: [String: String]) {
        services?.payment.openFromPush(data)
    }

    #if DEBUG
    /// Debug builds: `cvconnect-debug://push?type=…&payment_id=…&message_id=…` hands a push
    /// data map from the sandbox's feed to the app, as a tapped notification would (the
    /// XCUITest opens it; by hand: `xcrun simctl openurl booted "<url>"`).
    func openDebugPush(_ url: URL) {
        guard url.scheme == "cvconnect-debug", url.host == "push",
              let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems else { return }
        let data = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        openFromPush(data)
    }
    #endif
}

/// Registers the notification category, asks for permission, and routes a tapped
/// notification to the payment flow.
final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    func application(_ application: UIApplication,
                     didFinishLaunchingWithOptions options: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        let center = UNUserNotificationCenter.current()
        center.delegate = self
        NotificationCategories.register(on: center)  // PAYMENT_REQUEST, set by the extension
        Task {
            let granted = (try? await center.requestAuthorization(options: [.alert, .sound, .badge])) ?? false
            if granted { application.registerForRemoteNotifications() }
        }
        return true
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken token: Data) {
        let hex = token.map { String(format: "%02x", $0) }.joined()
        AppModel.shared.pushTokenChanged("apns:" + hex)
    }

    /// In the foreground: show the banner, unless the push is a copy of one already
    /// received (the core remembers message ids across restarts). The check writes to
    /// the core's store here, off the main actor.
    nonisolated func userNotificationCenter(_ center: UNUserNotificationCenter,
                                            willPresent notification: UNNotification) async -> UNNotificationPresentationOptions {
        let data = PushPayload.dataKeys(from: notification.request.content.userInfo)
        let client = await MainActor.run { AppModel.shared.services?.client }
        return client?.shouldPresentArrivedPush(data) == false ? [] : [.banner, .sound]
    }

    /// Tapped: the custom keys (a Sendable `[String: String]`, taken here from the
    /// non-Sendable `userInfo`) go to the core, which reads the payment from the API.
    nonisolated func userNotificationCenter(_ center: UNUserNotificationCenter,
                                            didReceive response: UNNotificationResponse) async {
        let data = PushPayload.dataKeys(from: response.notification.request.content.userInfo)
        await MainActor.run { AppModel.shared.openFromPush(data) }
    }
}
