//! The input: the raw config as typed by a user (form fields or `keyless.json`),
//! and its one validation step into [`ValidConfig`].
//!
//! Validation happens here and nowhere else. It is forgiving where the meaning is
//! unambiguous (surrounding spaces, `https://github.com/owner/repo`, `0.25 vCPU`)
//! and otherwise reports every problem at once, per field, in plain words.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::regions::region_name;

/// Every field of `keyless.json` (version 1), in the order the form asks for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `github_owner`: user or organisation that owns the repository.
    GithubOwner,
    /// `github_repo`: repository name (or `owner/repo`, or its URL).
    GithubRepo,
    /// `branch`: the branch whose pushes deploy.
    Branch,
    /// `environment`: optional GitHub environment of the deploy job.
    Environment,
    /// `subject_format`: legacy, immutable or both forms of the OIDC `sub`.
    SubjectFormat,
    /// `github_owner_id`: numeric id of the owner (immutable subjects).
    GithubOwnerId,
    /// `github_repo_id`: numeric id of the repository (immutable subjects).
    GithubRepoId,
    /// `account_id`: the 12-digit AWS account id.
    AccountId,
    /// `region`: AWS region code.
    Region,
    /// `app_name`: one name for the ECR repository, cluster, service and roles.
    AppName,
    /// `cpu`: Fargate CPU units.
    Cpu,
    /// `memory`: Fargate memory in MiB.
    Memory,
    /// `container_port`: the port the container listens on.
    ContainerPort,
    /// `desired_count`: number of tasks the service keeps running.
    DesiredCount,
    /// `architecture`: `X86_64` or `ARM64`.
    Architecture,
    /// `health_check_command`: optional shell command for the container health check.
    HealthCheckCommand,
    /// `log_retention_days`: CloudWatch Logs retention.
    LogRetentionDays,
    /// `ephemeral_storage_gib`: task ephemeral storage (21–200 GiB; 20 included).
    EphemeralStorageGib,
    /// `environment_variables`: plain environment variables of the container.
    EnvironmentVariables,
    /// `secrets`: environment variables read from SSM or Secrets Manager.
    Secrets,
    /// `use_spot`: run on Fargate Spot.
    UseSpot,
    /// `assign_public_ip`: give each task a public IPv4 address.
    AssignPublicIp,
    /// `subnets`: explicit subnet ids (default: the default VPC's).
    Subnets,
    /// `security_groups`: explicit security group ids (default: one created for the port).
    SecurityGroups,
    /// `version`: the config format version, `1`.
    Version,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 25] = [
        Field::GithubOwner,
        Field::GithubRepo,
        Field::Branch,
        Field::Environment,
        Field::SubjectFormat,
        Field::GithubOwnerId,
        Field::GithubRepoId,
        Field::AccountId,
        Field::Region,
        Field::AppName,
        Field::Cpu,
        Field::Memory,
        Field::ContainerPort,
        Field::DesiredCount,
        Field::Architecture,
        Field::HealthCheckCommand,
        Field::LogRetentionDays,
        Field::EphemeralStorageGib,
        Field::EnvironmentVariables,
        Field::Secrets,
        Field::UseSpot,
        Field::AssignPublicIp,
        Field::Subnets,
        Field::SecurityGroups,
        Field::Version,
    ];

    /// The key of this field in `keyless.json`.
    pub fn key(self) -> &'static str {
        match self {
            Field::GithubOwner => "github_owner",
            Field::GithubRepo => "github_repo",
            Field::Branch => "branch",
            Field::Environment => "environment",
            Field::SubjectFormat => "subject_format",
            Field::GithubOwnerId => "github_owner_id",
            Field::GithubRepoId => "github_repo_id",
            Field::AccountId => "account_id",
            Field::Region => "region",
            Field::AppName => "app_name",
            Field::Cpu => "cpu",
            Field::Memory => "memory",
            Field::ContainerPort => "container_port",
            Field::DesiredCount => "desired_count",
            Field::Architecture => "architecture",
            Field::HealthCheckCommand => "health_check_command",
            Field::LogRetentionDays => "log_retention_days",
            Field::EphemeralStorageGib => "ephemeral_storage_gib",
            Field::EnvironmentVariables => "environment_variables",
            Field::Secrets => "secrets",
            Field::UseSpot => "use_spot",
            Field::AssignPublicIp => "assign_public_ip",
            Field::Subnets => "subnets",
            Field::SecurityGroups => "security_groups",
            Field::Version => "version",
        }
    }

    /// The field with this `keyless.json` key.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One problem with one field, in words a user understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The `keyless.json` key the problem belongs to (an unknown key is reported under its own name).
    pub key: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    fn new(field: Field, message: impl Into<String>) -> Self {
        FieldError {
            key: field.key().to_string(),
            message: message.into(),
        }
    }
}

