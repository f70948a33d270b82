//! The input: the raw config as typed by a user (form fields or `keyless.json`),
//! and its one validation step into [`ValidConfig`].
//!
//! Validation happens here and nowhere else. It is forgiving where the meaning is
//! unambiguous (surrounding spaces, `https://github.com/owner/repo`, `0.25 vCPU`)
//! and otherwise reports every problem at once, per field, in plain words.

use crate::sorted_map::SortedMap;
use crate::starter::Starter;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

mod draft;
mod front_door;
mod rules;

pub use front_door::{
    Autoscaling, Ingress, LoadBalancer, Tls, CPU_TARGET_MAX, CPU_TARGET_MIN, LOAD_BALANCER_NAME_MAX,
};

pub use rules::{
    app_name_note, branch_in_repository_url, decimal, memory_hint, memory_options, parse_cpu,
    parse_memory, Architecture, SecretKind, SecretSource, SubjectFormat, TaskSize, APP_NAME_MAX,
    DESIRED_COUNT_MAX, FARGATE_CPUS, LOG_RETENTION_DAYS, MAX_SECURITY_GROUPS, MAX_SUBNETS,
};

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
    /// `cpu`: Fargate CPU units (`256` … `16384`), or vCPUs (`0.25 vCPU`, `1 vCPU`, `2`).
    Cpu,
    /// `memory`: Fargate memory in MiB (`512`, `512 MiB`), or GB (`0.5 GB`, `2 GB`, `4`);
    /// the CPU decides which sizes are possible.
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
    /// `secrets`: environment variables read from SSM or Secrets Manager: an SSM
    /// parameter name (`/app/db-password`, in the deploy account and region), an SSM
    /// parameter ARN, or a complete Secrets Manager secret ARN.
    Secrets,
    /// `use_spot`: run on Fargate Spot.
    UseSpot,
    /// `assign_public_ip`: give each task a public IPv4 address.
    AssignPublicIp,
    /// `subnets`: explicit subnet ids (default: the default VPC's).
    Subnets,
    /// `security_groups`: explicit security group ids (default: one created for the port).
    SecurityGroups,
    /// `ingress`: `public_ip` (each task's own address, the default) or `load_balancer`.
    Ingress,
    /// `domain_name`: the host the load balancer serves over HTTPS; setup requests its certificate.
    DomainName,
    /// `certificate_arn`: an existing ACM certificate for the load balancer, instead of a request.
    CertificateArn,
    /// `health_check_path`: the load balancer's health check path (default `/`).
    HealthCheckPath,
    /// `min_count`: fewest tasks under autoscaling.
    MinCount,
    /// `max_count`: most tasks under autoscaling.
    MaxCount,
    /// `cpu_target_percent`: the average CPU autoscaling keeps the service at.
    CpuTargetPercent,
    /// `starter`: `node`, `python`, `go` or `static` to get a Dockerfile and a
    /// minimal app; absent when the repository has its own Dockerfile.
    Starter,
    /// `version`: the config format version, `1`.
    Version,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 33] = [
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
        Field::Ingress,
        Field::DomainName,
        Field::CertificateArn,
        Field::HealthCheckPath,
        Field::MinCount,
        Field::MaxCount,
        Field::CpuTargetPercent,
        Field::Starter,
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
            Field::Ingress => "ingress",
            Field::DomainName => "domain_name",
            Field::CertificateArn => "certificate_arn",
            Field::HealthCheckPath => "health_check_path",
            Field::MinCount => "min_count",
            Field::MaxCount => "max_count",
            Field::CpuTargetPercent => "cpu_target_percent",
            Field::Starter => "starter",
            Field::Version => "version",
        }
    }

    /// The field's position in [`Field::ALL`] (form order).
    pub fn index(self) -> usize {
        Field::ALL
            .iter()
            .position(|f| *f == self)
            .expect("Field::ALL lists every field")
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// See [`Field::Ingress`].
    pub ingress: String,
    /// See [`Field::DomainName`].
    pub domain_name: String,
    /// See [`Field::CertificateArn`].
    pub certificate_arn: String,
    /// See [`Field::HealthCheckPath`].
    pub health_check_path: String,
    /// See [`Field::MinCount`].
    pub min_count: String,
    /// See [`Field::MaxCount`].
    pub max_count: String,
    /// See [`Field::CpuTargetPercent`].
    pub cpu_target_percent: String,
    /// See [`Field::Starter`].
    pub starter: String,
}

