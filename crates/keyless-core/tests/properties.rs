//! Property tests over thousands of random valid configs: every generated
//! bundle passes every check of `common::check_bundle` (JSON parses, the
//! workflow reads back as its model, both scripts pass `bash -n`, the trust
//! policy's sub matches the trigger and environment, names agree across files,
//! no wildcard where none belongs), and random text in every field is either
//! rejected with a message or generates a bundle that passes the same checks.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 2000 valid configs,
//! 1000 hostile ones).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use keyless_core::config::{memory_options, FARGATE_CPUS, LOG_RETENTION_DAYS};
use keyless_core::regions::REGIONS;
use keyless_core::{generate, iam, names::Names, Field, RawConfig};
use proptest::prelude::*;
use proptest::sample::select;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn owner() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{1,12}(-[A-Za-z0-9]{1,8}){0,2}"
}

fn repo() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}".prop_filter("not . or ..", |r| r != "." && r != "..")
}

fn branch() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("main".to_string()),
        "[a-z0-9][a-z0-9_-]{0,10}(/[a-z0-9][a-zA-Z0-9_.-]{0,10}[a-z0-9]){0,2}"
            .prop_filter("git ref rules", |b| !b.contains("..")
                && !b.split('/').any(|p| p.ends_with(".lock"))),
    ]
}

fn environment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[A-Za-z0-9_.-]{1,20}( [A-Za-z0-9_.-]{1,10})?",
    ]
}

fn app_name() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,10}([-_][a-z0-9]{1,10}){0,3}".prop_filter("2 to 49 characters", |n| {
        (2..=keyless_core::config::APP_NAME_MAX).contains(&n.len())
    })
}

fn task_size() -> impl Strategy<Value = (String, String)> {
    select(FARGATE_CPUS.to_vec()).prop_flat_map(|cpu| {
        select(memory_options(cpu)).prop_flat_map(move |memory| {
            // Any of the accepted spellings.
            let vcpu = keyless_core::config::decimal(cpu, 1024);
            let gb = keyless_core::config::decimal(memory, 1024);
            (
                select(vec![cpu.to_string(), format!("{vcpu} vCPU")]),
                select(vec![
                    memory.to_string(),
                    format!("{memory} MiB"),
                    format!("{gb} GB"),
                ]),
            )
        })
    })
}

fn hex_id(prefix: &'static str) -> impl Strategy<Value = String> {
    prop_oneof!["[0-9a-f]{8}", "[0-9a-f]{17}"].prop_map(move |hex| format!("{prefix}{hex}"))
}

fn variable_name() -> impl Strategy<Value = String> {
    "[A-Z_][A-Z0-9_]{0,15}".prop_filter("reserved", |n| !n.starts_with("AWS_CONTAINER_"))
}

/// SSM parameter names, SSM parameter ARNs, Secrets Manager ARNs.
fn secret_source() -> impl Strategy<Value = String> {
    let ssm_allowed = |source: &String| {
        let name = source
            .rsplit_once(":parameter/")
            .map_or(source.as_str(), |(_, n)| n);
        let name = name.trim_start_matches('/').to_ascii_lowercase();
        !name.starts_with("aws") && !name.starts_with("ssm")
    };
    prop_oneof![
        "/[a-z][a-z0-9_.-]{0,8}(/[a-z0-9_.-]{1,8}){0,2}"
            .prop_filter("reserved prefix", ssm_allowed),
        ("[0-9]{12}", "[a-z][a-z0-9_-]{0,10}(/[a-z0-9_.-]{1,8}){0,2}")
            .prop_map(|(acct, name)| format!("arn:aws:ssm:eu-west-1:{acct}:parameter/{name}"))
            .prop_filter("reserved prefix", ssm_allowed),
        (
            "[0-9]{12}",
            "[a-zA-Z0-9/_+=.@-]{1,12}",
            "[A-Za-z0-9]{6}",
            proptest::option::of("[a-z]{1,6}")
        )
            .prop_map(|(acct, name, suffix, key)| {
                let mut arn =
                    format!("arn:aws:secretsmanager:us-east-1:{acct}:secret:{name}-{suffix}");
                if let Some(key) = key {
                    arn.push_str(&format!(":{key}::"));
                }
                arn
            }),
    ]
}

