//! STUB: amount policy (see issue 2).
