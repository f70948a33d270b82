//! Entry point of the web app: mounts the Leptos app in the browser.

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(keyless_web::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("keyless-web runs in the browser: build it with `make serve` (Trunk).");
}
