//! STUB: PIN sealing.
