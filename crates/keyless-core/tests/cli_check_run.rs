//! `keyless check-run`: the decision, the `sub` and the reason, with exit code
//! 0 allowed, 1 denied, 2 bad input; every default from the config; `--policy`
//! checks a pasted policy instead of the generated one.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::{Command, Output};

use serde_json::{json, Value};

fn keyless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(args)
        .output()
        .expect("the keyless binary runs")
}

fn fixture(name: &str) -> String {
    common::crate_dir()
        .join("tests/fixtures")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

/// `keyless check-run --config FIXTURE ARGS…`: (exit code, stdout, stderr).
fn check_run(config: &str, args: &[&str]) -> (i32, String, String) {
    let config = fixture(config);
    let mut all = vec!["check-run", "--config", config.as_str()];
    all.extend_from_slice(args);
    let output = keyless(&all);
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A policy file in the test's temp directory.
fn policy_file(name: &str, policy: &Value) -> String {
    common::temp_file(name, &serde_json::to_string_pretty(policy).unwrap())
        .to_string_lossy()
        .into_owned()
}

#[test]
fn the_generated_workflows_own_push_is_allowed() {
    let (code, stdout, stderr) = check_run("defaults", &["--event", "push"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(
            "allowed: push to refs/heads/main of octo-org/octo-app (legacy subjects)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nsub:    repo:octo-org/octo-app:ref:refs/heads/main\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\naud:    sts.amazonaws.com\n"), "{stdout}");
    assert!(
        stdout.contains("policy: the trust policy generated from"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reason: Statement \"GitHubActionsDeploy\" allows it"),
        "{stdout}"
    );
    let (code, ..) = check_run("defaults", &["--event", "workflow_dispatch"]);
    assert_eq!(code, 0);
}

#[test]
fn a_pull_request_is_denied_with_the_reason() {
    let (code, stdout, stderr) = check_run("defaults", &["--event", "pull_request"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("denied: pull_request of octo-org/octo-app"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nsub:    repo:octo-org/octo-app:pull_request\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "reason: The token's sub is \"repo:octo-org/octo-app:pull_request\", but statement \"GitHubActionsDeploy\" wants StringEquals \"repo:octo-org/octo-app:ref:refs/heads/main\" (a pull request run's sub is repo:OWNER/REPO:pull_request, whatever its branch)."
        ),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_fork_gets_no_token() {
    let (code, stdout, _) = check_run("defaults", &["--event", "pull_request", "--fork"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("sub:    none: GitHub issues no OIDC token to this run"),
        "{stdout}"
    );
    assert!(!stdout.contains("aud:"), "{stdout}");
}

#[test]
fn refs_tags_and_releases() {
    let (code, stdout, _) = check_run(
        "defaults",
        &["--event", "push", "--ref", "refs/tags/v1.2.0"],
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains("sub:    repo:octo-org/octo-app:ref:refs/tags/v1.2.0"),
        "{stdout}"
    );
    let (code, stdout, _) = check_run(
        "defaults",
        &["--event", "release", "--ref", "refs/tags/v1.2.0"],
    );
    assert_eq!(code, 1, "{stdout}");
    let (code, _, stderr) = check_run("defaults", &["--event", "release"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("a release run is on its tag: give refs/tags/TAG"),
        "{stderr}"
    );
    let (code, stdout, _) = check_run(
        "defaults",
        &["--event", "schedule", "--ref", "refs/heads/main"],
    );
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn the_environment_comes_from_the_config_and_wins_over_the_ref() {
    // environment.json deploys branch release in environment production.
    let (code, stdout, _) = check_run("environment", &["--event", "push"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("sub:    repo:acme-corp/billing-api:environment:production"),
        "{stdout}"
    );
    let (code, stdout, _) = check_run(
        "environment",
        &["--event", "push", "--ref", "refs/heads/other"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("deployment branch rules"), "{stdout}");
    let (code, stdout, _) = check_run("environment", &["--event", "push", "--environment", ""]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("(the policy wants a job environment, and this run's job has none)"),
        "{stdout}"
    );
    let (code, stdout, _) = check_run(
        "defaults",
        &["--event", "push", "--environment", "production"],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("a job with an environment gets environment:NAME in its sub"),
        "{stdout}"
    );
}

#[test]
fn subject_forms_and_repositories() {
    // both.json trusts both forms; its repository still emits legacy by default.
    let (code, stdout, _) = check_run("both", &["--event", "push"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("sub:    repo:octo-org/storefront:environment:staging"),
        "{stdout}"
    );
    let (code, stdout, _) = check_run(
        "both",
        &["--event", "push", "--subject-format", "immutable"],
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("sub:    repo:octo-org@9919/storefront@583231:environment:staging"),
        "{stdout}"
    );
    // immutable.json trusts only the immutable form.
    let (code, stdout, _) = check_run(
        "immutable",
        &["--event", "push", "--subject-format", "legacy"],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("still sends legacy subjects"), "{stdout}");
    // The same repository in other capitals keeps the config's ids.
    let (code, stdout, _) = check_run(
        "immutable",
        &["--event", "push", "--repository", "Octo-Org/new-service"],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("sub:    repo:Octo-Org@9919/new-service@1034567890:ref:refs/heads/main"),
        "{stdout}"
    );
    assert!(
        stdout.contains("they differ only in letter case"),
        "{stdout}"
    );
    let (code, stdout, _) = check_run(
        "immutable",
        &["--event", "push", "--repository", "octo-org@9919/other@5"],
    );
    assert_eq!(code, 1, "{stdout}");
    let (code, _, stderr) = check_run(
        "immutable",
        &["--event", "push", "--repository", "octo-org/other"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("give --repository OWNER@OWNER_ID/REPO@REPO_ID"),
        "{stderr}"
    );
    let (code, _, stderr) = check_run(
        "defaults",
        &["--event", "push", "--subject-format", "immutable"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("immutable subjects carry the numeric ids of octo-org/octo-app"),
        "{stderr}"
    );
}

#[test]
fn a_pasted_policy_instead_of_the_generated_one() {
    let provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    let owner_wide = policy_file(
        "check-run-owner-wide.json",
        &json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/*"}}
        }]}),
    );
    let args = [
        "--event",
        "pull_request",
        "--repository",
        "octo-org/another",
        "--policy",
        &owner_wide,
    ];
    let (code, stdout, _) = check_run("defaults", &args);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains(&format!("policy: {owner_wide}")),
        "{stdout}"
    );
    assert!(stdout.contains("it has no aud condition"), "{stdout}");
    // What `aws iam get-role` prints works as is.
    let get_role = policy_file(
        "check-run-get-role.json",
        &json!({"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {"Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider.replace("123456789012", "999999999999")},
            "Action": "sts:AssumeRoleWithWebIdentity"
        }]}}}),
    );
    let (code, stdout, _) = check_run("defaults", &["--event", "push", "--policy", &get_role]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(
            "the GitHub provider of account 999999999999, but the role is in account 123456789012"
        ),
        "{stdout}"
    );
}

#[test]
fn json_output() {
    let (code, stdout, _) = check_run("defaults", &["--event", "pull_request", "--json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["decision"], "denied");
    assert_eq!(report["allowed"], false);
    assert_eq!(report["sub"], "repo:octo-org/octo-app:pull_request");
    assert_eq!(report["aud"], "sts.amazonaws.com");
    assert_eq!(
        report["run"],
        "pull_request of octo-org/octo-app (legacy subjects)"
    );
    assert!(report["reason"]
        .as_str()
        .unwrap()
        .starts_with("The token's sub is"));
    let (code, stdout, _) = check_run("defaults", &["--event", "pull_request", "--fork", "--json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["sub"], Value::Null);
    assert_eq!(report["aud"], Value::Null);
    let (code, stdout, _) = check_run("defaults", &["--event", "push", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap()["decision"],
        "allowed"
    );
}

#[test]
fn bad_input_exits_2() {
    let not_json = common::temp_file("check-run-not-json.json", "{\"Statement\": [")
        .to_string_lossy()
        .into_owned();
    let permissions = policy_file(
        "check-run-permissions.json",
        &json!({"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}),
    );
    let invalid_config = common::temp_file("check-run-invalid.json", "{\"account_id\": \"1\"}")
        .to_string_lossy()
        .into_owned();
    for (args, says, usage) in [
        (vec!["--event", "deploy"], "unknown event \"deploy\"", true),
        (vec![], "--event EVENT is required", true),
        (
            vec!["--event", "push", "--fork"],
            "only a pull request comes from a fork",
            true,
        ),
        (
            vec!["--event", "push", "--subject-format", "both"],
            "a repository emits legacy or immutable subjects",
            true,
        ),
        (
            vec!["--event", "push", "--repository", "octo-app"],
            "write OWNER/REPO",
            true,
        ),
        (
            vec!["--event", "push", "--bogus"],
            "unexpected argument \"--bogus\"",
            true,
        ),
        (
            vec!["--event", "push", "--ref"],
            "--ref needs a value",
            true,
        ),
        (
            vec!["--event", "push", "--ref", "main"],
            "is not a full ref",
            false,
        ),
        (
            vec!["--event", "push", "--policy", "/nonexistent/policy.json"],
            "cannot read /nonexistent/policy.json",
            false,
        ),
        (
            vec!["--event", "push", "--policy", not_json.as_str()],
            "the policy is not valid JSON",
            false,
        ),
        (
            vec!["--event", "push", "--policy", permissions.as_str()],
            "is this a permissions policy?",
            false,
        ),
    ] {
        let (code, stdout, stderr) = check_run("defaults", &args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(stderr.contains("usage:"), usage, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
    }
    let output = keyless(&["check-run", "--config", &invalid_config, "--event", "push"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not valid"));
    let output = keyless(&["check-run", "--event", "push"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--config FILE is required"));
}
