//! The `keyless` command line: `generate` writes all seven files (scripts
//! executable) or, for an invalid config, nothing; `validate` only validates.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use keyless_core::bundle::PATHS;

fn keyless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(args)
        .output()
        .expect("the keyless binary runs")
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("keyless-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn fixture(name: &str) -> String {
    common::crate_dir()
        .join("tests/fixtures")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

#[test]
fn generate_writes_the_seven_files() {
    let out = fresh_dir("generate");
    let result = keyless(&[
        "generate",
        "--config",
        &fixture("secrets-env"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let config = keyless_core::config::parse_config_json(
        &std::fs::read_to_string(fixture("secrets-env")).unwrap(),
    )
    .unwrap();
    let bundle = keyless_core::generate(&config);
    for path in PATHS {
        let written = std::fs::read_to_string(out.join(path)).unwrap();
        assert_eq!(Some(written.as_str()), bundle.file(path), "{path}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.join(path))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            let expected = if path.ends_with(".sh") {
                0o755
            } else {
                mode & !0o111
            };
            assert_eq!(mode, expected, "{path}: {mode:o}");
        }
    }
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        stdout.contains("warning: "),
        "findings are printed: {stdout}"
    );

    // The written keyless.json regenerates the same bundle.
    let again = fresh_dir("regenerate");
    let result = keyless(&[
        "generate",
        "--config",
        out.join("keyless.json").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(result.status.success());
    for path in PATHS {
        assert_eq!(
            std::fs::read(out.join(path)).unwrap(),
            std::fs::read(again.join(path)).unwrap(),
            "{path}"
        );
    }
}

#[test]
fn invalid_config_writes_nothing_and_lists_every_error() {
    let config = common::temp_file(
        "invalid.json",
        r#"{"account_id": "12345", "region": "mars-1", "github_owner": "octo-org",
            "github_repo": "octo-app", "app_name": "Octo App", "cpu": 300, "memory": 512,
            "container_port": 0, "desired_count": 1, "colour": "blue"}"#,
    );
    let out = fresh_dir("invalid");
    let result = keyless(&[
        "generate",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!result.status.success());
    assert!(
        !out.exists(),
        "nothing may be written for an invalid config"
    );
    let stderr = String::from_utf8_lossy(&result.stderr);
    for key in [
        "account_id",
        "region",
        "app_name",
        "cpu",
        "container_port",
        "colour",
    ] {
        assert!(
            stderr.contains(&format!("{key}: ")),
            "{key} missing in:\n{stderr}"
        );
    }
}

#[test]
fn validate_only_validates() {
    let result = keyless(&["validate", "--config", &fixture("defaults")]);
    assert!(result.status.success());
    assert!(String::from_utf8_lossy(&result.stdout).contains("is valid"));
    let bad = common::temp_file("bad.json", r#"{"account_id": "x"}"#);
    let result = keyless(&["validate", "--config", bad.to_str().unwrap()]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("account_id: "));
}
