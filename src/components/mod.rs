//! The app's components, one per file.

pub mod artifact;
pub mod field;
