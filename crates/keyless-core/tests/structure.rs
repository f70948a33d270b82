//! Structural checks of security properties that only the insta byte snapshots
//! held before: each test parses the generated artifact (the workflow as YAML, the
//! scripts as shell commands with their continuation lines joined) and checks
//! one property over several configs, so a change that breaks the property fails
//! here with a message naming it, whatever else the change does to the text.
//!
//! - the checkout step keeps the GitHub token out of `.git/config`;
//! - the workflow's token permissions are exactly `{}` at the top and
//!   `contents: read` + `id-token: write` in the deploy job;
//! - every ECR repository `setup.sh` creates or updates has immutable tags;
//! - every inbound rule `setup.sh` adds opens one TCP port to one source, per
//!   security group (see [`ingress_rules`]);
//! - `teardown.sh` deletes all three roles, the deploy role before anything else.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use keyless_core::bundle::{
    SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH, TEARDOWN_SCRIPT_PATH, WORKFLOW_PATH,
};
use keyless_core::config::parse_config_json;
use keyless_core::{generate, Bundle, RawConfig, ValidConfig};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// The configs: the example, variants of it that each turn on one feature, and
// every fixture.

fn variant(edit: impl FnOnce(&mut RawConfig)) -> ValidConfig {
    let mut raw = RawConfig::example();
    edit(&mut raw);
    raw.validate()
        .unwrap_or_else(|e| panic!("a variant of the example is invalid:\n{e}"))
}

/// `(name, config)` of every config the tests run the generator over.
fn configs() -> Vec<(String, ValidConfig)> {
    let mut out = vec![
        ("example".to_string(), variant(|_| {})),
        (
            "example+environment".to_string(),
            variant(|raw| {
                raw.branch = "release".into();
                raw.environment = "production".into();
            }),
        ),
        (
            "example+spot".to_string(),
            variant(|raw| raw.use_spot = "true".into()),
        ),
        (
            "example+immutable-subject".to_string(),
            variant(|raw| {
                raw.subject_format = "immutable".into();
                raw.github_owner_id = "9919".into();
                raw.github_repo_id = "1034567890".into();
            }),
        ),
        (
            "example+subnets+security-groups".to_string(),
            variant(|raw| {
                raw.subnets = vec!["subnet-0a1b2c3d4e5f60718".into(), "subnet-5e6f7a8b".into()];
                raw.security_groups = vec!["sg-0123456789abcdef0".into()];
                raw.assign_public_ip = "false".into();
            }),
        ),
        (
            "example+subnets".to_string(),
            variant(|raw| raw.subnets = vec!["subnet-1a2b3c4d".into()]),
        ),
        (
            "example+autoscaling".to_string(),
            variant(|raw| {
                raw.desired_count = "2".into();
                raw.min_count = "1".into();
                raw.max_count = "4".into();
                raw.cpu_target_percent = "60".into();
            }),
        ),
        (
            "example+secrets".to_string(),
            variant(|raw| {
                raw.secrets = vec![
                    ("DATABASE_URL".into(), "/octo-app/prod/database-url".into()),
                    (
                        "API_KEY".into(),
                        "arn:aws:secretsmanager:us-east-1:123456789012:secret:octo-app/api-AbC123"
                            .into(),
                    ),
                ];
            }),
        ),
    ];
    for (name, text) in common::fixtures() {
        let config = parse_config_json(&text)
            .unwrap_or_else(|e| panic!("fixture {name} is not valid:\n{e}"));
        out.push((format!("fixture {name}"), config));
    }
    out
}

