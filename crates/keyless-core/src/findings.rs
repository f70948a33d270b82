//! Security findings returned with the bundle: what each security-relevant
//! choice protects against (info), and what the user should know or act on
//! (warnings). The UI shows them beside the files; the CLI prints them.

use serde::Serialize;

use crate::config::{Architecture, SubjectFormat, Tls, ValidConfig};
use crate::iam;
use crate::names::Names;
use crate::plan::Plan;

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// What a choice protects against; nothing to do.
    Info,
    /// Something not done, or to check once, that is not a risk in itself (no
    /// health check; which subject format the repository sends).
    Note,
    /// Something exposed, fragile, or to check by hand.
    Warning,
}

/// One finding: a short title and a sentence or two of detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Info or warning.
    pub severity: Severity,
    /// One line, e.g. "Trust limited to octo-org/octo-app on branch main".
    pub title: String,
    /// What it means and, for warnings, what to do.
    pub detail: String,
}

fn info(title: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Info,
        title: title.into(),
        detail: detail.into(),
    }
}

fn note(title: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Note,
        title: title.into(),
        detail: detail.into(),
    }
}

fn warning(title: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Warning,
        title: title.into(),
        detail: detail.into(),
    }
}

/// The findings for this config and its plan, warnings first, in a stable order.
pub fn findings(config: &ValidConfig, plan: &Plan) -> Vec<Finding> {
    let names = &plan.names;
    let repo = config.repository();
    let subjects = names.subjects.join(" or ");
    let mut out = Vec::new();

    // Who can deploy.
    match &config.environment {
        None => out.push(info(
            format!("Trust limited to {repo} on branch {}", config.branch),
            format!(
                "The deploy role accepts only GitHub OIDC tokens for sts.amazonaws.com whose sub is exactly {subjects}: no other repository, fork, branch, tag or pull request can assume it."
            ),
        )),
        Some(env) => {
            out.push(info(
                format!("Trust limited to {repo} in environment {env}"),
                format!(
                    "The deploy role accepts only GitHub OIDC tokens for sts.amazonaws.com whose sub is exactly {subjects}."
                ),
            ));
            out.push(warning(
                format!("Any branch can use environment {env}, unless you restrict it"),
                format!(
                    "With an environment, the token's sub names the environment, not the branch: a workflow on another branch of {repo} that uses {env} could assume the deploy role. In Settings → Environments → {env}, limit deployment branches to {} (and add required reviewers if you want an approval step).",
                    config.branch
                ),
            ));
        }
    }
    match config.subject_format {
        SubjectFormat::Legacy => out.push(note(
            "Check which sub format your repository emits",
            format!(
                "Run gh api repos/{repo}/actions/oidc/customization/sub once. If it shows use_immutable_subject: true, choose \"immutable\" (or \"both\" while switching): that repository sends immutable subjects, repo:OWNER@OWNER_ID/REPO@REPO_ID:..., which this legacy trust policy does not match. Repositories created, renamed or transferred after 2026-07-15, or that opted in, send them."
            ),
        )),
        SubjectFormat::Immutable { .. } => out.push(info(
            "Trust pinned to the repository's numeric ids",
            "The immutable sub names the owner and repository by id as well as by name: a repository deleted and re-created under the same name gets a new id and cannot assume the role.",
        )),
        SubjectFormat::Both { .. } => out.push(warning(
            "Both sub formats trusted: drop the legacy one after switching",
            format!(
                "A repository emits one format at a time, so trusting both is only for the switch. Once gh api repos/{repo}/actions/oidc/customization/sub shows use_immutable_subject: true and a deploy worked, set subject_format to \"immutable\" and re-run setup.sh."
            ),
        )),
    }
    out.push(info(
        "Owner and repository names are compared exactly",
        format!(
            "IAM compares the sub with StringEquals, and GitHub writes the owner and repository with their capitals as shown on GitHub. Type {repo} exactly so."
        ),
    ));
    out.push(info(
        "No long-lived AWS keys",
        "The workflow gets one-hour credentials through OIDC; there are no access keys to store, rotate or leak. Fork pull requests cannot get an OIDC token, and the workflow has no pull_request trigger.",
    ));
    let mut least_privilege = format!(
        "The deploy role can push only to the ECR repository {}, update only the service {}, tag only the {} task definitions, and pass only the roles {} and {}, only to ECS tasks. Only ecr:GetAuthorizationToken and ecs:RegisterTaskDefinition apply to \"*\": AWS cannot scope them.",
        names.ecr_repository,
        names.service,
        names.task_family,
        names.execution_role,
        names.task_role
    );
    if config.ingress.load_balancer().is_some() {
        least_privilege.push_str(" The load balancer adds no permission: the pinned deploy action calls only ECS (RegisterTaskDefinition, UpdateService, DescribeServices), and ECS registers the new tasks in the target group through its own service-linked role.");
    }
    if config.autoscaling.is_some() {
        least_privilege.push_str(" The step that reads autoscaling's task count uses ecs:DescribeServices on that one service, which the deploy's wait needs anyway.");
    }
    out.push(info("Least-privilege deploy role", least_privilege));
    out.push(info(
        format!("Setup and teardown touch only what Keyless created for {}", config.app_name),
        format!(
            "Everything setup.sh creates is tagged managed-by=keyless and keyless-app={app}: if a role, repository, log group, cluster, service, task definition family or security group of the same name exists without those tags, setup changes nothing and lists it (pick another app name, or rerun with --adopt to take it over), and teardown.sh deletes only what carries them.",
            app = config.app_name
        ),
    ));
    out.push(info(
        "Actions pinned to commits",
        "Every action in the workflow is pinned to a full commit SHA, so a moved tag cannot change what runs with your AWS credentials. The token has id-token: write and contents: read only, and the checkout does not keep it.",
    ));
    out.push(info(
        "Immutable image tags",
        "Images are tagged with the commit SHA in an ECR repository whose tags cannot be overwritten, and scanned on push.",
    ));

    // Exposure.
    front_door(config, names, &mut out);
    if config.ingress.load_balancer().is_some() {
        // The tasks' port is open to the load balancer only (see front_door).
    } else if config.assign_public_ip {
        if config.security_groups.is_empty() {
            out.push(warning(
                format!("Port {} is open to the internet", config.container_port),
                format!(
                    "Each task gets a public IP, and the security group {} lets anyone reach port {} directly (no load balancer, no TLS). Fine for a demo; for production put an Application Load Balancer in front and open the port only to it.",
                    names.security_group, config.container_port
                ),
            ));
        } else {
            out.push(warning(
                "Tasks get public IP addresses",
                "Each task gets a public IPv4 address; your security groups decide what can reach it. A public IPv4 address also costs $0.005 per hour.",
            ));
        }
    }
    if !config.subnets.is_empty() && !config.assign_public_ip {
        out.push(warning(
            "Private subnets need a route to ECR",
            "Without public IPs, tasks reach ECR, CloudWatch Logs and (for secrets) SSM or Secrets Manager only through a NAT gateway or VPC endpoints in those subnets; otherwise they fail with CannotPullContainerError.",
        ));
    }
    if config.subnets.is_empty() && !config.security_groups.is_empty() {
        out.push(warning(
            "Security groups must be in the default VPC",
            "keyless.json names security groups but no subnets: the tasks run in the default VPC's subnets, so the security groups must belong to the default VPC.",
        ));
    }

    if config.ingress.load_balancer().is_some()
        && !config.subnets.is_empty()
        && !config.assign_public_ip
    {
        out.push(warning(
            "The load balancer needs public subnets",
            "The internet-facing load balancer is placed in the subnets of keyless.json, one per Availability Zone: they must route to an internet gateway, or nobody reaches it, while tasks without public IPs need a NAT gateway or VPC endpoints. Give public subnets, or keep the tasks' public IPs (only the load balancer can reach them).",
        ));
    }

    // Reliability.
    match (&config.health_check_command, config.starter) {
        (None, None) => out.push(note(
            "No container health check",
            "ECS only knows whether the process runs. With a health check command, a deploy whose app starts but does not answer is rolled back by the circuit breaker.",
        )),
        (None, Some(starter)) => out.push(info(
            "The starter's image runs its own health check",
            format!(
                "The task definition checks {} with {}, which the {} starter's image contains.",
                starter.health_path(),
                if matches!(starter, crate::starter::Starter::Node | crate::starter::Starter::Python) { "its own runtime" } else { "BusyBox's wget" },
                starter.key()
            ),
        )),
        (Some(_), _) => out.push(note(
            "The image must contain the health check's tools",
            format!(
                "ECS runs the health check command inside the container (after a {}-second start period); if the image lacks curl or wget, every task is marked unhealthy.",
                crate::ecs::HEALTH_CHECK_START_PERIOD
            ),
        )),
    }
    if config.use_spot {
        out.push(warning(
            "Fargate Spot tasks can be stopped at any time",
            format!(
                "AWS may reclaim Spot capacity with a two-minute warning. With {} task(s), the app is down until ECS places a replacement; keep at least two tasks, or use on-demand Fargate for anything that must stay up.",
                config.desired_count
            ),
        ));
    }
    if let Some(scaling) = &config.autoscaling {
        out.push(info(
            format!(
                "Autoscaling from {} to {} tasks",
                scaling.min_count, scaling.max_count
            ),
            format!(
                "Application Auto Scaling keeps the service's average CPU near {}%, adding tasks within a minute of a rise and removing them after five calm minutes. Each deploy keeps the count it chose (at least {}), instead of resetting it.",
                scaling.cpu_target_percent, scaling.min_count
            ),
        ));
    }
    if config.desired_count == 0 {
        out.push(warning(
            "Desired count 0: nothing runs",
            "Each deploy registers the new task definition but starts no task.",
        ));
    }
    if config.architecture == Architecture::Arm64 {
        out.push(info(
            "ARM64 images build on GitHub's arm64 runner",
            "The workflow runs on ubuntu-24.04-arm so the image builds natively for linux/arm64. If that runner is not available to your repository, set runs-on to an arm64 runner you have, or to ubuntu-24.04 with QEMU set up before Buildx.",
        ));
    }

    // Secrets and variables.
    if !config.secrets.is_empty() {
        out.push(info(
            "Secrets readable by the execution role only",
            format!(
                "The task execution role may read exactly {} parameter(s) or secret(s). If one is encrypted with a customer-managed KMS key, also allow kms:Decrypt on that key for {}.",
                config.secrets.len(),
                names.execution_role
            ),
        ));
        let own_account = format!(":{}:", config.account_id);
        let foreign: Vec<&str> = config
            .secrets
            .iter()
            .filter(|(_, s)| !s.resource_arn.contains(&own_account))
            .map(|(name, _)| name.as_str())
            .collect();
        if !foreign.is_empty() {
            out.push(warning(
                "Secrets from another account",
                format!(
                    "{} come(s) from another AWS account: that account must share it (a resource policy on the secret, and on its KMS key).",
                    foreign.join(", ")
                ),
            ));
        }
    }
    let secret_like: Vec<&str> = config
        .environment_variables
        .keys()
        .filter(|name| {
            let upper = name.to_ascii_uppercase();
            [
                "SECRET",
                "PASSWORD",
                "PASSWD",
                "TOKEN",
                "PRIVATE_KEY",
                "API_KEY",
                "CREDENTIAL",
            ]
            .iter()
            .any(|word| upper.contains(word))
        })
        .map(String::as_str)
        .collect();
    if !secret_like.is_empty() {
        out.push(warning(
            "Variables that look like secrets",
            format!(
                "{} would be stored in plain text in the task definition and in keyless.json. Put them in SSM Parameter Store or Secrets Manager and list them under secrets.",
                secret_like.join(", ")
            ),
        ));
    }

    // Defense in depth: generated policies must lint clean (validation makes them so).
    let deploy_role = &plan.deploy_role;
    for policy in [&deploy_role.trust, &deploy_role.inline_policies[0].1] {
        for problem in iam::lint(policy, names) {
            out.push(warning("Policy lint", problem));
        }
    }

    crate::sorted_map::sort_small_by_key(&mut out, |f| std::cmp::Reverse(f.severity));
    out
}