impl RawConfig {
    /// A small valid config (octo-org/octo-app, 0.25 vCPU / 512 MiB, us-east-1):
    /// the starting point of examples and tests.
    pub fn example() -> RawConfig {
        RawConfig {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            github_owner: "octo-org".into(),
            github_repo: "octo-app".into(),
            app_name: "octo-app".into(),
            cpu: "256".into(),
            memory: "512".into(),
            container_port: "8080".into(),
            desired_count: "1".into(),
            ..RawConfig::default()
        }
    }

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
                    message: "Write the config as a JSON object, like {\"account_id\": \"123456789012\", ...}".into(),
                });
                return (raw, errors);
            }
            Err(e) => {
                errors.0.push(FieldError {
                    key: "keyless.json".into(),
                    message: format!("Fix the JSON: {e}"),
                });
                return (raw, errors);
            }
        };
        for (key, value) in &object {
            let Some(field) = Field::from_key(key) else {
                errors.0.push(FieldError {
                    key: key.clone(),
                    message: format!(
                        "Check the spelling of \"{key}\": Keyless knows no such field (known fields: {})",
                        known_keys()
                    ),
                });
                continue;
            };
            if value.is_null() {
                // `null` is "not given", like an empty form field.
                continue;
            }
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
                _ => Err("Remove the field or set it to 1: only version 1 exists".into()),
            },
            Field::AccountId => match value {
                Value::String(s) => {
                    self.account_id = s.clone();
                    Ok(())
                }
                _ => Err("Write the account id as a string in quotes, e.g. \"012345678901\", so leading zeros survive".into()),
            },
            Field::Cpu
            | Field::Memory
            | Field::ContainerPort
            | Field::DesiredCount
            | Field::LogRetentionDays
            | Field::EphemeralStorageGib
            | Field::GithubOwnerId
            | Field::GithubRepoId
            | Field::MinCount
            | Field::MaxCount
            | Field::CpuTargetPercent => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err("Write a number here".into()),
                };
                *self.scalar_mut(field) = text;
                Ok(())
            }
            Field::UseSpot | Field::AssignPublicIp => match value {
                Value::Bool(b) => {
                    *self.scalar_mut(field) = b.to_string();
                    Ok(())
                }
                _ => Err("Write true or false here".into()),
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
                    return Err("Write an object of NAME: \"value\" pairs here".into());
                };
                let mut pairs = Vec::with_capacity(map.len());
                for (name, v) in map {
                    let Value::String(s) = v else {
                        return Err(format!("Write the value of {name} as a string"));
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
                _ => Err("Write a string here".into()),
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
            Field::Ingress => &self.ingress,
            Field::DomainName => &self.domain_name,
            Field::CertificateArn => &self.certificate_arn,
            Field::HealthCheckPath => &self.health_check_path,
            Field::MinCount => &self.min_count,
            Field::MaxCount => &self.max_count,
            Field::CpuTargetPercent => &self.cpu_target_percent,
            Field::Starter => &self.starter,
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
            Field::Ingress => &mut self.ingress,
            Field::DomainName => &mut self.domain_name,
            Field::CertificateArn => &mut self.certificate_arn,
            Field::HealthCheckPath => &mut self.health_check_path,
            Field::MinCount => &mut self.min_count,
            Field::MaxCount => &mut self.max_count,
            Field::CpuTargetPercent => &mut self.cpu_target_percent,
            Field::Starter => &mut self.starter,
            Field::EnvironmentVariables
            | Field::Secrets
            | Field::Subnets
            | Field::SecurityGroups
            | Field::Version => panic!("{field} is not a scalar field"),
        }
    }

    /// Validates every field, reporting every problem at once, in form order.
    pub fn validate(&self) -> Result<ValidConfig, ConfigErrors> {
        let mut errors = ConfigErrors::default();
        let e = &mut errors;

        let (owner_from_repo, repo_text) = rules::split_repository(&self.github_repo);
        let github_owner = e.check(
            Field::GithubOwner,
            rules::parse_owner(&self.github_owner, owner_from_repo.as_deref()),
        );
        let github_repo = e.check(Field::GithubRepo, rules::parse_repo_name(&repo_text));
        let branch = e.check(Field::Branch, self.branch_with_repository_url());
        let environment = e.check(
            Field::Environment,
            rules::parse_environment(&self.environment),
        );
        let subject_format = self.validate_subject_format(e);
        let account_id = e.check(Field::AccountId, rules::parse_account_id(&self.account_id));
        let region = e.check(Field::Region, rules::parse_region(&self.region));
        let app_name = e.check(Field::AppName, rules::parse_app_name(&self.app_name));
        let cpu = e.check(Field::Cpu, rules::parse_cpu(&self.cpu));
        let memory = e.check(Field::Memory, rules::parse_memory(&self.memory));
        let task_size = match (cpu, memory) {
            (Some(cpu), Some(memory)) => {
                let size = TaskSize::new(cpu, memory);
                if size.is_none() {
                    e.push(
                        Field::Memory,
                        format!(
                            "Choose a memory size that goes with this CPU ({memory} MiB does not): {}",
                            memory_hint(cpu)
                        ),
                    );
                }
                size
            }
            _ => None,
        };
        let container_port = e.check(
            Field::ContainerPort,
            rules::parse_port(&self.container_port),
        );
        let desired_count = e.check(
            Field::DesiredCount,
            rules::parse_desired_count(&self.desired_count),
        );
        let architecture = e.check(
            Field::Architecture,
            rules::parse_architecture(&self.architecture),
        );
        let health_check_command = e.check(
            Field::HealthCheckCommand,
            rules::parse_health_check(&self.health_check_command),
        );
        let starter = e.check(Field::Starter, Starter::parse(&self.starter));
        let log_retention_days = e.check(
            Field::LogRetentionDays,
            rules::parse_log_retention(&self.log_retention_days),
        );
        let ephemeral_storage_gib = e.check(
            Field::EphemeralStorageGib,
            rules::parse_ephemeral_storage(&self.ephemeral_storage_gib),
        );
        let environment_variables = e.check(
            Field::EnvironmentVariables,
            parse_environment_variables(&self.environment_variables),
        );
        let secrets = e.check(
            Field::Secrets,
            parse_secrets(
                &self.secrets,
                region.as_deref(),
                account_id.as_deref(),
                &self.environment_variables,
            ),
        );
        let use_spot = e.check(Field::UseSpot, rules::parse_bool(&self.use_spot, false));
        let assign_public_ip = e.check(
            Field::AssignPublicIp,
            rules::parse_bool(&self.assign_public_ip, true),
        );
        let subnets = e.check(
            Field::Subnets,
            rules::parse_id_list(&self.subnets, "subnet-", "subnet", MAX_SUBNETS),
        );
        let security_groups = e.check(
            Field::SecurityGroups,
            rules::parse_id_list(
                &self.security_groups,
                "sg-",
                "security group",
                MAX_SECURITY_GROUPS,
            ),
        );
        if let (Some(false), Some(subnets)) = (assign_public_ip, subnets.as_ref()) {
            if subnets.is_empty() {
                e.push(
                    Field::AssignPublicIp,
                    "Keep the public IP, or give private subnets that have a NAT gateway or VPC endpoints: without subnets the tasks run in the default VPC, whose subnets are public and have no NAT gateway, so without a public IP they cannot pull the image from ECR",
                );
            }
        }

        let (ingress, autoscaling) = self.validate_front_door(
            e,
            &front_door::Context {
                region: region.as_deref(),
                account: account_id.as_deref(),
                app_name: app_name.as_deref(),
                desired_count,
                subnets: subnets.as_deref(),
                security_groups: security_groups.as_deref(),
            },
        );

        errors.sort();
        let (
            Some(github_owner),
            Some(github_repo),
            Some(branch),
            Some(environment),
            Some(subject_format),
            Some(account_id),
            Some(region),
            Some(app_name),
            Some(task_size),
            Some(container_port),
            Some(desired_count),
            Some(architecture),
            Some(health_check_command),
            Some(log_retention_days),
            Some(ephemeral_storage_gib),
            Some(environment_variables),
            Some(secrets),
            Some(use_spot),
            Some(assign_public_ip),
            Some(subnets),
            Some(security_groups),
            Some(ingress),
            Some(autoscaling),
            Some(starter),
        ) = (
            github_owner,
            github_repo,
            branch,
            environment,
            subject_format,
            account_id,
            region,
            app_name,
            task_size,
            container_port,
            desired_count,
            architecture,
            health_check_command,
            log_retention_days,
            ephemeral_storage_gib,
            environment_variables,
            secrets,
            use_spot,
            assign_public_ip,
            subnets,
            security_groups,
            ingress,
            autoscaling,
            starter,
        )
        else {
            return Err(errors);
        };
        if !errors.0.is_empty() {
            return Err(errors);
        }
        Ok(ValidConfig {
            account_id,
            region,
            github_owner,
            github_repo,
            branch,
            environment,
            subject_format,
            app_name,
            task_size,
            container_port,
            desired_count,
            architecture,
            health_check_command,
            log_retention_days,
            ephemeral_storage_gib,
            environment_variables,
            secrets,
            use_spot,
            assign_public_ip,
            subnets,
            security_groups,
            ingress,
            autoscaling,
            starter,
        })
    }

    /// The branch field, or the branch a pasted repository URL names after
    /// `/tree/` when the field is empty; a clear message when they differ.
    fn branch_with_repository_url(&self) -> Result<String, String> {
        let Some(from_url) = rules::branch_in_repository_url(&self.github_repo) else {
            return rules::parse_branch(&self.branch);
        };
        if self.branch.trim().is_empty() {
            return rules::parse_branch(&from_url);
        }
        let typed = rules::parse_branch(&self.branch)?;
        if rules::parse_branch(&from_url).as_deref() == Ok(typed.as_str()) {
            return Ok(typed);
        }
        Err(format!(
            "The repository URL names branch {}, but Branch says {}: clear one of them",
            rules::printable(&from_url),
            rules::printable(self.branch.trim())
        ))
    }

    /// The subject format with its ids; ids are required (and checked) only by the
    /// formats that use them, and ignored for `legacy`.
    fn validate_subject_format(&self, errors: &mut ConfigErrors) -> Option<SubjectFormat> {
        let key = errors.check(
            Field::SubjectFormat,
            rules::parse_subject_format_key(&self.subject_format),
        )?;
        if key == "legacy" {
            return Some(SubjectFormat::Legacy);
        }
        let owner_id = errors.check(
            Field::GithubOwnerId,
            rules::parse_github_id(&self.github_owner_id, "owner"),
        );
        let repo_id = errors.check(
            Field::GithubRepoId,
            rules::parse_github_id(&self.github_repo_id, "repository"),
        );
        let (owner_id, repo_id) = (owner_id?, repo_id?);
        Some(if key == "immutable" {
            SubjectFormat::Immutable { owner_id, repo_id }
        } else {
            SubjectFormat::Both { owner_id, repo_id }
        })
    }
}

