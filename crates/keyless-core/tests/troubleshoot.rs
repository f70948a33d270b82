//! The troubleshooter over every fixture config:
//!
//! - each realistic error message below (as AWS, GitHub, Docker, curl or a
//!   browser print it) finds its entry first, whatever the config, and every
//!   error text of every entry occurs in one of its entry's messages;
//! - an error text that belongs to one entry only finds it first even pasted
//!   alone;
//! - every placeholder is filled (no `{` or `}` left) in every entry, and every
//!   regional `aws` call names the config's region;
//! - the causes and fixes name the config's real names, read back from the
//!   generated files (workflow, task definition, trust policy, setup.sh,
//!   keyless.json), not from `names.rs`;
//! - which entries apply follows the config; an empty paste lists exactly
//!   those, and an entry that does not apply is found by its error text only.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeSet;

use keyless_core::bundle::{CONFIG_PATH, TASK_DEFINITION_PATH, TRUST_POLICY_PATH, WORKFLOW_PATH};
use keyless_core::config::parse_config_json;
use keyless_core::troubleshoot::{
    entries, entry, matching, normalise, search, Entry, WORD_MATCHES_SHOWN,
};
use keyless_core::{generate, Bundle, ValidConfig};
use serde_json::Value;

/// `(entry id, a message as users paste it)`. Account, names and ids are
/// those of the example config; they do not matter to the ranking.
const PASTES: &[(&str, &str)] = &[
    ("oidc-no-token", "Run aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c\nIt looks like you might be trying to authenticate with OIDC. Did you mean to set the `id-token` permission? If you are not trying to authenticate with OIDC and the action is working successfully, you can ignore this message.\nError: Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers"),
    ("oidc-no-token", "Error: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"),
    ("oidc-not-authorized", "Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity"),
    ("oidc-not-authorized", "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity"),
    ("oidc-not-authorized", "2026-09-14T10:02:11.5170000Z ##[error]Could not assume role with OIDC: Not authorized to perform\n  sts:AssumeRoleWithWebIdentity"),
    ("oidc-no-provider", "Error: Could not assume role with OIDC: No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com"),
    ("oidc-no-provider", "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com"),
    ("oidc-audience", "Error: Could not assume role with OIDC: Incorrect token audience"),
    ("oidc-audience", "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience"),
    ("ecr-registry-ids", "Error: 1 validation error detected: Value '[12345678901]' at 'registryIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 12, Member must have length greater than or equal to 12, Member must satisfy regular expression pattern: [0-9]{12}]"),
    ("ecr-repository-missing", "ERROR: failed to solve: failed to push 123456789012.dkr.ecr.us-east-1.amazonaws.com/octo-app:4f2c9b1e: name unknown: The repository with name 'octo-app' does not exist in the registry with id '123456789012'"),
    ("ecr-repository-missing", "An error occurred (RepositoryNotFoundException) when calling the DescribeImages operation: The repository with name 'octo-app' does not exist in the registry with id '123456789012'"),
    ("ecr-tag-exists", "ERROR: failed to solve: failed to push 123456789012.dkr.ecr.us-east-1.amazonaws.com/octo-app:4f2c9b1e0d: tag invalid: The image tag '4f2c9b1e0d' already exists in the 'octo-app' repository and cannot be overwritten because the repository is immutable."),
    ("ecr-tag-exists", "An error occurred (ImageTagAlreadyExistsException) when calling the PutImage operation: The image tag 'latest' already exists in the 'octo-app' repository and cannot be overwritten because the repository is immutable."),
    ("ecr-cache-400", "ERROR: failed to solve: error writing manifest blob: failed commit on ref \"sha256:9c1b6dd2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0\": unexpected status from PUT request to https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/octo-app/manifests/buildcache: 400 Bad Request"),
    ("render-container-name", "Error: Invalid task definition: Could not find container definition with matching name"),
    ("register-unexpected-key", "Error: Failed to register task definition in ECS: Unexpected key 'taskDefinition' found in params"),
    ("register-unexpected-key", "Parameter validation failed:\nUnknown parameter in input: \"taskDefinitionArn\", must be one of: family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions, volumes"),
    ("deploy-pass-role", "Error: Failed to register task definition in ECS: User: arn:aws:sts::123456789012:assumed-role/octo-app-github-deploy/github-octo-app is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/octo-app-task-execution because no identity-based policy allows the iam:PassRole action"),
    ("deploy-tag-resource", "Error: Failed to register task definition in ECS: User: arn:aws:sts::123456789012:assumed-role/octo-app-github-deploy/github-octo-app is not authorized to perform: ecs:TagResource on resource: arn:aws:ecs:us-east-1:123456789012:task-definition/octo-app:7 because no identity-based policy allows the ecs:TagResource action"),
    ("service-missing", "Error: arn:aws:ecs:us-east-1:123456789012:service/octo-app/octo-app is MISSING"),
    ("service-missing", "Error: Service is INACTIVE"),
    ("service-missing", "Error: Service is DRAINING"),
    ("service-missing", "An error occurred (ServiceNotFoundException) when calling the UpdateService operation: Service not found."),
    ("service-missing", "An error occurred (ClusterNotFoundException) when calling the DescribeServices operation: Cluster not found."),
    ("service-missing", "An error occurred (ServiceNotActiveException) when calling the UpdateService operation: Service was not ACTIVE."),
    ("image-platform", "Stopped reason: CannotPullContainerError: pull image manifest has been retried 5 time(s): image Manifest does not contain descriptor matching platform 'linux/amd64'"),
    ("image-platform", "exec /usr/local/bin/docker-entrypoint.sh: exec format error"),
    ("image-pull", "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/octo-app:awaiting-first-deploy: 123456789012.dkr.ecr.us-east-1.amazonaws.com/octo-app:awaiting-first-deploy: not found"),
    ("image-pull", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.94.1.10:443: i/o timeout. Please check your task network configuration."),
    ("image-pull", "ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed"),
    ("secrets", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::678901234567:assumed-role/orders-task-execution/0a1b2c3d is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-2:678901234567:secret:orders/session-AbC123 because no identity-based policy allows the secretsmanager:GetSecretValue action"),
    ("secrets", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /orders/prod/database-url"),
    ("secrets", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::678901234567:assumed-role/orders-task-execution/0a1b2c3d is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-2:678901234567:parameter/orders/prod/stripe-key"),
    ("secrets", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-2:678901234567:secret:orders/db-Xy9Z8w from secrets manager: AccessDeniedException: Access to KMS is not allowed. User is not authorized to perform: kms:Decrypt"),
    ("secrets", "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret orders/session from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret."),
    ("secrets", "An error occurred (ParameterNotFound) when calling the GetParameter operation: Parameter /orders/prod/database-url not found."),
    ("log-group", "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"),
    ("log-group", "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/octo-app-task-execution/0a1b is not authorized to perform: logs:CreateLogStream on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/octo-app:log-stream:ecs/octo-app/0a1b : exit status 1"),
    ("container-exits", "Stopped reason: Essential container in task exited\nContainer octo-app: Exit code: 137, reason: OutOfMemoryError: Container killed due to memory usage"),
    ("container-exits", "CannotStartContainerError: ResourceInitializationError: failed to create new container runtime task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"node\": executable file not found in $PATH: unknown"),
    ("container-health-check", "(service octo-app) (task 0a1b2c3d4e5f60718293a4b5c6d7e8f9) failed container health checks."),
    ("container-health-check", "Stopped reason: Task failed container health checks"),
    ("target-health-check", "(service octo-app) (port 8080) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/octo-app/6d0ecf831eec9f09) due to (reason Health checks failed with these codes: [404])."),
    ("target-health-check", "Stopped reason: Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/octo-app/6d0ecf831eec9f09)"),
    ("target-health-check", "10.0.1.23\tunhealthy\tTarget.ResponseCodeMismatch\tHealth checks failed with these codes: [401]"),
    ("target-health-check", "10.0.1.23\tunhealthy\tTarget.Timeout\tRequest timed out\n10.0.2.41\tunhealthy\tTarget.FailedHealthChecks\tHealth checks failed"),
    ("deploy-not-stable", "Deployment started. Watch this deployment's progress in the Amazon ECS console: https://console.aws.amazon.com/ecs/v2/clusters/octo-app/services/octo-app/events?region=us-east-1\nError: Resource is not in the state servicesStable"),
    ("deploy-not-stable", "Error: {\"state\":\"TIMEOUT\",\"reason\":\"Waiter has timed out\"}"),
    ("deploy-not-stable", "Waiter ServicesStable failed: Max attempts exceeded"),
    ("deploy-not-stable", "(service octo-app) (deployment ecs-svc/1234567890123456789) deployment failed: tasks failed to start.\n(service octo-app) rolling back to deployment ecs-svc/9876543210987654321.\nECS Deployment Circuit Breaker was triggered"),
    ("certificate-pending", "The certificate for app.example.com waits for its DNS validation. Add this record\nwhere the DNS of app.example.com is served (keep it: ACM renews with it):"),
    ("certificate-pending", "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666\tapp.example.com\tPENDING_VALIDATION"),
    ("certificate-pending", "Status: Pending validation"),
    ("certificate-pending", "error: the certificate arn:aws:acm:us-east-1:123456789012:certificate/0a1b is VALIDATION_TIMED_OUT: delete it"),
    ("certificate-pending", "An error occurred (UnsupportedCertificate) when calling the CreateListener operation: The certificate 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b' must have a fully-qualified domain name, a supported signature, and a supported key size."),
    ("alb-5xx", "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n</body>\n</html>"),
    ("alb-5xx", "HTTP/2 503\nserver: awselb/2.0\ncontent-type: text/html\ncontent-length: 162"),
    ("alb-5xx", "HTTP/1.1 503 Service Temporarily Unavailable\nServer: awselb/2.0"),
    ("alb-5xx", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"),
    ("alb-5xx", "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>"),
    ("dns-not-pointing", "curl: (6) Could not resolve host: app.example.com"),
    ("dns-not-pointing", "This site can’t be reached. Check if there is a typo in app.example.com. DNS_PROBE_FINISHED_NXDOMAIN"),
    ("dns-not-pointing", "app.example.com’s server IP address could not be found. ERR_NAME_NOT_RESOLVED"),
    ("dns-not-pointing", "Your connection is not private. NET::ERR_CERT_COMMON_NAME_INVALID"),
    ("dns-not-pointing", "curl: (60) SSL: no alternative certificate subject name matches target host name 'octo-app-1234567890.us-east-1.elb.amazonaws.com'"),
    ("dns-not-pointing", "Warning: Potential Security Risk Ahead. Error code: SSL_ERROR_BAD_CERT_DOMAIN"),
];

struct Fixture {
    name: String,
    config: ValidConfig,
    bundle: Bundle,
}

fn fixtures() -> Vec<Fixture> {
    common::fixtures()
        .into_iter()
        .map(|(name, text)| {
            let config = parse_config_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let bundle = generate(&config);
            Fixture {
                name,
                config,
                bundle,
            }
        })
        .collect()
}

fn json(bundle: &Bundle, path: &str) -> Value {
    serde_json::from_str(bundle.file(path).unwrap()).unwrap()
}

/// Every text of an entry: title, cause, each step's text and code.
fn texts(entry: &Entry) -> Vec<&str> {
    let mut all = vec![entry.title, entry.cause.as_str()];
    for step in &entry.fix {
        all.push(&step.text);
        all.extend(step.code.as_deref());
    }
    all
}

/// Every line of every step's code.
fn code_lines(entry: &Entry) -> Vec<&str> {
    entry
        .fix
        .iter()
        .filter_map(|step| step.code.as_deref())
        .flat_map(str::lines)
        .collect()
}

fn entry_of(fixture: &Fixture, id: &str) -> Entry {
    entry(&fixture.config, id).unwrap_or_else(|| panic!("no entry {id}"))
}

fn has_code(entry: &Entry, code: &str) -> bool {
    code_lines(entry).iter().any(|line| line.contains(code))
}

#[test]
fn ids_are_unique_and_see_also_names_entries() {
    let config = &fixtures()[0].config;
    let all = entries(config);
    let ids: BTreeSet<&str> = all.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), all.len(), "duplicate ids");
    for e in &all {
        for other in e.see_also {
            assert!(
                ids.contains(other),
                "{}: see_also {other} is no entry",
                e.id
            );
            assert_ne!(other, &e.id, "{} names itself", e.id);
        }
        assert!(!e.errors.is_empty(), "{} has no error text", e.id);
        assert!(!e.fix.is_empty(), "{} has no fix", e.id);
    }
}

#[test]
fn every_paste_finds_its_entry_first_with_every_config() {
    let fixtures = fixtures();
    for fixture in &fixtures {
        for (id, paste) in PASTES {
            let found = matching(&fixture.config, paste);
            let first = found.first().map(|m| m.entry.id);
            assert_eq!(
                first,
                Some(*id),
                "{}: pasting {paste:?} ranks {:?}",
                fixture.name,
                found
                    .iter()
                    .take(4)
                    .map(|m| (m.entry.id, m.error_score, m.entry.applies, m.word_score))
                    .collect::<Vec<_>>()
            );
            assert!(!found[0].matched.is_empty(), "{id}: found by words only");
        }
    }
}

#[test]
fn every_error_text_is_in_a_paste_of_its_entry() {
    let config = &fixtures()[0].config;
    for e in entries(config) {
        for error in e.errors {
            let needle = normalise(error);
            assert!(
                PASTES
                    .iter()
                    .any(|(id, paste)| *id == e.id && normalise(paste).contains(&needle)),
                "{}: no paste of this entry contains {error:?}",
                e.id
            );
        }
    }
    let ids: BTreeSet<&str> = entries(config).iter().map(|e| e.id).collect();
    for (id, _) in PASTES {
        assert!(ids.contains(id), "paste for unknown entry {id}");
    }
}

#[test]
fn an_error_text_of_one_entry_alone_finds_it_first() {
    let fixtures = fixtures();
    let all = entries(&fixtures[0].config);
    for e in &all {
        for error in e.errors {
            let shared = all
                .iter()
                .any(|other| other.id != e.id && other.errors.contains(error));
            if shared {
                continue;
            }
            for fixture in &fixtures {
                let found = matching(&fixture.config, &format!("Error: {error}"));
                assert_eq!(
                    found.first().map(|m| m.entry.id),
                    Some(e.id),
                    "{}: {error:?} alone",
                    fixture.name
                );
            }
        }
    }
}

#[test]
fn every_placeholder_is_filled_for_every_fixture() {
    for fixture in fixtures() {
        for e in entries(&fixture.config) {
            for text in texts(&e) {
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{}: {}: unfilled placeholder in {text:?}",
                    fixture.name,
                    e.id
                );
                assert!(
                    !text.trim().is_empty(),
                    "{}: {}: empty text",
                    fixture.name,
                    e.id
                );
            }
        }
    }
}

/// `aws SERVICE ...` calls in a line, each with the rest of the line after it.
fn aws_calls(line: &str) -> Vec<(&str, &str)> {
    let mut calls = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("aws ") {
        let before = &rest[..at];
        let call = &rest[at + 4..];
        rest = call;
        if !(before.is_empty() || before.ends_with("$(") || before.ends_with(' ')) {
            continue;
        }
        let service = call.split(' ').next().unwrap_or("");
        calls.push((service, call));
    }
    calls
}

#[test]
fn every_regional_aws_call_names_the_region() {
    const GLOBAL: [&str; 3] = ["iam", "sts", "route53"];
    for fixture in fixtures() {
        let region = format!("--region {} ", fixture.config.region);
        for e in entries(&fixture.config) {
            for line in code_lines(&e) {
                for (service, call) in aws_calls(line) {
                    if GLOBAL.contains(&service) {
                        continue;
                    }
                    // The call's own arguments: up to a nested $( call, if any.
                    let own = call.split("$(").next().unwrap();
                    let own = own.split(')').next().unwrap();
                    assert!(
                        own.contains(&region),
                        "{}: {}: aws {service} without {region}: {line}",
                        fixture.name,
                        e.id
                    );
                }
            }
        }
    }
}

#[test]
fn the_credentials_entries_name_the_role_the_subjects_and_the_provider() {
    for fixture in fixtures() {
        let flow = common::yaml(fixture.bundle.file(WORKFLOW_PATH).unwrap()).unwrap();
        let credentials = flow["jobs"]["deploy"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|step| step["with"]["role-to-assume"].is_string())
            .unwrap();
        let role_arn = credentials["with"]["role-to-assume"].as_str().unwrap();
        let role = role_arn.rsplit('/').next().unwrap();
        let trust = json(&fixture.bundle, TRUST_POLICY_PATH);
        let statement = &trust["Statement"][0];
        let provider = statement["Principal"]["Federated"].as_str().unwrap();
        let subs = statement["Condition"]["StringEquals"]
            ["token.actions.githubusercontent.com:sub"]
            .as_array()
            .unwrap();

        let refused = entry_of(&fixture, "oidc-not-authorized");
        for sub in subs {
            assert!(
                refused.cause.contains(sub.as_str().unwrap()),
                "{}: the cause does not name {sub}",
                fixture.name
            );
        }
        assert!(
            has_code(
                &refused,
                &format!("aws iam update-assume-role-policy --role-name {role} --policy-document file://{TRUST_POLICY_PATH}")
            ),
            "{}",
            fixture.name
        );
        assert!(has_code(
            &refused,
            &format!("aws iam get-role --role-name {role} ")
        ));
        let keyless: Value = json(&fixture.bundle, CONFIG_PATH);
        let repository = format!(
            "{}/{}",
            keyless["github_owner"].as_str().unwrap(),
            keyless["github_repo"].as_str().unwrap()
        );
        assert!(has_code(
            &refused,
            &format!("gh api repos/{repository}/actions/oidc/customization/sub")
        ));
        match keyless["environment"].as_str() {
            Some(environment) => assert!(
                refused
                    .cause
                    .contains(&format!("environment: {environment}")),
                "{}",
                fixture.name
            ),
            None => assert!(refused.cause.contains(&format!(
                "a push to {}",
                keyless["branch"].as_str().unwrap()
            ))),
        }

        for id in ["oidc-no-provider", "oidc-audience"] {
            let e = entry_of(&fixture, id);
            assert!(e.cause.contains(provider), "{}: {id}", fixture.name);
        }
        let audience = entry_of(&fixture, "oidc-audience");
        assert!(has_code(
            &audience,
            &format!("--open-id-connect-provider-arn {provider} --client-id sts.amazonaws.com")
        ));
        assert!(entry_of(&fixture, "oidc-no-provider")
            .fix
            .iter()
            .any(|step| step.text.contains(role_arn)));
    }
}

#[test]
fn the_task_entries_name_the_log_group_cluster_service_and_platform() {
    for fixture in fixtures() {
        let task = json(&fixture.bundle, TASK_DEFINITION_PATH);
        let container = &task["containerDefinitions"][0];
        let options = &container["logConfiguration"]["options"];
        let log_group = options["awslogs-group"].as_str().unwrap();
        let region = options["awslogs-region"].as_str().unwrap();
        let flow = common::yaml(fixture.bundle.file(WORKFLOW_PATH).unwrap()).unwrap();
        let steps = flow["jobs"]["deploy"]["steps"].as_array().unwrap();
        let deploy = steps
            .iter()
            .find(|step| step["with"]["wait-for-minutes"].is_string())
            .unwrap();
        let (cluster, service) = (
            deploy["with"]["cluster"].as_str().unwrap(),
            deploy["with"]["service"].as_str().unwrap(),
        );
        let platform = steps
            .iter()
            .find_map(|step| step["with"]["platforms"].as_str())
            .unwrap();
        let container_name = container["name"].as_str().unwrap();
        let name = &fixture.name;

        let logs = entry_of(&fixture, "log-group");
        assert!(
            has_code(
                &logs,
                &format!("aws logs describe-log-groups --region {region} --log-group-name-prefix {log_group} ")
            ),
            "{name}"
        );
        let stuck = entry_of(&fixture, "deploy-not-stable");
        assert!(
            has_code(
                &stuck,
                &format!("aws ecs describe-services --region {region} --cluster {cluster} --services {service} ")
            ),
            "{name}"
        );
        assert!(has_code(
            &stuck,
            &format!("aws logs tail {log_group} --region {region}")
        ));
        assert!(stuck.cause.contains(&format!(
            "up to {} minutes",
            deploy["with"]["wait-for-minutes"].as_str().unwrap()
        )));
        let exits = entry_of(&fixture, "container-exits");
        assert!(exits
            .cause
            .contains(&format!("{} MiB", task["memory"].as_str().unwrap())));
        assert!(exits
            .cause
            .contains(&format!("ecs/{container_name}/TASK_ID")));
        let platform_entry = entry_of(&fixture, "image-platform");
        assert!(
            has_code(&platform_entry, &format!("platforms: \"{platform}\"")),
            "{name}"
        );
        assert!(platform_entry.cause.contains(&format!(
            "Tasks run on {} ({platform})",
            task["runtimePlatform"]["cpuArchitecture"].as_str().unwrap()
        )));
        let render = entry_of(&fixture, "render-container-name");
        assert!(has_code(
            &render,
            &format!("container-name: \"{container_name}\"")
        ));
        let image = container["image"].as_str().unwrap();
        assert!(
            entry_of(&fixture, "image-pull").cause.contains(image),
            "{name}: the bootstrap image {image}"
        );
        let pass_role = entry_of(&fixture, "deploy-pass-role");
        for key in ["executionRoleArn", "taskRoleArn"] {
            assert!(
                pass_role.cause.contains(task[key].as_str().unwrap()),
                "{name}: {key}"
            );
        }
        let family = task["family"].as_str().unwrap();
        assert!(has_code(
            &entry_of(&fixture, "deploy-tag-resource"),
            "jq -r .family"
        ));
        assert!(entry_of(&fixture, "deploy-tag-resource")
            .cause
            .contains(&format!("task-definition/{family}:*")));
    }
}

/// `readonly NAME='value'` of setup.sh.
fn setup_var(bundle: &Bundle, name: &str) -> Option<String> {
    let prefix = format!("readonly {name}='");
    bundle
        .file(keyless_core::bundle::SETUP_SCRIPT_PATH)
        .unwrap()
        .lines()
        .find_map(|line| {
            line.strip_prefix(&prefix)?
                .strip_suffix('\'')
                .map(str::to_owned)
        })
}

#[test]
fn the_load_balancer_entries_name_its_path_port_groups_and_domain() {
    let mut seen = BTreeSet::new();
    for fixture in fixtures() {
        let keyless: Value = json(&fixture.bundle, CONFIG_PATH);
        let has_lb = keyless["ingress"] == "load_balancer";
        let name = &fixture.name;
        let health = entry_of(&fixture, "target-health-check");
        let five = entry_of(&fixture, "alb-5xx");
        let certificate = entry_of(&fixture, "certificate-pending");
        let dns = entry_of(&fixture, "dns-not-pointing");
        assert_eq!(health.applies, has_lb, "{name}");
        assert_eq!(five.applies, has_lb, "{name}");
        assert_eq!(
            certificate.applies,
            keyless["domain_name"].is_string(),
            "{name}"
        );
        assert_eq!(
            dns.applies,
            keyless["domain_name"].is_string() || keyless["certificate_arn"].is_string(),
            "{name}"
        );
        if !has_lb {
            continue;
        }
        seen.insert("load balancer");
        let region = keyless["region"].as_str().unwrap();
        let port = keyless["container_port"].as_u64().unwrap();
        let path = keyless["health_check_path"].as_str().unwrap();
        let lb = setup_var(&fixture.bundle, "LOAD_BALANCER").unwrap();
        let service_group = setup_var(&fixture.bundle, "SECURITY_GROUP_NAME").unwrap();
        let lb_group = setup_var(&fixture.bundle, "LB_SECURITY_GROUP_NAME").unwrap();
        assert!(
            health
                .cause
                .contains(&format!("GET {path} to port {port} of each task")),
            "{name}: {}",
            health.cause
        );
        assert!(health.cause.contains(&service_group) && health.cause.contains(&lb_group));
        assert!(has_code(
            &health,
            &format!("describe-target-groups --region {region} --names {lb} ")
        ));
        assert!(has_code(
            &health,
            &format!("curl -i http://localhost:{port}{path}")
        ));
        assert!(has_code(
            &health,
            &format!("--filters Name=group-name,Values={service_group} ")
        ));
        assert!(five.cause.contains(&format!("target group {lb} ")));
        if let Some(domain) = keyless["domain_name"].as_str() {
            seen.insert("domain");
            assert!(certificate.cause.contains(domain));
            assert!(has_code(&certificate, &format!("dig +short CAA {domain}")));
            assert!(has_code(
                &certificate,
                &format!("CertificateSummaryList[?DomainName=='{domain}']")
            ));
            assert!(has_code(&dns, &format!("dig +short {domain}")));
            assert!(has_code(&dns, &format!("--names {lb} ")));
        }
        if let Some(arn) = keyless["certificate_arn"].as_str() {
            seen.insert("certificate");
            assert!(dns.cause.contains(arn), "{name}");
            assert!(has_code(&dns, &format!("--certificate-arn {arn} ")));
            assert!(certificate.cause.contains(arn));
        }
    }
    assert_eq!(
        seen.len(),
        3,
        "fixtures cover a load balancer, a domain and a certificate"
    );
}

#[test]
fn the_secrets_and_health_check_entries_follow_the_task_definition() {
    let mut seen = BTreeSet::new();
    for fixture in fixtures() {
        let task = json(&fixture.bundle, TASK_DEFINITION_PATH);
        let container = &task["containerDefinitions"][0];
        let name = &fixture.name;
        let secrets = entry_of(&fixture, "secrets");
        let value_froms: Vec<&str> = container["secrets"]
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|s| s["valueFrom"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(secrets.applies, !value_froms.is_empty(), "{name}");
        if !value_froms.is_empty() {
            seen.insert("secrets");
            let execution_role = task["executionRoleArn"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            assert!(secrets.cause.contains(execution_role));
            assert!(has_code(
                &secrets,
                &format!("aws iam get-role-policy --role-name {execution_role} --policy-name keyless-secrets")
            ));
            for value_from in value_froms {
                // A Secrets Manager valueFrom may end in :json-key:stage:version;
                // the secret's own ARN has seven parts.
                let arn: Vec<&str> = value_from.split(':').take(7).collect();
                let arn = arn.join(":");
                assert!(
                    secrets.cause.contains(&arn),
                    "{name}: {arn} not in the cause"
                );
                assert!(
                    code_lines(&secrets)
                        .iter()
                        .any(|line| line.contains(&format!("'{arn}'"))),
                    "{name}: no check of {arn}"
                );
            }
        }
        let check = entry_of(&fixture, "container-health-check");
        let command = container["healthCheck"]["command"][1].as_str();
        assert_eq!(check.applies, command.is_some(), "{name}");
        if let Some(command) = command {
            seen.insert("health check");
            assert!(check.cause.contains(command), "{name}");
            assert!(check.cause.contains(&format!(
                "{} s after the start",
                container["healthCheck"]["startPeriod"]
            )));
        }
    }
    assert_eq!(
        seen.len(),
        2,
        "fixtures cover secrets and a health check command"
    );
}

#[test]
fn the_texts_follow_the_config() {
    for fixture in fixtures() {
        let keyless: Value = json(&fixture.bundle, CONFIG_PATH);
        let account = keyless["account_id"].as_str().unwrap();
        let registry_ids = entry_of(&fixture, "ecr-registry-ids");
        assert!(has_code(
            &registry_ids,
            &format!("registries: \"{account}\"")
        ));
        assert_eq!(
            registry_ids.cause.contains("starts with 0"),
            account.starts_with('0'),
            "{}",
            fixture.name
        );
        let pull = entry_of(&fixture, "image-pull");
        assert_eq!(
            pull.cause.contains("no public IP"),
            keyless["assign_public_ip"] == false,
            "{}",
            fixture.name
        );
        if let Some(subnets) = keyless["subnets"].as_array().filter(|s| !s.is_empty()) {
            for subnet in subnets {
                assert!(
                    pull.cause.contains(subnet.as_str().unwrap()),
                    "{}",
                    fixture.name
                );
            }
        }
        let stuck = entry_of(&fixture, "deploy-not-stable");
        assert_eq!(
            stuck.cause.contains("Fargate Spot"),
            keyless["use_spot"] == true
        );
    }
}

#[test]
fn an_empty_paste_lists_exactly_the_applicable_entries_in_order() {
    for fixture in fixtures() {
        let all = entries(&fixture.config);
        let applicable: Vec<&str> = all.iter().filter(|e| e.applies).map(|e| e.id).collect();
        for paste in ["", "   ", "\n\t"] {
            let listed: Vec<&str> = matching(&fixture.config, paste)
                .iter()
                .map(|m| m.entry.id)
                .collect();
            assert_eq!(listed, applicable, "{}", fixture.name);
        }
    }
}

#[test]
fn an_entry_that_does_not_apply_is_found_by_its_error_text_only() {
    let fixtures = fixtures();
    let plain = fixtures.iter().find(|f| f.name == "defaults").unwrap();
    // Words alone: the load balancer's entries stay out without a load balancer.
    let words = matching(&plain.config, "load balancer target group health check");
    assert!(
        words.iter().all(|m| m.entry.applies),
        "{:?}",
        words.iter().map(|m| m.entry.id).collect::<Vec<_>>()
    );
    // Its error text: found first, marked as not applying, and saying why.
    let found = matching(&plain.config, "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/octo-app/6d0e)");
    assert_eq!(found[0].entry.id, "target-health-check");
    assert!(!found[0].entry.applies);
    assert!(found[0].entry.cause.contains("no load balancer"));
    let found = matching(&plain.config, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /octo/db");
    assert_eq!(found[0].entry.id, "secrets");
    assert!(!found[0].entry.applies);
    assert!(found[0].entry.cause.contains("keyless.json has no secrets"));
}

#[test]
fn words_alone_rank_the_entries_that_use_them() {
    let fixtures = fixtures();
    let with_lb = fixtures.iter().find(|f| f.name == "lb-domain").unwrap();
    let first = |text: &str| matching(&with_lb.config, text)[0].entry.id;
    assert_eq!(
        first("deploy stuck waiting for the service to be stable"),
        "deploy-not-stable"
    );
    assert_eq!(
        first("certificate validation dns record"),
        "certificate-pending"
    );
    assert_eq!(
        first("targets unhealthy behind the load balancer"),
        "target-health-check"
    );
    assert!(matching(&with_lb.config, "zzz qqq").is_empty());
}

#[test]
fn the_health_check_figures_are_the_generated_ones() {
    // The entries state the checks' timing in words; the generated files set it.
    for fixture in fixtures() {
        let name = &fixture.name;
        let keyless: Value = json(&fixture.bundle, CONFIG_PATH);
        if keyless["ingress"] == "load_balancer" {
            let setup = fixture
                .bundle
                .file(keyless_core::bundle::SETUP_SCRIPT_PATH)
                .unwrap();
            for option in [
                "'--health-check-interval-seconds' '10'",
                "'--health-check-timeout-seconds' '5'",
                "'--unhealthy-threshold-count' '3'",
                "'--matcher' 'HttpCode=200-399'",
            ] {
                assert!(setup.contains(option), "{name}: setup.sh has no {option}");
            }
            assert_eq!(
                setup_var(&fixture.bundle, "HEALTH_CHECK_GRACE").as_deref(),
                Some("60")
            );
            let cause = entry_of(&fixture, "target-health-check").cause;
            for words in [
                "every 10 s",
                "a 2xx or 3xx within 5 s",
                "after 3 failures",
                "60 s after its start",
            ] {
                assert!(cause.contains(words), "{name}: {words:?} not in {cause}");
            }
        }
        let task = json(&fixture.bundle, TASK_DEFINITION_PATH);
        let check = &task["containerDefinitions"][0]["healthCheck"];
        if check.is_object() {
            let cause = entry_of(&fixture, "container-health-check").cause;
            let words = format!(
                "every {} s ({} s per try); {} failures in a row, counted from {} s after the start",
                check["interval"], check["timeout"], check["retries"], check["startPeriod"]
            );
            assert!(cause.contains(&words), "{name}: {words:?} not in {cause}");
        }
    }
}

/// What the page and the CLI show: error matches only when an error text
/// matched, a few word matches otherwise, one entry for its id, everything
/// applicable for a blank paste.
#[test]
fn search_narrows_to_error_matches_or_a_few_word_matches() {
    for Fixture { name, config, .. } in fixtures() {
        for (id, pasted) in PASTES {
            let shown = search(&config, pasted);
            assert_eq!(shown[0].entry.id, *id, "{name}: {pasted}");
            assert!(shown.iter().all(|m| m.error_score > 0), "{name}: {id}");
            assert!(shown.len() < matching(&config, pasted).len() || shown.len() == 1);
        }
        let words = search(&config, "health check");
        assert!(
            !words.is_empty() && words.len() <= WORD_MATCHES_SHOWN,
            "{name}"
        );
        let by_id = search(&config, " log-group ");
        assert_eq!(by_id.len(), 1);
        assert_eq!(by_id[0].entry.id, "log-group");
        let blank: Vec<_> = search(&config, " \n")
            .into_iter()
            .map(|m| m.entry.id)
            .collect();
        let applicable: Vec<_> = entries(&config)
            .into_iter()
            .filter(|e| e.applies)
            .map(|e| e.id)
            .collect();
        assert_eq!(blank, applicable, "{name}");
    }
}
