//! Skipping the wiping of one kind of PIN buffer (see the parent module).
