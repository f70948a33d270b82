//! Keyless web app: a thin Leptos layer over `keyless-core`. Compiled only for
//! the browser (wasm32); the native build of the workspace skips it.
#![cfg(target_arch = "wasm32")]

mod app;
pub mod browser;
pub mod components;
pub mod frame;
pub mod persist;
pub mod state;
pub mod steps;

pub use app::App;
