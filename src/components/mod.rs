//! The app's components, one per file.

pub mod config_file;
pub mod cost_panel;
pub mod field;
pub mod front_door;
pub mod next_steps;
pub mod preview;
pub mod review;
pub mod run_check;
pub mod size_picker;
pub mod troubleshooter;

/// A click handler behind one boxed type: Leptos then attaches every click handler
/// through the same code instead of a copy per closure (about a hundred bytes of
/// wasm for each of the page's many buttons and links).
pub fn on_click(
    f: impl FnMut(leptos::ev::MouseEvent) + 'static,
) -> Box<dyn FnMut(leptos::ev::MouseEvent)> {
    Box::new(f)
}