/// Every problem found in a config, in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<FieldError>);

impl ConfigErrors {
    /// The message for `field`, if it has one.
    pub fn for_field(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.key == field.key())
            .map(|e| e.message.as_str())
    }

    /// Keeps the value of a successful parse, or records its error under `field`.
    fn check<T>(&mut self, field: Field, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.push(field, message)).ok()
    }

    fn push(&mut self, field: Field, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {}", e.key, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The config exactly as typed: every scalar a string, lists as lists.
/// An empty string means "not given" and takes the default.
///
/// This is what the web form stores and what the share link carries, so what a
/// user typed is never lost, even while it is invalid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawConfig {
    /// See [`Field::GithubOwner`].
    pub github_owner: String,
    /// See [`Field::GithubRepo`].
    pub github_repo: String,
    /// See [`Field::Branch`].
    pub branch: String,
    /// See [`Field::Environment`].
    pub environment: String,
    /// See [`Field::SubjectFormat`].
    pub subject_format: String,
    /// See [`Field::GithubOwnerId`].
    pub github_owner_id: String,
    /// See [`Field::GithubRepoId`].
    pub github_repo_id: String,
    /// See [`Field::AccountId`].
    pub account_id: String,
    /// See [`Field::Region`].
    pub region: String,
    /// See [`Field::AppName`].
    pub app_name: String,
    /// See [`Field::Cpu`].
    pub cpu: String,
    /// See [`Field::Memory`].
    pub memory: String,
    /// See [`Field::ContainerPort`].
    pub container_port: String,
    /// See [`Field::DesiredCount`].
    pub desired_count: String,
    /// See [`Field::Architecture`].
    pub architecture: String,
    /// See [`Field::HealthCheckCommand`].
    pub health_check_command: String,
    /// See [`Field::LogRetentionDays`].
    pub log_retention_days: String,
    /// See [`Field::EphemeralStorageGib`].
    pub ephemeral_storage_gib: String,
    /// See [`Field::EnvironmentVariables`]: `(name, value)` pairs in the user's order.
    pub environment_variables: Vec<(String, String)>,
    /// See [`Field::Secrets`]: `(name, ARN or SSM parameter name)` pairs.
    pub secrets: Vec<(String, String)>,
    /// See [`Field::UseSpot`]: `"true"`, `"false"` or empty.
    pub use_spot: String,
    /// See [`Field::AssignPublicIp`]: `"true"`, `"false"` or empty.
    pub assign_public_ip: String,
    /// See [`Field::Subnets`].
    pub subnets: Vec<String>,
    /// See [`Field::SecurityGroups`].
    pub security_groups: Vec<String>,
}

