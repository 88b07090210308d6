//! Figure 4: the shuffled PIN keypad: drawing a layout (`Keypad::new`, system CSPRNG)
//! and a key press. Operations are timed in batches, the clock being coarser than a
//! press.

use std::time::Instant;

use anyhow::Result;
use cvconnect_core::keypad::Keypad;

use crate::stats::Samples;

/// Operations per timed batch.
const BATCH: usize = 50;

pub struct KeypadCost {
    /// Per layout, batch means.
    pub layout: Samples,
    /// Per press, batch means.
    pub press: Samples,
}

pub fn run(batches: usize) -> Result<KeypadCost> {
    let mut layout = Samples::new();
    let mut press = Samples::new();
    for i in 0..batches + 5 {
        let record = i >= 5;
        let start = Instant::now();
        let mut keypads = Vec::with_capacity(BATCH);
        for _ in 0..BATCH {
            keypads.push(Keypad::new(4)?);
        }
        let t_layout = start.elapsed();

        // Four presses per keypad: a whole PIN.
        let start = Instant::now();
        for keypad in &mut keypads {
            for position in [3u8, 7, 0, 9] {
                std::hint::black_box(keypad.press(position)?);
            }
        }
        let t_press = start.elapsed();
        if record {
            layout.push(t_layout / BATCH as u32);
            press.push(t_press / (4 * BATCH) as u32);
        }
        drop(keypads);
    }
    Ok(KeypadCost { layout, press })
}

/// A single layout and a single press timed alone, as a cross-check of the batches
/// (includes the clock's own cost, about 20-30 ns).
pub fn single(iterations: usize) -> Result<(Samples, Samples)> {
    let mut layout = Samples::new();
    let mut press = Samples::new();
    for _ in 0..iterations {
        let start = Instant::now();
        let mut keypad = Keypad::new(4)?;
        layout.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(keypad.press(5)?);
        press.push(start.elapsed());
    }
    Ok((layout, press))
}
