//! Keyless web app: a thin Leptos layer over `keyless-core`. Compiled only for
//! the browser (wasm32); the native build of the workspace skips it.
#![cfg(target_arch = "wasm32")]

mod app;
pub mod components;
pub mod state;

pub use app::App;
