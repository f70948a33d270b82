//! `infra/cloudformation.yaml`: the plan ([`crate::plan`]) as one
//! CloudFormation stack, for teams that review and create a stack rather than
//! run a script. Every property comes from the plan, as `setup.sh`'s do; this
//! file only says how CloudFormation spells it.
//!
//! The template is built straight as YAML data ([`crate::yaml::Node`]): a
//! resource's keys in AWS's usual order (`Type`, `Condition`, `DependsOn`,
//! `DeletionPolicy`, `UpdateReplacePolicy`, `Properties`), its properties name
//! first and `Tags` last; typed documents (policies, the task definition) as the
//! JSON the other files hold, read back with sorted keys; intrinsic functions in
//! their long form `{"Ref": …}`, `{"Fn::GetAtt": […]}`. The YAML emitter quotes
//! every string.

use serde_json::Value;

use crate::bundle::{GENERATED_BY, WORKFLOW_PATH};
use crate::config::ValidConfig;
use crate::iam::PolicyDocument;
use crate::plan::{
    Capacity, Certificate, GroupPurpose, ListenerAction, LoadBalancerPlan, Plan, Role,
    SecurityGroup, Source, INGRESS_PROTOCOL,
};
use crate::yaml::{self, s, Entry, Node};

/// Path of the template in the bundle.
pub const TEMPLATE_PATH: &str = "infra/cloudformation.yaml";

/// The parameter that says whether the stack creates GitHub's OIDC provider.
pub const CREATE_OIDC_PROVIDER: &str = "CreateOidcProvider";
/// The condition true when [`CREATE_OIDC_PROVIDER`] is `"true"`.
const CREATES_PROVIDER: &str = "CreatesOidcProvider";
/// The parameter of the VPC (when setup would find it).
pub const VPC_PARAMETER: &str = "VpcId";
/// The parameter of the subnets (when the config leaves them to the default VPC).
pub const SUBNETS_PARAMETER: &str = "Subnets";

/// The logical id of each resource of the plan.
pub mod id {
    /// GitHub's OIDC provider.
    pub const OIDC_PROVIDER: &str = "GitHubOidcProvider";
    /// The deploy role.
    pub const DEPLOY_ROLE: &str = "DeployRole";
    /// The task execution role.
    pub const EXECUTION_ROLE: &str = "TaskExecutionRole";
    /// The task role.
    pub const TASK_ROLE: &str = "TaskRole";
    /// The ECR repository.
    pub const REPOSITORY: &str = "Repository";
    /// The log group.
    pub const LOG_GROUP: &str = "LogGroup";
    /// The cluster.
    pub const CLUSTER: &str = "Cluster";
    /// The service's security group.
    pub const SERVICE_SECURITY_GROUP: &str = "ServiceSecurityGroup";
    /// The load balancer's security group.
    pub const LOAD_BALANCER_SECURITY_GROUP: &str = "LoadBalancerSecurityGroup";
    /// The load balancer.
    pub const LOAD_BALANCER: &str = "LoadBalancer";
    /// The target group.
    pub const TARGET_GROUP: &str = "TargetGroup";
    /// The requested certificate.
    pub const CERTIFICATE: &str = "Certificate";
    /// The listener on `port`.
    pub fn listener(port: u16) -> String {
        format!("Listener{port}")
    }
    /// Revision 1 of the task definition.
    pub const TASK_DEFINITION: &str = "TaskDefinition";
    /// The service.
    pub const SERVICE: &str = "Service";
    /// The autoscaling target.
    pub const SCALABLE_TARGET: &str = "ScalableTarget";
    /// The target-tracking policy.
    pub const SCALING_POLICY: &str = "ScalingPolicy";
}

/// A mapping being built, its keys in the order they are added.
#[derive(Default)]
struct Map(Vec<Entry>);

impl Map {
    fn new() -> Map {
        Map::default()
    }

    /// Adds `key: value`.
    fn add(&mut self, key: &str, value: Node) -> &mut Map {
        self.0.push(Entry::new(key, value));
        self
    }

