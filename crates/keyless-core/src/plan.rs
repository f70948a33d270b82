//! The plan: every AWS resource setup creates, with every property that
//! matters, computed once from a [`ValidConfig`]. `infra/setup.sh`,
//! `infra/teardown.sh` and `infra/cloudformation.yaml` are renderings of it:
//! none of them decides a name, a port, a rule or a policy, so the scripts and
//! the stack cannot disagree (`tests/plan.rs` walks the plan through both).

mod settings;

pub use settings::*;

use crate::config::{Tls, ValidConfig};
use crate::ecs::{self, TaskDefinition};
use crate::iam::{self, PolicyDocument};
use crate::names::{
    Names, DEPLOY_POLICY_NAME, GITHUB_OIDC_URL, SECRETS_POLICY_NAME, STS_AUDIENCE,
    TASK_EXECUTION_MANAGED_POLICY_ARN,
};
use crate::ownership;

/// Everything setup creates for one config.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The app's name (the config's `app_name`).
    pub app_name: String,
    /// Every name and ARN.
    pub names: Names,
    /// The ownership tags on every resource that takes tags, as (key, value).
    pub tags: [(&'static str, String); 2],
    /// GitHub's OIDC provider (shared by the account; kept on teardown).
    pub oidc_provider: OidcProvider,
    /// The role the workflow assumes.
    pub deploy_role: Role,
    /// The role ECS uses to pull the image, write logs and read secrets.
    pub execution_role: Role,
    /// The role the app's own code runs as.
    pub task_role: Role,
    /// The ECR repository.
    pub repository: Repository,
    /// The CloudWatch Logs group.
    pub log_group: LogGroup,
    /// The ECS cluster.
    pub cluster: Cluster,
    /// Where the tasks run.
    pub network: Network,
    /// The security groups setup creates: the service's unless the config
    /// gives its own, and the load balancer's.
    pub security_groups: Vec<SecurityGroup>,
    /// The load balancer, target group, listeners and certificate, if asked for.
    pub load_balancer: Option<LoadBalancerPlan>,
    /// Revision 1 of the task definition (its image is pushed by the first deploy).
    pub task_definition: TaskDefinition,
    /// The ECS service.
    pub service: Service,
    /// CPU target tracking of the service, if asked for.
    pub autoscaling: Option<AutoscalingPlan>,
}

/// The account's OIDC provider for GitHub Actions' tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcProvider {
    /// The issuer's URL.
    pub url: &'static str,
    /// The audience the deploy role's tokens carry (the provider's client id).
    pub audience: &'static str,
    /// The provider's ARN.
    pub arn: String,
}

/// An IAM role with its trust policy and permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// The role's name.
    pub name: String,
    /// The role's ARN.
    pub arn: String,
    /// What the role is for (IAM's description).
    pub description: String,
    /// Who may assume it.
    pub trust: PolicyDocument,
    /// Its inline policies, by name: exactly these, no others.
    pub inline_policies: Vec<(&'static str, PolicyDocument)>,
    /// AWS managed policies attached to it.
    pub managed_policies: Vec<&'static str>,
}

/// The ECR repository the workflow pushes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// `IMMUTABLE`: a pushed tag can never point at another image.
    pub tag_mutability: &'static str,
    /// Every pushed image is scanned for known vulnerabilities.
    pub scan_on_push: bool,
    /// Which images expire.
    pub lifecycle_policy: LifecyclePolicy,
}

/// The log group of the container's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogGroup {
    /// Its name.
    pub name: String,
    /// Days a log event is kept.
    pub retention_days: u32,
}

/// The ECS cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The capacity providers setup gives it, and the default one (weight 1);
    /// `None` leaves the cluster's own (Fargate).
    pub spot_capacity: Option<SpotCapacity>,
}

/// The capacity providers of a cluster whose service runs on Spot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotCapacity {
    /// The cluster's capacity providers.
    pub providers: [&'static str; 2],
    /// The one new services use by default, with weight 1.
    pub default_provider: &'static str,
}

