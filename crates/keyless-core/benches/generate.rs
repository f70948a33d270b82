//! Native time to generate the whole bundle (`make bench`, criterion): what one
//! keystroke costs the page before rendering, measured without the browser.
//!
//! - `generate/<fixture>`: `generate()` of an already validated config;
//! - `validate+generate/<fixture>`: from the raw form values, as the page does
//!   on every edit (`RawConfig::validate`, then `generate`).
//!
//! Run alone with `cargo bench -p keyless-core --bench generate`.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use criterion::Criterion;
    use keyless_core::{config::parse_config_json, generate, RawConfig};

    /// Fixtures of tests/fixtures: the smallest config and one with every list filled.
    const FIXTURES: [(&str, &str); 2] = [
        ("defaults", include_str!("../tests/fixtures/defaults.json")),
        (
            "secrets-env",
            include_str!("../tests/fixtures/secrets-env.json"),
        ),
    ];

    pub fn bundle(c: &mut Criterion) {
        let mut group = c.benchmark_group("generate");
        for (name, text) in FIXTURES {
            let valid = parse_config_json(text).expect("the fixture is valid");
            group.bench_function(name, |b| b.iter(|| generate(black_box(&valid))));
        }
        group.finish();
        let mut group = c.benchmark_group("validate+generate");
        for (name, text) in FIXTURES {
            let (raw, errors) = RawConfig::from_json(text);
            assert!(errors.0.is_empty(), "fixture {name}: {errors:?}");
            group.bench_function(name, |b| {
                b.iter(|| generate(&black_box(&raw).validate().expect("valid")))
            });
        }
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::bundle);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

/// criterion does not build for wasm32 (`cargo clippy --target wasm32 --all-targets`).
#[cfg(target_arch = "wasm32")]
fn main() {}
