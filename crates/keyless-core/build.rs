//! Embeds the AWS price table as static Rust data: `src/cost/price_source.rs`
//! reads and checks `data/aws-prices.json` and writes `$OUT_DIR/prices.rs`, a
//! constant with only the figures the cost model reads. The web page's wasm then
//! carries neither the 55 KB file nor a JSON parser or float code for it.

#[path = "src/cost/price_source.rs"]
mod price_source;

use std::path::Path;

fn main() {
    let source = Path::new("data/aws-prices.json");
    println!("cargo::rerun-if-changed={}", source.display());
    println!("cargo::rerun-if-changed=src/cost/price_source.rs");
    let text = std::fs::read_to_string(source).expect("data/aws-prices.json is readable");
    let table =
        price_source::rust_source(&text).unwrap_or_else(|e| panic!("data/aws-prices.json: {e}"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("prices.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