/// Where the service's tasks run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// The config's subnets; empty means the default VPC's default subnets,
    /// which setup.sh finds and the template asks for as a parameter.
    pub subnets: Vec<String>,
    /// The config's own security groups for the service; empty means the one
    /// of [`Plan::security_groups`] for the service (always, with a load balancer).
    pub given_security_groups: Vec<String>,
    /// Whether each task gets a public IPv4 address.
    pub assign_public_ip: bool,
    /// The most Availability Zones the load balancer spans:
    /// [`LOAD_BALANCER_MIN_ZONES`] in the default VPC; `None` with the config's own
    /// subnets, whose every zone gets a load balancer node.
    pub load_balancer_zone_limit: Option<usize>,
}

impl Network {
    /// Whether the network ids come from the default VPC (none in the config).
    pub fn uses_default_vpc(&self) -> bool {
        self.subnets.is_empty()
    }
}

/// Which resource a security group protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupPurpose {
    /// The service's tasks.
    Service,
    /// The load balancer.
    LoadBalancer,
}

/// A security group setup creates, with exactly its inbound rules (outbound:
/// AWS's default, everything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityGroup {
    /// What it protects.
    pub purpose: GroupPurpose,
    /// Its name in the VPC.
    pub name: String,
    /// EC2's description.
    pub description: String,
    /// Its inbound rules, all TCP to one port.
    pub ingress: Vec<IngressRule>,
}

/// The protocol of every inbound rule.
pub const INGRESS_PROTOCOL: &str = "tcp";

/// One inbound rule: TCP to `port` from `source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressRule {
    /// The port.
    pub port: u16,
    /// Who may connect.
    pub source: Source,
}

/// Where an inbound rule admits connections from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An IPv4 range.
    Ipv4(&'static str),
    /// An IPv6 range.
    Ipv6(&'static str),
    /// Another security group of the plan.
    Group(GroupPurpose),
}

/// Every IPv4 address.
pub const ANYWHERE_IPV4: &str = "0.0.0.0/0";
/// Every IPv6 address.
pub const ANYWHERE_IPV6: &str = "::/0";

/// The internet-facing Application Load Balancer and what hangs on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadBalancerPlan {
    /// The load balancer's name (its target group has the same).
    pub name: String,
    /// `internet-facing`.
    pub scheme: &'static str,
    /// The target group the service registers its tasks in.
    pub target_group: TargetGroup,
    /// The listeners, by port.
    pub listeners: Vec<Listener>,
    /// Where the HTTPS certificate comes from.
    pub certificate: Certificate,
    /// The HTTPS listener's TLS policy, with HTTPS.
    pub ssl_policy: Option<&'static str>,
    /// Seconds ECS ignores failed load balancer checks after a task starts.
    pub health_check_grace_seconds: u32,
}

/// The target group: the tasks' IPs on the container port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetGroup {
    /// Its name.
    pub name: String,
    /// `HTTP`.
    pub protocol: &'static str,
    /// The container port.
    pub port: u16,
    /// `ip` (Fargate's awsvpc tasks).
    pub target_type: &'static str,
    /// The health check.
    pub health_check: HealthCheck,
    /// Seconds a deregistered target keeps serving the requests it has.
    pub deregistration_delay_seconds: u32,
}

/// The target group's health check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// `HTTP`.
    pub protocol: &'static str,
    /// The path asked.
    pub path: String,
    /// Seconds between two checks.
    pub interval_seconds: u32,
    /// Seconds a check may take.
    pub timeout_seconds: u32,
    /// Good answers in a row that make a target healthy.
    pub healthy_threshold: u32,
    /// Failures in a row that make it unhealthy.
    pub unhealthy_threshold: u32,
    /// HTTP codes of a good answer.
    pub healthy_codes: &'static str,
}

/// A listener of the load balancer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    /// `HTTP` or `HTTPS`.
    pub protocol: &'static str,
    /// 80 or 443.
    pub port: u16,
    /// What it does with a request.
    pub action: ListenerAction,
}

/// A listener's default action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerAction {
    /// To the target group.
    Forward,
    /// A permanent redirect to HTTPS on this port.
    RedirectToHttps(u16),
}

/// The load balancer's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Certificate {
    /// No HTTPS.
    None,
    /// An ACM certificate requested for the domain, validated by DNS.
    Requested(String),
    /// The ARN of an existing certificate.
    Existing(String),
}

