//! `infra/cloudformation.yaml`: the plan ([`crate::plan`]) as one
//! CloudFormation stack, for teams that review and create a stack rather than
//! run a script. Every property comes from the plan, as `setup.sh`'s do; this
//! file only says how CloudFormation spells it.
//!
//! The template is built as data (JSON values from typed documents, intrinsic
//! functions in their long form `{"Ref": …}`, `{"Fn::GetAtt": […]}`) and written
//! by the YAML emitter ([`crate::yaml`]), which quotes every string.

use serde_json::{json, Map, Value};

use crate::bundle::{GENERATED_BY, WORKFLOW_PATH};
use crate::config::ValidConfig;
use crate::iam::PolicyDocument;
use crate::plan::{
    Capacity, Certificate, GroupPurpose, ListenerAction, Plan, Role, SecurityGroup, Source,
    INGRESS_PROTOCOL,
};
use crate::yaml::{self, Entry, Node};

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

/// One resource of the template.
struct Resource {
    id: String,
    kind: &'static str,
    comments: Vec<String>,
    condition: Option<&'static str>,
    depends_on: Vec<String>,
    /// Kept on stack deletion and replacement (with why, in `comments`).
    retain: bool,
    properties: Value,
}

impl Resource {
    fn new(id: &str, kind: &'static str, properties: Value) -> Resource {
        Resource {
            id: id.to_string(),
            kind,
            comments: Vec::new(),
            condition: None,
            depends_on: Vec::new(),
            retain: false,
            properties,
        }
    }

    fn comment(mut self, lines: &[&str]) -> Resource {
        self.comments.extend(lines.iter().map(|l| l.to_string()));
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

    fn entry(self) -> Entry {
        let mut fields = vec![Entry::new("Type", yaml::s(self.kind))];
        if let Some(condition) = self.condition {
            fields.push(Entry::new("Condition", yaml::s(condition)));
        }
        if !self.depends_on.is_empty() {
            fields.push(Entry::new(
                "DependsOn",
                Node::Seq(self.depends_on.into_iter().map(yaml::s).collect()),
            ));
        }
        if self.retain {
            fields.push(Entry::new("DeletionPolicy", yaml::s("Retain")));
            fields.push(Entry::new("UpdateReplacePolicy", yaml::s("Retain")));
        }
        fields.push(Entry::new("Properties", node(&self.properties)));
        let lines: Vec<&str> = self.comments.iter().map(String::as_str).collect();
        Entry::new(&self.id, Node::Map(fields))
            .comment(&lines)
            .blank()
    }
}

/// `{"Ref": id}`.
fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// `{"Fn::GetAtt": [id, attribute]}`.
fn get_att(id: &str, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attribute] })
}

/// A JSON value as YAML (numbers are whole: the plan has no fractions).
fn node(value: &Value) -> Node {
    match value {
        Value::String(text) => yaml::s(text.as_str()),
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => Node::Int(
            n.as_u64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as u64))
                .expect("the plan's numbers are whole and not negative"),
        ),
        Value::Array(items) => Node::Seq(items.iter().map(node).collect()),
        Value::Object(map) => Node::Map(
            map.iter()
                .map(|(key, value)| Entry::new(key, node(value)))
                .collect(),
        ),
        Value::Null => unreachable!("the template has no nulls"),
    }
}

/// A serialisable document as a JSON value.
fn value<T: serde::Serialize>(document: &T) -> Value {
    serde_json::to_value(document).expect("plain data always serialises")
}

/// An ECS API document (camelCase keys) in CloudFormation's spelling
/// (PascalCase), leaving the keys of `options` maps (log driver options) alone.
fn pascal_case(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if key == "options" {
                        value
                    } else {
                        pascal_case(value)
                    };
                    let mut chars = key.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase());
                    (first.into_iter().chain(chars).collect(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pascal_case).collect()),
        other => other,
    }
}

/// The ownership tags as `[{Key, Value}]`.
fn tags(plan: &Plan) -> Value {
    Value::Array(
        plan.tags
            .iter()
            .map(|(key, value)| json!({ "Key": key, "Value": value }))
            .collect(),
    )
}

