//! The `keyless` command line: `generate` writes all seven files (scripts
//! executable) or, for an invalid config or a file in the way that Keyless did
//! not write, nothing; `validate` only validates.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use keyless_core::bundle::{
    CONFIG_PATH, PATHS, SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH, TEARDOWN_SCRIPT_PATH,
    TRUST_POLICY_PATH, WORKFLOW_PATH,
};
use keyless_core::Bundle;

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

/// `keyless generate --config CONFIG --out OUT`, then `extra` arguments.
fn generate_into(config: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "generate",
        "--config",
        config,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    keyless(&args)
}

/// Asserts the run succeeded, showing its stderr otherwise.
fn assert_success(result: &Output) {
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// The bundle of the config file at `path`.
fn bundle_of(path: &str) -> Bundle {
    let text = std::fs::read_to_string(path).unwrap();
    keyless_core::generate(&keyless_core::config::parse_config_json(&text).unwrap())
}

/// Fixture `name` with `key` set to `value`, written to the temp file `file`.
fn modified_fixture(name: &str, key: &str, value: serde_json::Value, file: &str) -> String {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    config[key] = value;
    let path = common::temp_file(file, &config.to_string());
    path.to_string_lossy().into_owned()
}

/// Writes `text` at `path` under `dir`, creating its directory.
fn put(dir: &Path, path: &str, text: &str) {
    let target = dir.join(path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(target, text).unwrap();
}

/// The bytes at every bundle path under `dir` (`None` where there is no file).
fn contents(dir: &Path) -> Vec<Option<Vec<u8>>> {
    PATHS
        .iter()
        .map(|path| std::fs::read(dir.join(path)).ok())
        .collect()
}

/// Asserts a refused `generate`: it failed, the foreign file at `path` still
/// holds `mine`, and no other file of the bundle was written.
fn assert_refused_leaving_only(out: &Path, result: &Output, path: &str, mine: &str) {
    assert!(!result.status.success());
    assert_eq!(std::fs::read_to_string(out.join(path)).unwrap(), mine);
    for other in PATHS.into_iter().filter(|&other| other != path) {
        assert!(!out.join(other).exists(), "{other} was written");
    }
}

/// Asserts every file under `dir` is the one of `bundle`.
fn assert_holds(dir: &Path, bundle: &Bundle) {
    for path in PATHS {
        let written = std::fs::read_to_string(dir.join(path)).unwrap();
        assert_eq!(Some(written.as_str()), bundle.file(path), "{path}");
    }
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

#[test]
fn a_foreign_workflow_stops_generate_and_nothing_is_written() {
    let out = fresh_dir("foreign-workflow");
    let mine = "name: my own deploy\non: push\n";
    put(&out, WORKFLOW_PATH, mine);
    let result = generate_into(&fixture("defaults"), &out, &[]);
    assert_refused_leaving_only(&out, &result, WORKFLOW_PATH, mine);
    for dir in ["infra", ".aws"] {
        assert!(!out.join(dir).exists(), "{dir}/ was created");
    }
    assert_eq!(
        String::from_utf8_lossy(&result.stderr),
        format!(
            "keyless generate: 1 file in {} already exists and was not written by Keyless; \
             nothing was written:\n  {WORKFLOW_PATH}\n\
             Move it away, or rerun with --force to overwrite it.\n",
            out.canonicalize().unwrap().display()
        )
    );
    assert!(result.stdout.is_empty(), "nothing is reported as written");
}

#[test]
fn force_replaces_a_foreign_workflow_and_says_so() {
    let out = fresh_dir("force");
    put(&out, WORKFLOW_PATH, "name: my own deploy\non: push\n");
    let result = generate_into(&fixture("defaults"), &out, &["--force"]);
    assert_success(&result);
    assert_holds(&out, &bundle_of(&fixture("defaults")));
    let stdout = String::from_utf8_lossy(&result.stdout);
    let replaced: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("replaced a file not written by Keyless"))
        .collect();
    assert_eq!(replaced.len(), 1, "{stdout}");
    assert!(replaced[0].contains(WORKFLOW_PATH), "{stdout}");
}

#[test]
fn force_is_a_flag_of_generate_only() {
    let result = keyless(&["validate", "--force", "--config", &fixture("defaults")]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("unexpected argument \"--force\""));
}

#[test]
fn generate_again_over_its_own_output_writes_the_same_bytes() {
    let out = fresh_dir("again");
    assert_success(&generate_into(&fixture("secrets-env"), &out, &[]));
    let first = contents(&out);
    assert_success(&generate_into(&fixture("secrets-env"), &out, &[]));
    assert_eq!(contents(&out), first);
}

#[test]
fn a_changed_config_regenerates_over_what_the_previous_keyless_json_produced() {
    for (key, value) in [
        ("container_port", serde_json::json!(3000)),
        ("app_name", serde_json::json!("octo-web")),
    ] {
        let out = fresh_dir(&format!("changed-{key}"));
        assert_success(&generate_into(&fixture("defaults"), &out, &[]));
        let changed = modified_fixture("defaults", key, value, &format!("cli-changed-{key}.json"));
        let (old, new) = (bundle_of(&fixture("defaults")), bundle_of(&changed));
        // The header-less task definition changes too: only the previous
        // keyless.json shows that Keyless wrote the old one.
        assert_ne!(
            old.file(TASK_DEFINITION_PATH),
            new.file(TASK_DEFINITION_PATH),
            "{key}"
        );
        assert_success(&generate_into(&changed, &out, &[]));
        assert_holds(&out, &new);
    }
}

#[test]
fn a_user_edited_json_file_is_a_conflict() {
    let out = fresh_dir("edited-json");
    assert_success(&generate_into(&fixture("defaults"), &out, &[]));
    let mut edited = std::fs::read_to_string(out.join(TRUST_POLICY_PATH)).unwrap();
    edited.push(' ');
    std::fs::write(out.join(TRUST_POLICY_PATH), &edited).unwrap();
    let before = contents(&out);
    let other = modified_fixture(
        "defaults",
        "github_repo",
        serde_json::json!("other-app"),
        "cli-edited-json.json",
    );
    let result = generate_into(&other, &out, &[]);
    assert!(!result.status.success());
    assert_eq!(contents(&out), before, "nothing may be written");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains(&format!("\n  {TRUST_POLICY_PATH}\n")),
        "{stderr}"
    );
}

#[test]
fn a_hand_written_keyless_json_given_as_config_is_replaced_by_its_normalised_form() {
    // The first run: the user's own keyless.json, then `--config keyless.json --out .`.
    let out = fresh_dir("hand-written");
    let text = std::fs::read_to_string(fixture("forgiving")).unwrap();
    put(&out, CONFIG_PATH, &text);
    let config = out.join(CONFIG_PATH).to_string_lossy().into_owned();
    let bundle = bundle_of(&config);
    assert_ne!(bundle.file(CONFIG_PATH), Some(text.as_str()));
    assert_success(&generate_into(&config, &out, &[]));
    assert_holds(&out, &bundle);
}

#[test]
fn a_foreign_script_without_the_header_is_a_conflict() {
    let out = fresh_dir("foreign-script");
    let mine = "#!/bin/sh\necho mine\n";
    put(&out, SETUP_SCRIPT_PATH, mine);
    let result = generate_into(&fixture("defaults"), &out, &[]);
    assert_refused_leaving_only(&out, &result, SETUP_SCRIPT_PATH, mine);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains(&format!("\n  {SETUP_SCRIPT_PATH}\n")),
        "{stderr}"
    );
}

