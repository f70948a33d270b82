//! Hostile inputs: quotes, `$(...)`, backticks, newlines, `${{ }}`, YAML
//! specials (`: # - ! & *`) and Unicode look-alikes. Each is either rejected
//! with a message naming the problem, or accepted and then only ever written
//! inside a JSON string, a double-quoted YAML scalar or a single-quoted shell
//! word, where it stays inert.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use keyless_core::bundle::{
    SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH, TEARDOWN_SCRIPT_PATH, WORKFLOW_PATH,
};
use keyless_core::{generate, Field, RawConfig};

fn base() -> RawConfig {
    RawConfig::example()
}

fn rejected(field: Field, value: &str) -> String {
    let mut raw = base();
    *raw.scalar_mut(field) = value.to_string();
    match raw.validate() {
        Ok(_) => panic!("{field} = {value:?} was accepted"),
        Err(errors) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("{field} = {value:?}: error under another field: {errors}"))
            .to_string(),
    }
}

const HOSTILE: [&str; 16] = [
    "main\"; rm -rf / #",
    "main'",
    "$(id)",
    "`id`",
    "main\nevil: true",
    "ma\rin",
    "${{ github.token }}",
    "main: x",
    "main #x",
    "- main",
    "!main",
    "&main",
    "*main",
    "ma\u{0456}n",   // Cyrillic i
    "main\u{2011}x", // non-breaking hyphen
    "\u{ff4d}ain",   // fullwidth m
];

#[test]
fn names_reject_every_hostile_value() {
    for field in [
        Field::GithubOwner,
        Field::GithubRepo,
        Field::Branch,
        Field::AppName,
        Field::Region,
        Field::AccountId,
    ] {
        for value in HOSTILE {
            let message = rejected(field, value);
            assert!(!message.contains('\n'), "{field}: {message:?}");
            assert!(!message.contains('\r'), "{field}: {message:?}");
        }
    }
}

#[test]
fn environment_rejects_what_could_change_the_sub_or_the_yaml() {
    for value in [
        "prod: x",
        "prod:x",
        "prod #x",
        "${{ vars.ENV }}",
        "pro\u{0501}",
        "prod\nx",
        "'prod'",
        "\"prod\"",
        "&prod",
        "*prod",
        "!prod",
    ] {
        rejected(Field::Environment, value);
    }
}

#[test]
fn messages_say_what_is_wrong() {
    assert!(rejected(Field::Branch, "ma\u{0456}n").contains("non-ASCII"));
    assert!(rejected(Field::Branch, "feature/*").contains("pattern"));
    assert!(rejected(Field::AppName, "My App").contains("lowercase"));
    assert!(rejected(Field::GithubOwner, "octo org").contains("a space"));
    assert!(rejected(Field::AccountId, "12345678901\u{ff12}").contains("digits only"));
    assert!(rejected(Field::Branch, "main\nevil").contains("line break"));
    assert!(rejected(Field::UseSpot, "yes").contains("Write true or false"));
    assert!(rejected(Field::HealthCheckCommand, "curl \u{201c}x\u{201d}").contains("look-alike"));
}

#[test]
fn lists_reject_hostile_ids_and_sources() {
    let raw = RawConfig {
        subnets: vec![
            "subnet-12345678'; rm -rf /".into(),
            "subnet-1234567$(id)".into(),
        ],
        security_groups: vec!["sg-1234\n5678".into()],
        secrets: vec![
            ("DB".into(), "/app/db'; echo pwned".into()),
            (
                "TOKEN".into(),
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:*".into(),
            ),
        ],
        environment_variables: vec![
            ("A-B".into(), "x".into()),
            ("$(id)".into(), "x".into()),
            ("OK".into(), "line\nbreak".into()),
        ],
        ..base()
    };
    let errors = raw.validate().unwrap_err();
    for field in [
        Field::Subnets,
        Field::SecurityGroups,
        Field::Secrets,
        Field::EnvironmentVariables,
    ] {
        let message = errors.for_field(field).unwrap_or_else(|| panic!("{field}"));
        assert!(!message.contains('\n'), "{message:?}");
    }
    assert!(errors
        .for_field(Field::Secrets)
        .unwrap()
        .contains("wildcards"));
}

/// Values that are legitimately free text are accepted and stay inert.
#[test]
fn free_text_is_accepted_and_quoted() {
    let health = "curl -f \"http://localhost:8080/$(hostname)\" || exit 1 # `x` ${{ github.token }} 'q' : - ! & *";
    let value = "it's \"$(id)\" `id` ${{ secrets.AWS }} : # - ! & * \u{0430}";
    let raw = RawConfig {
        health_check_command: health.into(),
        environment_variables: vec![("GREETING".into(), value.into())],
        environment: "- staging".into(),
        branch: "release/1.0".into(),
        ..base()
    };
    let config = raw.validate().unwrap();
    let bundle = generate(&config);
    common::check_bundle(&config, &bundle).unwrap();

    // Exactly preserved in the task definition (JSON strings).
    let task: serde_json::Value =
        serde_json::from_str(bundle.file(TASK_DEFINITION_PATH).unwrap()).unwrap();
    let container = &task["containerDefinitions"][0];
    assert_eq!(container["healthCheck"]["command"][1], health);
    assert_eq!(container["environment"][0]["value"], value);

    // Never written into the workflow or the scripts.
    for path in [WORKFLOW_PATH, SETUP_SCRIPT_PATH, TEARDOWN_SCRIPT_PATH] {
        let text = bundle.file(path).unwrap();
        assert!(!text.contains("hostname"), "{path}");
        assert!(!text.contains("secrets.AWS"), "{path}");
    }

    // The YAML special environment name reads back as the same string.
    let flow = common::yaml(bundle.file(WORKFLOW_PATH).unwrap()).unwrap();
    assert_eq!(flow["jobs"]["deploy"]["environment"], "- staging");
    assert_eq!(flow["on"]["push"]["branches"][0], "release/1.0");
}