    /// Adds `key: "value"`.
    fn text(&mut self, key: &str, value: &str) -> &mut Map {
        self.add(key, s(value))
    }

    /// Adds `key: value` for a whole number.
    fn int(&mut self, key: &str, value: impl Into<u64>) -> &mut Map {
        self.add(key, Node::Int(value.into()))
    }

    /// Adds `key: [value]`.
    fn one(&mut self, key: &str, value: Node) -> &mut Map {
        self.add(key, Node::Seq(vec![value]))
    }

    /// Adds the plan's ownership tags, as `Tags: [{Key, Value}]`.
    fn tags(&mut self, plan: &Plan) -> &mut Map {
        self.add("Tags", tags(&plan.tags))
    }

    /// The mapping, leaving this one empty.
    fn node(&mut self) -> Node {
        Node::Map(std::mem::take(&mut self.0))
    }
}

/// A sequence of strings.
fn strings(items: &[impl AsRef<str>]) -> Node {
    Node::Seq(items.iter().map(|item| s(item.as_ref())).collect())
}

/// An intrinsic function in its long form, `{name: [arguments]}`.
fn function(name: &str, arguments: Vec<Node>) -> Node {
    Map::new().add(name, Node::Seq(arguments)).node()
}

/// `{"Ref": id}`.
fn reference(id: &str) -> Node {
    Map::new().text("Ref", id).node()
}

/// `{"Fn::GetAtt": [id, attribute]}`.
fn get_att(id: &str, attribute: &str) -> Node {
    function("Fn::GetAtt", vec![s(id), s(attribute)])
}

/// `{"Fn::Sub": text}`.
fn sub(text: &str) -> Node {
    Map::new().text("Fn::Sub", text).node()
}

/// A typed document (a policy, the scaling policy's configuration) as the
/// JSON the scripts pass to the AWS CLI, read back as data: the same
/// serialiser as setup.sh's, so the wasm carries no second one.
fn document<T: serde::Serialize>(document: &T, pascal: bool) -> Node {
    from_json(
        &serde_json::to_string(document).expect("plain data always serialises"),
        pascal,
    )
}

/// JSON text as YAML data (numbers are whole: the plan has no fractions). With
/// `pascal`, an ECS API document's camelCase keys are written in
/// CloudFormation's PascalCase, leaving the keys of `options` maps (log driver
/// options) alone.
fn from_json(json: &str, pascal: bool) -> Node {
    let value: Value = serde_json::from_str(json).expect("serde_json reads what it writes");
    node(&value, pascal)
}

fn node(value: &Value, pascal: bool) -> Node {
    match value {
        Value::String(text) => s(text.as_str()),
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => Node::Int(
            n.as_u64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as u64))
                .expect("the plan's numbers are whole and not negative"),
        ),
        Value::Array(items) => Node::Seq(items.iter().map(|item| node(item, pascal)).collect()),
        Value::Object(members) => {
            let mut map = Map::new();
            for (key, value) in members {
                if pascal {
                    let mut chars = key.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase());
                    let key: String = first.into_iter().chain(chars).collect();
                    map.add(&key, node(value, key != "Options"));
                } else {
                    map.add(key, node(value, false));
                }
            }
            map.node()
        }
        Value::Null => unreachable!("the template has no nulls"),
    }
}

/// Tags as `[{Key, Value}]`.
fn tags(tags: &[(&str, String)]) -> Node {
    Node::Seq(
        tags.iter()
            .map(|(key, value)| Map::new().text("Key", key).text("Value", value).node())
            .collect(),
    )
}

/// One resource of the template.
struct Resource {
    id: String,
    kind: &'static str,
    comments: &'static [&'static str],
    condition: Option<&'static str>,
    depends_on: Vec<String>,
    /// Kept on stack deletion and replacement (with why, in `comments`).
    retain: bool,
    properties: Node,
}

impl Resource {
    fn new(id: &str, kind: &'static str, properties: &mut Map) -> Resource {
        Resource {
            id: id.to_string(),
            kind,
            comments: &[],
            condition: None,
            depends_on: Vec::new(),
            retain: false,
            properties: properties.node(),
        }
    }

