#!/usr/bin/env bash
# Builds CVConnectFFI.xcframework (device + simulator static libraries, headers in their
# own subfolder) and the generated Swift for ios/Package.swift, adjusted and checked as
# `cargo xtask bindings` does (lowerCamel error cases, no reserved names, no test helper).
#
# Needs: macOS with Xcode (xcrun, lipo, libtool, xcodebuild).
# Usage: bindings/platforms/build-ios.sh
# Not run in this repository's CI: there is no Xcode there.
set -euo pipefail
cd "$(dirname "$0")/../.."

PROFILE=release-smaller
WORK=build/ios
OUT=ios/Generated
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-16.0}"
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios)
rustup target add "${TARGETS[@]}"
SWIFT_OUT=ios/Sources/CVConnect/Generated
rm -rf "$WORK" "$OUT" "$SWIFT_OUT" && mkdir -p "$WORK/headers/CVConnectFFI" "$OUT" "$SWIFT_OUT"

# Only the uniffi entry points stay global: the bundled SQLite (and every Rust symbol)
# becomes local, so it cannot clash with the app's own SQLite or another Rust library.
printf '_uniffi_*\n_ffi_*\n' > "$WORK/exported_symbols.txt"

prelink() { # target arch -> $WORK/<target>.a
    local lib="target/$1/$PROFILE/libcvconnect_ffi.a"
    xcrun ld -r -arch "$2" -exported_symbols_list "$WORK/exported_symbols.txt" \
        -force_load "$lib" -o "$WORK/$1.o"
    xcrun libtool -static -o "$WORK/$1.a" "$WORK/$1.o"
}
for target in "${TARGETS[@]}"; do
    cargo rustc --package cvconnect-ffi --lib --profile "$PROFILE" --target "$target" --crate-type staticlib
done
prelink aarch64-apple-ios arm64
prelink aarch64-apple-ios-sim arm64
prelink x86_64-apple-ios x86_64
lipo -create "$WORK/aarch64-apple-ios-sim.a" "$WORK/x86_64-apple-ios.a" -output "$WORK/simulator.a"

# Swift and the C header, from the library's own metadata (before prelinking).
cargo build --package cvconnect-ffi --features cli --bin uniffi-bindgen
target/debug/uniffi-bindgen generate --library "target/aarch64-apple-ios/$PROFILE/libcvconnect_ffi.a" \
    --language swift --out-dir "$WORK/swift" --no-format
cargo xtask polish swift "$WORK/swift"
cp "$WORK/swift/CVConnectFFI.h" "$WORK/headers/CVConnectFFI/"
cp "$WORK/swift/CVConnectFFI.modulemap" "$WORK/headers/CVConnectFFI/module.modulemap"
cp "$WORK/swift/CVConnect.swift" "$SWIFT_OUT/"

xcodebuild -create-xcframework \
    -library "$WORK/aarch64-apple-ios.a" -headers "$WORK/headers" \
    -library "$WORK/simulator.a" -headers "$WORK/headers" \
    -output "$OUT/CVConnectFFI.xcframework"
echo "ios/Package.swift is ready: $OUT/CVConnectFFI.xcframework and $SWIFT_OUT/CVConnect.swift"
