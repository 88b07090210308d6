//! STUB: push payload parsing (see issue 2).