impl ConfigErrors {
    /// Puts the errors in form order (unknown keys last), keeping each field's own order.
    fn sort(&mut self) {
        crate::sorted_map::sort_small_by_key(&mut self.0, |e| {
            Field::from_key(&e.key).map_or(Field::ALL.len(), Field::index)
        });
    }
}

/// Plain variables: blank rows are dropped, names checked, duplicates reported.
fn parse_environment_variables(
    pairs: &[(String, String)],
) -> Result<SortedMap<String, String>, String> {
    let mut vars = SortedMap::new();
    let mut problems = Vec::new();
    for (name, value) in pairs {
        let name = name.trim();
        if name.is_empty() && value.trim().is_empty() {
            continue;
        }
        let checked = rules::check_variable_name(name)
            .and_then(|()| rules::check_variable_value(name, value));
        match checked {
            Err(message) => problems.push(message),
            Ok(()) if vars.contains_key(name) => problems.push(format!("Set {name} only once")),
            Ok(()) => {
                vars.insert(name.to_string(), value.clone());
            }
        }
    }
    if problems.is_empty() {
        Ok(vars)
    } else {
        Err(problems.join(". "))
    }
}

/// Secrets: blank rows are dropped; each name checked and each source turned
/// into exact ARNs; a name may not also be a plain variable.
fn parse_secrets(
    pairs: &[(String, String)],
    region: Option<&str>,
    account: Option<&str>,
    variables: &[(String, String)],
) -> Result<SortedMap<String, SecretSource>, String> {
    let mut secrets = SortedMap::new();
    let mut problems = Vec::new();
    for (name, value) in pairs {
        let name = name.trim();
        if name.is_empty() && value.trim().is_empty() {
            continue;
        }
        let parsed = rules::check_variable_name(name)
            .and_then(|()| rules::parse_secret_source(name, value, region, account));
        match parsed {
            Err(message) => problems.push(message),
            Ok(_) if secrets.contains_key(name) => problems.push(format!("Set {name} only once")),
            Ok(_) if variables.iter().any(|(v, _)| v.trim() == name) => problems.push(format!(
                "Keep {name} in one place: it is also a plain environment variable"
            )),
            Ok(source) => {
                secrets.insert(name.to_string(), source);
            }
        }
    }
    if problems.is_empty() {
        Ok(secrets)
    } else {
        Err(problems.join(". "))
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
            errors.sort();
            Err(errors)
        }
    }
}