impl RawConfig {
    /// Reads `keyless.json` text into raw fields. Wrong JSON types and unknown keys
    /// are reported per field; the fields that could be read are kept.
    pub fn from_json(text: &str) -> (RawConfig, ConfigErrors) {
        let mut raw = RawConfig::default();
        let mut errors = ConfigErrors::default();
        let object: Map<String, Value> = match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                errors.0.push(FieldError {
                    key: "keyless.json".into(),
                    message: "the config must be a JSON object, like {\"account_id\": \"123456789012\", ...}".into(),
                });
                return (raw, errors);
            }
            Err(e) => {
                errors.0.push(FieldError {
                    key: "keyless.json".into(),
                    message: format!("not valid JSON: {e}"),
                });
                return (raw, errors);
            }
        };
        for (key, value) in &object {
            let Some(field) = Field::from_key(key) else {
                errors.0.push(FieldError {
                    key: key.clone(),
                    message: format!(
                        "unknown field \"{key}\"; check its spelling (known fields: {})",
                        known_keys()
                    ),
                });
                continue;
            };
            if let Err(message) = raw.set_from_json(field, value) {
                errors.push(field, message);
            }
        }
        (raw, errors)
    }

    fn set_from_json(&mut self, field: Field, value: &Value) -> Result<(), String> {
        match field {
            Field::Version => match value {
                Value::Number(n) if n.as_u64() == Some(1) => Ok(()),
                _ => Err("only version 1 exists; remove the field or set it to 1".into()),
            },
            Field::AccountId => match value {
                Value::String(s) => {
                    self.account_id = s.clone();
                    Ok(())
                }
                _ => Err("write the account id as a string in quotes, e.g. \"012345678901\", so leading zeros survive".into()),
            },
            Field::Cpu
            | Field::Memory
            | Field::ContainerPort
            | Field::DesiredCount
            | Field::LogRetentionDays
            | Field::EphemeralStorageGib
            | Field::GithubOwnerId
            | Field::GithubRepoId => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err("expected a number".into()),
                };
                *self.scalar_mut(field) = text;
                Ok(())
            }
            Field::UseSpot | Field::AssignPublicIp => match value {
                Value::Bool(b) => {
                    *self.scalar_mut(field) = b.to_string();
                    Ok(())
                }
                _ => Err("expected true or false".into()),
            },
            Field::Subnets | Field::SecurityGroups => {
                let list = string_list(value)?;
                if field == Field::Subnets {
                    self.subnets = list;
                } else {
                    self.security_groups = list;
                }
                Ok(())
            }
            Field::EnvironmentVariables | Field::Secrets => {
                let Value::Object(map) = value else {
                    return Err("expected an object of NAME: \"value\" pairs".into());
                };
                let mut pairs = Vec::with_capacity(map.len());
                for (name, v) in map {
                    let Value::String(s) = v else {
                        return Err(format!("the value of {name} must be a string"));
                    };
                    pairs.push((name.clone(), s.clone()));
                }
                if field == Field::EnvironmentVariables {
                    self.environment_variables = pairs;
                } else {
                    self.secrets = pairs;
                }
                Ok(())
            }
            _ => match value {
                Value::String(s) => {
                    *self.scalar_mut(field) = s.clone();
                    Ok(())
                }
                _ => Err("expected a string".into()),
            },
        }
    }

    /// The text of a scalar field. Panics for list fields, which have none.
    pub fn scalar(&self, field: Field) -> &str {
        match field {
            Field::GithubOwner => &self.github_owner,
            Field::GithubRepo => &self.github_repo,
            Field::Branch => &self.branch,
            Field::Environment => &self.environment,
            Field::SubjectFormat => &self.subject_format,
            Field::GithubOwnerId => &self.github_owner_id,
            Field::GithubRepoId => &self.github_repo_id,
            Field::AccountId => &self.account_id,
            Field::Region => &self.region,
            Field::AppName => &self.app_name,
            Field::Cpu => &self.cpu,
            Field::Memory => &self.memory,
            Field::ContainerPort => &self.container_port,
            Field::DesiredCount => &self.desired_count,
            Field::Architecture => &self.architecture,
            Field::HealthCheckCommand => &self.health_check_command,
            Field::LogRetentionDays => &self.log_retention_days,
            Field::EphemeralStorageGib => &self.ephemeral_storage_gib,
            Field::UseSpot => &self.use_spot,
            Field::AssignPublicIp => &self.assign_public_ip,
            Field::EnvironmentVariables
            | Field::Secrets
            | Field::Subnets
            | Field::SecurityGroups
            | Field::Version => panic!("{field} is not a scalar field"),
        }
    }

    /// The string slot of a scalar field. Panics for list fields, which have none.
    pub fn scalar_mut(&mut self, field: Field) -> &mut String {
        match field {
            Field::GithubOwner => &mut self.github_owner,
            Field::GithubRepo => &mut self.github_repo,
            Field::Branch => &mut self.branch,
            Field::Environment => &mut self.environment,
            Field::SubjectFormat => &mut self.subject_format,
            Field::GithubOwnerId => &mut self.github_owner_id,
            Field::GithubRepoId => &mut self.github_repo_id,
            Field::AccountId => &mut self.account_id,
            Field::Region => &mut self.region,
            Field::AppName => &mut self.app_name,
            Field::Cpu => &mut self.cpu,
            Field::Memory => &mut self.memory,
            Field::ContainerPort => &mut self.container_port,
            Field::DesiredCount => &mut self.desired_count,
            Field::Architecture => &mut self.architecture,
            Field::HealthCheckCommand => &mut self.health_check_command,
            Field::LogRetentionDays => &mut self.log_retention_days,
            Field::EphemeralStorageGib => &mut self.ephemeral_storage_gib,
            Field::UseSpot => &mut self.use_spot,
            Field::AssignPublicIp => &mut self.assign_public_ip,
            Field::EnvironmentVariables
            | Field::Secrets
            | Field::Subnets
            | Field::SecurityGroups
            | Field::Version => panic!("{field} is not a scalar field"),
        }
    }

    /// Validates every field, reporting every problem at once.
    pub fn validate(&self) -> Result<ValidConfig, ConfigErrors> {
        let mut errors = ConfigErrors::default();

        let (owner_from_repo, repo_text) = split_repository(&self.github_repo);
        let github_owner = errors.check(
            Field::GithubOwner,
            parse_owner(&self.github_owner, owner_from_repo.as_deref()),
        );
        let github_repo = errors.check(Field::GithubRepo, parse_repo_name(&repo_text));
        let branch = errors.check(Field::Branch, parse_branch(&self.branch));
        let environment = errors.check(Field::Environment, parse_environment(&self.environment));
        let account_id = errors.check(Field::AccountId, parse_account_id(&self.account_id));
        let region = errors.check(Field::Region, parse_region(&self.region));

        match (
            github_owner,
            github_repo,
            branch,
            environment,
            account_id,
            region,
        ) {
            (
                Some(github_owner),
                Some(github_repo),
                Some(branch),
                Some(environment),
                Some(account_id),
                Some(region),
            ) if errors.0.is_empty() => Ok(ValidConfig {
                account_id,
                region,
                github_owner,
                github_repo,
                branch,
                environment,
            }),
            _ => Err(errors),
        }
    }
}

