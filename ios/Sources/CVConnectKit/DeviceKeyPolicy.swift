import CVConnect
import Foundation

/// The device key's life, decided without Apple frameworks so that it is tested on
/// Linux; `DeviceKeyStore` (CVConnectApple) runs it on the Keychain and the Secure Enclave.
///
/// The rule: a key that exists is never replaced. A Keychain read that fails for any
/// reason other than "no such item" (the device is locked during a background launch,
/// the data-protection class is not available yet, an entitlement is missing) is
/// "unavailable now", not "absent": the signer reports it and the core retries later.
/// Creating a key there would delete the enrolled one, and the backend would never
/// accept this device again.
public enum KeychainStatus {
    // Security.framework's values (SecBase.h), which Linux lacks; CVConnectApple checks
    // them against the framework's constants.
    public static let success: Int32 = 0
    public static let itemNotFound: Int32 = -25300
    public static let duplicateItem: Int32 = -25299
    public static let interactionNotAllowed: Int32 = -25308
}

/// What a Keychain read found.
public enum KeychainRead: Equatable, Sendable {
    case found(Data)
    /// No item: this device never had a key (or it was deleted on purpose).
    case absent
    /// The Keychain cannot answer now; the item may well exist.
    case unavailable(status: Int32)

    /// Classifies `SecItemCopyMatching`'s status and result.
    public init(status: Int32, data: Data?) {
        switch (status, data) {
        case let (KeychainStatus.success, data?): self = .found(data)
        case (KeychainStatus.itemNotFound, _): self = .absent
        default: self = .unavailable(status: status)
        }
    }
}

/// Where the device key is kept and made: the Keychain and the Secure Enclave on iOS.
public protocol DeviceKeyBackend: Sendable {
    /// Reads the stored key blob.
    func read() -> KeychainRead
    /// Stores a blob only if none exists (`SecItemAdd`, never update or delete); the
    /// OSStatus.
    func add(_ blob: Data) -> Int32
    /// A new key: the blob to store and its signer.
    func makeKey() throws -> (blob: Data, signer: any DeviceSigner)
    /// The signer of a stored blob.
    func load(_ blob: Data) throws -> any DeviceSigner
}

public enum DeviceKeyPolicy {
    /// The signer of the stored key, or a new key if there is none. Throws
    /// `SignerFailure.unavailable` while the Keychain cannot answer and
    /// `SignerFailure.keyInvalidated` when the stored key can no longer be used (the app
    /// then enrolls again, and only then deletes it: `DeviceKeyStore.delete()`).
    public static func signer(from backend: any DeviceKeyBackend) throws -> any DeviceSigner {
        switch backend.read() {
        case let .found(blob):
            return try loadStored(blob, from: backend)
        case .absent:
            return try create(in: backend)
        case let .unavailable(status):
            throw unavailable(status)
        }
    }

    static func loadStored(_ blob: Data, from backend: any DeviceKeyBackend) throws -> any DeviceSigner {
        do {
            return try backend.load(blob)
        } catch SignerFailure.unavailable(let reason) {
            throw SignerFailure.unavailable(reason: reason)
        } catch {
            throw SignerFailure.keyInvalidated
        }
    }

    /// Makes a key and stores it; if another one was stored meanwhile, that one wins.
    static func create(in backend: any DeviceKeyBackend) throws -> any DeviceSigner {
        let made = try backend.makeKey()
        let status = backend.add(made.blob)
        switch status {
        case KeychainStatus.success:
            return made.signer
        case KeychainStatus.duplicateItem:
            guard case let .found(stored) = backend.read() else { throw unavailable(status) }
            return try loadStored(stored, from: backend)
        default:
            throw unavailable(status)
        }
    }

    static func unavailable(_ status: Int32) -> SignerFailure {
        .unavailable(reason: "the Keychain cannot be read now (OSStatus \(status)); the device may be locked")
    }
}

/// A signer that finds its key at the first signature rather than at launch, so that
/// the client can be built during a background launch while the device is locked; until
/// the key can be read, each call throws `SignerFailure.unavailable` (the core reports
/// `CvError.signer`), and nothing is created or replaced.
public final class DeferredDeviceSigner: DeviceSigner, @unchecked Sendable {
    private let lock = NSLock()
    private var resolved: (any DeviceSigner)?
    private let resolve: @Sendable () throws -> any DeviceSigner

    public init(resolve: @escaping @Sendable () throws -> any DeviceSigner) {
        self.resolve = resolve
    }

    public func publicKey() throws -> Data {
        try signer().publicKey()
    }

    public func sign(message: Data) throws -> Data {
        try signer().sign(message: message)
    }

    private func signer() throws -> any DeviceSigner {
        lock.lock()
        defer { lock.unlock() }
        if let resolved { return resolved }
        let signer = try resolve()
        resolved = signer
        return signer
    }
}