fn known_keys() -> String {
    Field::ALL.map(Field::key).join(", ")
}

fn string_list(value: &Value) -> Result<Vec<String>, String> {
    let Value::Array(items) = value else {
        return Err("Write a list of strings here, like [\"subnet-0abc...\"]".into());
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err("Write every item as a string".to_string()),
        })
        .collect()
}

/// A config that passed validation: every value is known to be accepted by AWS
/// and GitHub, and every default is filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidConfig {
    /// The 12-digit AWS account id.
    pub account_id: String,
    /// The AWS region code.
    pub region: String,
    /// GitHub user or organisation, as typed (GitHub writes it into `sub` with its own capitals).
    pub github_owner: String,
    /// GitHub repository name.
    pub github_repo: String,
    /// The branch whose pushes deploy (default `main`).
    pub branch: String,
    /// The GitHub environment of the deploy job, if any.
    pub environment: Option<String>,
    /// Which `sub` form(s) the trust policy accepts (default legacy).
    pub subject_format: SubjectFormat,
    /// The one name of the ECR repository, cluster, service, family and container.
    pub app_name: String,
    /// Fargate CPU and memory.
    pub task_size: TaskSize,
    /// The port the container listens on.
    pub container_port: u16,
    /// Tasks the service keeps running after a deploy.
    pub desired_count: u32,
    /// CPU architecture (default X86_64).
    pub architecture: Architecture,
    /// Shell command for the container health check, if any.
    pub health_check_command: Option<String>,
    /// CloudWatch Logs retention in days (default 30).
    pub log_retention_days: u32,
    /// Ephemeral storage above the included 20 GiB, if asked for (21–200).
    pub ephemeral_storage_gib: Option<u32>,
    /// Plain environment variables, by name.
    pub environment_variables: SortedMap<String, String>,
    /// Secrets, by variable name.
    pub secrets: SortedMap<String, SecretSource>,
    /// Run on Fargate Spot (default false).
    pub use_spot: bool,
    /// Give each task a public IPv4 address (default true: the default VPC has only public subnets).
    pub assign_public_ip: bool,
    /// Explicit subnets; empty means the default VPC's default subnets.
    pub subnets: Vec<String>,
    /// Explicit security groups; empty means one created for the container port.
    pub security_groups: Vec<String>,
    /// How people reach the app (default: each task's public IP).
    pub ingress: Ingress,
    /// CPU autoscaling of the service, if asked for.
    pub autoscaling: Option<Autoscaling>,
    /// The container starter, if the repository has no Dockerfile of its own.
    pub starter: Option<Starter>,
}

