//! Hooks for test builds only (cargo feature `test-hooks`), so that the suites can show
//! that a control matters by turning it off or by dying at the worst moment:
//!
//! - [`wiping`]: a process may skip the wiping of one kind of PIN buffer, so that the
//!   memory scan's negative controls can show it would find an unwiped PIN;
//! - [`crash`]: a process may abort at a named point of a confirmation, so that the
//!   killed-app tests know which point they test.
//!
//! The shipped library is built without the feature: none of this is compiled into it,
//! and `cargo xtask package` checks that its marker strings are absent from the binary.

pub mod crash;
pub mod wiping;
