//! Protocol v1 as data. `docs/protocol.md` is the normative text; this module is its
//! Rust reading, shared by the core (client side) and the sandbox (server side) so the
//! two cannot drift apart.

pub mod canonical;
pub mod errors;
pub mod proof;
pub mod push;
pub mod wire;

/// Version tag carried by every canonical byte string and by the API paths (`/v1/...`).
pub const PROTOCOL_VERSION: u32 = 1;

/// Currency of every amount in protocol v1.
pub const CURRENCY: &str = "EUR";
