//! The buffers that hold a PIN's digits on their way from the keypad to the seal: the
//! keypad's entry, the [`Pin`](super::Pin), and the seal's plaintext block.
//!
//! One type for the three, so that they are wiped the same way: a [`PinBytes`] gets
//! its final capacity when it is made and never reallocates (a reallocation would leave
//! the digits in a freed block that nothing wipes); every byte it stops holding is
//! wiped first (erase, clear); on drop its whole capacity is wiped. Moving the digits
//! from one holder to the next ([`PinBytes::into_holder`]) moves the allocation, it
//! never copies it.
//!
//! The type parameter names the holder. It costs nothing in the shipped library, where
//! wiping is unconditional; with the `test-hooks` feature, the memory scan's negative
//! controls may ask to skip the wiping of one holder (`crate::test_hooks::wiping`),
//! to show that the scan would find what it leaves.

use std::marker::PhantomData;

use zeroize::Zeroize;

#[cfg(feature = "test-hooks")]
use crate::test_hooks::wiping::{self, PinBufferKind};

/// Who holds a [`PinBytes`]: one of the uninhabited types below.
pub(crate) trait Holder {
    /// Which buffer this is, for the test hook that may skip its wiping.
    #[cfg(feature = "test-hooks")]
    const KIND: PinBufferKind;
}

/// The keypad's entry, filled one key press at a time.
pub(crate) enum KeypadDigits {}

/// The digits inside a [`Pin`](super::Pin).
pub(crate) enum PinDigits {}

/// The seal's plaintext block, `version ‖ ephemeral key ‖ digits`, until it is
/// encrypted in place.
pub(crate) enum SealPlaintext {}

impl Holder for KeypadDigits {
    #[cfg(feature = "test-hooks")]
    const KIND: PinBufferKind = PinBufferKind::KeypadDigits;
}

impl Holder for PinDigits {
    #[cfg(feature = "test-hooks")]
    const KIND: PinBufferKind = PinBufferKind::Pin;
}

impl Holder for SealPlaintext {
    #[cfg(feature = "test-hooks")]
    const KIND: PinBufferKind = PinBufferKind::SealPlaintext;
}

/// Bytes of a PIN held by `H`, wiped when they stop being held (see the module).
pub(crate) struct PinBytes<H: Holder> {
    bytes: Vec<u8>,
    holder: PhantomData<H>,
}

impl<H: Holder> PinBytes<H> {
    /// An empty buffer that will hold at most `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        PinBytes {
            bytes: Vec::with_capacity(capacity),
            holder: PhantomData,
        }
    }

    /// A buffer holding a copy of `bytes`, at capacity.
    pub(crate) fn copy_of(bytes: &[u8]) -> Self {
        let mut buffer = PinBytes::with_capacity(bytes.len());
        buffer.extend_from_slice(bytes);
        buffer
    }

    /// Appends `byte`, within the capacity given at creation.
    pub(crate) fn push(&mut self, byte: u8) {
        self.extend_from_slice(&[byte]);
    }

    /// Appends `bytes`, within the capacity given at creation.
    pub(crate) fn extend_from_slice(&mut self, bytes: &[u8]) {
        debug_assert!(
            self.bytes.len() + bytes.len() <= self.bytes.capacity(),
            "a PIN buffer must never reallocate"
        );
        self.bytes.extend_from_slice(bytes);
    }

    /// The bytes held.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes held, to be changed in place (the seal encrypts them).
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// Number of bytes held.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True when no byte is held.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Wipes the last byte, then stops holding it.
    pub(crate) fn erase_last(&mut self) {
        self.truncate_wiped(self.bytes.len().saturating_sub(1));
    }

    /// Wipes every byte, then holds none.
    pub(crate) fn clear(&mut self) {
        self.truncate_wiped(0);
    }

    /// Hands the same allocation over to holder `G`; nothing is copied.
    pub(crate) fn into_holder<G: Holder>(mut self) -> PinBytes<G> {
        PinBytes {
            bytes: std::mem::take(&mut self.bytes),
            holder: PhantomData,
        }
    }

    /// The bytes, for once they are no longer secret (the seal's block after
    /// encryption holds only the header and the ciphertext).
    pub(crate) fn into_public(mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }

    /// Wipes the bytes from `len` on, then shortens the buffer to `len`.
    fn truncate_wiped(&mut self, len: usize) {
        #[cfg(feature = "test-hooks")]
        if wiping::is_skipped(H::KIND) {
            self.bytes.truncate(len);
            return;
        }
        if let Some(dropped) = self.bytes.get_mut(len..) {
            dropped.zeroize();
        }
        self.bytes.truncate(len);
    }
}

impl<H: Holder> Drop for PinBytes<H> {
    /// Wipes the whole capacity, held bytes and spare room alike.
    fn drop(&mut self) {
        #[cfg(feature = "test-hooks")]
        if wiping::is_skipped(H::KIND) {
            return;
        }
        self.bytes.zeroize();
    }
}