impl ValidConfig {
    /// The container health check the task definition runs: the one given, or
    /// with a starter, one its image can run ([`Starter::health_check`]).
    pub fn container_health_check(&self) -> Option<String> {
        self.health_check_command.clone().or_else(|| {
            self.starter
                .map(|starter| starter.health_check(self.container_port))
        })
    }
}

/// The normalised `keyless.json`: every field, in form order, defaults written
/// out, absent optional values as `null`.
#[derive(Serialize)]
struct ConfigFile<'a> {
    version: u32,
    github_owner: &'a str,
    github_repo: &'a str,
    branch: &'a str,
    environment: Option<&'a str>,
    subject_format: &'static str,
    github_owner_id: Option<u64>,
    github_repo_id: Option<u64>,
    account_id: &'a str,
    region: &'a str,
    app_name: &'a str,
    cpu: u32,
    memory: u32,
    container_port: u16,
    desired_count: u32,
    architecture: &'static str,
    health_check_command: Option<&'a str>,
    log_retention_days: u32,
    ephemeral_storage_gib: u32,
    environment_variables: &'a SortedMap<String, String>,
    secrets: SortedMap<&'a str, &'a str>,
    use_spot: bool,
    assign_public_ip: bool,
    subnets: &'a [String],
    security_groups: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate_arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    health_check_path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_target_percent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starter: Option<&'static str>,
}

impl ValidConfig {
    /// The config as normalised `keyless.json` (version 1), so the bundle can be
    /// regenerated: every field present, sizes in CPU units and MiB, secrets as ARNs.
    /// The front door's and autoscaling's fields appear only when they are used, so
    /// a config without them reads as it did before they existed.
    pub fn to_json(&self) -> String {
        let ids = self.subject_format.ids();
        let lb = self.ingress.load_balancer();
        let tls = lb.map(|lb| &lb.tls);
        let file = ConfigFile {
            version: 1,
            github_owner: &self.github_owner,
            github_repo: &self.github_repo,
            branch: &self.branch,
            environment: self.environment.as_deref(),
            subject_format: self.subject_format.key(),
            github_owner_id: ids.map(|(owner, _)| owner),
            github_repo_id: ids.map(|(_, repo)| repo),
            account_id: &self.account_id,
            region: &self.region,
            app_name: &self.app_name,
            cpu: self.task_size.cpu(),
            memory: self.task_size.memory(),
            container_port: self.container_port,
            desired_count: self.desired_count,
            architecture: self.architecture.ecs_name(),
            health_check_command: self.health_check_command.as_deref(),
            log_retention_days: self.log_retention_days,
            ephemeral_storage_gib: self.ephemeral_storage_gib.unwrap_or(20),
            environment_variables: &self.environment_variables,
            secrets: self
                .secrets
                .iter()
                .map(|(name, source)| (name.as_str(), source.value_from.as_str()))
                .collect(),
            use_spot: self.use_spot,
            assign_public_ip: self.assign_public_ip,
            subnets: &self.subnets,
            security_groups: &self.security_groups,
            ingress: lb.map(|_| "load_balancer"),
            domain_name: tls.and_then(Tls::requested_domain),
            certificate_arn: match tls {
                Some(Tls::Existing(arn)) => Some(arn),
                _ => None,
            },
            health_check_path: lb.map(|lb| lb.health_check_path.as_str()),
            min_count: self.autoscaling.map(|a| a.min_count),
            max_count: self.autoscaling.map(|a| a.max_count),
            cpu_target_percent: self.autoscaling.map(|a| a.cpu_target_percent),
            starter: self.starter.map(Starter::key),
        };
        crate::bundle::pretty_json(&file)
    }

