//! `cargo xtask test browser`: the sandbox's checkout page in headless Chromium while a
//! phone, the real core through the Python binding, answers the push (tests/browser).
//!
//! The browser is Debian's `chromium` with its `chromedriver`, driven by Selenium from
//! the system's site-packages (`.ci/run` installs all three). A machine without them
//! fails the lane with the command that installs them; only a local run that asks for it
//! (`CVCONNECT_SKIP_BROWSER=1`, and no `CI`) skips it.

use std::path::Path;

use crate::bindings::Variant;
use crate::cmd::Result;
use crate::test::{run_suite, test_wheel_venv};

/// The browser and its driver, unless the suite is told other paths (as its conftest is).
const TOOLS: [(&str, &str); 2] = [
    ("CVCONNECT_CHROMIUM", "/usr/bin/chromium"),
    ("CVCONNECT_CHROMEDRIVER", "/usr/bin/chromedriver"),
];

pub fn suite() -> Result {
    if let Some(missing) = missing_tool() {
        let install = "apt-get install -y chromium chromium-driver (.ci/run does it)";
        if !skip_requested() {
            return Err(format!(
                "{missing} is missing: {install}; a local run (not CI) may skip this lane with CVCONNECT_SKIP_BROWSER=1"
            ));
        }
        eprintln!(
            "xtask: browser lane SKIPPED as asked (CVCONNECT_SKIP_BROWSER=1): {missing} is missing"
        );
        return Ok(());
    }
    let python = test_wheel_venv(&Variant::Testing.dir().join("browser-venv"))?;
    run_suite(&python, &["-m", "pytest", "tests/browser"])
}

fn missing_tool() -> Option<String> {
    TOOLS
        .iter()
        .map(|(variable, default)| std::env::var(variable).unwrap_or_else(|_| (*default).into()))
        .find(|path| !Path::new(path).is_file())
}

/// A skip asked for by hand, never in CI (where `CI` is set and not "false").
fn skip_requested() -> bool {
    let asked = std::env::var("CVCONNECT_SKIP_BROWSER").is_ok_and(|v| v == "1");
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    asked && !in_ci
}