/// Reads and validates `keyless.json` text, reporting JSON type errors and
/// validation errors together.
pub fn parse_config_json(text: &str) -> Result<ValidConfig, ConfigErrors> {
    let (raw, mut errors) = RawConfig::from_json(text);
    if errors.0.iter().any(|e| e.key == "keyless.json") {
        return Err(errors);
    }
    match raw.validate() {
        Ok(valid) if errors.0.is_empty() => Ok(valid),
        Ok(_) => Err(errors),
        Err(validation) => {
            for e in validation.0 {
                if !errors.0.iter().any(|known| known.key == e.key) {
                    errors.0.push(e);
                }
            }
            Err(errors)
        }
    }
}

fn known_keys() -> String {
    Field::ALL.map(Field::key).join(", ")
}

fn string_list(value: &Value) -> Result<Vec<String>, String> {
    let Value::Array(items) = value else {
        return Err("expected a list of strings, like [\"subnet-0abc...\"]".into());
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err("every item must be a string".to_string()),
        })
        .collect()
}

/// A config that passed validation: every value is known to be accepted by AWS and GitHub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidConfig {
    /// The 12-digit AWS account id.
    pub account_id: String,
    /// The AWS region code.
    pub region: String,
    /// GitHub user or organisation.
    pub github_owner: String,
    /// GitHub repository name.
    pub github_repo: String,
    /// The branch whose pushes deploy.
    pub branch: String,
    /// The GitHub environment of the deploy job, if any.
    pub environment: Option<String>,
}

impl ValidConfig {
    /// The config as normalised `keyless.json` (version 1), so the bundle can be regenerated.
    pub fn to_json(&self) -> String {
        let mut map = BTreeMap::new();
        map.insert("version", Value::from(1));
        map.insert("account_id", Value::from(self.account_id.clone()));
        map.insert("region", Value::from(self.region.clone()));
        map.insert("github_owner", Value::from(self.github_owner.clone()));
        map.insert("github_repo", Value::from(self.github_repo.clone()));
        map.insert("branch", Value::from(self.branch.clone()));
        if let Some(env) = &self.environment {
            map.insert("environment", Value::from(env.clone()));
        }
        crate::bundle::pretty_json(&map)
    }
}