    fn comment(mut self, lines: &'static [&'static str]) -> Resource {
        self.comments = lines;
        self
    }

    fn depends_on(mut self, ids: &[&str]) -> Resource {
        self.depends_on.extend(ids.iter().map(|id| id.to_string()));
        self
    }

    fn retained(mut self) -> Resource {
        self.retain = true;
        self
    }

    /// The resource's entry, its keys in AWS's usual order.
    fn entry(self) -> Entry {
        let mut fields = Map::new();
        fields.text("Type", self.kind);
        if let Some(condition) = self.condition {
            fields.text("Condition", condition);
        }
        if !self.depends_on.is_empty() {
            fields.add("DependsOn", strings(&self.depends_on));
        }
        if self.retain {
            fields
                .text("DeletionPolicy", "Retain")
                .text("UpdateReplacePolicy", "Retain");
        }
        fields.add("Properties", self.properties);
        Entry::new(&self.id, fields.node())
            .comment(self.comments)
            .blank()
    }
}

/// An IAM role: its trust policy, inline and managed policies, tags.
fn role(id: &str, role: &Role, trust: Node, plan: &Plan) -> Resource {
    let mut properties = Map::new();
    properties
        .text("RoleName", &role.name)
        .text("Description", &role.description)
        .add("AssumeRolePolicyDocument", trust);
    if !role.inline_policies.is_empty() {
        let policies = role
            .inline_policies
            .iter()
            .map(|(name, policy)| {
                Map::new()
                    .text("PolicyName", name)
                    .add("PolicyDocument", document(policy, false))
                    .node()
            })
            .collect();
        properties.add("Policies", Node::Seq(policies));
    }
    if !role.managed_policies.is_empty() {
        properties.add("ManagedPolicyArns", strings(&role.managed_policies));
    }
    Resource::new(id, "AWS::IAM::Role", properties.tags(plan))
}

/// The value of `key` in a mapping.
fn member<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match node {
        Node::Map(entries) => entries
            .iter_mut()
            .find(|entry| entry.key == key)
            .map(|entry| &mut entry.value),
        _ => None,
    }
}

/// The deploy role's trust policy, whose provider is the stack's own when it
/// creates one (a reference, so the role waits for it).
fn deploy_trust(trust: &PolicyDocument) -> Node {
    let mut policy = document(trust, false);
    if let Some(Node::Seq(statements)) = member(&mut policy, "Statement") {
        for statement in statements {
            let principal = member(statement, "Principal");
            if let Some(federated) = principal.and_then(|p| member(p, "Federated")) {
                let arn = std::mem::replace(federated, Node::Bool(false));
                *federated = function(
                    "Fn::If",
                    vec![s(CREATES_PROVIDER), reference(id::OIDC_PROVIDER), arn],
                );
            }
        }
    }
    policy
}

fn group_id(purpose: GroupPurpose) -> &'static str {
    match purpose {
        GroupPurpose::Service => id::SERVICE_SECURITY_GROUP,
        GroupPurpose::LoadBalancer => id::LOAD_BALANCER_SECURITY_GROUP,
    }
}

fn security_group(group: &SecurityGroup, plan: &Plan) -> Resource {
    let ingress = group
        .ingress
        .iter()
        .map(|rule| {
            let mut entry = Map::new();
            entry
                .text("IpProtocol", INGRESS_PROTOCOL)
                .int("FromPort", rule.port)
                .int("ToPort", rule.port);
            match rule.source {
                Source::Ipv4(range) => entry.text("CidrIp", range),
                Source::Ipv6(range) => entry.text("CidrIpv6", range),
                Source::Group(purpose) => {
                    entry.add("SourceSecurityGroupId", reference(group_id(purpose)))
                }
            };
            entry.node()
        })
        .collect();
    Resource::new(
        group_id(group.purpose),
        "AWS::EC2::SecurityGroup",
        Map::new()
            .text("GroupName", &group.name)
            .text("GroupDescription", &group.description)
            .add("VpcId", reference(VPC_PARAMETER))
            .add("SecurityGroupIngress", Node::Seq(ingress))
            .tags(plan),
    )
}

