//! The ECS task definition (`.aws/task-definition.json`) as typed serde structs,
//! register-ready: exactly the keys `RegisterTaskDefinition` takes, none of the
//! describe-only ones (`taskDefinitionArn`, `revision`, `status`,
//! `requiresAttributes`, `compatibilities`, `registeredAt/By`; domain.md §5).
//!
//! The same file is registered twice: once by `infra/setup.sh` as revision 1,
//! naming [`crate::names::BOOTSTRAP_IMAGE_TAG`] (never pulled: the service starts
//! with zero tasks), then on every deploy by the workflow, after the render step
//! replaced the image with the one it just built.

use crate::sorted_map::SortedMap;

use serde::Serialize;

use crate::config::ValidConfig;
use crate::names::{Names, LOG_STREAM_PREFIX};
use crate::ownership;

/// Seconds ECS waits after a task starts before failed health checks count:
/// time for the app to boot.
pub const HEALTH_CHECK_START_PERIOD: u32 = 60;

/// Keys `DescribeTaskDefinition` returns that `RegisterTaskDefinition` rejects
/// ("Unexpected key ... found in params"): a register-ready file has none of them.
pub const DESCRIBE_ONLY_KEYS: [&str; 7] = [
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
];

/// A task definition, as `aws ecs register-task-definition --cli-input-json` and
/// the deploy action take it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    /// The family; each registration adds a revision.
    pub family: String,
    /// Role of the app itself (its own AWS permissions).
    pub task_role_arn: String,
    /// Role ECS uses to pull the image, write logs and read secrets.
    pub execution_role_arn: String,
    /// Always `awsvpc` (the only mode on Fargate).
    pub network_mode: &'static str,
    /// Always `["FARGATE"]`.
    pub requires_compatibilities: Vec<&'static str>,
    /// CPU units, as a string.
    pub cpu: String,
    /// Memory in MiB, as a string.
    pub memory: String,
    /// Architecture and operating system.
    pub runtime_platform: RuntimePlatform,
    /// Storage above the included 20 GiB, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<EphemeralStorage>,
    /// The one container.
    pub container_definitions: Vec<ContainerDefinition>,
    /// Tags on each revision, [`crate::ownership`]'s marks (needs `ecs:TagResource`,
    /// granted on the family only).
    pub tags: Vec<Tag>,
}

/// `runtimePlatform` of a task definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimePlatform {
    /// `X86_64` or `ARM64`: the image must be built for the same platform.
    pub cpu_architecture: &'static str,
    /// Always `LINUX`.
    pub operating_system_family: &'static str,
}

/// `ephemeralStorage` of a task definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EphemeralStorage {
    /// Size in GiB, 21–200.
    #[serde(rename = "sizeInGiB")]
    pub size_in_gib: u32,
}

/// A resource tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// Tag key.
    pub key: &'static str,
    /// Tag value.
    pub value: String,
}

/// One container definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    /// The container name: the workflow's render step finds the container by it.
    pub name: String,
    /// The image; the render step replaces it on every deploy.
    pub image: String,
    /// Always true: the task stops when this container stops.
    pub essential: bool,
    /// The container port (awsvpc: no host port).
    pub port_mappings: Vec<PortMapping>,
    /// Plain environment variables, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environment: Vec<EnvironmentVariable>,
    /// Secrets from SSM or Secrets Manager, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<ContainerSecret>,
    /// The health check, when the config has a command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// awslogs to the group the setup script created.
    pub log_configuration: LogConfiguration,
}

/// A port mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// The port the container listens on.
    pub container_port: u16,
    /// Always `tcp`.
    pub protocol: &'static str,
}

/// A plain environment variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvironmentVariable {
    /// Variable name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A secret injected as an environment variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerSecret {
    /// Variable name.
    pub name: String,
    /// ARN of the SSM parameter or Secrets Manager secret.
    pub value_from: String,
}

/// A container health check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    /// `["CMD-SHELL", command]`.
    pub command: Vec<String>,
    /// Seconds between checks.
    pub interval: u32,
    /// Seconds before one check fails.
    pub timeout: u32,
    /// Failed checks in a row before the container is unhealthy.
    pub retries: u32,
    /// Seconds of grace after start (domain.md §5: "servicesStable").
    pub start_period: u32,
}

