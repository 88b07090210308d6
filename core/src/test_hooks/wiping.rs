//! Skipping the wiping of one kind of PIN buffer (see the parent module).
//!
//! The memory scan of the `security_secrets` suite runs a probe process that pays and
//! then has its memory read. A scan that finds nothing proves little unless the same
//! scan finds the PIN when the code fails to wipe it. So the probe may call
//! [`skip_wiping_of`] once, before it makes any PIN buffer, and the scan must then find
//! the digits that buffer left behind: the suite asserts that it does.
//!
//! - [`PinBufferKind::KeypadDigits`]: the keypad's entry is neither wiped on erase,
//!   clear or expiry, nor when the keypad drops;
//! - [`PinBufferKind::Pin`]: a [`Pin`](crate::pin::Pin) is not wiped when it drops
//!   (the seal drops it once it has copied the digits into its block);
//! - [`PinBufferKind::SealPlaintext`]: the seal encrypts its plaintext block in place,
//!   so on its normal path the ciphertext overwrites the digits and nothing is left to
//!   wipe. Skipping that protection leaves behind what an encryption out of place would
//!   leave if its plaintext were not wiped: a freed, unwiped copy of the block as it was
//!   before encryption. The block itself is not wiped either on the error paths.
//!
//! The choice is process-wide and cannot be undone. Each skipped wipe is logged with
//! [`SKIPPED_WIPING`], the marker `cargo xtask package` looks for in the shipped library.

use std::sync::atomic::{AtomicU8, Ordering};

/// Starts the log line of every skipped wipe. Also the marker string `cargo xtask
/// package` looks for: the shipped library must not contain it.
pub const SKIPPED_WIPING: &str = "cvconnect test hook: wiping skipped";

/// The PIN buffers whose wiping a test may skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinBufferKind {
    /// The keypad's entry.
    KeypadDigits,
    /// The digits inside a `Pin`.
    Pin,
    /// The seal's plaintext block.
    SealPlaintext,
}

impl PinBufferKind {
    /// Every kind.
    pub const ALL: [PinBufferKind; 3] = [
        PinBufferKind::KeypadDigits,
        PinBufferKind::Pin,
        PinBufferKind::SealPlaintext,
    ];

    /// The kind's name on a command line (`keypad-digits`, `pin`, `seal-plaintext`).
    pub fn name(self) -> &'static str {
        match self {
            PinBufferKind::KeypadDigits => "keypad-digits",
            PinBufferKind::Pin => "pin",
            PinBufferKind::SealPlaintext => "seal-plaintext",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<PinBufferKind> {
        PinBufferKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    /// Never 0: 0 stands for "nothing skipped" in [`SKIPPED`].
    fn code(self) -> u8 {
        match self {
            PinBufferKind::KeypadDigits => 1,
            PinBufferKind::Pin => 2,
            PinBufferKind::SealPlaintext => 3,
        }
    }
}

/// The code of the kind whose wiping this process skips; 0 for none.
static SKIPPED: AtomicU8 = AtomicU8::new(0);

/// From now on, for the rest of the process, buffers of `kind` are not wiped.
pub fn skip_wiping_of(kind: PinBufferKind) {
    SKIPPED.store(kind.code(), Ordering::SeqCst);
}

/// True if buffers of `kind` must not be wiped; logs each such skip.
pub(crate) fn is_skipped(kind: PinBufferKind) -> bool {
    let skipped = SKIPPED.load(Ordering::SeqCst) == kind.code();
    if skipped {
        tracing::warn!("{SKIPPED_WIPING}: {}", kind.name());
    }
    skipped
}

/// What an encryption out of place would leave of the seal's plaintext if it were not
/// wiped, when the seal's wiping is skipped: a freed copy of `plaintext`, not wiped.
pub(crate) fn leave_seal_plaintext(plaintext: &[u8]) {
    if is_skipped(PinBufferKind::SealPlaintext) {
        // `black_box`: the optimiser would otherwise drop an allocation nobody reads.
        drop(std::hint::black_box(plaintext.to_vec()));
    }
}
