//! The plan and its renderings: for every fixture, each resource of
//! [`keyless_core::plan::Plan`] appears in `infra/setup.sh` (as the variables
//! and files the script reads) and in `infra/cloudformation.yaml` (as a
//! resource) with the same properties, and the template has no resource the
//! plan lacks. The properties moto cannot keep are proven here.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use keyless_core::bundle::{CLOUDFORMATION_PATH, SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH};
use keyless_core::cloudformation::id;
use keyless_core::config::parse_config_json;
use keyless_core::plan::{
    self, Capacity, Certificate, GroupPurpose, ListenerAction, Plan, Role, Source,
};
use keyless_core::{generate, Bundle};
use serde_json::{json, Value};

/// The value of `readonly NAME='…'` (or the items of `NAME=('…' '…')`) in a script.
fn var(script: &str, name: &str) -> Result<String, String> {
    let prefix = format!("readonly {name}=");
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .ok_or(format!("setup.sh has no readonly {name}"))?;
    Ok(unquote(line).concat())
}

fn array(script: &str, name: &str) -> Result<Vec<String>, String> {
    let prefix = format!("{name}=(");
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).and_then(|l| l.strip_suffix(')')))
        .ok_or(format!("setup.sh has no {name}=(...)"))?;
    Ok(unquote(line))
}

/// The words of single-quoted shell text (`'a'\''b' 'c'` is `a'b`, `c`).
fn unquote(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '\\' if !quoted => word.extend(chars.next()),
            ' ' if !quoted => words.push(std::mem::take(&mut word)),
            c => word.push(c),
        }
    }
    words.push(word);
    words
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

fn value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn same(what: &str, template: &Value, script: &Value, plan: &Value) -> Result<(), String> {
    if template != plan || script != plan {
        return Err(format!(
            "{what}: plan {plan}, template {template}, setup.sh {script}"
        ));
    }
    Ok(())
}

