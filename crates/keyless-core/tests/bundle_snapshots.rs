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

#[test]
fn pins_match_the_action_index() {
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::crate_dir().join("tests/data/actions/index.json"))
            .unwrap(),
    )
    .unwrap();
    for action in keyless_core::workflow::ACTIONS {
        let entry = &index["actions"][action.repo];
        assert_eq!(entry["sha"], action.sha, "{}", action.repo);
        assert_eq!(entry["tag"], action.tag, "{}", action.repo);
        assert_ne!(
            entry["runs_using"], "node20",
            "{} runs on Node 20",
            action.repo
        );
    }
}

/// The vendored action metadata is a copy of the project's shared reference
/// data; when that is present (a developer's machine, CI), they must agree.
#[test]
fn vendored_action_metadata_matches_shared_data() {
    let shared = common::crate_dir().join("../../../shared/data/actions");
    if !shared.is_dir() {
        eprintln!("skipped: {} is not present", shared.display());
        return;
    }
    let vendored = common::crate_dir().join("tests/data/actions");
    for entry in std::fs::read_dir(&vendored).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if name == "README.md" {
            continue;
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(shared.join(name)).unwrap(),
            "{}",
            path.display()
        );
    }
}

/// shellcheck, when installed, finds nothing in either script of any fixture.
/// With `KEYLESS_REQUIRE_SHELLCHECK=1` (as `make test-native` sets it) a missing
/// shellcheck fails the test instead of skipping it.
#[test]
fn scripts_pass_shellcheck_when_available() {
    if std::process::Command::new("shellcheck")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("KEYLESS_REQUIRE_SHELLCHECK").is_none_or(|v| v != "1"),
            "shellcheck is not on PATH and KEYLESS_REQUIRE_SHELLCHECK=1 requires it \
             (make test-native takes it from .venv/bin: run scripts/setup-python)"
        );
        eprintln!("skipped: shellcheck is not installed");
        return;
    }
    for (name, text) in common::fixtures() {
        let bundle = generate(&parse_config_json(&text).unwrap());
        for path in [
            keyless_core::bundle::SETUP_SCRIPT_PATH,
            keyless_core::bundle::TEARDOWN_SCRIPT_PATH,
        ] {
            let file = common::temp_file(
                &format!("{name}-{}", path.replace('/', "-")),
                bundle.file(path).unwrap(),
            );
            let output = std::process::Command::new("shellcheck")
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{name} {path}:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
    }
}
