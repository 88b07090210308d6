#!/usr/bin/env bash
# Builds libcvconnect_ffi.so for Android (arm64-v8a, armeabi-v7a, x86_64) and lays out
# the sources of an AAR module: src/main/jniLibs/<abi>/ + src/main/kotlin/.
#
# Needs: the Android NDK (ANDROID_NDK_HOME), cargo-ndk (`cargo install cargo-ndk`).
# Usage: bindings/platforms/build-android.sh [OUT_DIR]   (default build/android)
# Not run in this repository's CI: there is no NDK there.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT="${1:-build/android}"
MIN_SDK="${MIN_SDK:-24}"
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android

# 16 KB pages (required by Google Play for Android 15+ devices); relocations packed the
# Android way (API 23+). RUSTFLAGS only reach target artifacts since cargo-ndk passes --target.
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384 -C link-arg=-Wl,--pack-dyn-relocs=android"

rm -rf "$OUT/src/main/jniLibs" "$OUT/src/main/kotlin"
cargo ndk --platform "$MIN_SDK" -t arm64-v8a -t armeabi-v7a -t x86_64 \
    -o "$OUT/src/main/jniLibs" \
    build --package cvconnect-ffi --lib --profile release-smaller

# Kotlin, from the metadata of the unstripped build (cargo-ndk may strip the copies it
# lays out): bindings/uniffi.toml (package fr.ancv.cvconnect, BigDecimal amounts,
# immutable records) with the Android cleaner on top (uniffi-android.toml).
cargo build --package cvconnect-ffi --features cli --bin uniffi-bindgen
target/debug/uniffi-bindgen generate \
    --library target/aarch64-linux-android/release-smaller/libcvconnect_ffi.so \
    --language kotlin --config bindings/platforms/uniffi-android.toml \
    --out-dir "$OUT/src/main/kotlin" --no-format
KOTLIN="$OUT/src/main/kotlin/fr/ancv/cvconnect/cvconnect.kt"
test -f "$KOTLIN" || { echo "no generated Kotlin at $KOTLIN" >&2; exit 1; }

# The adjustments and checks `cargo xtask bindings` makes to the JVM bindings
# (xtask/src/bindings/polish.rs), so that the AAR's API is the jar's: CvException.message
# is the French user message, names are unquoted where they are not Kotlin keywords, no
# reserved name, no Rust syntax in the docs, no test helper. Fails if uniffi's output
# stops matching.
cargo xtask polish kotlin "$OUT/src/main/kotlin"

cat <<MSG
Android sources in $OUT/src/main. In the AAR module's build.gradle.kts:
    implementation("net.java.dev.jna:jna:5.17.0@aar")   // >= 5.17: 16 KB page support
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    implementation("androidx.annotation:annotation:1.9.1")
Check the alignment: llvm-readelf -l <lib> | grep LOAD  (Align 0x4000)
MSG
