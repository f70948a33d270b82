//! `keyless troubleshoot`: a pasted message (as arguments or on standard input)
//! gives its entry with the config's names, the others that match by name; no
//! text lists the entries; an id shows that entry; exit 0 found, 1 nothing
//! matches, 2 bad input.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn fixture(name: &str) -> String {
    common::crate_dir()
        .join("tests/fixtures")
        .join(format!("{name}.json"))
        .to_string_lossy()
        .into_owned()
}

/// `keyless troubleshoot --config FIXTURE ARGS…` with `stdin`: (exit code, stdout, stderr).
fn troubleshoot(config: &str, args: &[&str], stdin: &str) -> (i32, String, String) {
    let config = fixture(config);
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(["troubleshoot", "--config", config.as_str()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the keyless binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output: Output = child.wait_with_output().unwrap();
    (
        output.status.code().expect("an exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const REFUSED: &str =
    "Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity";

#[test]
fn a_pasted_message_gives_its_entry_with_the_configs_names() {
    let (code, stdout, stderr) = troubleshoot("environment", &[REFUSED], "");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("oidc-not-authorized: Not authorized to perform sts:AssumeRoleWithWebIdentity\nmatched: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("repo:acme-corp/billing-api:environment:production"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "       aws iam update-assume-role-policy --role-name billing-api-github-deploy --policy-document file://infra/trust-policy.json\n"
    ));
    // The entries that share the message's prefix are named after it.
    assert!(stdout.contains("\nAlso matching"), "{stdout}");
    assert!(stdout.contains("\n  oidc-audience "), "{stdout}");
}

#[test]
fn a_message_on_standard_input_and_in_several_arguments() {
    let message = "(service billing-api) (port 3000) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/storefront/6d0e) due to (reason Health checks failed with these codes: [404]).";
    let (code, stdout, _) = troubleshoot("load-balancer", &["-"], message);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("target-health-check: "), "{stdout}");
    assert!(stdout.contains("GET /health to port 3000"), "{stdout}");
    let words: Vec<&str> = message.split(' ').collect();
    let (code, split, _) = troubleshoot("load-balancer", &words, "");
    assert_eq!(code, 0);
    assert_eq!(split, stdout);
}

#[test]
fn no_text_lists_the_entries_an_id_shows_one() {
    let (code, stdout, _) = troubleshoot("defaults", &[], "");
    assert_eq!(code, 0);
    assert!(
        stdout.contains("\n  oidc-not-authorized      Not authorized"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Not for this config as generated: secrets, container-health-check, target-health-check, certificate-pending, alb-5xx, dns-not-pointing\n"),
        "{stdout}"
    );
    let (code, stdout, _) = troubleshoot("defaults", &["log-group"], "");
    assert_eq!(code, 0);
    assert!(stdout.starts_with("log-group: "), "{stdout}");
    assert!(stdout.contains("--log-group-name-prefix /ecs/octo-app "));
}

#[test]
fn json_carries_the_matches() {
    let (code, stdout, _) = troubleshoot(
        "secrets-env",
        &[
            "--json",
            "invalid ssm parameters: /orders/prod/database-url",
        ],
        "",
    );
    assert_eq!(code, 0);
    let found: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found[0]["entry"]["id"], "secrets");
    assert_eq!(found[0]["entry"]["applies"], true);
    assert_eq!(found[0]["matched"][0], "invalid ssm parameters");
    assert!(found[0]["entry"]["fix"][0]["code"]
        .as_str()
        .unwrap()
        .starts_with("aws ssm get-parameters --region us-east-2 "));
}

#[test]
fn nothing_matching_exits_1_and_bad_input_2() {
    let (code, stdout, stderr) = troubleshoot("defaults", &["zzz qqq"], "");
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        stderr.starts_with("No entry matches that text."),
        "{stderr}"
    );
    let (code, _, stderr) = troubleshoot("defaults", &["--verbose"], "");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unexpected argument \"--verbose\""),
        "{stderr}"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(["troubleshoot", REFUSED])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("--config FILE is required"));
}