#[test]
fn only_our_expressions_reach_the_workflow() {
    for (name, text) in common::fixtures() {
        let config = keyless_core::config::parse_config_json(&text).unwrap();
        let workflow = generate(&config);
        let yaml = workflow.file(WORKFLOW_PATH).unwrap();
        let mut rest = yaml;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..].find("}}").expect("closed expression") + start + 2;
            let expression = &rest[start..end];
            assert!(
                [
                    "${{ steps.ecr.outputs.registry }}",
                    "${{ github.sha }}",
                    "${{ steps.render.outputs.task-definition }}",
                    // The count autoscaling chose, read by our own run step.
                    "${{ steps.count.outputs.count }}",
                ]
                .contains(&expression),
                "{name}: {expression}"
            );
            rest = &rest[end..];
        }
    }
}

/// Surrounding whitespace (a pasted line break included) is trimmed, not an error.
#[test]
fn surrounding_whitespace_is_forgiven() {
    let raw = RawConfig {
        branch: "main\r\n".into(),
        security_groups: vec![" sg-12345678\n".into()],
        ..base()
    };
    let config = raw.validate().unwrap();
    assert_eq!(config.branch, "main");
    assert_eq!(config.security_groups, ["sg-12345678"]);
}

fn load_balanced(field: Field, value: &str) -> RawConfig {
    let mut raw = RawConfig {
        ingress: "load_balancer".into(),
        ..base()
    };
    *raw.scalar_mut(field) = value.to_string();
    raw
}

fn rejected_behind_lb(field: Field, value: &str) -> String {
    match load_balanced(field, value).validate() {
        Ok(_) => panic!("{field} = {value:?} was accepted"),
        Err(errors) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("{field} = {value:?}: error under another field: {errors}"))
            .to_string(),
    }
}

/// Where an accepted domain or path lands in the scripts: inside one
/// single-quoted `readonly` value (or a quoted JMESPath literal inside one).
fn only_quoted_in_scripts(raw: RawConfig, value: &str) {
    let config = raw.validate().expect("accepted");
    let bundle = generate(&config);
    for path in [SETUP_SCRIPT_PATH, TEARDOWN_SCRIPT_PATH] {
        for line in bundle.file(path).unwrap().lines() {
            if line.contains(value) && !line.trim_start().starts_with('#') {
                assert!(
                    line.starts_with("readonly ") && line.contains("='") && line.ends_with('\'')
                        || line.starts_with("HEALTH_CHECK=("),
                    "{path}: {value} outside a quoted value: {line}"
                );
            }
        }
    }
}

#[test]
fn domain_names_are_normalised_or_rejected() {
    // Forgiven: capitals and a trailing dot (the DNS root) are folded away.
    let config = load_balanced(Field::DomainName, "App.Example.COM.")
        .validate()
        .unwrap();
    let json = config.to_json();
    assert!(
        json.contains("\"domain_name\": \"app.example.com\""),
        "{json}"
    );
    only_quoted_in_scripts(
        load_balanced(Field::DomainName, "App.Example.COM."),
        "app.example.com",
    );
    // Rejected, each with its reason.
    for (value, says) in [
        ("*.example.com", "wildcard"),
        ("bücher.example.com", "punycode"),
        ("xn--bcher-kva.example.com\u{200b}", "U+200B"),
        (
            &format!("{}.example.com", vec!["a".repeat(60); 4].join(".")),
            "253",
        ),
        ("app.example.com; rm -rf /", "a space"),
        ("$(id).example.com", "'$'"),
        ("`id`.example.com", "'`'"),
        ("app.example.com'", "'''"),
        ("app\nexample.com", "a line break"),
        ("${{ github.token }}.example.com", "'$'"),
    ] {
        let message = rejected_behind_lb(Field::DomainName, value);
        assert!(message.contains(says), "{value:?}: {message}");
        assert!(!message.contains('\n'), "{value:?}: {message:?}");
    }
    // An IDN in its ASCII form is a plain name.
    load_balanced(Field::DomainName, "xn--bcher-kva.example.com")
        .validate()
        .unwrap();
}

#[test]
fn health_check_paths_are_url_paths_or_rejected() {
    for (value, says) in [
        ("/my health", "%20"),
        ("/$(id)", "'$'"),
        ("/`id`", "'`'"),
        ("/x'y", "'''"),
        ("/x\"y", "'\"'"),
        ("/x\ny", "a line break"),
        ("health", "Start health check paths with '/'"),
        ("/\u{2011}x", "U+2011"),
    ] {
        let message = rejected_behind_lb(Field::HealthCheckPath, value);
        assert!(message.contains(says), "{value:?}: {message}");
    }
    // A query string is a valid health check path, and stays a quoted value.
    let path = "/status?full=1&db=%2Fmain";
    load_balanced(Field::HealthCheckPath, path)
        .validate()
        .unwrap();
    only_quoted_in_scripts(load_balanced(Field::HealthCheckPath, path), path);
}
