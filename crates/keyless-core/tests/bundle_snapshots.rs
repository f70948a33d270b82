//! Snapshot of the whole bundle (every file and the findings) for each fixture
//! config in tests/fixtures/, plus every consistency check of `common`.
//! Review a changed snapshot like code: `cargo insta review`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use keyless_core::config::parse_config_json;
use keyless_core::generate;

#[test]
fn there_are_enough_fixtures() {
    let names: Vec<String> = common::fixtures().into_iter().map(|(n, _)| n).collect();
    for required in [
        "defaults",
        "environment",
        "immutable",
        "both",
        "arm64",
        "explicit-network",
        "secrets-env",
        "large-task",
        "spot",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "missing fixture {required}"
        );
    }
}

#[test]
fn every_fixture_bundle() {
    for (name, text) in common::fixtures() {
        let config = parse_config_json(&text)
            .unwrap_or_else(|e| panic!("fixture {name} is not valid:\n{e}"));
        let bundle = generate(&config);
        if let Err(problem) = common::check_bundle(&config, &bundle) {
            panic!("fixture {name}: {problem}");
        }
        let mut combined = String::new();
        for file in &bundle.files {
            let mode = if file.executable { " (0755)" } else { "" };
            combined.push_str(&format!("=== {}{mode} ===\n{}\n", file.path, file.text));
        }
        combined.push_str("=== findings ===\n");
        for finding in &bundle.findings {
            combined.push_str(&format!(
                "[{:?}] {}\n    {}\n",
                finding.severity, finding.title, finding.detail
            ));
        }
        insta::assert_snapshot!(name.as_str(), combined);
    }
}