/// An IAM role: its trust policy, inline and managed policies, tags.
fn role(id: &str, role: &Role, trust: Value, plan: &Plan) -> Resource {
    let mut properties = json!({
        "RoleName": role.name,
        "Description": role.description,
        "AssumeRolePolicyDocument": trust,
        "Tags": tags(plan),
    });
    if !role.inline_policies.is_empty() {
        properties["Policies"] = role
            .inline_policies
            .iter()
            .map(
                |(name, document)| json!({ "PolicyName": name, "PolicyDocument": value(document) }),
            )
            .collect();
    }
    if !role.managed_policies.is_empty() {
        properties["ManagedPolicyArns"] = json!(role.managed_policies);
    }
    Resource::new(id, "AWS::IAM::Role", properties)
}

/// The deploy role's trust policy, whose provider is the stack's own when it
/// creates one (a reference, so the role waits for it).
fn deploy_trust(trust: &PolicyDocument) -> Value {
    let mut document = value(trust);
    for statement in document["Statement"].as_array_mut().into_iter().flatten() {
        if let Some(federated) = statement["Principal"].get_mut("Federated") {
            let arn = federated.clone();
            *federated = json!({ "Fn::If": [CREATES_PROVIDER, reference(id::OIDC_PROVIDER), arn] });
        }
    }
    document
}

fn group_id(purpose: GroupPurpose) -> &'static str {
    match purpose {
        GroupPurpose::Service => id::SERVICE_SECURITY_GROUP,
        GroupPurpose::LoadBalancer => id::LOAD_BALANCER_SECURITY_GROUP,
    }
}

fn security_group(group: &SecurityGroup, plan: &Plan) -> Resource {
    let ingress: Vec<Value> = group
        .ingress
        .iter()
        .map(|rule| {
            let mut entry = json!({
                "IpProtocol": INGRESS_PROTOCOL,
                "FromPort": rule.port,
                "ToPort": rule.port,
            });
            match rule.source {
                Source::Ipv4(range) => entry["CidrIp"] = json!(range),
                Source::Ipv6(range) => entry["CidrIpv6"] = json!(range),
                Source::Group(purpose) => {
                    entry["SourceSecurityGroupId"] = reference(group_id(purpose))
                }
            }
            entry
        })
        .collect();
    Resource::new(
        group_id(group.purpose),
        "AWS::EC2::SecurityGroup",
        json!({
            "GroupName": group.name,
            "GroupDescription": group.description,
            "VpcId": reference(VPC_PARAMETER),
            "SecurityGroupIngress": ingress,
            "Tags": tags(plan),
        }),
    )
}

/// The subnets: the config's, or the parameter's.
fn subnets(plan: &Plan) -> Value {
    if plan.network.uses_default_vpc() {
        reference(SUBNETS_PARAMETER)
    } else {
        json!(plan.network.subnets)
    }
}