/// The ECS service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The task definition family it runs (the latest active revision).
    pub task_family: String,
    /// Tasks when created: 0, since no image exists before the first push; the
    /// workflow sets the count on every deploy.
    pub initial_desired_count: u32,
    /// `FARGATE` (a launch type) or `FARGATE_SPOT` (a capacity provider).
    pub capacity: Capacity,
    /// `LATEST`.
    pub platform_version: &'static str,
    /// Circuit breaker, rollback and rolling deploy percentages.
    pub deployment: DeploymentConfiguration,
    /// The container the load balancer sends requests to.
    pub container_name: String,
    /// Its port.
    pub container_port: u16,
}

/// Where the service's tasks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// On-demand Fargate.
    Fargate,
    /// Fargate Spot, through the cluster's capacity provider.
    FargateSpot,
}

/// The capacity provider of Fargate Spot.
pub const FARGATE_SPOT: &str = "FARGATE_SPOT";
/// On-demand Fargate (a launch type, and a capacity provider).
pub const FARGATE: &str = "FARGATE";

/// Autoscaling of the service's desired count.
#[derive(Clone, Debug, PartialEq)]
pub struct AutoscalingPlan {
    /// `service/CLUSTER/SERVICE`.
    pub resource_id: String,
    /// `ecs:service:DesiredCount`.
    pub scalable_dimension: &'static str,
    /// Fewest tasks.
    pub min_capacity: u32,
    /// Most tasks.
    pub max_capacity: u32,
    /// The target-tracking policy's name.
    pub policy_name: String,
    /// The target-tracking policy.
    pub target_tracking: TargetTrackingConfiguration,
}