/// `logConfiguration` of a container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogConfiguration {
    /// Always `awslogs`.
    pub log_driver: &'static str,
    /// Group, region and stream prefix (no `awslogs-create-group`: the group exists).
    pub options: SortedMap<&'static str, String>,
}

/// The task definition for this config.
pub fn task_definition(config: &ValidConfig, names: &Names) -> TaskDefinition {
    let container = ContainerDefinition {
        name: names.container_name.clone(),
        image: names.bootstrap_image.clone(),
        essential: true,
        port_mappings: vec![PortMapping {
            container_port: config.container_port,
            protocol: "tcp",
        }],
        environment: container_environment(config)
            .iter()
            .map(|(name, value)| EnvironmentVariable {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        secrets: config
            .secrets
            .iter()
            .map(|(name, source)| ContainerSecret {
                name: name.clone(),
                value_from: source.value_from.clone(),
            })
            .collect(),
        health_check: config.container_health_check().map(|command| HealthCheck {
            command: vec!["CMD-SHELL".into(), command],
            interval: 30,
            timeout: 5,
            retries: 3,
            start_period: HEALTH_CHECK_START_PERIOD,
        }),
        log_configuration: LogConfiguration {
            log_driver: "awslogs",
            options: SortedMap::from([
                ("awslogs-group", names.log_group.clone()),
                ("awslogs-region", names.region.clone()),
                ("awslogs-stream-prefix", LOG_STREAM_PREFIX.to_string()),
            ]),
        },
    };
    TaskDefinition {
        family: names.task_family.clone(),
        task_role_arn: names.task_role_arn.clone(),
        execution_role_arn: names.execution_role_arn.clone(),
        network_mode: "awsvpc",
        requires_compatibilities: vec!["FARGATE"],
        cpu: config.task_size.cpu().to_string(),
        memory: config.task_size.memory().to_string(),
        runtime_platform: RuntimePlatform {
            cpu_architecture: config.architecture.ecs_name(),
            operating_system_family: "LINUX",
        },
        ephemeral_storage: config
            .ephemeral_storage_gib
            .map(|size_in_gib| EphemeralStorage { size_in_gib }),
        container_definitions: vec![container],
        // Every revision, the workflow's too, carries the app's ownership marks:
        // teardown deregisters only revisions that have them.
        tags: ownership::tags(&config.app_name)
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect(),
    }
}

/// The container's plain environment: `environment_variables`, and with a
/// starter `PORT` (the starters' apps listen on it), unless it is set already.
fn container_environment(config: &ValidConfig) -> SortedMap<String, String> {
    let mut environment = config.environment_variables.clone();
    if config.starter.is_some() && !environment.contains_key("PORT") {
        environment.insert("PORT".to_string(), config.container_port.to_string());
    }
    environment
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::config::RawConfig;

    #[test]
    fn register_ready_keys_only() {
        let config = RawConfig {
            account_id: "012345678901".into(),
            region: "eu-west-1".into(),
            github_owner: "octo-org".into(),
            github_repo: "octo-app".into(),
            app_name: "octo-app".into(),
            cpu: "1 vCPU".into(),
            memory: "2 GB".into(),
            container_port: "8080".into(),
            desired_count: "1".into(),
            ephemeral_storage_gib: "40".into(),
            health_check_command: "curl -f http://localhost:8080/ || exit 1".into(),
            ..RawConfig::default()
        }
        .validate()
        .unwrap();
        let value: Value = serde_json::from_str(&crate::bundle::pretty_json(&task_definition(
            &config,
            &Names::new(&config),
        )))
        .unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for forbidden in DESCRIBE_ONLY_KEYS {
            assert!(!keys.contains(&forbidden), "{forbidden}");
        }
        assert_eq!(value["cpu"], "1024");
        assert_eq!(value["memory"], "2048");
        assert_eq!(value["ephemeralStorage"]["sizeInGiB"], 40);
        let container = &value["containerDefinitions"][0];
        assert_eq!(container["healthCheck"]["startPeriod"], 60);
        assert_eq!(
            container["logConfiguration"]["options"]["awslogs-stream-prefix"],
            "ecs"
        );
        assert!(container.get("environment").is_none());
    }
}
