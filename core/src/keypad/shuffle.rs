//! The keypad's layout: a uniformly random permutation of the ten digits.
//!
//! Any bias would make some digits likelier at some positions, and the positions
//! pressed would then leak a little about the PIN. So the shuffle is Fisher–Yates,
//! each index taken by rejection sampling on random bytes: `byte % n` alone would
//! favour small residues whenever `n` does not divide 256. The random bytes are wiped
//! after use, since they determine the layout.

use ring::error::Unspecified;
use zeroize::Zeroizing;

use super::KEY_COUNT;

/// Random bytes drawn per refill while shuffling (about 10 are needed per layout).
const RANDOM_CHUNK: usize = 32;

/// Rejected bytes in a row after which the random source is deemed broken. An honest
/// source rejects at most 6 bytes in 256, so 64 in a row does not happen.
const MAX_REJECTIONS: usize = 64;

/// Draws a uniformly random permutation of the ten digits (Fisher–Yates). `fill` fills
/// a buffer with random bytes.
pub(super) fn draw_layout(
    fill: &mut dyn FnMut(&mut [u8]) -> Result<(), Unspecified>,
) -> Result<[u8; KEY_COUNT], Unspecified> {
    let mut layout = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let mut bytes = RandomBytes::new(fill);
    for i in (1..KEY_COUNT).rev() {
        // `i + 1 <= 10`, so the conversion never fails.
        let bound = u8::try_from(i + 1).map_err(|_| Unspecified)?;
        let j = bytes.uniform_below(bound)?;
        layout.swap(i, usize::from(j));
    }
    Ok(layout)
}

/// Random bytes drawn in chunks, wiped after use (they determine the layout).
struct RandomBytes<'a> {
    fill: &'a mut dyn FnMut(&mut [u8]) -> Result<(), Unspecified>,
    buffer: Zeroizing<[u8; RANDOM_CHUNK]>,
    used: usize,
}

impl<'a> RandomBytes<'a> {
    fn new(fill: &'a mut dyn FnMut(&mut [u8]) -> Result<(), Unspecified>) -> Self {
        RandomBytes {
            fill,
            buffer: Zeroizing::new([0; RANDOM_CHUNK]),
            used: RANDOM_CHUNK,
        }
    }

    fn next_byte(&mut self) -> Result<u8, Unspecified> {
        if self.used == RANDOM_CHUNK {
            (self.fill)(&mut self.buffer[..])?;
            self.used = 0;
        }
        let byte = self.buffer.get(self.used).copied().ok_or(Unspecified)?;
        self.used += 1;
        Ok(byte)
    }

    /// A uniform value in `0..bound` (`bound >= 1`). Bytes at or above the largest
    /// multiple of `bound` not above 256 are rejected, so every residue has exactly
    /// the same number of bytes mapping to it.
    fn uniform_below(&mut self, bound: u8) -> Result<u8, Unspecified> {
        let bound = u16::from(bound.max(1));
        let limit = 256 - 256 % bound;
        for _ in 0..MAX_REJECTIONS {
            let byte = u16::from(self.next_byte()?);
            if byte < limit {
                return u8::try_from(byte % bound).map_err(|_| Unspecified);
            }
        }
        Err(Unspecified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_sampling_is_exactly_uniform() {
        // Feeding every byte value gives each residue the same count.
        for bound in 1..=10u8 {
            let mut next = 0u8;
            let mut fill = |buf: &mut [u8]| {
                for b in buf.iter_mut() {
                    *b = next;
                    next = next.wrapping_add(1);
                }
                Ok(())
            };
            let mut bytes = RandomBytes::new(&mut fill);
            let mut counts = [0u32; 10];
            let accepted = 256 - 256 % u32::from(bound);
            // Two cycles of the byte values, so the rejected ones are read in between.
            for _ in 0..2 * accepted {
                counts[usize::from(bytes.uniform_below(bound).unwrap())] += 1;
            }
            let expected = 2 * accepted / u32::from(bound);
            assert!(
                counts[..usize::from(bound)].iter().all(|&c| c == expected),
                "{bound}: {counts:?}"
            );
        }
    }

    #[test]
    fn a_broken_random_source_is_an_error() {
        let mut stuck = |buf: &mut [u8]| {
            buf.fill(255);
            Ok(())
        };
        assert!(draw_layout(&mut stuck).is_err());
        let mut failing = |_: &mut [u8]| Err(Unspecified);
        assert!(draw_layout(&mut failing).is_err());
    }
}