/// The subnets: the config's, or the parameter's.
fn subnets(plan: &Plan) -> Node {
    if plan.network.uses_default_vpc() {
        reference(SUBNETS_PARAMETER)
    } else {
        strings(&plan.network.subnets)
    }
}

/// `[{CapacityProvider: provider, Weight: 1}]`.
fn capacity_provider_strategy(provider: &str) -> Node {
    Node::Seq(vec![Map::new()
        .text("CapacityProvider", provider)
        .int("Weight", 1u32)
        .node()])
}

/// GitHub's OIDC provider, only when the stack creates it.
fn oidc_provider(plan: &Plan) -> Resource {
    let mut provider = Resource::new(
        id::OIDC_PROVIDER,
        "AWS::IAM::OIDCProvider",
        Map::new()
            .text("Url", plan.oidc_provider.url)
            .one("ClientIdList", s(plan.oidc_provider.audience))
            .add("Tags", tags(&plan.tags[..1])),
    )
    .comment(&[
        "One per account, shared by every role that trusts GitHub: created only when",
        "CreateOidcProvider is true, and kept when the stack is deleted (other roles",
        "may trust it). No thumbprint: AWS no longer uses one for GitHub's issuer.",
    ])
    .retained();
    provider.condition = Some(CREATES_PROVIDER);
    provider
}

fn repository(plan: &Plan) -> Resource {
    let repository = &plan.repository;
    let lifecycle_policy =
        serde_json::to_string(&repository.lifecycle_policy).expect("plain data always serialises");
    Resource::new(
        id::REPOSITORY,
        "AWS::ECR::Repository",
        Map::new()
            .text("RepositoryName", &repository.name)
            .text("ImageTagMutability", repository.tag_mutability)
            .add(
                "ImageScanningConfiguration",
                Node::Map(vec![Entry::new(
                    "ScanOnPush",
                    Node::Bool(repository.scan_on_push),
                )]),
            )
            .add(
                "LifecyclePolicy",
                Map::new()
                    .text("LifecyclePolicyText", &lifecycle_policy)
                    .node(),
            )
            .tags(plan),
    )
    .comment(&[
        "Kept when the stack is deleted: it holds every image the workflow pushed",
        "(the app's deploy history). Delete it yourself when you mean to:",
        "aws ecr delete-repository --force --repository-name ...",
    ])
    .retained()
}

fn cluster(plan: &Plan) -> Resource {
    let mut properties = Map::new();
    properties.text("ClusterName", &plan.cluster.name);
    if let Some(spot) = &plan.cluster.spot_capacity {
        properties
            .add("CapacityProviders", strings(&spot.providers))
            .add(
                "DefaultCapacityProviderStrategy",
                capacity_provider_strategy(spot.default_provider),
            );
    }
    Resource::new(id::CLUSTER, "AWS::ECS::Cluster", properties.tags(plan))
}

fn task_definition(plan: &Plan) -> Resource {
    // The text of .aws/task-definition.json, in CloudFormation's spelling.
    let Node::Map(properties) = from_json(&crate::bundle::pretty_json(&plan.task_definition), true)
    else {
        unreachable!("a task definition is an object")
    };
    Resource::new(
        id::TASK_DEFINITION,
        "AWS::ECS::TaskDefinition",
        &mut Map(properties),
    )
    .comment(&[
        "Revision 1 only, as .aws/task-definition.json: its image (tag",
        "awaiting-first-deploy) does not exist yet, so the service starts with 0 tasks.",
        "Every deploy registers the next revision outside the stack; change the task",
        "definition in .aws/task-definition.json, not here.",
    ])
    .depends_on(&[id::EXECUTION_ROLE, id::TASK_ROLE, id::LOG_GROUP])
}

