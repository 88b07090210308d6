//! The bindings generator, pinned to the same uniffi version as the library.
fn main() {
    uniffi::uniffi_bindgen_main()
}
