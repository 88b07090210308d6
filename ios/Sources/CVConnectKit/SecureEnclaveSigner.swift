import CryptoKit
import Foundation
import LocalAuthentication
import Security
import CVConnect

/// The device key in the Secure Enclave: P-256, created there and never exportable. What
/// is kept in the Keychain is the enclave's wrapped blob (`dataRepresentation`), usable only
/// by this device's enclave, `ThisDeviceOnly` (not in backups, not migrated).
///
/// `publicKey()` is the SubjectPublicKeyInfo DER (`derRepresentation`, 91 bytes), `sign`
/// an ECDSA P-256 SHA-256 signature, DER (`signature(for:)` hashes the message itself).
public final class SecureEnclaveSigner: DeviceSigner, @unchecked Sendable {
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
            throw SignerFailure.UserCancelled
        } catch let error as LAError where [.biometryLockout, .passcodeNotSet].contains(error.code) {
            throw SignerFailure.Unavailable(reason: error.localizedDescription)
        } catch {
            throw SignerFailure.Failed(reason: String(describing: error))
        }
    }
}

/// Finds or creates the device key, and picks the signer the core gets.
public enum DeviceKeyStore {
    static let account = "fr.ancv.cvconnect.device-key"

    /// - Parameter requireUserPresence: guard each signature with Face ID / Touch ID / the
    ///   passcode (`.userPresence`). Off in the sample.
    public static func signer(requireUserPresence: Bool = false) throws -> DeviceSigner {
        #if targetEnvironment(simulator)
        // The simulator has no Secure Enclave: a software key, for the UI tests only.
        if !SecureEnclave.isAvailable { return try SoftwareSigner.loadOrCreate(account: account) }
        #endif
        guard SecureEnclave.isAvailable else {
            throw SignerFailure.Unavailable(reason: "no Secure Enclave on this device")
        }
        if let blob = KeychainBlob.read(account: account) {
            if let key = try? SecureEnclave.P256.Signing.PrivateKey(dataRepresentation: blob) {
                return SecureEnclaveSigner(key: key)
            }
            // The enclave no longer accepts it (device restored, passcode removed): a new key,
            // and the core will report the device unknown: enroll again.
            KeychainBlob.delete(account: account)
        }
        var flags: SecAccessControlCreateFlags = [.privateKeyUsage]
        if requireUserPresence { flags.insert(.userPresence) }
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly, flags, &error
        ) else {
            throw SignerFailure.Unavailable(reason: String(describing: error?.takeRetainedValue()))
        }
        let key = try SecureEnclave.P256.Signing.PrivateKey(accessControl: access)
        try KeychainBlob.write(key.dataRepresentation, account: account)
        return SecureEnclaveSigner(key: key)
    }

    /// Forgets the key (after `KeyInvalidated`, or to reset a debug build).
    public static func delete() {
        KeychainBlob.delete(account: account)
    }
}

#if targetEnvironment(simulator)
/// Simulator only: the same calls on a software P-256 key kept in the Keychain.
final class SoftwareSigner: DeviceSigner, @unchecked Sendable {
    private let key: P256.Signing.PrivateKey

    init(key: P256.Signing.PrivateKey) { self.key = key }

    static func loadOrCreate(account: String) throws -> SoftwareSigner {
        if let raw = KeychainBlob.read(account: account), let key = try? P256.Signing.PrivateKey(rawRepresentation: raw) {
            return SoftwareSigner(key: key)
        }
        let key = P256.Signing.PrivateKey()
        try KeychainBlob.write(key.rawRepresentation, account: account)
        return SoftwareSigner(key: key)
    }

    func publicKey() throws -> Data { key.publicKey.derRepresentation }

    func sign(message: Data) throws -> Data {
        do { return try key.signature(for: message).derRepresentation } catch {
            throw SignerFailure.Failed(reason: String(describing: error))
        }
    }
}
#endif

/// A generic-password Keychain item, this device only.
enum KeychainBlob {
    private static func query(_ account: String) -> [String: Any] {
        [kSecClass as String: kSecClassGenericPassword,
         kSecAttrService as String: "fr.ancv.cvconnect",
         kSecAttrAccount as String: account]
    }

    static func read(account: String) -> Data? {
        var q = query(account)
        q[kSecReturnData as String] = true
        var out: CFTypeRef?
        return SecItemCopyMatching(q as CFDictionary, &out) == errSecSuccess ? out as? Data : nil
    }

    static func write(_ data: Data, account: String) throws {
        delete(account: account)
        var q = query(account)
        q[kSecValueData as String] = data
        q[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw SignerFailure.Unavailable(reason: "Keychain error \(status)")
        }
    }

    static func delete(account: String) {
        SecItemDelete(query(account) as CFDictionary)
    }
}