fn service(plan: &Plan) -> Resource {
    let service = &plan.service;
    let network = &plan.network;
    let security_groups = if network.given_security_groups.is_empty() {
        Node::Seq(vec![reference(id::SERVICE_SECURITY_GROUP)])
    } else {
        strings(&network.given_security_groups)
    };
    let mut properties = Map::new();
    properties
        .text("ServiceName", &service.name)
        .add("Cluster", reference(id::CLUSTER))
        .text("TaskDefinition", &service.task_family);
    match service.capacity {
        Capacity::Fargate => properties.text("LaunchType", crate::plan::FARGATE),
        Capacity::FargateSpot => properties.add(
            "CapacityProviderStrategy",
            capacity_provider_strategy(crate::plan::FARGATE_SPOT),
        ),
    };
    properties
        .text("PlatformVersion", service.platform_version)
        .int("DesiredCount", service.initial_desired_count)
        .add(
            "NetworkConfiguration",
            Map::new()
                .add(
                    "AwsvpcConfiguration",
                    Map::new()
                        .text(
                            "AssignPublicIp",
                            if network.assign_public_ip {
                                "ENABLED"
                            } else {
                                "DISABLED"
                            },
                        )
                        .add("Subnets", subnets(plan))
                        .add("SecurityGroups", security_groups)
                        .node(),
                )
                .node(),
        );
    let mut depends_on = vec![id::TASK_DEFINITION.to_string()];
    if let Some(lb) = &plan.load_balancer {
        properties
            .one(
                "LoadBalancers",
                Map::new()
                    .add("TargetGroupArn", reference(id::TARGET_GROUP))
                    .text("ContainerName", &service.container_name)
                    .int("ContainerPort", service.container_port)
                    .node(),
            )
            .int(
                "HealthCheckGracePeriodSeconds",
                lb.health_check_grace_seconds,
            );
        depends_on.extend(lb.listeners.iter().map(|l| id::listener(l.port)));
    }
    properties.add(
        "DeploymentConfiguration",
        document(&service.deployment, true),
    );
    let mut resource = Resource::new(id::SERVICE, "AWS::ECS::Service", properties.tags(plan))
        .comment(&[
            "TaskDefinition is the family, so the service runs its latest revision: a",
            "later stack update never rolls it back to revision 1's image. DesiredCount",
            "stays 0 in this file: the workflow sets the count on every deploy, and",
            "CloudFormation changes a property only when this file's value changes.",
        ]);
    resource.depends_on = depends_on;
    resource
}

/// The autoscaling target and its target-tracking policy.
fn autoscaling(scaling: &crate::plan::AutoscalingPlan) -> [Resource; 2] {
    [
        Resource::new(
            id::SCALABLE_TARGET,
            "AWS::ApplicationAutoScaling::ScalableTarget",
            Map::new()
                .text("ServiceNamespace", "ecs")
                .text("ScalableDimension", scaling.scalable_dimension)
                .text("ResourceId", &scaling.resource_id)
                .int("MinCapacity", scaling.min_capacity)
                .int("MaxCapacity", scaling.max_capacity),
        )
        .depends_on(&[id::SERVICE]),
        Resource::new(
            id::SCALING_POLICY,
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            Map::new()
                .text("PolicyName", &scaling.policy_name)
                .text("PolicyType", "TargetTrackingScaling")
                .add("ScalingTargetId", reference(id::SCALABLE_TARGET))
                .add(
                    "TargetTrackingScalingPolicyConfiguration",
                    document(&scaling.target_tracking, false),
                ),
        ),
    ]
}

/// Every resource of the plan, in the order setup creates them.
fn resources(plan: &Plan) -> Vec<Resource> {
    let mut resources = vec![
        oidc_provider(plan),
        role(
            id::DEPLOY_ROLE,
            &plan.deploy_role,
            deploy_trust(&plan.deploy_role.trust),
            plan,
        )
        .comment(&["Assumed by the workflow; the same policies as infra/*-policy.json."]),
        role(
            id::EXECUTION_ROLE,
            &plan.execution_role,
            document(&plan.execution_role.trust, false),
            plan,
        ),
        role(
            id::TASK_ROLE,
            &plan.task_role,
            document(&plan.task_role.trust, false),
            plan,
        ),
        repository(plan),
        Resource::new(
            id::LOG_GROUP,
            "AWS::Logs::LogGroup",
            Map::new()
                .text("LogGroupName", &plan.log_group.name)
                .int("RetentionInDays", plan.log_group.retention_days)
                .tags(plan),
        ),
        cluster(plan),
    ];
    resources.extend(
        plan.security_groups
            .iter()
            .map(|group| security_group(group, plan)),
    );
    resources.push(task_definition(plan));
    if let Some(lb) = &plan.load_balancer {
        load_balancer(plan, lb, &mut resources);
    }
    resources.push(service(plan));
    if let Some(scaling) = &plan.autoscaling {
        resources.extend(autoscaling(scaling));
    }
    resources
}

