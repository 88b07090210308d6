// Chèque-Vacances Connect for Android: the library (AAR) around the Rust core, and a
// sample app. Not built in this repository (no Android SDK or Gradle there): see README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "cvconnect-android"
include(":cvconnect", ":ui", ":app")
