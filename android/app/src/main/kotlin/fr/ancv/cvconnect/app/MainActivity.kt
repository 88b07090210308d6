package fr.ancv.cvconnect.app

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import android.view.WindowManager
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.compose.runtime.CompositionLocalProvider
import androidx.core.content.ContextCompat
import fr.ancv.cvconnect.app.push.PushNotifier
import fr.ancv.cvconnect.app.ui.AppRoot
import fr.ancv.cvconnect.ui.CvTheme
import fr.ancv.cvconnect.ui.LocalScreenGuard
import fr.ancv.cvconnect.ui.android.AndroidScreenGuard

class MainActivity : ComponentActivity() {
    private val model: AppViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        // Before any content: no screenshot, screen recording or Recents thumbnail of any
        // screen (balance, amounts, keypad). The keypad's guard checks it again.
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        super.onCreate(savedInstanceState)
        if (savedInstanceState == null) openPush(intent)
        if (Build.VERSION.SDK_INT >= 33 &&
            ContextCompat.checkSelfPermission(this, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            registerForActivityResult(ActivityResultContracts.RequestPermission()) { }
                .launch(Manifest.permission.POST_NOTIFICATIONS)
        }
        setContent {
            CompositionLocalProvider(LocalScreenGuard provides AndroidScreenGuard) {
                CvTheme { AppRoot(model) }
            }
        }
    }

    /** A tapped notification while the app runs (launchMode singleTop). */
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        openPush(intent)
    }

    private fun openPush(intent: Intent?) {
        PushNotifier.dataFrom(intent)?.let(model::openFromPush)
    }
}