/// The load balancer, its target group, certificate and listeners.
fn load_balancer(plan: &Plan, lb: &LoadBalancerPlan, resources: &mut Vec<Resource>) {
    let target_group = &lb.target_group;
    let check = &target_group.health_check;
    resources.push(Resource::new(
        id::LOAD_BALANCER,
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        Map::new()
            .text("Name", &lb.name)
            .text("Type", "application")
            .text("Scheme", lb.scheme)
            .add("Subnets", subnets(plan))
            .one(
                "SecurityGroups",
                reference(id::LOAD_BALANCER_SECURITY_GROUP),
            )
            .tags(plan),
    ));
    resources.push(Resource::new(
        id::TARGET_GROUP,
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        Map::new()
            .text("Name", &target_group.name)
            .text("Protocol", target_group.protocol)
            .int("Port", target_group.port)
            .text("TargetType", target_group.target_type)
            .add("VpcId", reference(VPC_PARAMETER))
            .text("HealthCheckProtocol", check.protocol)
            .text("HealthCheckPath", &check.path)
            .int("HealthCheckIntervalSeconds", check.interval_seconds)
            .int("HealthCheckTimeoutSeconds", check.timeout_seconds)
            .int("HealthyThresholdCount", check.healthy_threshold)
            .int("UnhealthyThresholdCount", check.unhealthy_threshold)
            .add(
                "Matcher",
                Map::new().text("HttpCode", check.healthy_codes).node(),
            )
            .one(
                "TargetGroupAttributes",
                Map::new()
                    .text("Key", "deregistration_delay.timeout_seconds")
                    .text(
                        "Value",
                        &target_group.deregistration_delay_seconds.to_string(),
                    )
                    .node(),
            )
            .tags(plan),
    ));
    if let Certificate::Requested(domain) = &lb.certificate {
        resources.push(
            Resource::new(
                id::CERTIFICATE,
                "AWS::CertificateManager::Certificate",
                Map::new()
                    .text("DomainName", domain)
                    .text("ValidationMethod", "DNS")
                    .tags(plan),
            )
            .comment(&[
                "Validated by DNS: the stack waits here until the CNAME record shown in",
                "its events (and in the ACM console) is added to the domain's zone.",
            ]),
        );
    }
    for listener in &lb.listeners {
        let mut properties = Map::new();
        properties
            .add("LoadBalancerArn", reference(id::LOAD_BALANCER))
            .text("Protocol", listener.protocol)
            .int("Port", listener.port);
        if listener.protocol == "HTTPS" {
            if let Some(policy) = lb.ssl_policy {
                properties.text("SslPolicy", policy);
            }
            let arn = match &lb.certificate {
                Certificate::None => None,
                Certificate::Existing(arn) => Some(s(arn.as_str())),
                Certificate::Requested(_) => Some(reference(id::CERTIFICATE)),
            };
            if let Some(arn) = arn {
                properties.one("Certificates", Map::new().add("CertificateArn", arn).node());
            }
        }
        let mut action = Map::new();
        match listener.action {
            ListenerAction::Forward => action
                .text("Type", "forward")
                .add("TargetGroupArn", reference(id::TARGET_GROUP)),
            ListenerAction::RedirectToHttps(port) => action.text("Type", "redirect").add(
                "RedirectConfig",
                Map::new()
                    .text("Protocol", "HTTPS")
                    .text("Port", &port.to_string())
                    .text("StatusCode", "HTTP_301")
                    .node(),
            ),
        };
        properties.one("DefaultActions", action.node());
        resources.push(Resource::new(
            &id::listener(listener.port),
            "AWS::ElasticLoadBalancingV2::Listener",
            &mut properties,
        ));
    }
}

