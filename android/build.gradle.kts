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