    /// `OWNER/REPO`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.github_owner, self.github_repo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> RawConfig {
        RawConfig {
            region: "eu-west-1".into(),
            ..RawConfig::example()
        }
    }

    fn error(raw: RawConfig, field: Field) -> String {
        raw.validate()
            .unwrap_err()
            .for_field(field)
            .unwrap_or_else(|| panic!("no error for {field}"))
            .to_string()
    }

    #[test]
    fn defaults_are_filled_in() {
        let valid = base().validate().unwrap();
        assert_eq!(valid.branch, "main");
        assert_eq!(valid.environment, None);
        assert_eq!(valid.subject_format, SubjectFormat::Legacy);
        assert_eq!(valid.architecture, Architecture::X86_64);
        assert!(valid.assign_public_ip);
        assert!(!valid.use_spot);
        assert_eq!(valid.log_retention_days, 30);
        assert_eq!(valid.ephemeral_storage_gib, None);
        assert_eq!(valid.health_check_command, None);
    }

    #[test]
    fn required_fields_have_clear_errors() {
        let errors = RawConfig::default().validate().unwrap_err();
        let keys: Vec<_> = errors.0.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "github_owner",
                "github_repo",
                "account_id",
                "region",
                "app_name",
                "cpu",
                "memory",
                "container_port",
                "desired_count"
            ]
        );
        assert!(errors.for_field(Field::Cpu).unwrap().contains("0.25 vCPU"));
    }

    #[test]
    fn account_id_must_be_twelve_digits() {
        for bad in ["", "12345678901", "1234567890123", "12345678901a"] {
            let raw = RawConfig {
                account_id: bad.into(),
                ..base()
            };
            error(raw, Field::AccountId);
        }
        let spaced = RawConfig {
            account_id: " 1234-5678-9012 ".into(),
            ..base()
        };
        assert_eq!(spaced.validate().unwrap().account_id, "123456789012");
    }

    #[test]
    fn repository_url_fills_owner() {
        let valid = RawConfig {
            github_owner: String::new(),
            github_repo: "https://github.com/octo-org/octo-app.git".into(),
            ..base()
        }
        .validate()
        .unwrap();
        assert_eq!(valid.repository(), "octo-org/octo-app");
    }

    #[test]
    fn conflicting_owner_is_reported() {
        let raw = RawConfig {
            github_repo: "other/octo-app".into(),
            ..base()
        };
        assert!(error(raw, Field::GithubOwner).contains("other"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = RawConfig {
            account_id: "x".into(),
            region: "mars-1".into(),
            github_owner: "-bad".into(),
            github_repo: "".into(),
            branch: "feature/*".into(),
            cpu: "300".into(),
            use_spot: "maybe".into(),
            ..base()
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
                "region",
                "cpu",
                "use_spot"
            ]
        );
    }

    #[test]
    fn memory_must_fit_the_cpu() {
        let raw = RawConfig {
            cpu: "1 vCPU".into(),
            memory: "512".into(),
            ..base()
        };
        let message = error(raw, Field::Memory);
        assert!(message.contains("2048 to 8192"), "{message}");
        let forgiving = RawConfig {
            cpu: "0.25 vCPU".into(),
            memory: "0.5 GB".into(),
            ..base()
        };
        assert_eq!(
            forgiving.validate().unwrap().task_size,
            TaskSize::new(256, 512).unwrap()
        );
    }

    #[test]
    fn immutable_subjects_need_both_ids() {
        let raw_immutable = RawConfig {
            subject_format: "immutable".into(),
            github_owner_id: "12".into(),
            ..base()
        };
        assert!(error(raw_immutable.clone(), Field::GithubRepoId).contains("gh api"));
        let valid = RawConfig {
            github_repo_id: "34".into(),
            ..raw_immutable
        }
        .validate()
        .unwrap();
        assert_eq!(
            valid.subject_format,
            SubjectFormat::Immutable {
                owner_id: 12,
                repo_id: 34
            }
        );
        // Ids typed while the format is legacy are ignored, not an error.
        let legacy = RawConfig {
            github_owner_id: "x".into(),
            ..base()
        };
        assert_eq!(
            legacy.validate().unwrap().subject_format,
            SubjectFormat::Legacy
        );
    }

    #[test]
    fn private_ip_needs_subnets() {
        let raw_private = RawConfig {
            assign_public_ip: "false".into(),
            ..base()
        };
        assert!(error(raw_private.clone(), Field::AssignPublicIp).contains("NAT"));
        let with_subnets = RawConfig {
            subnets: vec!["subnet-0123abcd".into()],
            ..raw_private
        };
        assert!(!with_subnets.validate().unwrap().assign_public_ip);
    }

    #[test]
    fn variables_and_secrets() {
        let raw = RawConfig {
            environment_variables: vec![
                ("LOG_LEVEL".into(), "info".into()),
                ("".into(), "".into()),
                ("DB".into(), "x".into()),
            ],
            secrets: vec![("DB".into(), "/octo/db".into())],
            ..base()
        };
        assert!(error(raw.clone(), Field::Secrets).contains("also a plain"));
        let valid = RawConfig {
            environment_variables: vec![("LOG_LEVEL".into(), "info".into())],
            ..raw
        }
        .validate()
        .unwrap();
        assert_eq!(
            valid.secrets.get("DB").unwrap().value_from,
            "arn:aws:ssm:eu-west-1:123456789012:parameter/octo/db"
        );
        let bad_names = RawConfig {
            environment_variables: vec![
                ("1X".into(), "a".into()),
                ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI".into(), "b".into()),
                ("OK".into(), "two\nlines".into()),
            ],
            ..super::tests::base()
        };
        let message = error(bad_names, Field::EnvironmentVariables);
        for part in [
            "\"1X\"",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "OK must be one line",
        ] {
            assert!(message.contains(part), "{message}");
        }
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
            "a:b",
            "#x",
            "-x",
        ] {
            let raw = RawConfig {
                branch: bad.into(),
                ..base()
            };
            error(raw, Field::Branch);
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
    fn json_null_means_absent() {
        let (raw, errors) = RawConfig::from_json(r#"{"environment": null, "version": 1}"#);
        assert!(errors.0.is_empty());
        assert_eq!(raw.environment, "");
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
    fn normalised_json_has_every_field_and_round_trips() {
        let full = RawConfig {
            environment: "production".into(),
            subject_format: "both".into(),
            github_owner_id: "1".into(),
            github_repo_id: "2".into(),
            architecture: "arm64".into(),
            health_check_command: "curl -f http://localhost:8080/ || exit 1".into(),
            ephemeral_storage_gib: "40".into(),
            environment_variables: vec![("A".into(), "1".into())],
            secrets: vec![("B".into(), "b".into())],
            use_spot: "true".into(),
            subnets: vec!["subnet-0123abcd".into()],
            security_groups: vec!["sg-0123abcd".into()],
            ..base()
        };
        let front_door = RawConfig {
            ingress: "load_balancer".into(),
            domain_name: "app.example.com".into(),
            health_check_path: "/health".into(),
            min_count: "1".into(),
            max_count: "3".into(),
            cpu_target_percent: "70".into(),
            ..base()
        };
        // Fields written only when used: without them, keyless.json reads as before they existed.
        let unused = |input: &RawConfig| -> Vec<&'static str> {
            [
                Field::Ingress,
                Field::DomainName,
                Field::CertificateArn,
                Field::HealthCheckPath,
                Field::MinCount,
                Field::MaxCount,
                Field::CpuTargetPercent,
                Field::Starter,
            ]
            .into_iter()
            .filter(|f| input.scalar(*f).is_empty())
            .map(Field::key)
            .collect()
        };
        for input in [base(), full, front_door] {
            let valid = input.validate().unwrap();
            let text = valid.to_json();
            let object: Map<String, Value> = serde_json::from_str(&text).unwrap();
            let keys: Vec<&str> = object.keys().map(String::as_str).collect();
            let unused = unused(&input);
            let mut expected: Vec<&str> = Field::ALL
                .iter()
                .map(|f| f.key())
                .filter(|k| !unused.contains(k))
                .collect();
            expected.sort_unstable();
            let mut keys_sorted = keys.clone();
            keys_sorted.sort_unstable();
            assert_eq!(keys_sorted, expected);
            assert_eq!(parse_config_json(&text).unwrap(), valid);
            assert_eq!(parse_config_json(&text).unwrap().to_json(), text);
        }
    }

    #[test]
    fn a_repository_url_with_tree_fills_an_empty_branch() {
        let valid = RawConfig {
            github_owner: String::new(),
            github_repo: "https://github.com/octo-org/octo-app/tree/release/v2".into(),
            ..base()
        }
        .validate()
        .unwrap();
        assert_eq!(valid.repository(), "octo-org/octo-app");
        assert_eq!(valid.branch, "release/v2");
        let json: Value = serde_json::from_str(&valid.to_json()).unwrap();
        assert_eq!(json["github_repo"], "octo-app");
        assert_eq!(json["branch"], "release/v2");
        // The same branch typed in both places is fine.
        let agreeing = RawConfig {
            github_repo: "https://github.com/octo-org/octo-app/tree/release/v2".into(),
            branch: "refs/heads/release/v2".into(),
            ..base()
        };
        assert_eq!(agreeing.validate().unwrap().branch, "release/v2");
    }

    #[test]
    fn a_repository_url_and_a_branch_that_disagree_are_reported_on_the_branch() {
        let raw = RawConfig {
            github_repo: "https://github.com/octo-org/octo-app/tree/release/v2".into(),
            branch: "main".into(),
            ..base()
        };
        let errors = raw.validate().unwrap_err();
        assert_eq!(
            errors.for_field(Field::Branch),
            Some("The repository URL names branch release/v2, but Branch says main: clear one of them")
        );
        assert_eq!(errors.0.len(), 1, "{errors}");
    }

    #[test]
    fn an_app_name_with_capitals_is_lower_cased_everywhere() {
        let valid = RawConfig {
            app_name: "Octo-App".into(),
            ..base()
        }
        .validate()
        .unwrap();
        assert_eq!(valid.app_name, "octo-app");
        let json: Value = serde_json::from_str(&valid.to_json()).unwrap();
        assert_eq!(json["app_name"], "octo-app");
        assert_eq!(
            app_name_note("Octo-App").as_deref(),
            Some("Used as octo-app: AWS resource names here are lower case.")
        );
    }

    #[test]
    fn every_message_is_a_sentence_that_starts_with_a_capital() {
        let hostile = RawConfig {
            account_id: "12ab".into(),
            region: "mars-1".into(),
            github_owner: "-octo org".into(),
            github_repo: "octo app/x/y".into(),
            branch: "-my  branch.lock".into(),
            environment: "prod~  x".into(),
            subject_format: "immutable".into(),
            github_owner_id: "x".into(),
            github_repo_id: String::new(),
            app_name: "-My App!".into(),
            cpu: "3 cores".into(),
            memory: "lots".into(),
            container_port: "99999".into(),
            desired_count: "many".into(),
            architecture: "sparc".into(),
            health_check_command: "curl\t\u{2014}".into(),
            log_retention_days: "10".into(),
            ephemeral_storage_gib: "500".into(),
            environment_variables: vec![
                ("1X".into(), "a".into()),
                ("A".into(), "1".into()),
                ("A".into(), "2".into()),
                (String::new(), "v".into()),
            ],
            secrets: vec![("S".into(), "a b".into()), ("T".into(), "/aws/x".into())],
            use_spot: "maybe".into(),
            assign_public_ip: "perhaps".into(),
            subnets: vec!["subnet-1".into(), "subnet-2".into()],
            security_groups: vec!["sg-0123abcd".into(), "sg-0123abcd".into()],
            ingress: "load_balancer".into(),
            domain_name: "*.bücher..com".into(),
            certificate_arn: "nope".into(),
            health_check_path: "health me".into(),
            min_count: "0".into(),
            max_count: "x".into(),
            cpu_target_percent: "95".into(),
            starter: "cobol".into(),
        };
        let errors = hostile.validate().unwrap_err();
        let (_, json_errors) = RawConfig::from_json(
            r#"{"version": 2, "account_id": 1, "cpu": [], "use_spot": "yes", "subnets": "x", "secrets": [], "nonsense": 1}"#,
        );
        let mut messages: Vec<&str> = errors.0.iter().map(|e| e.message.as_str()).collect();
        messages.extend(json_errors.0.iter().map(|e| e.message.as_str()));
        assert!(messages.len() > 30, "{messages:#?}");
        for message in messages {
            assert!(
                message.starts_with(|c: char| c.is_ascii_uppercase()),
                "not capitalised: {message}"
            );
            for fragment in ["; it ", ": it has", "letters, digits", "(letters"] {
                assert!(
                    !message.starts_with(fragment) && !message.contains(&format!(": {fragment}")),
                    "{fragment} leads: {message}"
                );
            }
            assert!(!message.contains("; it "), "a list of fragments: {message}");
        }
    }
}