/// Runs `check` over the bundle of every config; panics listing every failure.
fn for_every_bundle(check: impl Fn(&ValidConfig, &Bundle) -> Result<(), String>) {
    let failures: Vec<String> = configs()
        .iter()
        .filter_map(|(name, config)| {
            check(config, &generate(config))
                .err()
                .map(|problem| format!("{name}: {problem}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

fn workflow(bundle: &Bundle) -> Result<Value, String> {
    common::yaml(bundle.file(WORKFLOW_PATH).ok_or("no workflow")?)
        .map_err(|e| format!("{WORKFLOW_PATH}: {e}"))
}

fn setup(bundle: &Bundle) -> &str {
    bundle.file(SETUP_SCRIPT_PATH).expect("setup.sh")
}

fn teardown(bundle: &Bundle) -> &str {
    bundle.file(TEARDOWN_SCRIPT_PATH).expect("teardown.sh")
}

#[test]
fn the_configs_cover_every_variant() {
    let configs = configs();
    let has = |what: &str, test: fn(&ValidConfig) -> bool| {
        assert!(
            configs.iter().any(|(_, c)| test(c)),
            "no config with {what}"
        );
    };
    has("an environment", |c| c.environment.is_some());
    has("Fargate Spot", |c| c.use_spot);
    has("the immutable subject", |c| {
        c.subject_format.key() == "immutable"
    });
    has("their own subnets", |c| !c.subnets.is_empty());
    has("their own security groups", |c| {
        !c.security_groups.is_empty()
    });
    has("the default network", |c| {
        c.subnets.is_empty() && c.security_groups.is_empty()
    });
    has("secrets", |c| !c.secrets.is_empty());
    has("autoscaling", |c| c.autoscaling.is_some());
    has("a load balancer on plain HTTP", |c| {
        c.ingress
            .load_balancer()
            .is_some_and(|lb| !lb.tls.is_https())
    });
    has("a load balancer with HTTPS", |c| {
        c.ingress
            .load_balancer()
            .is_some_and(|lb| lb.tls.is_https())
    });
}

// ---------------------------------------------------------------------------
// 1 and 2: the workflow.

/// Every step of every job of a parsed workflow: `(job id, step index, step)`.
fn steps(flow: &Value) -> Result<Vec<(String, usize, &Value)>, String> {
    let mut out = Vec::new();
    for (id, job) in flow["jobs"].as_object().ok_or("the workflow has no jobs")? {
        let steps = job["steps"]
            .as_array()
            .ok_or(format!("job {id} has no steps"))?;
        out.extend(
            steps
                .iter()
                .enumerate()
                .map(|(i, step)| (id.clone(), i, step)),
        );
    }
    Ok(out)
}

#[test]
fn checkout_does_not_persist_credentials() {
    for_every_bundle(|_, bundle| {
        let flow = workflow(bundle)?;
        let mut checkouts = 0;
        for (job, i, step) in steps(&flow)? {
            let uses = step["uses"].as_str().unwrap_or_default();
            if !uses.starts_with("actions/checkout@") {
                continue;
            }
            checkouts += 1;
            let persist = &step["with"]["persist-credentials"];
            if *persist != json!("false") && *persist != json!(false) {
                return Err(format!(
                    "job {job}, step {i} ({uses}): persist-credentials is {persist}, \
                     expected false (else the GitHub token stays in .git/config, \
                     readable by the Docker build)"
                ));
            }
        }
        if checkouts == 0 {
            return Err("the workflow has no actions/checkout step".into());
        }
        Ok(())
    });
}

#[test]
fn workflow_permissions_are_empty_at_the_top_and_oidc_plus_read_in_the_deploy_job() {
    for_every_bundle(|_, bundle| {
        let flow = workflow(bundle)?;
        let top = flow
            .get("permissions")
            .ok_or("no top-level permissions (the token would get the repository's defaults)")?;
        if *top != json!({}) {
            return Err(format!(
                "top-level permissions are {top}, expected exactly {{}}"
            ));
        }
        let deploy = flow["jobs"]
            .get("deploy")
            .ok_or("the workflow has no deploy job")?;
        let expected = json!({"contents": "read", "id-token": "write"});
        match deploy.get("permissions") {
            Some(found) if *found == expected => Ok(()),
            found => Err(format!(
                "the deploy job's permissions are {}, expected exactly {expected}",
                found.map_or("absent".to_string(), Value::to_string)
            )),
        }
    });
}

// ---------------------------------------------------------------------------
// Reading shell commands out of a generated script.

/// The script's logical lines, `(first line number, text)`: continuation lines
/// (ending in a backslash) joined with a space, comment lines left out.
fn logical_lines(script: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in script.lines().enumerate() {
        let (continued, text) = match line.strip_suffix('\\') {
            Some(text) => (true, text),
            None => (false, line),
        };
        match current.as_mut() {
            Some((_, joined)) => {
                joined.push(' ');
                joined.push_str(text.trim());
            }
            None if line.trim_start().starts_with('#') => continue,
            None => current = Some((i + 1, text.trim_end().to_string())),
        }
        if !continued {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// The shell words of `text` up to the end of its first command (an unquoted
/// `;`, `|`, `&`, `(`, `)`, redirection or comment), quotes removed. A word's
/// parameter expansions stay as written (`"$sg_id"` reads `$sg_id`). A file
/// descriptor number before a redirection (`2>`) is not a word.
fn command_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            word.push(chars.next().unwrap());
                        }
                        _ => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            ';' | '|' | '&' | '(' | ')' | '<' | '>' => {
                let descriptor = matches!(c, '<' | '>')
                    && !word.is_empty()
                    && word.chars().all(|d| d.is_ascii_digit());
                if in_word && !descriptor {
                    words.push(word);
                }
                return words;
            }
            '#' if !in_word => return words,
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// One `aws SERVICE VERB ...` command of a script.
#[derive(Debug)]
struct AwsCall {
    /// The line it starts on.
    line: usize,
    /// The whole logical line, for messages.
    text: String,
    /// Its words after the verb.
    args: Vec<String>,
}

impl AwsCall {
    /// `--option value...` pairs in order; an option followed directly by another
    /// option (or nothing) has no values. Words before the first option are an error.
    fn options(&self) -> Result<Vec<(&str, Vec<&str>)>, String> {
        let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
        for arg in &self.args {
            if arg.starts_with("--") {
                out.push((arg, Vec::new()));
            } else {
                out.last_mut()
                    .ok_or(format!(
                        "line {}: a word before any option: {arg}",
                        self.line
                    ))?
                    .1
                    .push(arg);
            }
        }
        Ok(out)
    }

    /// The single value of `option`: an error when it is absent, repeated or has
    /// other than one value.
    fn one(&self, option: &str) -> Result<String, String> {
        let options = self.options()?;
        let found: Vec<&Vec<&str>> = options
            .iter()
            .filter(|(name, _)| *name == option)
            .map(|(_, values)| values)
            .collect();
        match found.as_slice() {
            [values] if values.len() == 1 => Ok(values[0].to_string()),
            [] => Err(format!("line {}: no {option}: {}", self.line, self.text)),
            _ => Err(format!(
                "line {}: {option} is not given exactly once with one value: {}",
                self.line, self.text
            )),
        }
    }

    fn has(&self, option: &str) -> Result<bool, String> {
        Ok(self.options()?.iter().any(|(name, _)| *name == option))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Byte offsets where `needle` occurs in `text` as a whole name (not as part
/// of a longer name such as `--image-tag-mutability` in `put-image-tag-mutability`).
fn name_occurrences(text: &str, needle: &str) -> Vec<usize> {
    text.match_indices(needle)
        .map(|(at, _)| at)
        .filter(|&at| {
            !text[..at].chars().next_back().is_some_and(is_name_char)
                && !text[at + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(is_name_char)
        })
        .collect()
}

/// Every `aws SERVICE VERB` command of `script`. Every mention of VERB outside a
/// comment must be such a command: a mention this cannot read (`aws --region X
/// ecr ...`, VERB in a message) is an error, so no call escapes the checks.
fn aws_calls(script: &str, service: &str, verb: &str) -> Result<Vec<AwsCall>, String> {
    let mut calls = Vec::new();
    let prefix = format!("aws {service} ");
    for (line, text) in logical_lines(script) {
        for at in name_occurrences(&text, verb) {
            let before = &text[..at];
            let starts = before.strip_suffix(&prefix).filter(|b| {
                !b.chars()
                    .next_back()
                    .is_some_and(|c| is_name_char(c) || c == '.' || c == '/')
            });
            if starts.is_none() {
                return Err(format!(
                    "line {line} mentions {verb} other than as `{prefix}{verb} ...`; \
                     teach tests/structure.rs to read it: {text}"
                ));
            }
            calls.push(AwsCall {
                line,
                text: text.clone(),
                args: command_words(&text[at + verb.len()..]),
            });
        }
    }
    Ok(calls)
}

/// The value of `readonly NAME=VALUE` in `script`, quotes removed.
/// A word's value: a `$NAME` is the value of `readonly NAME=`, anything else itself.
fn resolve(script: &str, word: &str) -> Result<String, String> {
    match word.strip_prefix('$') {
        Some(name) if name.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
            readonly(script, name)
        }
        _ => Ok(word.to_string()),
    }
}

/// The script with the load balancer's rule loop unrolled as bash runs it when
/// every rule is missing: one `authorize-security-group-ingress` per entry of
/// `LB_INGRESS` (`tcp/PORT/RANGE`), in the form the loop's branch uses.
fn unroll_lb_rules(script: &str) -> Result<String, String> {
    const LOOP_START: &str = "for rule in $missing_rules; do\n";
    let Some(start) = script.find(LOOP_START) else {
        return Ok(script.to_string());
    };
    let end = start
        + script[start..]
            .find("\ndone\n")
            .ok_or("the rule loop has no done")?
        + "\ndone\n".len();
    if !script[..start].ends_with("keep_only_rules \"$lb_sg_id\" \"${LB_INGRESS[@]}\"\n") {
        return Err("the rule loop does not follow keep_only_rules with LB_INGRESS".into());
    }
    let array = script
        .lines()
        .find_map(|l| l.strip_prefix("LB_INGRESS=("))
        .and_then(|l| l.strip_suffix(')'))
        .ok_or("no LB_INGRESS=(...)")?;
    let mut calls = String::new();
    for rule in command_words(array) {
        let mut parts = rule.splitn(3, '/');
        let (protocol, port, range) = match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => {
                return Err(format!(
                    "LB_INGRESS entry {rule:?} is not PROTOCOL/PORT/RANGE"
                ))
            }
        };
        calls.push_str(&if range.contains(':') {
            format!(
                "aws ec2 authorize-security-group-ingress --region \"$REGION\" --group-id \"$lb_sg_id\" \
                 --ip-permissions 'IpProtocol={protocol},FromPort={port},ToPort={port},Ipv6Ranges=[{{CidrIpv6={range}}}]'\n"
            )
        } else {
            format!(
                "aws ec2 authorize-security-group-ingress --region \"$REGION\" --group-id \"$lb_sg_id\" \
                 --protocol {protocol} --port {port} --cidr {range}\n"
            )
        });
    }
    Ok(format!("{}{calls}{}", &script[..start], &script[end..]))
}

fn readonly(script: &str, name: &str) -> Result<String, String> {
    let prefix = format!("readonly {name}=");
    let values: Vec<String> = script
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|value| command_words(value).concat())
        .collect();
    match values.as_slice() {
        [value] => Ok(value.clone()),
        _ => Err(format!("not exactly one `readonly {name}=`: {values:?}")),
    }
}

// ---------------------------------------------------------------------------
// 3: immutable image tags.

#[test]
fn every_ecr_repository_call_makes_tags_immutable() {
    for_every_bundle(|_, bundle| {
        let setup = setup(bundle);
        for verb in ["create-repository", "put-image-tag-mutability"] {
            let calls = aws_calls(setup, "ecr", verb).map_err(|e| format!("setup.sh: {e}"))?;
            if calls.is_empty() {
                return Err(format!("setup.sh has no `aws ecr {verb}`"));
            }
            for call in calls {
                let mutability = call.one("--image-tag-mutability").map_err(|e| {
                    format!("setup.sh `aws ecr {verb}` (MUTABLE is the default): {e}")
                })?;
                let mutability = resolve(setup, &mutability)?;
                if mutability != "IMMUTABLE" {
                    return Err(format!(
                        "setup.sh line {}: `aws ecr {verb}` sets --image-tag-mutability \
                         {mutability}, expected IMMUTABLE: {}",
                        call.line, call.text
                    ));
                }
                if call.has("--image-tag-mutability-exclusion-filters")? {
                    return Err(format!(
                        "setup.sh line {}: `aws ecr {verb}` exempts tags from immutability: {}",
                        call.line, call.text
                    ));
                }
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------
// 4: inbound rules.

/// Where an inbound rule lets traffic in from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// An IPv4 range (`--cidr`, or `IpRanges` of `--ip-permissions`).
    Cidr(String),
    /// An IPv6 range (`Ipv6Ranges` of `--ip-permissions`).
    Ipv6Cidr(String),
    /// Another security group (`--source-group`, or `UserIdGroupPairs`).
    Group(String),
}

/// One inbound rule `setup.sh` adds: TCP on one port of `group` from `source`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct IngressRule {
    /// The group as the script names it (`$sg_id`).
    group: String,
    /// One port, as the script writes it (`$CONTAINER_PORT`, or a number).
    port: String,
    source: Source,
}

/// Every inbound rule of every `aws ec2 authorize-security-group-ingress` in
/// `script`, as (group, port, source) triples; a call that opens anything but
/// TCP on single ports from single sources, or that this cannot read, is an error.
///
/// Reads both forms of the command: `--group-id G --protocol tcp --port P` with
/// one `--cidr` or `--source-group`, and `--group-id G --ip-permissions ...`,
/// in JSON (`'[{"IpProtocol":"tcp",...}]'`) or in the CLI's shorthand
/// (`'IpProtocol=tcp,FromPort=80,ToPort=80,Ipv6Ranges=[{CidrIpv6=::/0}]'`),
/// one triple per port and source.
fn ingress_rules(script: &str) -> Result<Vec<IngressRule>, String> {
    let mut rules = Vec::new();
    let script = unroll_lb_rules(script)?;
    for call in aws_calls(&script, "ec2", "authorize-security-group-ingress")? {
        let at = |problem: String| format!("line {}: {problem}: {}", call.line, call.text);
        let options = call.options()?;
        for (name, _) in &options {
            if !matches!(
                *name,
                "--region"
                    | "--group-id"
                    | "--protocol"
                    | "--port"
                    | "--cidr"
                    | "--source-group"
                    | "--ip-permissions"
                    | "--tag-specifications"
                    | "--query"
                    | "--output"
            ) {
                return Err(at(format!(
                    "option {name} is not understood; teach ingress_rules to read it"
                )));
            }
        }
        let group = call.one("--group-id")?;
        if call.has("--ip-permissions")? {
            if ["--protocol", "--port", "--cidr", "--source-group"]
                .iter()
                .any(|o| options.iter().any(|(name, _)| name == o))
            {
                return Err(at(
                    "--ip-permissions together with --protocol/--port/--cidr/--source-group".into(),
                ));
            }
            let values = options
                .iter()
                .filter(|(name, _)| *name == "--ip-permissions")
                .flat_map(|(_, values)| values)
                .collect::<Vec<_>>();
            let permissions: Vec<Value> = match values.as_slice() {
                [json] if json.starts_with('[') => serde_json::from_str::<Vec<Value>>(json)
                    .map_err(|e| at(format!("--ip-permissions is not a JSON list: {e}")))?,
                _ => values
                    .iter()
                    .map(|text| shorthand(text))
                    .collect::<Result<_, _>>()
                    .map_err(|e| at(format!("--ip-permissions is not understood: {e}")))?,
            };
            if permissions.is_empty() {
                return Err(at("--ip-permissions without a value".into()));
            }
            for permission in &permissions {
                let protocol = &permission["IpProtocol"];
                if *protocol != json!("tcp") {
                    return Err(at(format!("IpProtocol {protocol}, expected \"tcp\"")));
                }
                let (from, to) = (&permission["FromPort"], &permission["ToPort"]);
                if from != to || !from.as_u64().is_some_and(|p| (1..=65535).contains(&p)) {
                    return Err(at(format!("ports {from}-{to}, expected one port")));
                }
                let mut sources = Vec::new();
                for (list, key, source) in [
                    ("IpRanges", "CidrIp", Source::Cidr as fn(String) -> Source),
                    ("Ipv6Ranges", "CidrIpv6", Source::Ipv6Cidr),
                    ("UserIdGroupPairs", "GroupId", Source::Group),
                ] {
                    for range in permission[list].as_array().into_iter().flatten() {
                        let value = range[key]
                            .as_str()
                            .ok_or(at(format!("{list} entry without {key}")))?;
                        sources.push(source(value.to_string()));
                    }
                }
                for key in permission.as_object().into_iter().flatten().map(|(k, _)| k) {
                    if !matches!(
                        key.as_str(),
                        "IpProtocol"
                            | "FromPort"
                            | "ToPort"
                            | "IpRanges"
                            | "Ipv6Ranges"
                            | "UserIdGroupPairs"
                    ) {
                        return Err(at(format!(
                            "{key} is not understood; teach ingress_rules to read it"
                        )));
                    }
                }
                if sources.is_empty() {
                    return Err(at("a permission without a source".into()));
                }
                rules.extend(sources.into_iter().map(|source| IngressRule {
                    group: group.clone(),
                    port: from.to_string(),
                    source,
                }));
            }
            continue;
        }
        let protocol = call.one("--protocol")?;
        if protocol != "tcp" {
            return Err(at(format!("--protocol {protocol}, expected tcp")));
        }
        let port = call.one("--port")?;
        let single = port.parse::<u16>().is_ok_and(|p| p > 0)
            || (port.starts_with('$')
                && port[1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !single {
            return Err(at(format!("--port {port} is not one port")));
        }
        let source = match (call.has("--cidr")?, call.has("--source-group")?) {
            (true, false) => Source::Cidr(call.one("--cidr")?),
            (false, true) => Source::Group(call.one("--source-group")?),
            _ => return Err(at("not exactly one of --cidr and --source-group".into())),
        };
        rules.push(IngressRule {
            group,
            port,
            source,
        });
    }
    Ok(rules)
}

/// One structure in the AWS CLI's shorthand syntax (`Key=value,List=[{Key=value},...]`)
/// as JSON; whole numbers read as numbers.
fn shorthand(text: &str) -> Result<Value, String> {
    fn structure(c: &[char], at: &mut usize, close: Option<char>) -> Result<Value, String> {
        let mut map = serde_json::Map::new();
        loop {
            let start = *at;
            while *at < c.len() && !matches!(c[*at], '=' | ',' | '[' | ']' | '{' | '}') {
                *at += 1;
            }
            if c.get(*at) != Some(&'=') || *at == start {
                return Err(format!("expected Key= at character {start}"));
            }
            let key: String = c[start..*at].iter().collect();
            *at += 1;
            let value = if c.get(*at) == Some(&'[') {
                *at += 1;
                let mut items = Vec::new();
                while c.get(*at) != Some(&']') {
                    if c.get(*at) != Some(&'{') {
                        return Err(format!("{key}: expected a list of {{...}}"));
                    }
                    *at += 1;
                    items.push(structure(c, at, Some('}'))?);
                    if c.get(*at) == Some(&',') {
                        *at += 1;
                    }
                }
                *at += 1;
                Value::Array(items)
            } else {
                let start = *at;
                while *at < c.len() && c[*at] != ',' && Some(c[*at]) != close {
                    *at += 1;
                }
                let text: String = c[start..*at].iter().collect();
                text.parse::<i64>().map_or(Value::String(text), Value::from)
            };
            map.insert(key, value);
            match c.get(*at) {
                Some(',') => *at += 1,
                Some(&x) if Some(x) == close => {
                    *at += 1;
                    return Ok(Value::Object(map));
                }
                None if close.is_none() => return Ok(Value::Object(map)),
                other => return Err(format!("unexpected {other:?} at character {at}")),
            }
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let value = structure(&chars, &mut at, None)?;
    if at != chars.len() {
        return Err(format!("unexpected text after character {at}"));
    }
    Ok(value)
}

/// A rule's port as a number: a literal, or a `readonly` variable of the script.
fn resolve_port(script: &str, port: &str) -> Result<u16, String> {
    let value = match port.strip_prefix('$') {
        Some(name) => readonly(script, name)?,
        None => port.to_string(),
    };
    value
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or(format!("port {port} = {value:?} is not one port"))
}

/// `VAR="$(aws ec2 create-security-group`: the group in `$VAR` is one the
/// script creates (not one of the config's own groups).
fn created_group(script: &str, group: &str) -> bool {
    let Some(var) = group.strip_prefix('$') else {
        return false;
    };
    let assignment = format!("{var}=\"$(aws ec2 create-security-group ");
    logical_lines(script)
        .iter()
        .any(|(_, text)| text.trim_start().starts_with(&assignment))
}

/// What each group `setup.sh` opens should let in, per group variable. The
/// config's own groups are never touched. With public IPs, the service's group
/// (`$sg_id`) takes the container port from anywhere (IPv4). With a load
/// balancer, its group (`$lb_sg_id`) takes 80 (and 443 with HTTPS) from anywhere
/// over IPv4 and IPv6, and the service's group the container port from that
/// group only.
fn expected_ingress(config: &ValidConfig) -> BTreeMap<String, BTreeSet<(u16, Source)>> {
    let anywhere = |port: u16| {
        [
            (port, Source::Cidr("0.0.0.0/0".into())),
            (port, Source::Ipv6Cidr("::/0".into())),
        ]
    };
    let mut expected = BTreeMap::new();
    match config.ingress.load_balancer() {
        _ if !config.security_groups.is_empty() => {}
        None => {
            expected.insert(
                "$sg_id".to_string(),
                [(config.container_port, Source::Cidr("0.0.0.0/0".into()))].into(),
            );
        }
        Some(lb) => {
            let mut ports = vec![80];
            if lb.tls.is_https() {
                ports.push(443);
            }
            expected.insert(
                "$lb_sg_id".to_string(),
                ports.into_iter().flat_map(anywhere).collect(),
            );
            expected.insert(
                "$sg_id".to_string(),
                [(config.container_port, Source::Group("$lb_sg_id".into()))].into(),
            );
        }
    }
    expected
}

#[test]
fn every_inbound_rule_opens_one_port_to_one_source_per_group() {
    for_every_bundle(|config, bundle| {
        let setup = setup(bundle);
        let rules = ingress_rules(setup).map_err(|e| format!("setup.sh: {e}"))?;
        let mut by_group: BTreeMap<String, BTreeSet<(u16, Source)>> = BTreeMap::new();
        for rule in &rules {
            let port = resolve_port(setup, &rule.port).map_err(|e| format!("setup.sh: {e}"))?;
            by_group
                .entry(rule.group.clone())
                .or_default()
                .insert((port, rule.source.clone()));
        }
        let expected = expected_ingress(config);
        if by_group != expected {
            return Err(format!(
                "setup.sh opens, per group, {by_group:?}; expected {expected:?}"
            ));
        }
        for group in by_group.keys() {
            if !created_group(setup, group) {
                return Err(format!(
                    "setup.sh opens ports on {group}, which it does not create \
                     (`{}=\"$(aws ec2 create-security-group ...`)",
                    group.trim_start_matches('$')
                ));
            }
        }
        Ok(())
    });
}

/// The reader of inbound rules reads the forms the load balancer mode uses
/// (ports 80 and 443 from anywhere over IPv4 and IPv6, in JSON or shorthand, the
/// container port from the balancer's group) and refuses what opens more than
/// one port to one source.
#[test]
fn ingress_rules_reads_both_forms_and_refuses_ranges_and_all_protocols() {
    let script = r#"readonly CONTAINER_PORT='8080'
aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$alb_sg_id" \
  --ip-permissions '[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]' >/dev/null
if ! aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$sg_id" \
    --protocol tcp --port "$CONTAINER_PORT" --source-group "$alb_sg_id" 2>/dev/null; then
  echo "exists"
fi
if has_word "$missing_rules" tcp/80/::/0; then
  aws ec2 authorize-security-group-ingress --region "$REGION" --group-id "$alb_sg_id" \
    --ip-permissions 'IpProtocol=tcp,FromPort=80,ToPort=80,Ipv6Ranges=[{CidrIpv6=::/0}]' >/dev/null
fi
"#;
    let rules = ingress_rules(script).unwrap();
    let rule = |group: &str, port: &str, source| IngressRule {
        group: group.into(),
        port: port.into(),
        source,
    };
    assert_eq!(
        rules,
        [
            rule("$alb_sg_id", "443", Source::Cidr("0.0.0.0/0".into())),
            rule("$alb_sg_id", "443", Source::Ipv6Cidr("::/0".into())),
            rule(
                "$sg_id",
                "$CONTAINER_PORT",
                Source::Group("$alb_sg_id".into())
            ),
            rule("$alb_sg_id", "80", Source::Ipv6Cidr("::/0".into())),
        ]
    );
    assert_eq!(resolve_port(script, "$CONTAINER_PORT"), Ok(8080));

    for (bad, why) in [
        (
            "--protocol tcp --port 8000-8100 --cidr 0.0.0.0/0",
            "is not one port",
        ),
        (
            "--protocol tcp --port -1 --cidr 0.0.0.0/0",
            "is not one port",
        ),
        ("--protocol -1 --port 80 --cidr 0.0.0.0/0", "expected tcp"),
        ("--protocol all --cidr 0.0.0.0/0", "expected tcp"),
        (
            "--protocol tcp --port 80",
            "not exactly one of --cidr and --source-group",
        ),
        (
            "--protocol tcp --port 80 --cidr 0.0.0.0/0 --source-group \"$x\"",
            "not exactly one of",
        ),
        (
            r#"--ip-permissions '[{"IpProtocol":"tcp","FromPort":0,"ToPort":65535,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'"#,
            "expected one port",
        ),
        (
            r#"--ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'"#,
            "expected \"tcp\"",
        ),
        (
            "--ip-permissions 'IpProtocol=tcp,FromPort=0,ToPort=65535,IpRanges=[{CidrIp=0.0.0.0/0}]'",
            "expected one port",
        ),
        (
            "--ip-permissions 'IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=::/0}]'",
            "expected \"tcp\"",
        ),
        (
            "--ip-permissions 'IpProtocol=tcp,FromPort=80,ToPort=80,PrefixListIds=[{PrefixListId=pl-1}]'",
            "PrefixListIds is not understood",
        ),
        ("--ip-permissions 'IpProtocol=tcp,FromPort'", "--ip-permissions is not understood"),
        (
            "--group-name web --protocol tcp --port 80 --cidr 0.0.0.0/0",
            "is not understood",
        ),
    ] {
        let script = format!(
            "aws ec2 authorize-security-group-ingress --region \"$REGION\" --group-id \"$sg_id\" \\\n  {bad}\n"
        );
        let error = ingress_rules(&script).expect_err(bad);
        assert!(error.contains(why), "{bad}: {error}");
    }
    // A mention it cannot read as a command fails rather than being skipped.
    let error = ingress_rules("aws --region x ec2 authorize-security-group-ingress\n")
        .expect_err("a global option before the service");
    assert!(error.contains("teach tests/structure.rs"), "{error}");
}

// ---------------------------------------------------------------------------
// 5: teardown order.

/// A read-only AWS CLI verb (nothing changes when it runs).
fn read_only(service: &str, verb: &str) -> bool {
    service == "sts"
        || verb == "wait"
        || ["describe-", "list-", "get-"]
            .iter()
            .any(|p| verb.starts_with(p))
}

/// The AWS calls of a logical line that change something, as `aws SERVICE VERB`.
fn changing_aws_calls(text: &str) -> Vec<String> {
    name_occurrences(text, "aws")
        .into_iter()
        .filter_map(|at| {
            let words = command_words(&text[at..]);
            match words.as_slice() {
                [aws, service, verb, ..]
                    if aws == "aws" && !verb.starts_with('-') && !read_only(service, verb) =>
                {
                    Some(format!("aws {service} {verb}"))
                }
                _ => None,
            }
        })
        .collect()
}

/// The shell functions of a script (`name() {` to its `}` at the same indent),
/// and its other logical lines: `(functions: name → body, top-level lines)`.
type Functions = BTreeMap<String, Vec<(usize, String)>>;
fn split_functions(script: &str) -> (Functions, Vec<(usize, String)>) {
    let mut functions = Functions::new();
    let mut top = Vec::new();
    let mut open: Option<(String, String)> = None; // (name, closing line)
    for (line, text) in logical_lines(script) {
        if let Some((name, closing)) = &open {
            if text == *closing {
                open = None;
            } else {
                functions.get_mut(name).unwrap().push((line, text));
            }
            continue;
        }
        let trimmed = text.trim_start();
        if let Some(name) = trimmed
            .strip_suffix("() {")
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            let indent = &text[..text.len() - trimmed.len()];
            functions.insert(name.to_string(), Vec::new());
            open = Some((name.to_string(), format!("{indent}}}")));
            continue;
        }
        top.push((line, text));
    }
    (functions, top)
}

/// The names of the functions of `text` (whole words).
fn calls_of<'a>(functions: impl IntoIterator<Item = &'a String>, text: &str) -> Vec<&'a String> {
    functions
        .into_iter()
        .filter(|name| {
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|word| word == name.as_str())
        })
        .collect()
}

/// Every step of `script`'s top level that changes something, in order: an
/// AWS call that is not read-only, or a call of a function that makes one
/// (directly or through other functions). `(line, what)`.
fn changes_in_order(script: &str) -> Vec<(usize, String)> {
    let (functions, top) = split_functions(script);
    let mut changing: BTreeSet<String> = functions
        .iter()
        .filter(|(_, body)| body.iter().any(|(_, t)| !changing_aws_calls(t).is_empty()))
        .map(|(name, _)| name.clone())
        .collect();
    loop {
        let more: Vec<String> = functions
            .iter()
            .filter(|(name, body)| {
                !changing.contains(*name)
                    && body.iter().any(|(_, t)| !calls_of(&changing, t).is_empty())
            })
            .map(|(name, _)| name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        changing.extend(more);
    }
    let mut out = Vec::new();
    for (line, text) in top {
        for call in changing_aws_calls(&text) {
            out.push((line, call));
        }
        for name in calls_of(&changing, &text) {
            for at in name_occurrences(&text, name) {
                out.push((line, command_words(&text[at..]).join(" ")));
            }
        }
    }
    out
}

#[test]
fn teardown_deletes_every_role_and_the_deploy_role_before_anything_else() {
    for_every_bundle(|_, bundle| {
        let teardown = teardown(bundle);
        let flow = workflow(bundle)?;
        let task: Value = serde_json::from_str(bundle.file(TASK_DEFINITION_PATH).unwrap())
            .map_err(|e| e.to_string())?;
        let role_name = |arn: &Value| {
            arn.as_str()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .map(str::to_string)
        };
        // The variables name the roles the workflow and the task definition use.
        let assumed = steps(&flow)?
            .into_iter()
            .find_map(|(_, _, step)| step["with"].get("role-to-assume"))
            .and_then(role_name)
            .ok_or("no role-to-assume in the workflow")?;
        for (var, role) in [
            ("DEPLOY_ROLE", Some(assumed)),
            ("EXECUTION_ROLE", role_name(&task["executionRoleArn"])),
            ("TASK_ROLE", role_name(&task["taskRoleArn"])),
        ] {
            let value = readonly(teardown, var).map_err(|e| format!("teardown.sh: {e}"))?;
            if Some(&value) != role.as_ref() {
                return Err(format!(
                    "teardown.sh: {var} is {value}, the role used is {role:?}"
                ));
            }
        }

        let (functions, _) = split_functions(teardown);
        let delete_role = functions
            .get("delete_role")
            .ok_or("teardown.sh has no delete_role function")?;
        if !delete_role.iter().any(|(_, t)| {
            command_words(t.trim_start()) == ["aws", "iam", "delete-role", "--role-name", "$1"]
        }) {
            return Err(
                "teardown.sh: delete_role does not run `aws iam delete-role --role-name \"$1\"`"
                    .into(),
            );
        }

        let changes = changes_in_order(teardown);
        let listing = || {
            changes
                .iter()
                .map(|(line, what)| format!("  line {line}: {what}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for var in ["DEPLOY_ROLE", "EXECUTION_ROLE", "TASK_ROLE"] {
            let deletion = format!("delete_role ${var}");
            let count = changes.iter().filter(|(_, what)| *what == deletion).count();
            if count != 1 {
                return Err(format!(
                    "teardown.sh runs `delete_role \"${var}\"` {count} times, expected once; \
                     its changes in order:\n{}",
                    listing()
                ));
            }
        }
        match changes.first() {
            Some((_, what)) if what == "delete_role $DEPLOY_ROLE" => Ok(()),
            _ => Err(format!(
                "teardown.sh must delete the deploy role before any other change \
                 (so no deploy can start meanwhile); its changes in order:\n{}",
                listing()
            )),
        }
    });
}