/// The parameters: the OIDC provider question, and the network ids the
/// config leaves to the default VPC.
fn parameters(plan: &Plan) -> Node {
    let mut parameters = Map::new();
    parameters.add(
        CREATE_OIDC_PROVIDER,
        Map::new()
            .text("Type", "String")
            .text("Description", "false when the account already has GitHub's OIDC provider (aws iam list-open-id-connect-providers lists token.actions.githubusercontent.com).")
            .add("AllowedValues", strings(&["true", "false"]))
            .text("Default", "true")
            .node(),
    );
    if !plan.security_groups.is_empty() {
        let description = if plan.network.uses_default_vpc() {
            "The default VPC (aws ec2 describe-vpcs --filters Name=is-default,Values=true), or the VPC of the subnets you pick."
        } else {
            "The VPC of the subnets in keyless.json (aws ec2 describe-subnets --subnet-ids ...)."
        };
        parameters.add(
            VPC_PARAMETER,
            Map::new()
                .text("Type", "AWS::EC2::VPC::Id")
                .text("Description", description)
                .node(),
        );
    }
    if plan.network.uses_default_vpc() {
        let description = if plan.load_balancer.is_some() {
            format!(
                "At least {} subnets of that VPC, in different availability zones, with a route to an internet gateway (the default VPC's default subnets are).",
                crate::plan::LOAD_BALANCER_MIN_ZONES
            )
        } else {
            "Subnets of that VPC for the tasks, with a route to an internet gateway when tasks get public IPs (the default VPC's default subnets: aws ec2 describe-subnets --filters Name=default-for-az,Values=true).".to_string()
        };
        parameters.add(
            SUBNETS_PARAMETER,
            Map::new()
                .text("Type", "List<AWS::EC2::Subnet::Id>")
                .text("Description", &description)
                .node(),
        );
    }
    parameters.node()
}

/// The outputs: the role the workflow assumes, and with a load balancer the URL.
fn outputs(plan: &Plan) -> Node {
    let mut outputs = Map::new();
    let mut output = |name: &str, description: &str, value: Node| {
        outputs.add(
            name,
            Map::new()
                .text("Description", description)
                .add("Value", value)
                .node(),
        );
    };
    output(
        "DeployRoleArn",
        "The role the workflow assumes (role-to-assume in the workflow).",
        get_att(id::DEPLOY_ROLE, "Arn"),
    );
    if let Some(lb) = &plan.load_balancer {
        let url = match &lb.certificate {
            Certificate::Requested(domain) => s(format!("https://{domain}")),
            Certificate::Existing(_) => sub("https://${LoadBalancer.DNSName}"),
            Certificate::None => sub("http://${LoadBalancer.DNSName}"),
        };
        output("Url", "Where the app answers once deployed.", url);
        output(
            "LoadBalancerDnsName",
            "Point the domain's record here (an alias, or a CNAME).",
            get_att(id::LOAD_BALANCER, "DNSName"),
        );
    }
    outputs.node()
}

/// Appends `text`'s lines.
fn push_lines(lines: &mut Vec<String>, text: &[&str]) {
    lines.extend(text.iter().map(|line| line.to_string()));
}