/// How people reach the app: a load balancer's TLS, or the demo warning's
/// way out.
fn front_door(config: &ValidConfig, names: &Names, out: &mut Vec<Finding>) {
    let Some(lb) = config.ingress.load_balancer() else {
        return;
    };
    out.push(info(
        format!("Only the load balancer reaches port {}", config.container_port),
        format!(
            "The security group {} opens port {} to the load balancer's group {} only; the load balancer takes {} from anywhere. The target group checks {} every 10 s.",
            names.security_group,
            config.container_port,
            names.load_balancer_security_group,
            if lb.tls.is_https() {
                "ports 80 and 443"
            } else {
                "port 80"
            },
            lb.health_check_path
        ),
    ));
    match &lb.tls {
        Tls::None => out.push(warning(
            "Plain HTTP: nothing is encrypted",
            "Without a domain name or a certificate, the load balancer serves HTTP on port 80 at its own AWS name: passwords, cookies and data cross the internet readable by anyone on the way, and browsers mark the site not secure. ACM cannot issue a certificate for the load balancer's *.elb.amazonaws.com name; give a domain_name you control and setup requests a free one.",
        )),
        Tls::RequestFor(domain) => out.push(info(
            format!("HTTPS on {domain}, with a free ACM certificate"),
            format!(
                "setup.sh requests the certificate and prints the DNS record that proves you control {domain}; until it exists, setup stops before the listeners and the service and exits 0: add the record and run it again. Port 80 redirects to HTTPS; TLS 1.2 and 1.3 only ({}). ACM renews the certificate as long as the record stays.",
                crate::plan::SSL_POLICY
            ),
        )),
        Tls::Existing(_) => out.push(info(
            "HTTPS with your certificate",
            format!(
                "The listener on 443 uses the certificate of keyless.json (setup checks that it is issued, in {}); port 80 redirects to HTTPS; TLS 1.2 and 1.3 only ({}).",
                config.region,
                crate::plan::SSL_POLICY
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn of(config: &ValidConfig) -> Vec<Finding> {
        findings(config, &crate::plan::plan(config))
    }

    fn raw() -> RawConfig {
        RawConfig {
            account_id: "012345678901".into(),
            region: "eu-west-1".into(),
            ..RawConfig::example()
        }
    }

    #[test]
    fn defaults_warn_about_public_port_and_note_the_sub_format_check() {
        let found = of(&raw().validate().unwrap());
        // The legacy format is the default and usually right: a check to do, not a warning.
        let sub = found
            .iter()
            .find(|f| f.title == "Check which sub format your repository emits")
            .unwrap();
        assert_eq!(sub.severity, Severity::Note);
        assert!(sub
            .detail
            .starts_with("Run gh api repos/octo-org/octo-app/actions/oidc/customization/sub"));
        assert!(found
            .iter()
            .any(|f| f.title == "Trust limited to octo-org/octo-app on branch main"));
        assert!(found
            .iter()
            .any(|f| f.severity == Severity::Warning && f.title.contains("8080")));
        assert!(!found.iter().any(|f| f.title == "Policy lint"));
        assert!(found.iter().any(|f| f.title
            == "Setup and teardown touch only what Keyless created for octo-app"
            && f.detail.contains("keyless-app=octo-app")
            && f.detail.contains("--adopt")));
        // Warnings first.
        let first_info = found
            .iter()
            .position(|f| f.severity == Severity::Info)
            .unwrap();
        assert!(found[first_info..]
            .iter()
            .all(|f| f.severity == Severity::Info));
    }

    #[test]
    fn environment_and_secret_like_variables_warn() {
        let config = RawConfig {
            environment: "production".into(),
            environment_variables: vec![("DB_PASSWORD".into(), "x".into())],
            ..raw()
        }
        .validate()
        .unwrap();
        let titles: Vec<String> = of(&config).into_iter().map(|f| f.title).collect();
        assert!(titles
            .iter()
            .any(|t| t.contains("Any branch can use environment production")));
        assert!(titles
            .iter()
            .any(|t| t == "Variables that look like secrets"));
    }

    #[test]
    fn a_load_balancer_replaces_the_open_port_warning() {
        let lb = |domain: &str| {
            of(&RawConfig {
                ingress: "load_balancer".into(),
                domain_name: domain.into(),
                ..raw()
            }
            .validate()
            .unwrap())
        };
        let https = lb("app.example.com");
        assert!(!https
            .iter()
            .any(|f| f.title.contains("open to the internet")));
        assert!(https
            .iter()
            .any(|f| f.title == "Only the load balancer reaches port 8080"));
        assert!(https
            .iter()
            .any(|f| f.title.starts_with("HTTPS on app.example.com")));
        assert!(https
            .iter()
            .any(|f| f.title == "Least-privilege deploy role"
                && f.detail.contains("adds no permission")));
        let http = lb("");
        assert!(http
            .iter()
            .any(|f| f.severity == Severity::Warning
                && f.title == "Plain HTTP: nothing is encrypted"));
    }
}
