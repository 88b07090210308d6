//! Samples and their summary: median, p99, min, max, count.

use std::time::Duration;

/// Durations of one measured operation, in the order they were taken.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    values: Vec<Duration>,
}

/// The summary the report prints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub median: Duration,
    pub p99: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Samples {
    pub fn new() -> Samples {
        Samples::default()
    }

    pub fn push(&mut self, value: Duration) {
        self.values.push(value);
    }

    pub fn extend(&mut self, values: impl IntoIterator<Item = Duration>) {
        self.values.extend(values);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `None` without samples.
    pub fn summary(&self) -> Option<Summary> {
        if self.values.is_empty() {
            return None;
        }
        let mut sorted = self.values.clone();
        sorted.sort_unstable();
        Some(Summary {
            n: sorted.len(),
            median: percentile(&sorted, 50.0),
            p99: percentile(&sorted, 99.0),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        })
    }
}

/// Nearest-rank percentile of sorted values (the median of an even count is the
/// mean of the two middle values).
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let n = sorted.len();
    if p == 50.0 && n % 2 == 0 {
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// "1.23 ms", or "456 µs" below one millisecond.
pub fn human(d: Duration) -> String {
    if d >= Duration::from_millis(1) {
        format!("{:.2} ms", ms(d))
    } else if d >= Duration::from_micros(10) {
        format!("{:.0} µs", us(d))
    } else if d >= Duration::from_micros(1) {
        format!("{:.1} µs", us(d))
    } else {
        format!("{:.0} ns", d.as_secs_f64() * 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let mut s = Samples::new();
        for i in 1..=100 {
            s.push(Duration::from_micros(i));
        }
        let sum = s.summary().unwrap();
        assert_eq!(sum.n, 100);
        assert_eq!(sum.median, Duration::from_nanos(50_500));
        assert_eq!(sum.p99, Duration::from_micros(99));
        assert_eq!(sum.min, Duration::from_micros(1));
        assert_eq!(sum.max, Duration::from_micros(100));
        let mut one = Samples::new();
        one.push(Duration::from_millis(3));
        assert_eq!(one.summary().unwrap().p99, Duration::from_millis(3));
        assert!(Samples::new().summary().is_none());
    }

    #[test]
    fn human_units() {
        assert_eq!(human(Duration::from_micros(1500)), "1.50 ms");
        assert_eq!(human(Duration::from_micros(456)), "456 µs");
        assert_eq!(human(Duration::from_nanos(2500)), "2.5 µs");
        assert_eq!(human(Duration::from_nanos(80)), "80 ns");
    }
}
