//! Figure 4: the shuffled PIN keypad: drawing a layout (`Keypad::new`, system CSPRNG)
//! and a key press. Operations are timed in batches, the clock being coarser than a
//! press.

use std::time::Instant;

use anyhow::Result;
use cvconnect_core::keypad::Keypad;

use crate::report::{Figure, Row};
use crate::stats::{human, Samples};

/// Operations per timed batch.
const BATCH: usize = 50;

pub struct KeypadCost {
    /// Per layout, batch means.
    pub layout: Samples,
    /// Per press, batch means.
    pub press: Samples,
    /// Per layout, timed alone.
    pub single_layout: Samples,
    /// Per press, timed alone.
    pub single_press: Samples,
}

/// `batches` timed batches, then `singles` operations timed alone.
pub fn run(batches: usize, singles: usize) -> Result<KeypadCost> {
    let (layout, press) = batched(batches)?;
    let (single_layout, single_press) = single(singles)?;
    Ok(KeypadCost {
        layout,
        press,
        single_layout,
        single_press,
    })
}

/// Batch means per layout and per press.
fn batched(batches: usize) -> Result<(Samples, Samples)> {
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
    Ok((layout, press))
}

/// A single layout and a single press timed alone, as a cross-check of the batches
/// (includes the clock's own cost, about 20-30 ns).
fn single(iterations: usize) -> Result<(Samples, Samples)> {
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

impl Figure for KeypadCost {
    const TITLE: &'static str = "4. Keypad";
    const GOAL: &'static str = "—";

    const INTRO: &'static str = "## 4. Keypad\n\n\
         `Keypad::new(4)` draws a shuffled layout from the system CSPRNG (rejection sampling);\n\
         `press` records a digit and refreshes the inactivity clock. Timed in batches of 50\n\
         layouts and 200 presses (per-operation means), and one at a time as a cross-check\n\
         (includes the clock's own cost).\n\n";

    fn rows(&self) -> Vec<Row> {
        let (Some(layout), Some(press)) = (self.layout.summary(), self.press.summary()) else {
            return Vec::new();
        };
        vec![Row {
            figure: "4. Keypad: layout / press".into(),
            result: format!(
                "layout {} / {}; press {} / {}",
                human(layout.median),
                human(layout.p99),
                human(press.median),
                human(press.p99)
            ),
            goal: "— (µs)".into(),
            status: "informative".into(),
        }]
    }

    fn operations(&self) -> Vec<(String, &Samples)> {
        vec![
            ("Keypad::new (batch mean)".into(), &self.layout),
            ("press (batch mean)".into(), &self.press),
            ("Keypad::new (single)".into(), &self.single_layout),
            ("press (single)".into(), &self.single_press),
        ]
    }

    fn details(&self, out: &mut String) {
        out.push_str("No goal: both are far below a frame (16 ms).\n\n");
    }
}
