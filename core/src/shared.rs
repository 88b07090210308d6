//! One declaration for the types the apps see as they are in the core.
//!
//! uniffi must be told the shape of every type that crosses to Kotlin, Swift and Python.
//! The core carries no FFI code (ADR 0001), so it cannot derive uniffi's traits itself;
//! and writing each type a second time in the bindings crate means two edits per field
//! (ADR 0002). So such a type is written once, inside [`shared_type!`]: the macro emits
//! it here as plain Rust, and exports a second macro, named by the declaration, that
//! replays the very same tokens (docs included) into a macro of the caller's choice.
//! The bindings crate replays them into `#[uniffi::remote]`, which checks them against
//! this type at compile time; the core itself never names uniffi.
//!
//! ```ignore
//! // in cvconnect-ffi
//! macro_rules! remote_enum { ($($item:tt)*) => { #[uniffi::remote(Enum)] $($item)* }; }
//! cvconnect_core::declare_payment_status!(remote_enum);
//! ```

/// Declares a type once and exports `$replay!(consumer)`, which hands the declaration
/// to the macro `consumer` of the crate that calls it. Put `#[derive]`, `#[serde]` and
/// other attributes after the doc comment; the consumer receives them too.
macro_rules! shared_type {
    (replay: $replay:ident; $($item:tt)*) => {
        $($item)*

        #[doc(hidden)]
        #[macro_export]
        macro_rules! $replay {
            ($consumer:ident) => { $consumer! { $($item)* } };
        }
    };
}

pub(crate) use shared_type;