prop_compose! {
    fn valid_raw()(
        owner in owner(),
        repo in repo(),
        repo_form in 0..3u8,
        branch in branch(),
        environment in environment(),
        format in select(vec!["", "legacy", "immutable", "both"]),
        owner_id in 1..10_000_000u64,
        repo_id in 1..2_000_000_000u64,
        account in "[0-9]{12}",
        region in select(REGIONS.iter().map(|(code, _)| *code).collect::<Vec<_>>()),
        app in app_name(),
        (cpu, memory) in task_size(),
        port in 1..=65535u32,
        desired in 0..20u32,
        arch in select(vec!["", "X86_64", "ARM64", "arm64"]),
        health in proptest::option::of("[ -~]{1,60}"),
        retention in proptest::option::of(select(LOG_RETENTION_DAYS.to_vec())),
        storage in proptest::option::of(20..=200u32),
        variables in proptest::collection::btree_map(variable_name(), "[ -~]{0,20}", 0..4),
        secrets in proptest::collection::btree_map(variable_name(), secret_source(), 0..4),
        spot in select(vec!["", "true", "false"]),
        subnets in proptest::collection::btree_set(hex_id("subnet-"), 0..4),
        groups in proptest::collection::btree_set(hex_id("sg-"), 0..3),
        public_ip in select(vec!["", "true", "false"]),
        door in 0..4u8,
        domain in "[a-z0-9]{1,10}(-[a-z0-9]{1,5})?\\.[a-z]{2,6}",
        path in "/[A-Za-z0-9/_.~%?=&-]{0,30}",
        certificate_id in "[0-9a-f]{8}-[0-9a-f]{4}",
        scaling in proptest::option::of((1..5u32, 0..10u32, 10..=90u32)),
    ) -> RawConfig {
        let github_repo = match repo_form {
            0 => repo.clone(),
            1 => format!("{owner}/{repo}"),
            _ => format!("https://github.com/{owner}/{repo}"),
        };
        let subnets: Vec<String> = subnets.into_iter().collect();
        // Without subnets the default VPC needs public IPs (a validation rule).
        let public_ip = if subnets.is_empty() && public_ip == "false" { "" } else { public_ip };
        let secrets: Vec<(String, String)> = secrets
            .into_iter()
            .filter(|(name, _)| !variables.contains_key(name))
            .collect();
        // The front door: 0 and 1 public IP (the default written or not), 2 a load
        // balancer with a requested certificate, 3 with an existing certificate or none.
        let load_balanced = door >= 2;
        let (ingress, domain_name, certificate_arn) = match door {
            0 => ("", String::new(), String::new()),
            1 => ("public_ip", String::new(), String::new()),
            2 => ("load_balancer", domain, String::new()),
            _ if certificate_id.starts_with(['0', '1', '2', '3', '4', '5', '6', '7']) => (
                "load_balancer",
                String::new(),
                format!("arn:aws:acm:{region}:{account}:certificate/{certificate_id}"),
            ),
            _ => ("load_balancer", String::new(), String::new()),
        };
        // A load balancer needs two subnets or none, no given groups and a short name.
        let subnets = if load_balanced && subnets.len() == 1 { Vec::new() } else { subnets };
        let public_ip = if subnets.is_empty() && public_ip == "false" { "" } else { public_ip };
        let groups: Vec<String> = if load_balanced { Vec::new() } else { groups.into_iter().collect() };
        let app = if load_balanced { app.chars().take(32).collect::<String>().trim_end_matches(['-', '_']).to_string() } else { app };
        let app = if app.len() < 2 { "ab".to_string() } else { app };
        let (desired, min_count, max_count, cpu_target) = match scaling {
            Some((min, extra, target)) => (
                (min + extra / 2).to_string(),
                min.to_string(),
                (min + extra).to_string(),
                target.to_string(),
            ),
            None => (desired.to_string(), String::new(), String::new(), String::new()),
        };
        RawConfig {
            github_owner: if repo_form == 0 { owner } else { String::new() },
            github_repo,
            branch,
            environment,
            subject_format: format.into(),
            github_owner_id: owner_id.to_string(),
            github_repo_id: repo_id.to_string(),
            account_id: account,
            region: region.into(),
            app_name: app,
            cpu,
            memory,
            container_port: port.to_string(),
            desired_count: desired,
            architecture: arch.into(),
            health_check_command: health.unwrap_or_default(),
            log_retention_days: retention.map(|d| d.to_string()).unwrap_or_default(),
            ephemeral_storage_gib: storage.map(|g| g.to_string()).unwrap_or_default(),
            environment_variables: variables.into_iter().collect(),
            secrets,
            use_spot: spot.into(),
            assign_public_ip: public_ip.into(),
            subnets,
            security_groups: groups,
            ingress: ingress.into(),
            domain_name,
            certificate_arn,
            health_check_path: if load_balanced { path } else { String::new() },
            min_count,
            max_count,
            cpu_target_percent: cpu_target,
            // Every starter, and none, spread over the ports drawn.
            starter: ["", "node", "python", "go", "static"][(port % 5) as usize].into(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(2000), ..ProptestConfig::default() })]

    #[test]
    fn every_valid_config_generates_a_consistent_bundle(raw in valid_raw()) {
        let config = match raw.validate() {
            Ok(config) => config,
            Err(errors) => return Err(TestCaseError::fail(format!("rejected: {errors}\n{raw:?}"))),
        };
        let bundle = generate(&config);
        if let Err(problem) = common::check_bundle(&config, &bundle) {
            return Err(TestCaseError::fail(format!("{problem}\n{raw:?}")));
        }
        let names = Names::new(&config);
        for policy in [iam::trust_policy(&names), iam::permissions_policy(&names)] {
            prop_assert_eq!(iam::lint(&policy, &names), Vec::<String>::new());
        }
        if let Some(policy) = iam::secrets_policy(&config) {
            prop_assert_eq!(iam::lint(&policy, &names), Vec::<String>::new());
        }
    }
}