#[test]
fn keyless_headed_files_of_another_config_are_replaced() {
    // Only the scripts and the workflow of another config, no keyless.json:
    // their header alone shows Keyless wrote them.
    let out = fresh_dir("headed");
    let old = bundle_of(&fixture("spot"));
    let new = bundle_of(&fixture("defaults"));
    for path in [SETUP_SCRIPT_PATH, TEARDOWN_SCRIPT_PATH, WORKFLOW_PATH] {
        assert_ne!(old.file(path), new.file(path), "{path}");
        put(&out, path, old.file(path).unwrap());
    }
    assert_success(&generate_into(&fixture("defaults"), &out, &[]));
    assert_holds(&out, &new);
}

#[test]
fn a_header_below_the_first_lines_and_an_invalid_keyless_json_are_conflicts() {
    let out = fresh_dir("late-header");
    let workflow = format!(
        "name: mine\n{}# Generated by Keyless from keyless.json\n",
        "# padding\n".repeat(5)
    );
    put(&out, WORKFLOW_PATH, &workflow);
    put(&out, CONFIG_PATH, "{\"account_id\": \"x\"}\n");
    let before = contents(&out);
    let result = generate_into(&fixture("defaults"), &out, &[]);
    assert!(!result.status.success());
    assert_eq!(contents(&out), before, "nothing may be written");
    assert_eq!(
        String::from_utf8_lossy(&result.stderr),
        format!(
            "keyless generate: 2 files in {} already exist and were not written by Keyless; \
             nothing was written:\n  {WORKFLOW_PATH}\n  {CONFIG_PATH}\n\
             Move them away, or rerun with --force to overwrite them.\n",
            out.canonicalize().unwrap().display()
        )
    );
}