/// Every resource of the plan, in the order setup creates them.
fn resources(plan: &Plan) -> Vec<Resource> {
    let names = &plan.names;
    let mut resources = Vec::new();
    let mut provider = Resource::new(
        id::OIDC_PROVIDER,
        "AWS::IAM::OIDCProvider",
        json!({
            "Url": plan.oidc_provider.url,
            "ClientIdList": [plan.oidc_provider.audience],
            "Tags": [{ "Key": plan.tags[0].0, "Value": plan.tags[0].1 }],
        }),
    )
    .comment(&[
        "One per account, shared by every role that trusts GitHub: created only when",
        "CreateOidcProvider is true, and kept when the stack is deleted (other roles",
        "may trust it). No thumbprint: AWS no longer uses one for GitHub's issuer.",
    ])
    .retained();
    provider.condition = Some(CREATES_PROVIDER);
    resources.push(provider);
    resources.push(
        role(
            id::DEPLOY_ROLE,
            &plan.deploy_role,
            deploy_trust(&plan.deploy_role.trust),
            plan,
        )
        .comment(&["Assumed by the workflow; the same policies as infra/*-policy.json."]),
    );
    resources.push(role(
        id::EXECUTION_ROLE,
        &plan.execution_role,
        value(&plan.execution_role.trust),
        plan,
    ));
    resources.push(role(
        id::TASK_ROLE,
        &plan.task_role,
        value(&plan.task_role.trust),
        plan,
    ));
    let repository = &plan.repository;
    resources.push(
        Resource::new(
            id::REPOSITORY,
            "AWS::ECR::Repository",
            json!({
                "RepositoryName": repository.name,
                "ImageTagMutability": repository.tag_mutability,
                "ImageScanningConfiguration": { "ScanOnPush": repository.scan_on_push },
                "LifecyclePolicy": {
                    "LifecyclePolicyText": serde_json::to_string(&repository.lifecycle_policy)
                        .expect("plain data always serialises"),
                },
                "Tags": tags(plan),
            }),
        )
        .comment(&[
            "Kept when the stack is deleted: it holds every image the workflow pushed",
            "(the app's deploy history). Delete it yourself when you mean to:",
            "aws ecr delete-repository --force --repository-name ...",
        ])
        .retained(),
    );
    resources.push(Resource::new(
        id::LOG_GROUP,
        "AWS::Logs::LogGroup",
        json!({
            "LogGroupName": plan.log_group.name,
            "RetentionInDays": plan.log_group.retention_days,
            "Tags": tags(plan),
        }),
    ));
    let mut cluster = json!({ "ClusterName": plan.cluster.name, "Tags": tags(plan) });
    if let Some(spot) = &plan.cluster.spot_capacity {
        cluster["CapacityProviders"] = json!(spot.providers);
        cluster["DefaultCapacityProviderStrategy"] =
            json!([{ "CapacityProvider": spot.default_provider, "Weight": 1 }]);
    }
    resources.push(Resource::new(id::CLUSTER, "AWS::ECS::Cluster", cluster));
    for group in &plan.security_groups {
        resources.push(security_group(group, plan));
    }
    resources.push(
        Resource::new(
            id::TASK_DEFINITION,
            "AWS::ECS::TaskDefinition",
            pascal_case(value(&plan.task_definition)),
        )
        .comment(&[
            "Revision 1 only, as .aws/task-definition.json: its image (tag",
            "awaiting-first-deploy) does not exist yet, so the service starts with 0 tasks.",
            "Every deploy registers the next revision outside the stack; change the task",
            "definition in .aws/task-definition.json, not here.",
        ])
        .depends_on(&[id::EXECUTION_ROLE, id::TASK_ROLE, id::LOG_GROUP]),
    );
    let mut service_depends = vec![id::TASK_DEFINITION.to_string()];
    if let Some(lb) = &plan.load_balancer {
        resources.extend(load_balancer(plan, lb));
        service_depends.extend(lb.listeners.iter().map(|l| id::listener(l.port)));
    }
    let service = &plan.service;
    let security_groups: Value = if plan.network.given_security_groups.is_empty() {
        json!([reference(id::SERVICE_SECURITY_GROUP)])
    } else {
        json!(plan.network.given_security_groups)
    };
    let mut properties = json!({
        "ServiceName": service.name,
        "Cluster": reference(id::CLUSTER),
        "TaskDefinition": service.task_family,
        "DesiredCount": service.initial_desired_count,
        "PlatformVersion": service.platform_version,
        "NetworkConfiguration": {
            "AwsvpcConfiguration": {
                "AssignPublicIp": if plan.network.assign_public_ip { "ENABLED" } else { "DISABLED" },
                "Subnets": subnets(plan),
                "SecurityGroups": security_groups,
            }
        },
        "DeploymentConfiguration": pascal_case(value(&service.deployment)),
        "Tags": tags(plan),
    });
    match service.capacity {
        Capacity::Fargate => properties["LaunchType"] = json!(crate::plan::FARGATE),
        Capacity::FargateSpot => {
            properties["CapacityProviderStrategy"] =
                json!([{ "CapacityProvider": crate::plan::FARGATE_SPOT, "Weight": 1 }])
        }
    }
    if let Some(lb) = &plan.load_balancer {
        properties["LoadBalancers"] = json!([{
            "TargetGroupArn": reference(id::TARGET_GROUP),
            "ContainerName": service.container_name,
            "ContainerPort": service.container_port,
        }]);
        properties["HealthCheckGracePeriodSeconds"] = json!(lb.health_check_grace_seconds);
    }
    let depends: Vec<&str> = service_depends.iter().map(String::as_str).collect();
    resources.push(
        Resource::new(id::SERVICE, "AWS::ECS::Service", properties)
            .comment(&[
                "TaskDefinition is the family, so the service runs its latest revision: a",
                "later stack update never rolls it back to revision 1's image. DesiredCount",
                "stays 0 in this file: the workflow sets the count on every deploy, and",
                "CloudFormation changes a property only when this file's value changes.",
            ])
            .depends_on(&depends),
    );
    if let Some(scaling) = &plan.autoscaling {
        resources.push(
            Resource::new(
                id::SCALABLE_TARGET,
                "AWS::ApplicationAutoScaling::ScalableTarget",
                json!({
                    "ServiceNamespace": "ecs",
                    "ScalableDimension": scaling.scalable_dimension,
                    "ResourceId": scaling.resource_id,
                    "MinCapacity": scaling.min_capacity,
                    "MaxCapacity": scaling.max_capacity,
                }),
            )
            .depends_on(&[id::SERVICE]),
        );
        resources.push(Resource::new(
            id::SCALING_POLICY,
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            json!({
                "PolicyName": scaling.policy_name,
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": reference(id::SCALABLE_TARGET),
                "TargetTrackingScalingPolicyConfiguration": value(&scaling.target_tracking),
            }),
        ));
    }
    let _ = names;
    resources
}