/// The header: what the stack is, its parameters, and the traps it handles.
fn header(config: &ValidConfig, plan: &Plan) -> Vec<String> {
    let names = &plan.names;
    let mut parameters = vec![format!("{CREATE_OIDC_PROVIDER}=false")];
    if !plan.security_groups.is_empty() {
        parameters.push(format!("{VPC_PARAMETER}=vpc-..."));
    }
    if plan.network.uses_default_vpc() {
        parameters.push(format!("{SUBNETS_PARAMETER}=subnet-...,subnet-..."));
    }
    let mut lines = vec![
        format!(
            "infra/cloudformation.yaml: the same resources as infra/setup.sh, for {} in",
            config.repository()
        ),
        format!(
            "AWS account {} ({}), as one CloudFormation stack.",
            names.account_id, names.region
        ),
        format!("{GENERATED_BY}; regenerate rather than edit."),
    ];
    push_lines(
        &mut lines,
        &[
            "",
            "Create it in the console (CloudFormation > Create stack > Upload a template file),",
            "or with the AWS CLI:",
        ],
    );
    lines.push(format!(
        "  aws cloudformation deploy --region {} --stack-name {} \\",
        names.region,
        stack_name(plan)
    ));
    lines.push(
        "    --template-file infra/cloudformation.yaml --capabilities CAPABILITY_NAMED_IAM \\"
            .into(),
    );
    lines.push(format!(
        "    --parameter-overrides {}",
        parameters.join(" ")
    ));
    push_lines(
        &mut lines,
        &[
            "Use the stack or infra/setup.sh, not both: they create the same names.",
            "",
            "Parameters:",
            "- CreateOidcProvider (default true): an account has one GitHub OIDC provider. If",
            "  aws iam list-open-id-connect-providers lists token.actions.githubusercontent.com,",
            "  pass false; with true, creating the stack fails and rolls back.",
        ],
    );
    if !plan.security_groups.is_empty() {
        lines.push("- VpcId: the VPC the security groups go in (the tasks' subnets' VPC).".into());
    }
    if plan.network.uses_default_vpc() {
        push_lines(
            &mut lines,
            &[
                "- Subnets: keyless.json names none, so pick them (the default VPC's default",
                "  subnets are what infra/setup.sh uses).",
            ],
        );
    }
    push_lines(
        &mut lines,
        &[
            "",
            "What deleting the stack keeps, on purpose: the OIDC provider (other roles may",
            "trust it) and the ECR repository with its images (the deploy history). It",
            "deletes the rest, logs included; task definition revisions the workflow",
            "registered stay, as their family's: deregister them with infra/teardown.sh.",
            "",
            "Traps, and how this stack avoids them:",
            "- The first create has no image yet: revision 1 names the tag",
            "  awaiting-first-deploy, which is never pushed, and the service starts with",
        ],
    );
    lines.push(format!(
        "  DesiredCount 0. Push to {} afterwards: the workflow builds the image and",
        config.branch
    ));
    push_lines(
        &mut lines,
        &[
            "  deploys it with the count of keyless.json.",
            "- The workflow registers revisions outside the stack: the service names the",
            "  family, not revision 1, so a stack update never rolls it back to revision 1.",
            "- DesiredCount: the workflow (and autoscaling) own the count after the first",
            "  deploy. This file keeps 0, and CloudFormation only changes a property whose",
            "  value in the template changed, so updates leave the running count alone.",
        ],
    );
    lines.push(format!(
        "Outputs: DeployRoleArn, the role {} assumes{}.",
        WORKFLOW_PATH,
        if plan.load_balancer.is_some() {
            "; Url, where the app answers"
        } else {
            ""
        }
    ));
    lines
}

/// The stack name the header suggests.
pub fn stack_name(plan: &Plan) -> String {
    format!("keyless-{}", plan.names.load_balancer)
}

/// `infra/cloudformation.yaml`, rendered from the plan.
pub fn template(config: &ValidConfig, plan: &Plan) -> String {
    let root = vec![
        Entry::new("AWSTemplateFormatVersion", s("2010-09-09")),
        Entry::new(
            "Description",
            s(format!(
                "Keyless: zero-secret deploys of {} from GitHub Actions to ECS Fargate ({}).",
                config.repository(),
                plan.app_name
            )),
        ),
        Entry::new("Parameters", parameters(plan)).blank(),
        Entry::new(
            "Conditions",
            Map::new()
                .add(
                    CREATES_PROVIDER,
                    function(
                        "Fn::Equals",
                        vec![reference(CREATE_OIDC_PROVIDER), s("true")],
                    ),
                )
                .node(),
        )
        .blank(),
        Entry::new(
            "Resources",
            Node::Map(resources(plan).into_iter().map(Resource::entry).collect()),
        )
        .blank(),
        Entry::new("Outputs", outputs(plan)).blank(),
    ];
    yaml::render(&header(config, plan), &root)
}
