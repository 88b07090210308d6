import CVConnect
import Foundation

/// What `AppAttestAttester` needs of `DCAppAttestService`, and nothing more, so that the
/// attester is compiled and tested on Linux. The app's implementation,
/// `DeviceCheckAppAttest` (CVConnectApple, behind `#if canImport(DeviceCheck)`), runs it
/// on `DCAppAttestService.shared`; the tests run a recording one.
///
/// The calls are synchronous: the core asks its attester on one of its own threads (never
/// the main thread) and waits for the answer.
public protocol AppAttestService: Sendable {
    /// `DCAppAttestService.isSupported`: false on the simulator and on devices without
    /// the Secure Enclave support App Attest needs.
    var isSupported: Bool { get }
    /// `generateKey`: a new App Attest key; its id, base64 (SHA-256 of its public key).
    func generateKey() throws -> String
    /// `attestKey(_:clientDataHash:)`: Apple's attestation object (CBOR) certifying the key
    /// `keyId` and binding `clientDataHash`.
    func attestKey(_ keyId: String, clientDataHash: Data) throws -> Data
}

/// The device key's attestation at enrollment on iOS (protocol v1.2): App Attest, next to
/// the Secure Enclave signing key. Build the client with
/// `CvClient.withAttester(config:signer:attester:logSink:)`, the same `signer` given to
/// both.
///
/// The core calls `attest(challenge:)` only when the backend's policy asks for an
/// attestation. A fresh App Attest key is made for each enrollment (an App Attest key is
/// attested once), and attested with `clientDataHash = appAttestClientDataHash(challenge,
/// signer's public key)`: the attestation binds the backend's single-use challenge and
/// the Secure Enclave key this phone enrolls, which App Attest alone does not know of.
/// Null when `isSupported` is false: the backend decides by its policy (`optional`
/// enrolls the phone as unattested, `required` refuses it with `attestation_required`).
///
/// Verified on Linux (CVConnectTests, a recording `AppAttestService` and a real sandbox):
/// the hash passed is the core's for that challenge and key, the key id is decoded from
/// base64, the attestation reaches the backend, failures are typed. Needs a device: that
/// `DCAppAttestService` answers with an object that verifies under Apple's root.
public final class AppAttestAttester: KeyAttester {
    private let service: any AppAttestService
    private let signer: any DeviceSigner

    public init(service: any AppAttestService, signer: any DeviceSigner) {
        self.service = service
        self.signer = signer
    }

    public func attest(challenge: Data) throws -> DeviceAttestation? {
        guard service.isSupported else { return nil }
        let clientDataHash = appAttestClientDataHash(challenge: challenge, publicKey: try signer.publicKey())
        do {
            let keyId = try service.generateKey()
            guard let keyIdBytes = Data(base64Encoded: keyId) else {
                throw SignerFailure.failed(reason: "App Attest gave a key id that is not base64")
            }
            let attestationObject = try service.attestKey(keyId, clientDataHash: clientDataHash)
            return .appleAppAttest(keyId: keyIdBytes, attestationObject: attestationObject)
        } catch let failure as SignerFailure {
            throw failure
        } catch {
            throw SignerFailure.failed(reason: "App Attest: \(error)")
        }
    }
}
