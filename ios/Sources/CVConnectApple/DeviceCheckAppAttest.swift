#if canImport(DeviceCheck)
import CVConnect
import CVConnectKit
@preconcurrency import DeviceCheck
import Foundation

/// `DCAppAttestService.shared` as CVConnectKit's `AppAttestService`, for
/// `AppAttestAttester` (tested on Linux with a recording service). Never compiled on this
/// machine: DeviceCheck exists on Apple platforms only. The app needs the App Attest
/// entitlement (`com.apple.developer.devicecheck.appattest-environment`, project.yml),
/// `development` or `production` as the backend's `--apple-environment`.
///
/// The service's completion handlers are waited for on the calling thread: the core asks
/// its attester on one of its own threads, never the main thread.
public struct DeviceCheckAppAttest: AppAttestService {
    public init() {}

    public var isSupported: Bool { DCAppAttestService.shared.isSupported }

    public func generateKey() throws -> String {
        try waitFor { done in DCAppAttestService.shared.generateKey(completionHandler: done) }
    }

    public func attestKey(_ keyId: String, clientDataHash: Data) throws -> Data {
        try waitFor { done in
            DCAppAttestService.shared.attestKey(keyId, clientDataHash: clientDataHash, completionHandler: done)
        }
    }
}

/// Starts `call` and blocks until its completion handler runs; its value, or its error
/// as a `SignerFailure`.
private func waitFor<Value: Sendable>(
    _ call: (@escaping @Sendable (Value?, (any Error)?) -> Void) -> Void
) throws -> Value {
    let answer = Answer<Value>()
    call { value, error in answer.set(value, error) }
    return try answer.get()
}

/// One completion handler's answer, handed from DeviceCheck's queue to the waiting thread.
private final class Answer<Value: Sendable>: @unchecked Sendable {  // guarded by `done`
    private let done = DispatchSemaphore(value: 0)
    private var value: Value?
    private var error: (any Error)?

    func set(_ value: Value?, _ error: (any Error)?) {
        self.value = value
        self.error = error
        done.signal()
    }

    func get() throws -> Value {
        done.wait()
        if let value { return value }
        throw failure(error)
    }
}

/// `serverUnavailable` is worth a retry; the rest is not.
private func failure(_ error: (any Error)?) -> SignerFailure {
    guard let error else { return .failed(reason: "App Attest answered nothing") }
    if let error = error as? DCError, error.code == .serverUnavailable {
        return .unavailable(reason: "App Attest server unavailable")
    }
    return .failed(reason: "App Attest: \(error.localizedDescription)")
}
#endif
