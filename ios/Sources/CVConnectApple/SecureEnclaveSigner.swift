#if canImport(CryptoKit) && canImport(Security) && canImport(LocalAuthentication)
import CryptoKit
import CVConnect
import CVConnectKit
import Foundation
@preconcurrency import LocalAuthentication
@preconcurrency import Security

/// The device key in the Secure Enclave: P-256, created there and never exportable. What
/// is kept in the Keychain is the enclave's wrapped blob (`dataRepresentation`), usable only
/// by this device's enclave, `ThisDeviceOnly` (not in backups, not migrated).
///
/// `publicKey()` is the SubjectPublicKeyInfo DER (`derRepresentation`, 91 bytes), `sign`
/// an ECDSA P-256 SHA-256 signature, DER (`signature(for:)` hashes the message itself).
public final class SecureEnclaveSigner: DeviceSigner, @unchecked Sendable {
    // Immutable after init; the enclave serialises its own operations.
    private let key: SecureEnclave.P256.Signing.PrivateKey

    public init(key: SecureEnclave.P256.Signing.PrivateKey) {
        self.key = key
    }

    public func publicKey() throws -> Data {
        key.publicKey.derRepresentation
    }

    public func sign(message: Data) throws -> Data {
        do {
            return try key.signature(for: message).derRepresentation
        } catch let error as LAError where [.userCancel, .appCancel, .systemCancel].contains(error.code) {
            throw SignerFailure.userCancelled
        } catch let error as LAError where [.biometryLockout, .passcodeNotSet, .notInteractive].contains(error.code) {
            throw SignerFailure.unavailable(reason: error.localizedDescription)
        } catch {
            throw SignerFailure.failed(reason: String(describing: error))
        }
    }
}

/// Finds or creates the device key (`DeviceKeyPolicy`, tested on Linux), and gives the
/// core a signer that looks for it at the first signature: building the client never
/// touches the Keychain, so a background launch while the device is locked neither
/// crashes nor creates a second key.
public enum DeviceKeyStore {
    static let account = "fr.ancv.cvconnect.device-key"

    /// - Parameter requireUserPresence: guard each signature with Face ID / Touch ID / the
    ///   passcode (`.userPresence`). Off in the sample.
    public static func signer(requireUserPresence: Bool = false) -> any DeviceSigner {
        DeferredDeviceSigner { try resolve(requireUserPresence: requireUserPresence) }
    }

    /// Forgets the key: only when the user enrolls again (after `KeyInvalidated` or
    /// `Unauthorized`), or to reset a debug build.
    public static func delete() {
        Keychain.delete(account: account)
    }

    static func resolve(requireUserPresence: Bool) throws -> any DeviceSigner {
        assert(KeychainStatus.itemNotFound == errSecItemNotFound
            && KeychainStatus.duplicateItem == errSecDuplicateItem
            && KeychainStatus.interactionNotAllowed == errSecInteractionNotAllowed
            && KeychainStatus.success == errSecSuccess)
        #if targetEnvironment(simulator)
        // The simulator has no Secure Enclave: a software key, for the UI tests only.
        if !SecureEnclave.isAvailable { return try DeviceKeyPolicy.signer(from: SoftwareKeyBackend(account: account)) }
        #endif
        guard SecureEnclave.isAvailable else {
            throw SignerFailure.unavailable(reason: "no Secure Enclave on this device")
        }
        return try DeviceKeyPolicy.signer(from: EnclaveKeyBackend(account: account, requireUserPresence: requireUserPresence))
    }
}

/// The Keychain item holding the enclave's blob, and new keys made in the enclave.
struct EnclaveKeyBackend: DeviceKeyBackend {
    let account: String
    let requireUserPresence: Bool

    func read() -> KeychainRead { Keychain.read(account: account) }

    func add(_ blob: Data) -> Int32 { Keychain.add(blob, account: account) }

    func makeKey() throws -> (blob: Data, signer: any DeviceSigner) {
        var flags: SecAccessControlCreateFlags = [.privateKeyUsage]
        if requireUserPresence { flags.insert(.userPresence) }
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error
        ) else {
            throw SignerFailure.unavailable(reason: String(describing: error?.takeRetainedValue()))
        }
        let key = try SecureEnclave.P256.Signing.PrivateKey(accessControl: access)
        return (key.dataRepresentation, SecureEnclaveSigner(key: key))
    }

    func load(_ blob: Data) throws -> any DeviceSigner {
        SecureEnclaveSigner(key: try SecureEnclave.P256.Signing.PrivateKey(dataRepresentation: blob))
    }
}

#if targetEnvironment(simulator)
/// Simulator only: the same policy on a software P-256 key kept in the Keychain.
struct SoftwareKeyBackend: DeviceKeyBackend {
    let account: String

    func read() -> KeychainRead { Keychain.read(account: account) }

    func add(_ blob: Data) -> Int32 { Keychain.add(blob, account: account) }

    func makeKey() throws -> (blob: Data, signer: any DeviceSigner) {
        let key = P256.Signing.PrivateKey()
        return (key.rawRepresentation, SoftwareSigner(key: key))
    }

    func load(_ blob: Data) throws -> any DeviceSigner {
        SoftwareSigner(key: try P256.Signing.PrivateKey(rawRepresentation: blob))
    }
}

final class SoftwareSigner: DeviceSigner, @unchecked Sendable {
    private let key: P256.Signing.PrivateKey

    init(key: P256.Signing.PrivateKey) { self.key = key }

    func publicKey() throws -> Data { key.publicKey.derRepresentation }

    func sign(message: Data) throws -> Data {
        do { return try key.signature(for: message).derRepresentation } catch {
            throw SignerFailure.failed(reason: String(describing: error))
        }
    }
}
#endif

/// A generic-password Keychain item, this device only. Never updated nor replaced: a
/// new blob is added only where none exists.
enum Keychain {
    private static func query(_ account: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword,
         kSecAttrService as String: "fr.ancv.cvconnect",
         kSecAttrAccount as String: account]
    }

    static func read(account: String) -> KeychainRead {
        var query = query(account)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var out: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &out)
        return KeychainRead(status: status, data: out as? Data)
    }

    static func add(_ data: Data, account: String) -> OSStatus {
        var query = query(account)
        query[kSecValueData as String] = data
        query[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        return SecItemAdd(query as CFDictionary, nil)
    }

    static func delete(account: String) {
        SecItemDelete(query(account) as CFDictionary)
    }
}
#endif