fn parse_account_id(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if compact.is_empty() {
        return Err("enter your 12-digit AWS account id (top right of the AWS console)".into());
    }
    if !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err("an AWS account id has digits only, e.g. 123456789012".into());
    }
    if compact.len() != 12 {
        return Err(format!(
            "an AWS account id has exactly 12 digits; this has {}",
            compact.len()
        ));
    }
    Ok(compact)
}

fn parse_region(text: &str) -> Result<String, String> {
    let code = text.trim();
    if code.is_empty() {
        return Err("choose the AWS region to deploy to, e.g. eu-west-1".into());
    }
    match region_name(&code.to_ascii_lowercase()) {
        Some(_) => Ok(code.to_ascii_lowercase()),
        None => Err(format!(
            "\"{code}\" is not an AWS region Keyless supports; pick one from the list, e.g. eu-west-1"
        )),
    }
}

/// Splits the repository field: `owner/repo`, `https://github.com/owner/repo(.git)`,
/// `git@github.com:owner/repo.git` or a bare name. Returns the owner if the text had one.
fn split_repository(text: &str) -> (Option<String>, String) {
    let mut t = text.trim();
    for prefix in [
        "https://github.com/",
        "http://github.com/",
        "github.com/",
        "git@github.com:",
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest;
            break;
        }
    }
    let t = t.trim_end_matches('/');
    let t = t.strip_suffix(".git").unwrap_or(t);
    match t.split_once('/') {
        Some((owner, repo)) => (Some(owner.to_string()), repo.to_string()),
        None => (None, t.to_string()),
    }
}

fn parse_owner(text: &str, from_repo: Option<&str>) -> Result<String, String> {
    let typed = text.trim();
    let owner = match (typed, from_repo) {
        ("", None) => {
            return Err("enter the GitHub user or organisation that owns the repository".into())
        }
        ("", Some(o)) => o,
        (t, Some(o)) if !t.eq_ignore_ascii_case(o) => return Err(format!(
            "the repository field names owner \"{o}\" but this field says \"{t}\"; make them agree"
        )),
        (t, _) => t,
    };
    let valid_chars = owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if owner.len() > 39
        || !valid_chars
        || owner.starts_with('-')
        || owner.ends_with('-')
        || owner.contains("--")
    {
        return Err(format!(
            "\"{owner}\" is not a GitHub user or organisation name: up to 39 letters, digits and single hyphens, not starting or ending with a hyphen"
        ));
    }
    Ok(owner.to_string())
}

fn parse_repo_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("enter the repository name, e.g. octo-app (or paste its URL)".into());
    }
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if name.len() > 100 || !valid_chars || name == "." || name == ".." || name.contains('/') {
        return Err(format!(
            "\"{name}\" is not a GitHub repository name: up to 100 letters, digits, '-', '_' and '.'"
        ));
    }
    Ok(name.to_string())
}

fn parse_branch(text: &str) -> Result<String, String> {
    let typed = text.trim();
    let name = typed.strip_prefix("refs/heads/").unwrap_or(typed);
    if name.is_empty() {
        return Ok("main".into());
    }
    if name.contains(['*', '?', '[']) {
        return Err(
            "enter one exact branch name: a pattern would let every matching branch deploy to AWS"
                .into(),
        );
    }
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if !valid_chars {
        return Err(format!(
            "\"{name}\" has characters Keyless does not accept in a branch name; use letters, digits, '-', '_', '.' and '/'"
        ));
    }
    let bad_component = name
        .split('/')
        .any(|c| c.is_empty() || c.starts_with('.') || c.ends_with(".lock"));
    if name.len() > 255 || bad_component || name.contains("..") || name.ends_with('.') {
        return Err(format!(
            "\"{name}\" is not a valid git branch name (no empty parts, no part starting with '.', no '..', not ending in '.' or '.lock')"
        ));
    }
    Ok(name.to_string())
}