/// The load balancer, its target group, certificate and listeners.
fn load_balancer(plan: &Plan, lb: &crate::plan::LoadBalancerPlan) -> Vec<Resource> {
    let target_group = &lb.target_group;
    let check = &target_group.health_check;
    let mut resources = vec![
        Resource::new(
            id::LOAD_BALANCER,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            json!({
                "Name": lb.name,
                "Type": "application",
                "Scheme": lb.scheme,
                "Subnets": subnets(plan),
                "SecurityGroups": [reference(id::LOAD_BALANCER_SECURITY_GROUP)],
                "Tags": tags(plan),
            }),
        ),
        Resource::new(
            id::TARGET_GROUP,
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            json!({
                "Name": target_group.name,
                "Protocol": target_group.protocol,
                "Port": target_group.port,
                "TargetType": target_group.target_type,
                "VpcId": reference(VPC_PARAMETER),
                "HealthCheckProtocol": check.protocol,
                "HealthCheckPath": check.path,
                "HealthCheckIntervalSeconds": check.interval_seconds,
                "HealthCheckTimeoutSeconds": check.timeout_seconds,
                "HealthyThresholdCount": check.healthy_threshold,
                "UnhealthyThresholdCount": check.unhealthy_threshold,
                "Matcher": { "HttpCode": check.healthy_codes },
                "TargetGroupAttributes": [{
                    "Key": "deregistration_delay.timeout_seconds",
                    "Value": target_group.deregistration_delay_seconds.to_string(),
                }],
                "Tags": tags(plan),
            }),
        ),
    ];
    let certificate_arn = match &lb.certificate {
        Certificate::None => None,
        Certificate::Existing(arn) => Some(json!(arn)),
        Certificate::Requested(domain) => {
            resources.push(
                Resource::new(
                    id::CERTIFICATE,
                    "AWS::CertificateManager::Certificate",
                    json!({
                        "DomainName": domain,
                        "ValidationMethod": "DNS",
                        "Tags": tags(plan),
                    }),
                )
                .comment(&[
                    "Validated by DNS: the stack waits here until the CNAME record shown in",
                    "its events (and in the ACM console) is added to the domain's zone.",
                ]),
            );
            Some(reference(id::CERTIFICATE))
        }
    };
    for listener in &lb.listeners {
        let action = match listener.action {
            ListenerAction::Forward => {
                json!({ "Type": "forward", "TargetGroupArn": reference(id::TARGET_GROUP) })
            }
            ListenerAction::RedirectToHttps(port) => json!({
                "Type": "redirect",
                "RedirectConfig": { "Protocol": "HTTPS", "Port": port.to_string(), "StatusCode": "HTTP_301" },
            }),
        };
        let mut properties = json!({
            "LoadBalancerArn": reference(id::LOAD_BALANCER),
            "Protocol": listener.protocol,
            "Port": listener.port,
            "DefaultActions": [action],
        });
        if listener.protocol == "HTTPS" {
            properties["Certificates"] = json!([{ "CertificateArn": certificate_arn }]);
            properties["SslPolicy"] = json!(lb.ssl_policy);
        }
        resources.push(Resource::new(
            &id::listener(listener.port),
            "AWS::ElasticLoadBalancingV2::Listener",
            properties,
        ));
    }
    resources
}

