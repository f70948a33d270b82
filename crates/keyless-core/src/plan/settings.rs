//! Settings the plan gives its resources, in the shapes of their APIs: the ECR
//! lifecycle policy, the service's deployment configuration, the target
//! group's health check and the autoscaling policy.
//!
//! # Why these health check settings
//! The target group's defaults (a check every 30 s, 5 good answers to be
//! healthy, 300 s to drain a stopping task) make a deploy of a quick-starting
//! app take over ten minutes. Keyless checks every [`HEALTH_CHECK_INTERVAL`] s,
//! calls a target healthy after [`HEALTHY_THRESHOLD`] good answers and
//! unhealthy after [`UNHEALTHY_THRESHOLD`] failures, accepts any 2xx or 3xx
//! (a redirect to a login page is a live app), and drains a stopping task for
//! [`DEREGISTRATION_DELAY`] s: enough for short requests to finish, so a deploy
//! settles in about two minutes. ECS ignores the load balancer's verdict for
//! [`HEALTH_CHECK_GRACE`] s after a task starts, for apps that warm up.

use crate::config::Autoscaling;

/// The ECR lifecycle policy: untagged images expire after a day, and only the
/// newest [`KEEP_IMAGES`] images are kept.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LifecyclePolicy {
    /// The rules, by priority.
    pub rules: Vec<LifecycleRule>,
}

/// Images kept by the lifecycle policy (enough to roll back a long way).
pub const KEEP_IMAGES: u32 = 50;

/// One lifecycle rule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleRule {
    /// Lower runs first.
    pub rule_priority: u32,
    /// What the rule does.
    pub description: &'static str,
    /// Which images.
    pub selection: LifecycleSelection,
    /// Always expire.
    pub action: LifecycleAction,
}

/// The images a lifecycle rule applies to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleSelection {
    /// `untagged` or `any`.
    pub tag_status: &'static str,
    /// `sinceImagePushed` or `imageCountMoreThan`.
    pub count_type: &'static str,
    /// `days` for `sinceImagePushed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_unit: Option<&'static str>,
    /// Days or images.
    pub count_number: u32,
}

/// A lifecycle action.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LifecycleAction {
    /// Always `expire`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The ECR lifecycle policy for the app's repository.
pub fn lifecycle_policy() -> LifecyclePolicy {
    LifecyclePolicy {
        rules: vec![
            LifecycleRule {
                rule_priority: 1,
                description: "Expire untagged images one day after push",
                selection: LifecycleSelection {
                    tag_status: "untagged",
                    count_type: "sinceImagePushed",
                    count_unit: Some("days"),
                    count_number: 1,
                },
                action: LifecycleAction { kind: "expire" },
            },
            LifecycleRule {
                rule_priority: 2,
                description: "Keep the newest 50 images",
                selection: LifecycleSelection {
                    tag_status: "any",
                    count_type: "imageCountMoreThan",
                    count_unit: None,
                    count_number: KEEP_IMAGES,
                },
                action: LifecycleAction { kind: "expire" },
            },
        ],
    }
}

/// The service's `deploymentConfiguration`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    /// Stop and roll back a deployment whose tasks keep failing.
    pub deployment_circuit_breaker: CircuitBreaker,
    /// New tasks may double the count during a deploy.
    pub maximum_percent: u32,
    /// Old tasks run until the new ones are healthy.
    pub minimum_healthy_percent: u32,
}

/// `deploymentCircuitBreaker`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CircuitBreaker {
    /// On.
    pub enable: bool,
    /// Roll back to the last working revision.
    pub rollback: bool,
}

/// Circuit breaker with rollback, zero-downtime rolling deploys.
pub fn deployment_configuration() -> DeploymentConfiguration {
    DeploymentConfiguration {
        deployment_circuit_breaker: CircuitBreaker {
            enable: true,
            rollback: true,
        },
        maximum_percent: 200,
        minimum_healthy_percent: 100,
    }
}

/// Seconds between two health checks of a target.
pub const HEALTH_CHECK_INTERVAL: u32 = 10;
/// Seconds a health check may take.
pub const HEALTH_CHECK_TIMEOUT: u32 = 5;
/// Good answers in a row that make a target healthy.
pub const HEALTHY_THRESHOLD: u32 = 2;
/// Failed checks in a row that make a target unhealthy.
pub const UNHEALTHY_THRESHOLD: u32 = 3;
/// HTTP codes of a healthy answer.
pub const HEALTHY_CODES: &str = "200-399";
/// Seconds a deregistered target keeps serving the requests it has.
pub const DEREGISTRATION_DELAY: u32 = 30;
/// Seconds after a task starts during which ECS ignores failed load balancer checks.
pub const HEALTH_CHECK_GRACE: u32 = 60;

/// An application load balancer needs subnets in at least this many Availability
/// Zones; in the default VPC it spans exactly this many (each zone adds a billed
/// public IPv4 address).
pub const LOAD_BALANCER_MIN_ZONES: usize = 2;
/// The listener's TLS policy (domain.md §8): TLS 1.3 and 1.2, post-quantum key
/// exchange. The CLI's default is still `ELBSecurityPolicy-2016-08`.
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";
/// Seconds autoscaling waits after adding tasks before adding more.
pub const SCALE_OUT_COOLDOWN: u32 = 60;
/// Seconds autoscaling waits after removing tasks before removing more.
pub const SCALE_IN_COOLDOWN: u32 = 300;

/// `--target-tracking-scaling-policy-configuration`: the service's average CPU
/// kept near the target.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetTrackingConfiguration {
    /// The CPU percentage to keep. AWS reads a double; a whole percentage is written
    /// as an integer, which every reader accepts, and the page needs no float formatting.
    pub target_value: u32,
    /// `ECSServiceAverageCPUUtilization`.
    pub predefined_metric_specification: PredefinedMetric,
    /// See [`SCALE_OUT_COOLDOWN`].
    pub scale_out_cooldown: u32,
    /// See [`SCALE_IN_COOLDOWN`].
    pub scale_in_cooldown: u32,
}

/// A predefined metric of Application Auto Scaling.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PredefinedMetric {
    /// The metric's name.
    pub predefined_metric_type: &'static str,
}

/// The target-tracking policy for this autoscaling.
pub fn target_tracking(scaling: &Autoscaling) -> TargetTrackingConfiguration {
    TargetTrackingConfiguration {
        target_value: scaling.cpu_target_percent,
        predefined_metric_specification: PredefinedMetric {
            predefined_metric_type: "ECSServiceAverageCPUUtilization",
        },
        scale_out_cooldown: SCALE_OUT_COOLDOWN,
        scale_in_cooldown: SCALE_IN_COOLDOWN,
    }
}
