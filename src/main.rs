//! Entry point of the web app: attaches to the page's static frame and mounts the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    keyless_web::frame::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("keyless-web runs in the browser: build it with `make serve` (Trunk).");
}
