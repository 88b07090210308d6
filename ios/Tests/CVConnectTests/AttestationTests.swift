import CVConnect
import CVConnectKit
import Foundation
import XCTest

// Key attestation at enrollment (protocol v1.2) through the generated binding, against
// sandboxes whose policy requires or allows it (App Attest configured on the test root of
// tests/fixtures, whose key was thrown away: nothing verifies under it, so these tests
// check what happens around the verification), and `AppAttestAttester` on a recording
// App Attest service.

let challengeSize = 32

/// Sandbox options for attestation `policy`, with App Attest configured: a policy other
/// than `off` needs one platform.
func attestationArguments(_ policy: String) -> [String] {
    let root = workspaceRoot.appendingPathComponent("tests/fixtures/attestation-test-root.pem").path
    return ["--attestation", policy, "--apple-app-id", "ABCDE12345.fr.ancv.cvconnect", "--apple-root", root]
}

/// Records each challenge and answers `answer` (by default an Android chain that is not DER).
final class RecordingAttester: KeyAttester, @unchecked Sendable {  // `challenges` guarded by `lock`
    private let lock = NSLock()
    private var recorded: [Data] = []
    private let answer: @Sendable (Data) throws -> DeviceAttestation?

    init(answer: @escaping @Sendable (Data) throws -> DeviceAttestation? = { _ in
        .androidKey(certificateChain: [Data([0x30, 0x03, 1, 2, 3]), Data("not a certificate".utf8)])
    }) {
        self.answer = answer
    }

    var challenges: [Data] { lock.withLock { recorded } }

    func attest(challenge: Data) throws -> DeviceAttestation? {
        lock.withLock { recorded.append(challenge) }
        return try answer(challenge)
    }
}

/// `DCAppAttestService` as a test sees it: records each call, answers a fixed key id and
/// an attestation object that is not one.
final class RecordingAppAttestService: AppAttestService, @unchecked Sendable {  // guarded by `lock`
    let isSupported: Bool
    let keyId: String
    private let lock = NSLock()
    private var attested: [(keyId: String, clientDataHash: Data)] = []

    init(isSupported: Bool = true, keyId: String = Data(repeating: 0xA7, count: 32).base64EncodedString()) {
        self.isSupported = isSupported
        self.keyId = keyId
    }

    var calls: [(keyId: String, clientDataHash: Data)] { lock.withLock { attested } }

    func generateKey() throws -> String { keyId }

    func attestKey(_ keyId: String, clientDataHash: Data) throws -> Data {
        lock.withLock { attested.append((keyId, clientDataHash)) }
        return Data("not an attestation object".utf8)
    }
}

/// Enrolls `phone` with `code`; the backend's refusal code. Nothing is enrolled.
private func refusal(_ phone: Phone, _ email: String, _ code: String) async throws -> String {
    do {
        _ = try await phone.client.enroll(email: email, activationCode: code, pushToken: nil, platform: .ios)
    } catch let CvError.api(code, _, httpStatus) {
        XCTAssertEqual(httpStatus, 403)
        XCTAssertNil(try phone.client.enrolledDevice())
        return code
    }
    XCTFail("the enrollment was accepted")
    return ""
}

final class AttestationTests: XCTestCase {
    func testAttestationRequiredRefusesAClientWithoutAttesterAndSpendsNothing() async throws {
        let sandbox = try Sandbox(arguments: attestationArguments("required"))
        defer { sandbox.stop() }
        let email = try await sandbox.newAccount(balance: "200.00")
        let code = try await sandbox.activationCode(email)
        let refused = try await refusal(try Phone(sandbox), email, code)
        XCTAssertEqual(refused, "attestation_required")
        // The same code again, with an attester: it reaches the attestation check, so the
        // first refusal did not spend it.
        let again = try await refusal(try Phone(sandbox, attester: RecordingAttester()), email, code)
        XCTAssertEqual(again, "attestation_refused")
        let devices = try await sandbox.devices(of: email)
        XCTAssertTrue(devices.isEmpty)
    }

