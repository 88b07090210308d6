//! STUB: DeviceSigner.
