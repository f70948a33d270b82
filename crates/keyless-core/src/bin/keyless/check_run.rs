//! `keyless check-run`: would this workflow run get AWS credentials from the
//! role's trust policy, and if not, why? Every default comes from the config:
//! its repository (and numeric ids), its branch, its environment and the subject
//! form it emits (legacy when it trusts both: the repository has not switched).

use std::path::PathBuf;

use keyless_core::trust_check::{self, Event, Repository, Run, SubjectForm};
use serde::Serialize;

/// The command's usage, printed after an argument error.
pub const USAGE: &str =
    "  keyless check-run --config FILE --event EVENT [--ref REF] [--environment NAME]
                    [--repository OWNER/REPO] [--fork] [--subject-format legacy|immutable]
                    [--policy FILE] [--json]
  EVENT            push, pull_request, pull_request_target, workflow_dispatch, schedule, release
  --ref REF        the full ref: refs/heads/BRANCH or refs/tags/TAG (default: the config's branch;
                   for pull requests, their base branch)
  --environment    the job's environment (default: the config's; --environment '' for none)
  --repository     OWNER/REPO as GitHub spells it, or OWNER@OWNER_ID/REPO@REPO_ID (default: the
                   config's, with its ids)
  --fork           the pull request comes from a fork
  --subject-format what the repository emits (default: the config's; legacy when it is both)
  --policy FILE    a trust policy to check instead of the generated one (also what
                   `aws iam get-role` prints)
  --json           print the decision as JSON
  exit status      0 allowed, 1 denied, 2 bad input";

/// The parsed command line.
#[derive(Default)]
struct Args {
    config: Option<PathBuf>,
    event: Option<String>,
    git_ref: Option<String>,
    environment: Option<String>,
    repository: Option<String>,
    fork: bool,
    subject_format: Option<String>,
    policy: Option<PathBuf>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--config" => parsed.config = Some(value()?.into()),
            "--event" => parsed.event = Some(value()?),
            "--ref" => parsed.git_ref = Some(value()?),
            "--environment" => parsed.environment = Some(value()?),
            "--repository" => parsed.repository = Some(value()?),
            "--subject-format" => parsed.subject_format = Some(value()?),
            "--policy" => parsed.policy = Some(value()?.into()),
            "--fork" => parsed.fork = true,
            "--json" => parsed.json = true,
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(parsed)
}

/// What `--json` prints.
#[derive(Serialize)]
struct Report<'a> {
    decision: &'static str,
    allowed: bool,
    run: String,
    policy: String,
    sub: Option<&'a str>,
    aud: Option<&'a str>,
    reason: &'a str,
}

/// Bad input: its message, and whether the usage helps.
pub struct BadInput {
    /// What is wrong.
    pub message: String,
    /// The command line itself is wrong: show the usage.
    pub usage: bool,
}

impl From<String> for BadInput {
    fn from(message: String) -> Self {
        BadInput {
            message,
            usage: false,
        }
    }
}

fn usage_error(message: impl Into<String>) -> BadInput {
    BadInput {
        message: message.into(),
        usage: true,
    }
}

/// Runs the command: `Ok(allowed)`, or what is wrong with the input.
pub fn run(args: &[String]) -> Result<bool, BadInput> {
    let args = parse(args).map_err(usage_error)?;
    let config_path = args
        .config
        .ok_or_else(|| usage_error("--config FILE is required"))?;
    let event_name = args
        .event
        .ok_or_else(|| usage_error("--event EVENT is required"))?;
    let event = Event::parse(&event_name, args.fork).map_err(usage_error)?;
    let config = super::load(&config_path)?;
    let subject_form = match args.subject_format.as_deref() {
        None => SubjectForm::of_config(config.subject_format),
        Some("legacy") => SubjectForm::Legacy,
        Some("immutable") => SubjectForm::Immutable,
        Some(other) => {
            return Err(usage_error(format!(
                "--subject-format {other:?}: a repository emits legacy or immutable subjects"
            )))
        }
    };
    let repository = match &args.repository {
        None => Repository::of_config(&config),
        Some(text) => Repository::parse(text, &config)
            .map_err(|e| usage_error(format!("--repository {e}")))?,
    };
    let environment = match args.environment {
        None => config.environment.clone(),
        Some(name) if name.trim().is_empty() => None,
        Some(name) => Some(name),
    };
    let run = Run {
        git_ref: args
            .git_ref
            .unwrap_or_else(|| format!("refs/heads/{}", config.branch)),
        repository,
        event,
        environment,
        subject_form,
    };
    if subject_form == SubjectForm::Immutable && run.repository.ids.is_none() {
        return Err(BadInput::from(format!(
            "immutable subjects carry the numeric ids of {}: give --repository OWNER@OWNER_ID/REPO@REPO_ID (gh api repos/{} --jq '.owner.id, .id' prints them)",
            run.repository.slug(),
            run.repository.slug()
        )));
    }
    let (policy_text, policy_name) = match &args.policy {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None => (
            trust_check::generated_policy_json(&config),
            format!("the trust policy generated from {}", config_path.display()),
        ),
    };
    let decision = trust_check::check(&policy_text, &run, Some(&config.account_id)).map_err(
        |e| match &args.policy {
            Some(path) => format!("{}: {e}", path.display()),
            None => e.to_string(),
        },
    )?;
    let token = run.token().ok().flatten();
    let verdict = if decision.allowed {
        "allowed"
    } else {
        "denied"
    };
    if args.json {
        let report = Report {
            decision: verdict,
            allowed: decision.allowed,
            run: run.describe(),
            policy: policy_name,
            sub: decision.sub.as_deref(),
            aud: token.as_ref().map(|t| t.aud.as_str()),
            reason: &decision.reason,
        };
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        println!("{verdict}: {}", run.describe());
        println!("policy: {policy_name}");
        match &token {
            Some(token) => println!("sub:    {}\naud:    {}", token.sub, token.aud),
            None => println!("sub:    none: GitHub issues no OIDC token to this run"),
        }
        println!("reason: {}", decision.reason);
    }
    Ok(decision.allowed)
}
