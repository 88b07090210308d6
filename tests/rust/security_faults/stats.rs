//! The fault matrix's counters.

use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub(super) struct Stats(Mutex<BTreeMap<String, u64>>);

impl Stats {
    pub(super) fn add(&self, key: impl Into<String>) {
        *self.0.lock().unwrap().entry(key.into()).or_default() += 1;
    }

    pub(super) fn get(&self, key: &str) -> u64 {
        self.0.lock().unwrap().get(key).copied().unwrap_or(0)
    }

    pub(super) fn print(&self) {
        for (key, count) in self.0.lock().unwrap().iter() {
            println!("  {key}: {count}");
        }
    }
}