    func testAGarbageAttestationIsRefusedAndTheAttesterHadAFreshChallenge() async throws {
        let sandbox = try Sandbox(arguments: attestationArguments("required"))
        defer { sandbox.stop() }
        let email = try await sandbox.newAccount(balance: "200.00")
        let attester = RecordingAttester()
        let phone = try Phone(sandbox, attester: attester)
        for _ in 0..<2 {
            let refused = try await refusal(phone, email, try await sandbox.activationCode(email))
            XCTAssertEqual(refused, "attestation_refused")
        }
        XCTAssertEqual(attester.challenges.map(\.count), [challengeSize, challengeSize])
        XCTAssertNotEqual(attester.challenges[0], attester.challenges[1], "each enrollment has a challenge of its own")
        let devices = try await sandbox.devices(of: email)
        XCTAssertTrue(devices.isEmpty)
    }

    func testUnderTheDefaultPolicyTheAttesterIsNeverCalledAttestationOff() async throws {
        let attester = RecordingAttester()
        let phone = try Phone(attester: attester)
        try await phone.enroll(try await Sandbox.shared.newAccount(balance: "200.00"))
        XCTAssertEqual(attester.challenges, [])
        let devices = try await phone.client.devices()
        XCTAssertEqual(devices.count, 1)
        XCTAssertNil(devices.first?.attestedSecurityLevel)
    }

    /// The App Attest object reaches the backend (which refuses it, instead of answering
    /// `attestation_required`), made for the hash the core computes for the challenge the
    /// backend issued and the key this phone enrolls.
    func testAppAttestAttestationCarriesTheCoresClientDataHashToTheBackend() async throws {
        let sandbox = try Sandbox(arguments: attestationArguments("required"))
        defer { sandbox.stop() }
        let signer = try softwareDeviceSigner()
        let service = RecordingAppAttestService()
        let appAttest = AppAttestAttester(service: service, signer: signer)
        let attester = RecordingAttester { try appAttest.attest(challenge: $0) }
        let email = try await sandbox.newAccount(balance: "200.00")
        let refused = try await refusal(try Phone(sandbox, signer: signer, attester: attester), email,
                                        try await sandbox.activationCode(email))
        XCTAssertEqual(refused, "attestation_refused")

        let challenge = try XCTUnwrap(attester.challenges.first)
        XCTAssertEqual(challenge.count, challengeSize)
        let expected = appAttestClientDataHash(challenge: challenge, publicKey: try signer.publicKey())
        XCTAssertEqual(expected.count, 32)
        XCTAssertEqual(service.calls.map(\.clientDataHash), [expected])
        XCTAssertEqual(service.calls.map(\.keyId), [service.keyId])
        let otherKey = appAttestClientDataHash(challenge: challenge, publicKey: try softwareDeviceSigner().publicKey())
        XCTAssertNotEqual(expected, otherKey, "the hash binds the key")
    }

    func testAppAttestAttestationUnsupportedIsNullAndTheOptionalPolicyEnrollsUnattested() async throws {
        let sandbox = try Sandbox(arguments: attestationArguments("optional"))
        defer { sandbox.stop() }
        let signer = try softwareDeviceSigner()
        let service = RecordingAppAttestService(isSupported: false)
        let phone = try Phone(sandbox, signer: signer, attester: AppAttestAttester(service: service, signer: signer))
        try await phone.enroll(try await sandbox.newAccount(balance: "200.00"))
        XCTAssertTrue(service.calls.isEmpty)
        let devices = try await phone.client.devices()
        XCTAssertNil(devices.first?.attestedSecurityLevel, "enrolled, unattested")
    }

    func testAppAttestAttestationWithAKeyIdThatIsNotBase64FailsTyped() throws {
        let signer = try softwareDeviceSigner()
        let attester = AppAttestAttester(service: RecordingAppAttestService(keyId: "not base64!"), signer: signer)
        XCTAssertThrowsError(try attester.attest(challenge: Data(count: challengeSize))) { error in
            guard case SignerFailure.failed = error else { return XCTFail("\(error)") }
        }
    }
}
