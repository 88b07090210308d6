import CVConnect
import CVConnectKit
import Foundation
import XCTest

/// The device key's policy (`DeviceKeyPolicy`, run on the Keychain and the Secure Enclave
/// by CVConnectApple): absent is not unavailable, and a key that exists is never
/// replaced. The keys are the test library's software keys; the store is a dictionary
/// speaking the Keychain's statuses.
final class DeviceKeyTests: XCTestCase {
    func testKeychainStatusesAreClassified() {
        let blob = Data([1, 2, 3])
        XCTAssertEqual(KeychainRead(status: KeychainStatus.success, data: blob), .found(blob))
        XCTAssertEqual(KeychainRead(status: KeychainStatus.itemNotFound, data: nil), .absent)
        XCTAssertEqual(KeychainRead(status: KeychainStatus.interactionNotAllowed, data: nil),
                       .unavailable(status: -25308), "device locked: the key may exist")
        XCTAssertEqual(KeychainRead(status: -34018, data: nil), .unavailable(status: -34018), "missing entitlement")
        XCTAssertEqual(KeychainRead(status: KeychainStatus.success, data: nil), .unavailable(status: 0))
    }

    func testAKeyIsCreatedOnlyWhenAbsentAndThenReused() throws {
        let store = KeyStore()
        let first = try DeviceKeyPolicy.signer(from: store)
        XCTAssertEqual(store.adds, 1)
        let again = try DeviceKeyPolicy.signer(from: store)
        XCTAssertEqual(try again.publicKey(), try first.publicKey())
        XCTAssertEqual(store.adds, 1)
    }

    func testALockedKeychainNeverLeadsToANewKey() throws {
        let store = KeyStore()
        let enrolled = try DeviceKeyPolicy.signer(from: store)
        store.lockedStatus = KeychainStatus.interactionNotAllowed
        XCTAssertThrowsError(try DeviceKeyPolicy.signer(from: store)) { error in
            guard case SignerFailure.unavailable = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(store.made, 1, "no key made while locked")
        XCTAssertEqual(store.adds, 1)
        store.lockedStatus = nil
        XCTAssertEqual(try DeviceKeyPolicy.signer(from: store).publicKey(), try enrolled.publicKey())
    }

    func testAStoredKeyTheEnclaveRefusesIsInvalidatedNotReplaced() throws {
        let store = KeyStore()
        _ = try DeviceKeyPolicy.signer(from: store)
        store.refuseLoads = true
        XCTAssertThrowsError(try DeviceKeyPolicy.signer(from: store)) { XCTAssertEqual($0 as? SignerFailure, .keyInvalidated) }
        XCTAssertEqual(store.adds, 1)
        XCTAssertEqual(store.made, 1, "no new key")
        XCTAssertEqual(store.blobs.count, 1, "the stored key is kept until the user enrolls again")
    }

    func testAKeyStoredMeanwhileWins() throws {
        let store = KeyStore()
        let other = try DeviceKeyPolicy.signer(from: KeyStore())
        store.storeBeforeNextAdd = (Data("other".utf8), other)
        let signer = try DeviceKeyPolicy.signer(from: store)
        XCTAssertEqual(try signer.publicKey(), try other.publicKey())
    }

    /// The app's signer while the device is locked: the client is built, the enrollment
    /// fails with `CvError.signer` and nothing is created; unlocked, the same client works.
    func testTheDeferredSignerWaitsForTheKeychain() async throws {
        let store = KeyStore()
        store.lockedStatus = KeychainStatus.interactionNotAllowed
        let email = try await Sandbox.shared.newAccount(balance: "10.00")
        let phone = try Phone(signer: DeferredDeviceSigner { try DeviceKeyPolicy.signer(from: store) })
        do {
            try await phone.enroll(email)
            XCTFail("enrolled without a key")
        } catch let CvError.signer(detail) {
            XCTAssertTrue(detail.contains("-25308"), detail)
        }
        XCTAssertEqual(store.made, 0)
        store.lockedStatus = nil
        try await phone.enroll(email)
        let balance = try await phone.client.balance()
        XCTAssertEqual(balance.amount, Decimal("10"))
        XCTAssertEqual(store.adds, 1)
    }
}

/// Keychain items in a dictionary, with the Keychain's statuses; new keys are the test
/// library's software keys.
final class KeyStore: DeviceKeyBackend, @unchecked Sendable {  // tests use it from one task at a time
    var blobs: [Data: any DeviceSigner] = [:]
    var stored: Data?
    var adds = 0
    var made = 0
    var lockedStatus: Int32?
    var refuseLoads = false
    var storeBeforeNextAdd: (Data, any DeviceSigner)?

    func read() -> KeychainRead {
        if let lockedStatus { return KeychainRead(status: lockedStatus, data: nil) }
        return KeychainRead(status: stored == nil ? KeychainStatus.itemNotFound : KeychainStatus.success, data: stored)
    }

    func add(_ blob: Data) -> Int32 {
        if let (other, signer) = storeBeforeNextAdd {
            storeBeforeNextAdd = nil
            blobs[other] = signer
            stored = other
        }
        if let lockedStatus { return lockedStatus }
        guard stored == nil else { return KeychainStatus.duplicateItem }
        adds += 1
        stored = blob
        return KeychainStatus.success
    }

    func makeKey() throws -> (blob: Data, signer: any DeviceSigner) {
        made += 1
        let signer = try softwareDeviceSigner()
        let blob = Data(UUID().uuidString.utf8)
        blobs[blob] = signer
        return (blob, signer)
    }

    func load(_ blob: Data) throws -> any DeviceSigner {
        guard !refuseLoads, let signer = blobs[blob] else { throw HarnessFailure(description: "the enclave refuses this blob") }
        return signer
    }
}