/// The parameters: the OIDC provider question, and the network ids the
/// config leaves to the default VPC.
fn parameters(plan: &Plan) -> Vec<Entry> {
    let mut parameters = vec![Entry::new(
        CREATE_OIDC_PROVIDER,
        node(&json!({
            "Type": "String",
            "AllowedValues": ["true", "false"],
            "Default": "true",
            "Description": "false when the account already has GitHub's OIDC provider (aws iam list-open-id-connect-providers lists token.actions.githubusercontent.com).",
        })),
    )];
    if !plan.security_groups.is_empty() {
        parameters.push(Entry::new(
            VPC_PARAMETER,
            node(&json!({
                "Type": "AWS::EC2::VPC::Id",
                "Description": if plan.network.uses_default_vpc() {
                    "The default VPC (aws ec2 describe-vpcs --filters Name=is-default,Values=true), or the VPC of the subnets you pick."
                } else {
                    "The VPC of the subnets in keyless.json (aws ec2 describe-subnets --subnet-ids ...)."
                },
            })),
        ));
    }
    if plan.network.uses_default_vpc() {
        let zones = if plan.load_balancer.is_some() {
            format!(
                "At least {} subnets of that VPC, in different availability zones, with a route to an internet gateway (the default VPC's default subnets are).",
                plan.network.load_balancer_zones
            )
        } else {
            "Subnets of that VPC for the tasks, with a route to an internet gateway when tasks get public IPs (the default VPC's default subnets: aws ec2 describe-subnets --filters Name=default-for-az,Values=true).".to_string()
        };
        parameters.push(Entry::new(
            SUBNETS_PARAMETER,
            node(&json!({ "Type": "List<AWS::EC2::Subnet::Id>", "Description": zones })),
        ));
    }
    parameters
}

