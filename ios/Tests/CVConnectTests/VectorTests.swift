import CVConnect
import Foundation
import XCTest

/// The protocol's test vectors (docs/protocol-vectors.json), shared with the Rust, Kotlin
/// and Python suites, through the test library's exports; the request proof's bytes are
/// rebuilt here, as the bindings export no request proof.
final class VectorTests: XCTestCase {
    private func vectors(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: workspaceRoot.appendingPathComponent("docs/protocol-vectors.json"))
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(all[name] as? [String: Any])
    }

    func testConfirmationCanonicalBytes() throws {
        let v = try vectors("confirmation")
        let fields = ConfirmationFields(
            paymentId: v["payment_id"] as! String, nonce: v["nonce"] as! String,
            payeeId: v["payee_id"] as! String, payeeName: v["payee_name"] as! String,
            total: Decimal(v["total"] as! String), amount: Decimal(v["amount"] as! String),
            expiresAt: Int64(v["expires_at"] as! Int), deviceId: v["device_id"] as! String,
            sealedPinHash: try hex(v["sealed_pin_hash_hex"] as! String)
        )
        XCTAssertEqual(fields.payeeName, "Boutique Démo", "non-ASCII on purpose")
        let bytes = try canonicalConfirmationBytes(fields: fields)
        XCTAssertEqual(hexString(bytes), v["expected_hex"] as! String)

        let otherAmount = ConfirmationFields(
            paymentId: fields.paymentId, nonce: fields.nonce, payeeId: fields.payeeId, payeeName: fields.payeeName,
            total: fields.total, amount: Decimal("150.00"), expiresAt: fields.expiresAt, deviceId: fields.deviceId,
            sealedPinHash: fields.sealedPinHash
        )
        XCTAssertNotEqual(try canonicalConfirmationBytes(fields: otherAmount), bytes)
    }

    func testSignatureVectorAndTheSoftwareSigner() throws {
        let v = try vectors("signature")
        let spki = try hex(v["public_key_spki_hex"] as! String)
        let message = try hex(v["message_hex"] as! String)
        let signature = try hex(v["signature_der_hex"] as! String)
        XCTAssertEqual(v["message_hex"] as? String, try vectors("confirmation")["expected_hex"] as? String)
        XCTAssertTrue(verifyDeviceSignature(publicKeySpki: spki, message: message, signature: signature))
        XCTAssertFalse(verifyDeviceSignature(publicKeySpki: spki, message: try hex(v["tampered_message_hex"] as! String),
                                             signature: signature))

        // The signer the suite's phones use signs what the backend verifies.
        let signer = try softwareDeviceSigner()
        let key = try signer.publicKey()
        XCTAssertEqual(key.count, 91, "SubjectPublicKeyInfo DER of a P-256 key")
        XCTAssertTrue(verifyDeviceSignature(publicKeySpki: key, message: message, signature: try signer.sign(message: message)))
        XCTAssertFalse(verifyDeviceSignature(publicKeySpki: spki, message: message, signature: try signer.sign(message: message)))
    }

    /// §6.4 rebuilt from the request as the vector gives it (the bindings export no request
    /// proof). Foundation on Linux has no SHA-256, so the body hash is the vector's: the Rust,
    /// Kotlin and Python suites check it against the body.
    private func requestProofBytes(_ request: [String: Any]) throws -> Data {
        let text = try ["device_id", "method", "target"].map { key in Data(try XCTUnwrap(request[key] as? String, key).utf8) }
        let bodyHash = try hex(try XCTUnwrap(request["body_sha256_hex"] as? String))
        let timestamp = Data(String(try XCTUnwrap(request["timestamp"] as? Int)).utf8)
        let proofId = Data(try XCTUnwrap(request["proof_id"] as? String).utf8)
        return canonicalFields("cvconnect/request/v1", text + [bodyHash, timestamp, proofId])
    }

    func testRequestProofBytesAndHeader() throws {
        let r = try vectors("request_proof")
        XCTAssertEqual(hexString(try requestProofBytes(r)), r["expected_hex"] as? String)
        XCTAssertEqual(try hex(r["body_sha256_hex"] as! String).count, 32)
        let unsigned = "CVC-Proof \(r["device_id"] as! String).\(r["timestamp"] as! Int).\(r["proof_id"] as! String)."
        XCTAssertEqual(r["header_without_signature"] as? String, unsigned)
        let signature = try hex(r["signature_der_hex"] as! String).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        XCTAssertEqual(r["authorization"] as? String, unsigned + signature)
    }

    /// Foundation on Linux has no SHA-256: the hash is the vector's, which the Rust, Kotlin
    /// and Python suites check against the client data.
    func testAttestationClientDataAndItsHashMatchTheVector() throws {
        let v = try vectors("attestation_client_data")
        let challenge = try hex(try XCTUnwrap(v["challenge_hex"] as? String))
        let key = try hex(try XCTUnwrap(v["public_key_spki_hex"] as? String))
        XCTAssertEqual(hexString(canonicalFields("cvconnect/attest/v1", [challenge, key])), v["client_data_hex"] as? String)
        let hash = appAttestClientDataHash(challenge: challenge, publicKey: key)
        XCTAssertEqual(hexString(hash), v["client_data_hash_hex"] as? String)
        XCTAssertNotEqual(appAttestClientDataHash(challenge: challenge, publicKey: try softwareDeviceSigner().publicKey()), hash)
    }

    func testRequestProofSignatureVerifiesOnlyItsRequest() throws {
        let r = try vectors("request_proof")
        let spki = try hex(try vectors("signature")["public_key_spki_hex"] as! String)
        let message = try hex(r["expected_hex"] as! String)
        let signature = try hex(r["signature_der_hex"] as! String)
        XCTAssertTrue(verifyDeviceSignature(publicKeySpki: spki, message: message, signature: signature))

        let refused = try XCTUnwrap(r["refused"] as? [[String: Any]])
        var changedFields = Set<String>()
        for change in refused {
            let changed = try hex(change["expected_hex"] as! String)
            XCTAssertEqual(try requestProofBytes(r.merging(change) { _, new in new }), changed, "\(change)")
            XCTAssertNotEqual(changed, message, "\(change)")
            XCTAssertFalse(verifyDeviceSignature(publicKeySpki: spki, message: changed, signature: signature), "\(change)")
            changedFields.formUnion(change.keys)
        }
        XCTAssertTrue(changedFields.isSuperset(of: ["method", "target", "body", "timestamp", "proof_id"]), "\(changedFields)")
    }
}

/// protocol.md "Canonical bytes": the tag, then each field, each behind its length as
/// 4 big-endian bytes.
func canonicalFields(_ tag: String, _ fields: [Data]) -> Data {
    var out = Data()
    for field in [Data(tag.utf8)] + fields {
        withUnsafeBytes(of: UInt32(field.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(field)
    }
    return out
}

func hex(_ text: String) throws -> Data {
    var bytes = Data()
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        guard let byte = UInt8(text[index..<next], radix: 16) else { throw HarnessFailure(description: "not hex: \(text)") }
        bytes.append(byte)
        index = next
    }
    return bytes
}

func hexString(_ data: Data) -> String {
    data.map { String(format: "%02x", $0) }.joined()
}