/// Text that tries to break out of JSON, YAML, shell or GitHub expressions.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = select(vec![
        "'",
        "\"",
        "`",
        "$(id)",
        "${{ github.token }}",
        "\n",
        "\r",
        "\t",
        "\\",
        ": ",
        " #",
        "- ",
        "!",
        "&a",
        "*a",
        "|",
        ">",
        "{",
        "}",
        "[",
        "]",
        ",",
        "%",
        "@",
        "?",
        "~",
        ";",
        "..",
        "/",
        ".lock",
        " ",
        "\u{0430}",
        "\u{2010}",
        "\u{201c}",
        "\u{ff1a}",
        "\u{0}",
        "main",
        "octo",
        "a",
        "1",
        "-",
        "_",
        ".",
    ]);
    proptest::collection::vec(pieces, 0..6).prop_map(|parts| parts.concat())
}

fn field_strategy() -> impl Strategy<Value = Field> {
    select(
        Field::ALL
            .iter()
            .copied()
            .filter(|f| *f != Field::Version)
            .collect::<Vec<_>>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1000), ..ProptestConfig::default() })]

    #[test]
    fn hostile_text_in_any_field_is_rejected_or_harmless(
        base in valid_raw(),
        field in field_strategy(),
        text in hostile_text(),
    ) {
        let mut raw = base;
        match field {
            Field::EnvironmentVariables => raw.environment_variables.push((text.clone(), text.clone())),
            Field::Secrets => raw.secrets.push(("HOSTILE".into(), text.clone())),
            Field::Subnets => raw.subnets.push(text.clone()),
            Field::SecurityGroups => raw.security_groups.push(text.clone()),
            other => *raw.scalar_mut(other) = text.clone(),
        }
        match raw.validate() {
            Err(errors) => {
                // Every message is one line a user can read.
                for e in &errors.0 {
                    prop_assert!(!e.message.is_empty());
                    prop_assert!(!e.message.contains('\n'), "{:?}", e.message);
                }
            }
            Ok(config) => {
                let bundle = generate(&config);
                if let Err(problem) = common::check_bundle(&config, &bundle) {
                    return Err(TestCaseError::fail(format!("{problem}\nfield {field}: {text:?}")));
                }
            }
        }
    }
}