/// The outputs: the role the workflow assumes, and with a load balancer the URL.
fn outputs(plan: &Plan) -> Vec<Entry> {
    let mut outputs = vec![Entry::new(
        "DeployRoleArn",
        node(&json!({
            "Description": "The role the workflow assumes (role-to-assume in the workflow).",
            "Value": get_att(id::DEPLOY_ROLE, "Arn"),
        })),
    )];
    if let Some(lb) = &plan.load_balancer {
        let url = match &lb.certificate {
            Certificate::Requested(domain) => json!(format!("https://{domain}")),
            Certificate::Existing(_) => json!({ "Fn::Sub": "https://${LoadBalancer.DNSName}" }),
            Certificate::None => json!({ "Fn::Sub": "http://${LoadBalancer.DNSName}" }),
        };
        outputs.push(Entry::new(
            "Url",
            node(&json!({ "Description": "Where the app answers once deployed.", "Value": url })),
        ));
        outputs.push(Entry::new(
            "LoadBalancerDnsName",
            node(&json!({
                "Description": "Point the domain's record here (an alias, or a CNAME).",
                "Value": get_att(id::LOAD_BALANCER, "DNSName"),
            })),
        ));
    }
    outputs
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
        String::new(),
        "Create it in the console (CloudFormation > Create stack > Upload a template file),".into(),
        "or with the AWS CLI:".into(),
        format!(
            "  aws cloudformation deploy --region {} --stack-name {} \\",
            names.region,
            stack_name(plan)
        ),
        "    --template-file infra/cloudformation.yaml --capabilities CAPABILITY_NAMED_IAM \\"
            .into(),
        format!("    --parameter-overrides {}", parameters.join(" ")),
        "Use the stack or infra/setup.sh, not both: they create the same names.".into(),
        String::new(),
        "Parameters:".into(),
        "- CreateOidcProvider (default true): an account has one GitHub OIDC provider. If".into(),
        "  aws iam list-open-id-connect-providers lists token.actions.githubusercontent.com,"
            .into(),
        "  pass false; with true, creating the stack fails and rolls back.".into(),
    ];
    if !plan.security_groups.is_empty() {
        lines.push("- VpcId: the VPC the security groups go in (the tasks' subnets' VPC).".into());
    }
    if plan.network.uses_default_vpc() {
        lines.push(
            "- Subnets: keyless.json names none, so pick them (the default VPC's default".into(),
        );
        lines.push("  subnets are what infra/setup.sh uses).".into());
    }
    lines.extend([
        String::new(),
        "What deleting the stack keeps, on purpose: the OIDC provider (other roles may".into(),
        "trust it) and the ECR repository with its images (the deploy history). It".into(),
        "deletes the rest, logs included; task definition revisions the workflow".into(),
        "registered stay, as their family's: deregister them with infra/teardown.sh.".into(),
        String::new(),
        "Traps, and how this stack avoids them:".into(),
        "- The first create has no image yet: revision 1 names the tag".into(),
        "  awaiting-first-deploy, which is never pushed, and the service starts with".into(),
        format!(
            "  DesiredCount 0. Push to {} afterwards: the workflow builds the image and",
            config.branch
        ),
        "  deploys it with the count of keyless.json.".into(),
        "- The workflow registers revisions outside the stack: the service names the".into(),
        "  family, not revision 1, so a stack update never rolls it back to revision 1.".into(),
        "- DesiredCount: the workflow (and autoscaling) own the count after the first".into(),
        "  deploy. This file keeps 0, and CloudFormation only changes a property whose".into(),
        "  value in the template changed, so updates leave the running count alone.".into(),
        format!(
            "Outputs: DeployRoleArn, the role {} assumes{}.",
            WORKFLOW_PATH,
            if plan.load_balancer.is_some() {
                "; Url, where the app answers"
            } else {
                ""
            }
        ),
    ]);
    lines
}

/// The stack name the header suggests.
pub fn stack_name(plan: &Plan) -> String {
    format!("keyless-{}", plan.names.load_balancer)
}

/// `infra/cloudformation.yaml`, rendered from the plan.
pub fn template(config: &ValidConfig, plan: &Plan) -> String {
    let mut conditions = Map::new();
    conditions.insert(
        CREATES_PROVIDER.into(),
        json!({ "Fn::Equals": [reference(CREATE_OIDC_PROVIDER), "true"] }),
    );
    let root = vec![
        Entry::new("AWSTemplateFormatVersion", yaml::s("2010-09-09")),
        Entry::new(
            "Description",
            yaml::s(format!(
                "Keyless: zero-secret deploys of {} from GitHub Actions to ECS Fargate ({}).",
                config.repository(),
                plan.app_name
            )),
        ),
        Entry::new("Parameters", Node::Map(parameters(plan))).blank(),
        Entry::new("Conditions", node(&Value::Object(conditions))).blank(),
        Entry::new(
            "Resources",
            Node::Map(resources(plan).into_iter().map(Resource::entry).collect()),
        )
        .blank(),
        Entry::new("Outputs", Node::Map(outputs(plan))).blank(),
    ];
    yaml::render(&header(config, plan), &root)
}
