// The AAR: the core's .so for each ABI and the generated Kotlin (both from
// bindings/platforms/build-android.sh, default output ../build/android), plus the
// plain-Kotlin helpers in src/main/kotlin (JVM-tested by ../jvm-tests/pom.xml).
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

val generated = rootProject.extra["cvconnectGenerated"] as File

android {
    // Not fr.ancv.cvconnect: that package is the generated bindings' (an R class there
    // would share it with them). The helpers are in its sub-packages.
    namespace = "fr.ancv.cvconnect.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 24 // MIN_SDK of build-android.sh
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", generated.resolve("kotlin"))
        jniLibs.srcDir(generated.resolve("jniLibs"))
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        // 16 KB-aligned libraries, stored uncompressed and mapped from the APK.
        jniLibs.useLegacyPackaging = false
    }
}

// Bytecode for Java 17 from whatever JDK runs Gradle (no jvmToolchain: see ../ui).
kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

tasks.named("preBuild") {
    doFirst {
        check(generated.resolve("kotlin/fr/ancv/cvconnect/cvconnect.kt").isFile) {
            "Run bindings/platforms/build-android.sh first (it writes $generated)"
        }
    }
}

dependencies {
    // >= 5.17: its own native libraries are 16 KB aligned.
    api("net.java.dev.jna:jna:5.17.0@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
    implementation("androidx.annotation:annotation:1.9.1")
}