fn check(plan: &Plan, bundle: &Bundle) -> Result<(), String> {
    let setup = bundle.file(SETUP_SCRIPT_PATH).unwrap();
    let template = common::yaml(bundle.file(CLOUDFORMATION_PATH).unwrap())?;
    let resources = template["Resources"].as_object().unwrap();
    let props = |id: &str| -> Result<&Value, String> {
        resources
            .get(id)
            .map(|r| &r["Properties"])
            .ok_or(format!("the template has no {id}"))
    };
    let text = |v: &str| Value::String(v.to_string());
    let mut expected_ids = vec![
        id::OIDC_PROVIDER,
        id::DEPLOY_ROLE,
        id::EXECUTION_ROLE,
        id::TASK_ROLE,
        id::REPOSITORY,
        id::LOG_GROUP,
        id::CLUSTER,
        id::TASK_DEFINITION,
        id::SERVICE,
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    let tags = Value::Array(
        plan.tags
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect(),
    );

    // The provider.
    let provider = props(id::OIDC_PROVIDER)?;
    same(
        "provider url",
        &provider["Url"],
        &text(&var(setup, "OIDC_URL")?),
        &text(plan.oidc_provider.url),
    )?;
    same(
        "provider audience",
        &provider["ClientIdList"][0],
        &text(&var(setup, "AUDIENCE")?),
        &text(plan.oidc_provider.audience),
    )?;

    // The roles: name, description, trust, inline and managed policies, tags.
    let roles: [(&str, &Role, &str, Value); 3] = [
        (
            id::DEPLOY_ROLE,
            &plan.deploy_role,
            "DEPLOY_ROLE",
            json(bundle.file("infra/trust-policy.json").unwrap()),
        ),
        (
            id::EXECUTION_ROLE,
            &plan.execution_role,
            "EXECUTION_ROLE",
            json(&var(setup, "EXECUTION_TRUST_POLICY")?),
        ),
        (
            id::TASK_ROLE,
            &plan.task_role,
            "TASK_ROLE",
            json(&var(setup, "TASK_TRUST_POLICY")?),
        ),
    ];
    for (logical, role, name_var, script_trust) in roles {
        let p = props(logical)?;
        same(
            &format!("{logical} name"),
            &p["RoleName"],
            &text(&var(setup, name_var)?),
            &text(&role.name),
        )?;
        same(
            &format!("{logical} description"),
            &p["Description"],
            &text(&var(setup, &format!("{name_var}_DESCRIPTION"))?),
            &text(&role.description),
        )?;
        // The stack's deploy role names its own provider when it creates one.
        let mut trust = p["AssumeRolePolicyDocument"].clone();
        for statement in trust["Statement"].as_array_mut().unwrap() {
            if let Some(f) = statement["Principal"].get_mut("Federated") {
                let branches = f["Fn::If"].clone();
                if branches[0] != "CreatesOidcProvider"
                    || branches[1] != json!({"Ref": id::OIDC_PROVIDER})
                {
                    return Err(format!(
                        "{logical}: Federated is not the provider or its ARN: {f}"
                    ));
                }
                *f = branches[2].clone();
            }
        }
        same(
            &format!("{logical} trust"),
            &trust,
            &script_trust,
            &value(&role.trust),
        )?;
        for (policy_name, document) in &role.inline_policies {
            let in_template = p["Policies"]
                .as_array()
                .and_then(|list| list.iter().find(|x| x["PolicyName"] == *policy_name))
                .ok_or(format!("{logical} lacks policy {policy_name}"))?;
            let in_script = if logical == id::DEPLOY_ROLE {
                json(bundle.file("infra/permissions-policy.json").unwrap())
            } else {
                json(&var(setup, "SECRETS_POLICY")?)
            };
            same(
                &format!("{logical} policy {policy_name}"),
                &in_template["PolicyDocument"],
                &in_script,
                &value(document),
            )?;
        }
        let count = p["Policies"].as_array().map_or(0, Vec::len);
        if count != role.inline_policies.len() {
            return Err(format!("{logical} has {count} inline policies"));
        }
        let managed: Vec<Value> = role.managed_policies.iter().map(|a| text(a)).collect();
        let in_template = p["ManagedPolicyArns"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let in_script: Vec<Value> = role
            .managed_policies
            .iter()
            .map(|_| var(setup, "EXECUTION_MANAGED_POLICY_ARN").map(|a| text(&a)))
            .collect::<Result<_, _>>()?;
        same(
            &format!("{logical} managed policies"),
            &Value::Array(in_template),
            &Value::Array(in_script),
            &Value::Array(managed),
        )?;
        if p["Tags"] != tags {
            return Err(format!("{logical} tags {}", p["Tags"]));
        }
    }

    // The repository.
    let repo = props(id::REPOSITORY)?;
    let r = &plan.repository;
    same(
        "repository",
        &repo["RepositoryName"],
        &text(&var(setup, "ECR_REPOSITORY")?),
        &text(&r.name),
    )?;
    same(
        "tag mutability",
        &repo["ImageTagMutability"],
        &text(&var(setup, "TAG_MUTABILITY")?),
        &text(r.tag_mutability),
    )?;
    same(
        "scan on push",
        &repo["ImageScanningConfiguration"]["ScanOnPush"],
        &json(&var(setup, "SCAN_ON_PUSH")?),
        &json!(r.scan_on_push),
    )?;
    same(
        "lifecycle policy",
        &json(
            repo["LifecyclePolicy"]["LifecyclePolicyText"]
                .as_str()
                .unwrap(),
        ),
        &json(&var(setup, "ECR_LIFECYCLE_POLICY")?),
        &value(&r.lifecycle_policy),
    )?;
    if resources[id::REPOSITORY]["DeletionPolicy"] != "Retain" {
        return Err("the repository is not retained".into());
    }

    // Logs and cluster.
    let logs = props(id::LOG_GROUP)?;
    same(
        "log group",
        &logs["LogGroupName"],
        &text(&var(setup, "LOG_GROUP")?),
        &text(&plan.log_group.name),
    )?;
    same(
        "retention",
        &logs["RetentionInDays"],
        &json(&var(setup, "LOG_RETENTION_DAYS")?),
        &json!(plan.log_group.retention_days),
    )?;
    let cluster = props(id::CLUSTER)?;
    same(
        "cluster",
        &cluster["ClusterName"],
        &text(&var(setup, "CLUSTER")?),
        &text(&plan.cluster.name),
    )?;
    match &plan.cluster.spot_capacity {
        Some(spot) => {
            let flags = format!(
                "--capacity-providers {} \\\n  --default-capacity-provider-strategy capacityProvider={},weight=1",
                spot.providers.join(" "),
                spot.default_provider
            );
            if cluster["CapacityProviders"] != json!(spot.providers) || !setup.contains(&flags) {
                return Err(format!(
                    "spot capacity: template {}",
                    cluster["CapacityProviders"]
                ));
            }
        }
        None => {
            if cluster.get("CapacityProviders").is_some()
                || setup.contains("put-cluster-capacity-providers")
            {
                return Err("capacity providers without Spot".into());
            }
        }
    }

    // Security groups and their rules.
    for group in &plan.security_groups {
        let (logical, name_var, description_var) = match group.purpose {
            GroupPurpose::Service => (
                id::SERVICE_SECURITY_GROUP,
                "SECURITY_GROUP_NAME",
                "SECURITY_GROUP_DESCRIPTION",
            ),
            GroupPurpose::LoadBalancer => (
                id::LOAD_BALANCER_SECURITY_GROUP,
                "LB_SECURITY_GROUP_NAME",
                "LB_SECURITY_GROUP_DESCRIPTION",
            ),
        };
        expected_ids.push(logical.into());
        let p = props(logical)?;
        same(
            &format!("{logical} name"),
            &p["GroupName"],
            &text(&var(setup, name_var)?),
            &text(&group.name),
        )?;
        same(
            &format!("{logical} description"),
            &p["GroupDescription"],
            &text(&var(setup, description_var)?),
            &text(&group.description),
        )?;
        let rules: Vec<Value> = group
            .ingress
            .iter()
            .map(|rule| {
                let mut r =
                    json!({ "IpProtocol": "tcp", "FromPort": rule.port, "ToPort": rule.port });
                match rule.source {
                    Source::Ipv4(c) => r["CidrIp"] = json!(c),
                    Source::Ipv6(c) => r["CidrIpv6"] = json!(c),
                    Source::Group(GroupPurpose::LoadBalancer) => {
                        r["SourceSecurityGroupId"] =
                            json!({ "Ref": id::LOAD_BALANCER_SECURITY_GROUP })
                    }
                    Source::Group(GroupPurpose::Service) => unreachable!(),
                }
                r
            })
            .collect();
        if p["SecurityGroupIngress"] != Value::Array(rules.clone()) {
            return Err(format!(
                "{logical} rules {} != {rules:?}",
                p["SecurityGroupIngress"]
            ));
        }
        match group.purpose {
            GroupPurpose::Service => {
                if var(setup, "CONTAINER_PORT")? != group.ingress[0].port.to_string() {
                    return Err("setup.sh's CONTAINER_PORT is not the rule's port".into());
                }
            }
            GroupPurpose::LoadBalancer => {
                let tokens: Vec<String> = group
                    .ingress
                    .iter()
                    .map(|rule| match rule.source {
                        Source::Ipv4(c) | Source::Ipv6(c) => format!("tcp/{}/{c}", rule.port),
                        Source::Group(_) => unreachable!(),
                    })
                    .collect();
                if array(setup, "LB_INGRESS")? != tokens {
                    return Err(format!("LB_INGRESS is not {tokens:?}"));
                }
            }
        }
    }

    // The task definition: the template's revision 1 is the committed file's.
    let task = props(id::TASK_DEFINITION)?;
    let file = json(bundle.file(TASK_DEFINITION_PATH).unwrap());
    if file != value(&plan.task_definition) {
        return Err("the task definition file is not the plan's".into());
    }
    for (pascal, camel) in [
        ("Family", "family"),
        ("Cpu", "cpu"),
        ("Memory", "memory"),
        ("NetworkMode", "networkMode"),
        ("ExecutionRoleArn", "executionRoleArn"),
        ("TaskRoleArn", "taskRoleArn"),
    ] {
        if task[pascal] != file[camel] {
            return Err(format!(
                "task definition {pascal}: {} != {}",
                task[pascal], file[camel]
            ));
        }
    }
    let (tc, fc) = (
        &task["ContainerDefinitions"][0],
        &file["containerDefinitions"][0],
    );
    if tc["Image"] != fc["image"]
        || tc["PortMappings"][0]["ContainerPort"] != fc["portMappings"][0]["containerPort"]
        || tc["LogConfiguration"]["Options"] != fc["logConfiguration"]["options"]
        || tc["Environment"].as_array().map(Vec::len) != fc["environment"].as_array().map(Vec::len)
    {
        return Err(format!("container definition: {tc} != {fc}"));
    }

    // The service.
    let service = props(id::SERVICE)?;
    let s = &plan.service;
    same(
        "service",
        &service["ServiceName"],
        &text(&var(setup, "SERVICE")?),
        &text(&s.name),
    )?;
    same(
        "service's family",
        &service["TaskDefinition"],
        &text(&var(setup, "TASK_FAMILY")?),
        &text(&s.task_family),
    )?;
    same(
        "first desired count",
        &service["DesiredCount"],
        &json(&var(setup, "INITIAL_DESIRED_COUNT")?),
        &json!(s.initial_desired_count),
    )?;
    let deployment = json(&var(setup, "DEPLOYMENT_CONFIGURATION")?);
    let d = &service["DeploymentConfiguration"];
    if deployment != value(&s.deployment)
        || d["DeploymentCircuitBreaker"]["Enable"]
            != deployment["deploymentCircuitBreaker"]["enable"]
        || d["DeploymentCircuitBreaker"]["Rollback"]
            != deployment["deploymentCircuitBreaker"]["rollback"]
        || d["MaximumPercent"] != deployment["maximumPercent"]
        || d["MinimumHealthyPercent"] != deployment["minimumHealthyPercent"]
    {
        return Err(format!("deployment configuration {d} vs {deployment}"));
    }
    same(
        "public IP",
        &service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
        &text(&var(setup, "ASSIGN_PUBLIC_IP")?),
        &text(if plan.network.assign_public_ip {
            "ENABLED"
        } else {
            "DISABLED"
        }),
    )?;
    let launch_ok = match s.capacity {
        Capacity::Fargate => {
            service["LaunchType"] == "FARGATE" && setup.contains("--launch-type FARGATE")
        }
        Capacity::FargateSpot => {
            service["CapacityProviderStrategy"]
                == json!([{ "CapacityProvider": "FARGATE_SPOT", "Weight": 1 }])
                && setup
                    .contains("--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1")
        }
    };
    if !launch_ok {
        return Err(format!("capacity {:?} differs", s.capacity));
    }

    // The load balancer.
    if let Some(lb) = &plan.load_balancer {
        expected_ids.extend([id::LOAD_BALANCER.to_string(), id::TARGET_GROUP.to_string()]);
        same(
            "load balancer",
            &props(id::LOAD_BALANCER)?["Name"],
            &text(&var(setup, "LOAD_BALANCER")?),
            &text(&lb.name),
        )?;
        let tg = props(id::TARGET_GROUP)?;
        let check = &lb.target_group.health_check;
        let flags = array(setup, "HEALTH_CHECK")?;
        let flag = |name: &str| -> String {
            flags
                .iter()
                .skip_while(|f| *f != name)
                .nth(1)
                .cloned()
                .unwrap_or_default()
        };
        for (what, template_value, script_value, plan_value) in [
            (
                "health check path",
                tg["HealthCheckPath"].clone(),
                text(&flag("--health-check-path")),
                text(&check.path),
            ),
            (
                "interval",
                tg["HealthCheckIntervalSeconds"].clone(),
                json(&flag("--health-check-interval-seconds")),
                json!(check.interval_seconds),
            ),
            (
                "timeout",
                tg["HealthCheckTimeoutSeconds"].clone(),
                json(&flag("--health-check-timeout-seconds")),
                json!(check.timeout_seconds),
            ),
            (
                "healthy",
                tg["HealthyThresholdCount"].clone(),
                json(&flag("--healthy-threshold-count")),
                json!(check.healthy_threshold),
            ),
            (
                "unhealthy",
                tg["UnhealthyThresholdCount"].clone(),
                json(&flag("--unhealthy-threshold-count")),
                json!(check.unhealthy_threshold),
            ),
            (
                "matcher",
                tg["Matcher"]["HttpCode"].clone(),
                text(flag("--matcher").trim_start_matches("HttpCode=")),
                text(check.healthy_codes),
            ),
            (
                "port",
                tg["Port"].clone(),
                json(&var(setup, "CONTAINER_PORT")?),
                json!(lb.target_group.port),
            ),
            (
                "deregistration delay",
                tg["TargetGroupAttributes"][0]["Value"].clone(),
                text(
                    var(setup, "DEREGISTRATION_DELAY")?
                        .rsplit('=')
                        .next()
                        .unwrap(),
                ),
                text(&lb.target_group.deregistration_delay_seconds.to_string()),
            ),
            (
                "grace",
                service["HealthCheckGracePeriodSeconds"].clone(),
                json(&var(setup, "HEALTH_CHECK_GRACE")?),
                json!(lb.health_check_grace_seconds),
            ),
        ] {
            same(what, &template_value, &script_value, &plan_value)?;
        }
        for listener in &lb.listeners {
            let logical = id::listener(listener.port);
            let p = props(&logical)?;
            expected_ids.push(logical.clone());
            let action = &p["DefaultActions"][0];
            let ok = match listener.action {
                ListenerAction::Forward => action["Type"] == "forward",
                ListenerAction::RedirectToHttps(port) => {
                    action["RedirectConfig"]["Port"].as_str() == Some(&*port.to_string())
                        && setup.contains(&format!(
                            "RedirectConfig={{Protocol=HTTPS,Port={port},StatusCode=HTTP_301}}"
                        ))
                }
            };
            if !ok || p["Port"] != listener.port || p["Protocol"] != listener.protocol {
                return Err(format!("{logical}: {p}"));
            }
            if listener.protocol == "HTTPS" {
                same(
                    "TLS policy",
                    &p["SslPolicy"],
                    &text(&var(setup, "SSL_POLICY")?),
                    &json!(lb.ssl_policy),
                )?;
                let arn = &p["Certificates"][0]["CertificateArn"];
                match &lb.certificate {
                    Certificate::Existing(a) => same(
                        "certificate",
                        arn,
                        &text(&var(setup, "CERTIFICATE_ARN")?),
                        &text(a),
                    )?,
                    Certificate::Requested(domain) => {
                        expected_ids.push(id::CERTIFICATE.into());
                        same(
                            "certificate domain",
                            &props(id::CERTIFICATE)?["DomainName"],
                            &text(&var(setup, "DOMAIN_NAME")?),
                            &text(domain),
                        )?;
                        if *arn != json!({ "Ref": id::CERTIFICATE }) {
                            return Err(format!("the HTTPS listener's certificate is {arn}"));
                        }
                    }
                    Certificate::None => return Err("HTTPS without a certificate".into()),
                }
            }
        }
    }

    // Autoscaling.
    if let Some(scaling) = &plan.autoscaling {
        expected_ids.extend([
            id::SCALABLE_TARGET.to_string(),
            id::SCALING_POLICY.to_string(),
        ]);
        let target = props(id::SCALABLE_TARGET)?;
        same(
            "scalable resource",
            &target["ResourceId"],
            &text(&var(setup, "SCALABLE_RESOURCE_ID")?),
            &text(&scaling.resource_id),
        )?;
        same(
            "min",
            &target["MinCapacity"],
            &json(&var(setup, "MIN_COUNT")?),
            &json!(scaling.min_capacity),
        )?;
        same(
            "max",
            &target["MaxCapacity"],
            &json(&var(setup, "MAX_COUNT")?),
            &json!(scaling.max_capacity),
        )?;
        let policy = props(id::SCALING_POLICY)?;
        same(
            "policy name",
            &policy["PolicyName"],
            &text(&var(setup, "SCALING_POLICY")?),
            &text(&scaling.policy_name),
        )?;
        same(
            "target tracking",
            &policy["TargetTrackingScalingPolicyConfiguration"],
            &json(&var(setup, "SCALING_POLICY_CONFIGURATION")?),
            &value(&scaling.target_tracking),
        )?;
    }

    let mut found: Vec<&String> = resources.keys().collect();
    found.sort();
    let mut expected: Vec<&String> = expected_ids.iter().collect();
    expected.sort();
    if found != expected {
        return Err(format!("the template has {found:?}, the plan {expected:?}"));
    }
    Ok(())
}

#[test]
fn every_resource_of_the_plan_is_the_same_in_the_script_and_the_template() {
    for (name, text) in common::fixtures() {
        let config = parse_config_json(&text).unwrap();
        let plan = plan::plan(&config);
        if let Err(problem) = check(&plan, &generate(&config)) {
            panic!("fixture {name}: {problem}");
        }
    }
}

/// The check fails when one rendering drifts from the plan (here: the
/// template's retention, rendered from an edited plan, against the script's).
#[test]
fn a_drifted_rendering_is_caught() {
    let config = parse_config_json(&common::fixtures()[0].1).unwrap();
    let mut plan = plan::plan(&config);
    let bundle = generate(&config);
    plan.log_group.retention_days += 1;
    let problem = check(&plan, &bundle).unwrap_err();
    assert!(problem.starts_with("retention"), "{problem}");
}

/// The load balancer spans exactly two zones of the default VPC (each zone is a
/// billed public IPv4 address, and setup.sh fails below two), and every zone of
/// the config's own subnets: setup.sh's `LB_ZONES` bounds the zones it keeps.
#[test]
fn the_load_balancer_spans_two_default_zones_or_every_given_one() {
    let mut seen = 0;
    for (name, text) in common::fixtures() {
        let config = parse_config_json(&text).unwrap();
        let plan = plan::plan(&config);
        if plan.load_balancer.is_none() {
            continue;
        }
        seen += 1;
        let bundle = generate(&config);
        let zones: usize = var(bundle.file(SETUP_SCRIPT_PATH).unwrap(), "LB_ZONES")
            .unwrap()
            .parse()
            .unwrap();
        if config.subnets.is_empty() {
            assert_eq!(zones, 2, "fixture {name}: two zones of the default VPC");
        } else {
            assert_eq!(
                zones,
                config.subnets.len(),
                "fixture {name}: every given subnet's zone"
            );
        }
    }
    assert!(seen >= 3, "fixtures with a load balancer: {seen}");
}