/// `git -C dir ARGS`; whether it succeeded.
fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .is_ok_and(|output| output.status.success())
}

/// A fresh git repository holding the generation of fixture `defaults`,
/// committed; `None` (with a note) when there is no git to run.
fn committed_generation(name: &str) -> Option<PathBuf> {
    let version = Command::new("git").arg("--version").output();
    if !version.is_ok_and(|output| output.status.success()) {
        eprintln!("note: skipped, `git --version` fails");
        return None;
    }
    let dir = fresh_dir(name);
    std::fs::create_dir_all(&dir).unwrap();
    for args in [
        &["init", "-q"][..],
        &["config", "user.email", "t@t"],
        &["config", "user.name", "t"],
        &["config", "commit.gpgsign", "false"],
    ] {
        assert!(git(&dir, args), "git {args:?}");
    }
    assert_success(&generate_into(&fixture("defaults"), &dir, &[]));
    assert!(git(&dir, &["add", "-A"]), "git add");
    assert!(git(&dir, &["commit", "-qm", "x"]), "git commit");
    Some(dir)
}

/// Rewrites `dir/keyless.json` with `container_port` set to `port`, as a user
/// editing it in place; returns its path.
fn edit_port_in_place(dir: &Path, port: u16) -> String {
    let path = dir.join(CONFIG_PATH);
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["container_port"] = serde_json::json!(port);
    std::fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn keyless_json_edited_in_place_regenerates_over_the_generation_committed_at_head() {
    let Some(dir) = committed_generation("edited-in-place") else {
        return;
    };
    let config = edit_port_in_place(&dir, 3000);
    let new = bundle_of(&config);
    // The header-less task definition changes: only HEAD's keyless.json shows
    // that Keyless wrote the old one.
    assert_ne!(
        bundle_of(&fixture("defaults")).file(TASK_DEFINITION_PATH),
        new.file(TASK_DEFINITION_PATH)
    );
    assert_success(&generate_into(&config, &dir, &[]));
    assert_holds(&dir, &new);
}

#[test]
fn a_hand_edited_json_file_over_the_generation_committed_at_head_is_a_conflict() {
    let Some(dir) = committed_generation("edited-in-place-conflict") else {
        return;
    };
    let mut edited = std::fs::read_to_string(dir.join(TASK_DEFINITION_PATH)).unwrap();
    edited.push(' ');
    std::fs::write(dir.join(TASK_DEFINITION_PATH), &edited).unwrap();
    let config = edit_port_in_place(&dir, 3000);
    let before = contents(&dir);
    let result = generate_into(&config, &dir, &[]);
    assert!(!result.status.success());
    assert_eq!(contents(&dir), before, "nothing may be written");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains(&format!(
            "nothing was written:\n  {TASK_DEFINITION_PATH}\nMove it"
        )),
        "{stderr}"
    );
}

/// Starter files are the user's once written: a missing one is written, an
/// existing one (edited, or the user's own Dockerfile) is kept byte for byte
/// and never blocks the rest of the bundle, with or without --force.
#[test]
fn generate_writes_starter_files_only_where_nothing_is() {
    let out = fresh_dir("starter-write-once");
    let config = fixture("starter-node");
    assert_success(&generate_into(&config, &out, &[]));
    let bundle = bundle_of(&config);
    for file in bundle.files.iter().filter(|f| f.write_once) {
        assert_eq!(
            std::fs::read_to_string(out.join(file.path)).unwrap(),
            file.text,
            "{} is written where nothing was",
            file.path
        );
    }
    let mine = "// my app now\n";
    put(&out, "server.js", mine);
    put(&out, "Dockerfile", "FROM scratch\n");
    std::fs::remove_file(out.join("package.json")).unwrap();
    let port_changed = modified_fixture(
        "starter-node",
        "container_port",
        4000.into(),
        "starter-4000.json",
    );
    for extra in [&[][..], &["--force"][..]] {
        let result = generate_into(&port_changed, &out, extra);
        assert_success(&result);
        let stdout = String::from_utf8_lossy(&result.stdout);
        assert!(
            stdout.contains("kept") && stdout.contains("server.js"),
            "{stdout}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("server.js")).unwrap(),
            mine
        );
        assert_eq!(
            std::fs::read_to_string(out.join("Dockerfile")).unwrap(),
            "FROM scratch\n"
        );
        assert!(
            out.join("package.json").is_file(),
            "a missing starter file is written again"
        );
        let task = std::fs::read_to_string(out.join(TASK_DEFINITION_PATH)).unwrap();
        assert!(
            task.contains("localhost:4000/health"),
            "the rest follows the config"
        );
    }
}
