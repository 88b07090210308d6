// Sample beneficiary app: the screens of :ui around the library, the Keystore key, FCM.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

// Firebase needs app/google-services.json (from the Firebase console, not checked in).
// Without it the app builds and runs; pushes then come only through the debug receiver.
if (file("google-services.json").exists()) {
    apply(plugin = "com.google.gms.google-services")
}

@Suppress("UNCHECKED_CAST")
val abis = rootProject.extra["cvconnectAbis"] as List<String>

/** Release builds talk https only: the core refuses plain http but on loopback, and so does this check. */
val releaseBackendUrl = providers.gradleProperty("cvconnect.releaseBackendUrl").orElse("https://api.cvconnect.example").get()
check(releaseBackendUrl.startsWith("https://")) { "cvconnect.releaseBackendUrl must be https: $releaseBackendUrl" }

android {
    namespace = "fr.ancv.cvconnect.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "fr.ancv.cvconnect" // the bundle id the sandbox's push feed targets
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
        // Each test starts from a clean app (not enrolled): the seed account is enrolled once.
        testInstrumentationRunnerArguments["clearPackageData"] = "true"
        // Only the ABIs libcvconnect_ffi.so is built for (JNA alone ships more).
        ndk { abiFilters += abis }
    }

    buildTypes {
        debug {
            // The sandbox on the host. From the emulator the host's loopback is 10.0.2.2;
            // the core accepts plain http only on loopback, so debug builds reach it through
            // a loopback relay (src/debug/…/Backend.kt). With `adb reverse tcp:8787 tcp:8787`,
            // pass -Pcvconnect.backendUrl=http://127.0.0.1:8787 and no relay is started.
            val url = providers.gradleProperty("cvconnect.backendUrl").orElse("http://10.0.2.2:8787").get()
            buildConfigField("String", "BACKEND_URL", "\"$url\"")
        }
        release {
            buildConfigField("String", "BACKEND_URL", "\"$releaseBackendUrl\"")
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets["main"].java.srcDir("src/main/kotlin")
    sourceSets["debug"].java.srcDir("src/debug/kotlin")
    sourceSets["release"].java.srcDir("src/release/kotlin")
    // The Kotlin test kit shared with the Maven suites (tests/kotlin-kit/README.md): the
    // instrumented test joins the host's sandbox with its Sandbox. Only its kotlin/ folder,
    // written to compile on Android too (HttpURLConnection, org.json); android/ is for the
    // suites that compile the library's sources on the JVM.
    sourceSets["androidTest"].java.srcDirs("src/androidTest/kotlin", rootProject.file("../tests/kotlin-kit/kotlin"))

    testOptions {
        execution = "ANDROIDX_TEST_ORCHESTRATOR"
    }
}

// Bytecode for Java 17 from whatever JDK runs Gradle (Android Studio's JBR 21): no
// jvmToolchain(17), which fails to sync without a JDK 17 or a toolchain resolver.
kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    implementation(project(":ui"))

    implementation("androidx.core:core-ktx:1.15.0")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-play-services:1.10.2") // Task.await()

    val composeBom = platform(rootProject.extra["composeBom"] as String)
    implementation(composeBom)
    implementation("androidx.compose.ui:ui-tooling-preview")
    debugImplementation("androidx.compose.ui:ui-tooling")
    debugImplementation("androidx.compose.ui:ui-test-manifest")

    implementation(platform("com.google.firebase:firebase-bom:33.7.0"))
    implementation("com.google.firebase:firebase-messaging")

    androidTestImplementation(composeBom)
    androidTestImplementation("androidx.compose.ui:ui-test-junit4")
    androidTestImplementation("androidx.test.ext:junit:1.2.1")
    androidTestImplementation("androidx.test:runner:1.6.2")
    androidTestImplementation("androidx.test:rules:1.6.1")
    androidTestImplementation("androidx.test.uiautomator:uiautomator:2.3.0")
    androidTestUtil("androidx.test:orchestrator:1.5.1")
}
