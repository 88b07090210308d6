//! STUB: dynamic keypad (see issue 2).
