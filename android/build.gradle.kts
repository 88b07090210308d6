// Versions in one place; each module applies what it needs.
plugins {
    id("com.android.application") version "8.7.3" apply false
    id("com.android.library") version "8.7.3" apply false
    id("org.jetbrains.kotlin.android") version "2.1.0" apply false
    id("org.jetbrains.kotlin.plugin.compose") version "2.1.0" apply false
    id("com.google.gms.google-services") version "4.4.2" apply false
}

/** Where bindings/platforms/build-android.sh lays out the .so files and the generated Kotlin. */
extra["cvconnectGenerated"] = rootDir.resolve("../build/android/src/main")

/**
 * The ABIs build-android.sh builds libcvconnect_ffi.so for. The app packages these only
 * (abiFilters): a device or emulator with another ABI (32-bit x86) refuses to install
 * the app instead of crashing at start with UnsatisfiedLinkError.
 */
extra["cvconnectAbis"] = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

/** Jetpack Compose for the :ui and :app modules (the desktop build pins its own, ui/pom.xml). */
extra["composeBom"] = "androidx.compose:compose-bom:2024.12.01"
