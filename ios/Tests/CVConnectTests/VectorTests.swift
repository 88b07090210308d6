import CVConnect
import Foundation
import XCTest

/// The protocol's test vectors (docs/protocol-vectors.json), shared with the Rust, Kotlin
/// and Python suites, through the test library's exports.
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
