// The beneficiary's screens (Jetpack Compose), as an Android library.
//
// src/commonMain/kotlin holds the screens, written with the common Compose APIs only
// (androidx.compose.runtime/foundation/ui/material3: the same packages on Android and
// on the desktop) and the presenters' state types. src/androidMain/kotlin holds the
// Android-only part (the tap-jacking/FLAG_SECURE guard). The very same commonMain files
// are compiled for the desktop JVM by ./pom.xml (Maven, JetBrains Compose Multiplatform
// from Maven Central), which runs the UI tests against a real sandbox and renders
// docs/screens/*.png. No Kotlin Multiplatform plugin: both targets are JVMs and the
// screens depend on the JNA bindings, so two plain builds over one folder are simpler.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "fr.ancv.cvconnect.ui"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
    }

    sourceSets["main"].apply {
        java.srcDirs("src/commonMain/kotlin", "src/androidMain/kotlin")
        manifest.srcFile("src/androidMain/AndroidManifest.xml")
    }

    buildFeatures {
        compose = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

// Bytecode for Java 17, compiled by whatever JDK runs Gradle (Android Studio's JBR 21):
// no jvmToolchain, which would need a JDK 17 installed or a toolchain resolver.
kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    api(project(":cvconnect"))

    val composeBom = platform(rootProject.extra["composeBom"] as String)
    api(composeBom)
    api("androidx.compose.runtime:runtime")
    api("androidx.compose.foundation:foundation")
    api("androidx.compose.ui:ui")
    api("androidx.compose.material3:material3")
}
