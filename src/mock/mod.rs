//! The built-in mock org (being written).
