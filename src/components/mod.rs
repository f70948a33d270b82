//! The app's components, one per file.

pub mod config_file;
pub mod cost_panel;
pub mod field;
pub mod preview;
pub mod review;
pub mod size_picker;
pub mod theme;
