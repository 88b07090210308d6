import XCTest
import CVConnect
import CVConnectKit

final class ProbeTests: XCTestCase {
    func testFormat() throws {
        XCTAssertEqual(try Probe.text(), "1 234,50\u{a0}€")
    }
    @MainActor func testMainActorAsync() async throws {
        do { try await cvconnectSelftestPanicAsync(reason: "x") ; XCTFail() } catch CvError.unexpected(let detail) { XCTAssertTrue(detail.contains("x")) }
        await Task.yield()
    }
}