fn parse_environment(text: &str) -> Result<Option<String>, String> {
    let name = text.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let valid_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    if name.len() > 255 || !valid_chars {
        return Err(format!(
            "\"{name}\" is not an environment name Keyless accepts: up to 255 letters, digits, spaces, '-', '_' and '.'"
        ));
    }
    Ok(Some(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawConfig {
        RawConfig {
            account_id: "123456789012".into(),
            region: "eu-west-1".into(),
            github_owner: "octo-org".into(),
            github_repo: "octo-app".into(),
            ..RawConfig::default()
        }
    }

    #[test]
    fn defaults_fill_branch() {
        let valid = raw().validate().unwrap();
        assert_eq!(valid.branch, "main");
        assert_eq!(valid.environment, None);
    }

    #[test]
    fn account_id_must_be_twelve_digits() {
        for bad in ["", "12345678901", "1234567890123", "12345678901a"] {
            let errors = RawConfig {
                account_id: bad.into(),
                ..raw()
            }
            .validate()
            .unwrap_err();
            assert!(errors.for_field(Field::AccountId).is_some(), "{bad:?}");
        }
        let spaced = RawConfig {
            account_id: " 1234-5678-9012 ".into(),
            ..raw()
        };
        assert_eq!(spaced.validate().unwrap().account_id, "123456789012");
    }

    #[test]
    fn repository_url_fills_owner() {
        let valid = RawConfig {
            github_owner: String::new(),
            github_repo: "https://github.com/octo-org/octo-app.git".into(),
            ..raw()
        }
        .validate()
        .unwrap();
        assert_eq!(
            (valid.github_owner.as_str(), valid.github_repo.as_str()),
            ("octo-org", "octo-app")
        );
    }

    #[test]
    fn conflicting_owner_is_reported() {
        let errors = RawConfig {
            github_repo: "other/octo-app".into(),
            ..raw()
        }
        .validate()
        .unwrap_err();
        assert!(errors
            .for_field(Field::GithubOwner)
            .unwrap()
            .contains("other"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = RawConfig {
            account_id: "x".into(),
            region: "mars-1".into(),
            github_owner: "-bad".into(),
            github_repo: "".into(),
            branch: "feature/*".into(),
            ..RawConfig::default()
        }
        .validate()
        .unwrap_err();
        let keys: Vec<_> = errors.0.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "github_owner",
                "github_repo",
                "branch",
                "account_id",
                "region"
            ]
        );
    }

    #[test]
    fn hostile_branch_names_are_rejected() {
        for bad in [
            "a b",
            "$(id)",
            "`id`",
            "x\ny",
            "main'",
            "a..b",
            ".hidden",
            "x.lock",
            "ma\u{0456}n",
            "${{ github.token }}",
        ] {
            let errors = RawConfig {
                branch: bad.into(),
                ..raw()
            }
            .validate()
            .unwrap_err();
            assert!(errors.for_field(Field::Branch).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn json_unknown_and_mistyped_fields_are_reported() {
        let (_, errors) = RawConfig::from_json(
            r#"{"account_id": 123456789012, "regoin": "eu-west-1", "use_spot": "yes"}"#,
        );
        let keys: Vec<_> = errors.0.iter().map(|e| e.key.as_str()).collect();
        assert!(keys.contains(&"account_id"));
        assert!(keys.contains(&"regoin"));
        assert!(keys.contains(&"use_spot"));
    }

    #[test]
    fn scalar_and_scalar_mut_name_the_same_slot() {
        let scalars = Field::ALL.into_iter().filter(|f| {
            !matches!(
                f,
                Field::EnvironmentVariables
                    | Field::Secrets
                    | Field::Subnets
                    | Field::SecurityGroups
                    | Field::Version
            )
        });
        for field in scalars {
            let mut raw = RawConfig::default();
            *raw.scalar_mut(field) = field.key().to_string();
            assert_eq!(raw.scalar(field), field.key());
        }
    }

    #[test]
    fn normalised_json_round_trips() {
        let valid = raw().validate().unwrap();
        assert_eq!(parse_config_json(&valid.to_json()).unwrap(), valid);
    }
}
