// swift-tools-version:6.0
// CVConnect for Swift: the binding of the Rust core and the app-side layers on top of it,
// in Swift 6 language mode (complete strict concurrency), generated code included.
//
// Targets, split by what they need:
//
// - CVConnectFFI    the C side of the binding. Linux: a system-library target on the
//                   uniffi header (Sources/CVConnectFFI/include, header copied there by
//                   `cargo xtask test swift`) linking libcvconnect_ffi.so. Apple: the
//                   XCFramework of the static library that bindings/platforms/build-ios.sh
//                   writes to Generated/CVConnectFFI.xcframework.
// - CVConnect       the generated Swift (Sources/CVConnect/Generated/CVConnect.swift,
//                   git-ignored) and `CvError: LocalizedError`.
// - CVConnectKit    platform-neutral: the payment flow (twin of the Android
//                   PaymentPresenter), pending payments, error texts, the device-key policy.
//                   Compiled and tested on Linux.
// - CVConnectPush   platform-neutral and free of the core, for the notification service
//                   extension (24 MB limit): push payload shape, the texts shown, the
//                   notification category.
// - CVConnectApple  Apple frameworks only, each file behind `#if canImport(...)`: the
//                   SwiftUI ObservableObject adapters, the Secure Enclave signer, the
//                   Keychain, UserNotifications. Compiles to an empty module on Linux.
// - CVConnectPushBench  Linux only: the push-to-screen driver of `cargo xtask bench`
//                   (bench/src/foreign.rs), signing with the test library's
//                   softwareDeviceSigner().
import PackageDescription

#if os(Linux)
let ffi = Target.systemLibrary(name: "CVConnectFFI", path: "Sources/CVConnectFFI/include")
let linuxTargets: [Target] = [.executableTarget(name: "CVConnectPushBench", dependencies: ["CVConnect"])]
let linuxProducts: [Product] = [.executable(name: "CVConnectPushBench", targets: ["CVConnectPushBench"])]
#else
let ffi = Target.binaryTarget(name: "CVConnectFFI", path: "Generated/CVConnectFFI.xcframework")
let linuxTargets: [Target] = []
let linuxProducts: [Product] = []
#endif

let package = Package(
    name: "CVConnect",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "CVConnect", targets: ["CVConnect"]),
        .library(name: "CVConnectKit", targets: ["CVConnectKit"]),
        .library(name: "CVConnectPush", targets: ["CVConnectPush"]),
        .library(name: "CVConnectApple", targets: ["CVConnectApple"]),
    ] + linuxProducts,
    targets: [
        ffi,
        .target(name: "CVConnect", dependencies: ["CVConnectFFI"]),
        .target(name: "CVConnectKit", dependencies: ["CVConnect"]),
        .target(name: "CVConnectPush"),
        .target(name: "CVConnectApple", dependencies: ["CVConnect", "CVConnectKit"]),
        .testTarget(
            name: "CVConnectTests",
            dependencies: ["CVConnect", "CVConnectKit", "CVConnectPush"]
        ),
    ] + linuxTargets,
    swiftLanguageModes: [.v6]
)