/// Computes the plan. Cannot fail: the config is valid.
pub fn plan(config: &ValidConfig) -> Plan {
    let names = Names::new(config);
    let app = &config.app_name;
    let lb = config.ingress.load_balancer();
    let mut execution_policies = Vec::new();
    if let Some(secrets) = iam::secrets_policy(config) {
        execution_policies.push((SECRETS_POLICY_NAME, secrets));
    }
    let mut security_groups = Vec::new();
    let load_balancer = lb.map(|lb| {
        let https = lb.tls.is_https();
        let web_ports: &[u16] = if https { &[80, 443] } else { &[80] };
        security_groups.push(SecurityGroup {
            purpose: GroupPurpose::LoadBalancer,
            name: names.load_balancer_security_group.clone(),
            description: format!(
                "Keyless: inbound HTTP{} from anywhere to the {app} load balancer",
                if https { " and HTTPS" } else { "" },
            ),
            ingress: web_ports
                .iter()
                .flat_map(|&port| {
                    [ANYWHERE_IPV4, ANYWHERE_IPV6].map(|range| IngressRule {
                        port,
                        source: if range.contains(':') {
                            Source::Ipv6(range)
                        } else {
                            Source::Ipv4(range)
                        },
                    })
                })
                .collect(),
        });
        let mut listeners = Vec::new();
        if https {
            listeners.push(Listener {
                protocol: "HTTPS",
                port: 443,
                action: ListenerAction::Forward,
            });
        }
        listeners.push(Listener {
            protocol: "HTTP",
            port: 80,
            action: if https {
                ListenerAction::RedirectToHttps(443)
            } else {
                ListenerAction::Forward
            },
        });
        LoadBalancerPlan {
            name: names.load_balancer.clone(),
            scheme: "internet-facing",
            target_group: TargetGroup {
                name: names.load_balancer.clone(),
                protocol: "HTTP",
                port: config.container_port,
                target_type: "ip",
                health_check: HealthCheck {
                    protocol: "HTTP",
                    path: lb.health_check_path.clone(),
                    interval_seconds: HEALTH_CHECK_INTERVAL,
                    timeout_seconds: HEALTH_CHECK_TIMEOUT,
                    healthy_threshold: HEALTHY_THRESHOLD,
                    unhealthy_threshold: UNHEALTHY_THRESHOLD,
                    healthy_codes: HEALTHY_CODES,
                },
                deregistration_delay_seconds: DEREGISTRATION_DELAY,
            },
            listeners,
            certificate: match &lb.tls {
                Tls::None => Certificate::None,
                Tls::RequestFor(domain) => Certificate::Requested(domain.clone()),
                Tls::Existing(arn) => Certificate::Existing(arn.clone()),
            },
            ssl_policy: https.then_some(SSL_POLICY),
            health_check_grace_seconds: HEALTH_CHECK_GRACE,
        }
    });
    // With a load balancer the config has no groups of its own (validation).
    if config.security_groups.is_empty() {
        security_groups.insert(
            0,
            SecurityGroup {
                purpose: GroupPurpose::Service,
                name: names.security_group.clone(),
                description: format!(
                    "Keyless: inbound TCP {} to the {app} service",
                    config.container_port
                ),
                ingress: vec![IngressRule {
                    port: config.container_port,
                    source: if lb.is_some() {
                        Source::Group(GroupPurpose::LoadBalancer)
                    } else {
                        Source::Ipv4(ANYWHERE_IPV4)
                    },
                }],
            },
        );
    }
    Plan {
        app_name: app.clone(),
        tags: ownership::tags(app),
        oidc_provider: OidcProvider {
            url: GITHUB_OIDC_URL,
            audience: STS_AUDIENCE,
            arn: names.oidc_provider_arn.clone(),
        },
        deploy_role: Role {
            name: names.deploy_role.clone(),
            arn: names.deploy_role_arn.clone(),
            description: format!("Keyless: GitHub Actions deploys {app}"),
            trust: iam::trust_policy(&names),
            inline_policies: vec![(DEPLOY_POLICY_NAME, iam::permissions_policy(&names))],
            managed_policies: Vec::new(),
        },
        execution_role: Role {
            name: names.execution_role.clone(),
            arn: names.execution_role_arn.clone(),
            description: format!("Keyless: ECS pulls the image and writes logs of {app}"),
            trust: iam::execution_role_trust_policy(),
            inline_policies: execution_policies,
            managed_policies: vec![TASK_EXECUTION_MANAGED_POLICY_ARN],
        },
        task_role: Role {
            name: names.task_role.clone(),
            arn: names.task_role_arn.clone(),
            description: format!("Keyless: the {app} app's own AWS permissions"),
            trust: iam::task_role_trust_policy(config),
            inline_policies: Vec::new(),
            managed_policies: Vec::new(),
        },
        repository: Repository {
            name: names.ecr_repository.clone(),
            arn: names.ecr_repository_arn.clone(),
            tag_mutability: "IMMUTABLE",
            scan_on_push: true,
            lifecycle_policy: lifecycle_policy(),
        },
        log_group: LogGroup {
            name: names.log_group.clone(),
            retention_days: config.log_retention_days,
        },
        cluster: Cluster {
            name: names.cluster.clone(),
            arn: names.cluster_arn.clone(),
            spot_capacity: config.use_spot.then_some(SpotCapacity {
                providers: [FARGATE, FARGATE_SPOT],
                default_provider: FARGATE_SPOT,
            }),
        },
        network: Network {
            subnets: config.subnets.clone(),
            given_security_groups: config.security_groups.clone(),
            assign_public_ip: config.assign_public_ip,
            load_balancer_zone_limit: config.subnets.is_empty().then_some(LOAD_BALANCER_MIN_ZONES),
        },
        security_groups,
        load_balancer,
        task_definition: ecs::task_definition(config, &names),
        service: Service {
            name: names.service.clone(),
            arn: names.service_arn.clone(),
            task_family: names.task_family.clone(),
            initial_desired_count: 0,
            capacity: if config.use_spot {
                Capacity::FargateSpot
            } else {
                Capacity::Fargate
            },
            platform_version: "LATEST",
            deployment: deployment_configuration(),
            container_name: names.container_name.clone(),
            container_port: config.container_port,
        },
        autoscaling: config.autoscaling.as_ref().map(|scaling| AutoscalingPlan {
            resource_id: names.scalable_resource_id.clone(),
            scalable_dimension: "ecs:service:DesiredCount",
            min_capacity: scaling.min_count,
            max_capacity: scaling.max_count,
            policy_name: names.scaling_policy.clone(),
            target_tracking: target_tracking(scaling),
        }),
        names,
    }
}

impl Plan {
    /// The security group setup creates for `purpose`, if any.
    pub fn security_group(&self, purpose: GroupPurpose) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.purpose == purpose)
    }

    /// The three roles, deploy role first.
    pub fn roles(&self) -> [&Role; 3] {
        [&self.deploy_role, &self.execution_role, &self.task_role]
    }
}
