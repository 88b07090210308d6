//! Aborting the process at a named point of a confirmation (see the parent module).
