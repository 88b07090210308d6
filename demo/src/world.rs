//! The world the demo runs in is the test kit's [`World`](cvconnect_testkit::World): an
//! embedded sandbox seeded with the demo merchant and beneficiary
//! ([`Options::demo`](cvconnect_testkit::Options::demo)), or one already running
//! (`phone --url`), with a phone enrolled through the real core. The demo plays the
//! same flows as the suites, set up the same way; only its data is its own.

use cvconnect_core::amount::Amount;
use cvconnect_sandbox::SeedAccount;
use cvconnect_testkit::{DEMO_ACCOUNT_NUMBER, DEMO_EMAIL, DEMO_PIN};

/// The demo account (the sandbox's `seed/demo.json` beneficiary) with `balance`.
pub fn demo_account(balance: Amount) -> SeedAccount {
    SeedAccount {
        email: DEMO_EMAIL.into(),
        account_number: DEMO_ACCOUNT_NUMBER.into(),
        balance,
        pin: DEMO_PIN.into(),
    }
}
