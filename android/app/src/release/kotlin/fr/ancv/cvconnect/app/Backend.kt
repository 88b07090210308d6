package fr.ancv.cvconnect.app

/** Release builds: the backend over https, nothing else (no relay, no cleartext). */
internal object Backend {
    fun baseUrl(configured: String): String {
        require(configured.startsWith("https://")) { "release builds talk https only, not $configured" }
        return configured
    }
}
