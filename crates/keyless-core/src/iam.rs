//! IAM policy documents as typed serde structs: the deploy role's trust and
//! permissions (domain.md §1–3), the trusts of the two ECS task roles, and the
//! execution role's policy for secrets. [`lint`] checks any of them for values
//! that would admit more than intended.

use crate::sorted_map::{sort_small_by_key, SortedMap};

use serde::Serialize;

use crate::config::{SecretKind, ValidConfig};
use crate::names::{Names, ECS_TASKS_SERVICE, GITHUB_OIDC_HOST, STS_AUDIENCE};

/// The IAM policy language version.
pub const POLICY_VERSION: &str = "2012-10-17";

/// Actions AWS cannot scope to a resource; the only ones Keyless grants on `*`
/// (domain.md §3; aws/containers-roadmap #929 for RegisterTaskDefinition).
pub const UNSCOPABLE_ACTIONS: [&str; 2] =
    ["ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition"];

/// What the deploy job does with its image in ECR: push, and read back layers.
pub const ECR_PUSH_ACTIONS: [&str; 7] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
];

/// An IAM policy document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// Always [`POLICY_VERSION`].
    pub version: &'static str,
    /// The statements.
    pub statement: Vec<Statement>,
}

/// Condition operator → condition key → allowed values.
pub type Conditions = SortedMap<&'static str, SortedMap<String, Vec<String>>>;

/// One statement of a policy document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    /// A human-readable statement id.
    pub sid: &'static str,
    /// Always `Allow` in what Keyless generates.
    pub effect: &'static str,
    /// Who may act (trust policies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// The actions allowed.
    pub action: Vec<&'static str>,
    /// The resources (permissions policies only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Vec<String>>,
    /// Operator → condition key → allowed values.
    #[serde(skip_serializing_if = "SortedMap::is_empty")]
    pub condition: Conditions,
}

/// The principal of a trust policy statement: an OIDC provider or an AWS service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Principal {
    /// The OIDC provider ARN (web identity federation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub federated: Option<String>,
    /// A service principal such as `ecs-tasks.amazonaws.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

fn condition(operator: &'static str, key: &str, values: Vec<String>) -> Conditions {
    SortedMap::from([(operator, SortedMap::from([(key.to_string(), values)]))])
}

fn allow(sid: &'static str, action: &[&'static str], resource: Vec<String>) -> Statement {
    Statement {
        sid,
        effect: "Allow",
        principal: None,
        action: action.to_vec(),
        resource: Some(resource),
        condition: Conditions::new(),
    }
}

/// The trust policy of the deploy role: only GitHub's OIDC tokens with the STS
/// audience whose `sub` is exactly one of [`Names::subjects`] — this repository,
/// on this branch or in this environment (domain.md §1–2). `StringEquals` only,
/// never `StringLike` or `ForAllValues:`.
pub fn trust_policy(names: &Names) -> PolicyDocument {
    let mut string_equals = SortedMap::new();
    string_equals.insert(
        format!("{GITHUB_OIDC_HOST}:aud"),
        vec![STS_AUDIENCE.to_string()],
    );
    string_equals.insert(format!("{GITHUB_OIDC_HOST}:sub"), names.subjects.clone());
    PolicyDocument {
        version: POLICY_VERSION,
        statement: vec![Statement {
            sid: "GitHubActionsDeploy",
            effect: "Allow",
            principal: Some(Principal {
                federated: Some(names.oidc_provider_arn.clone()),
                service: None,
            }),
            action: vec!["sts:AssumeRoleWithWebIdentity"],
            resource: None,
            condition: SortedMap::from([("StringEquals", string_equals)]),
        }],
    }
}

/// The least-privilege permissions of the deploy role (domain.md §3): log in to
/// ECR, push to this one repository, register task definitions, tag this
/// family's revisions, update and watch this one service, and pass exactly the
/// execution and task roles, only to ECS tasks.
pub fn permissions_policy(names: &Names) -> PolicyDocument {
    let mut pass_role = allow(
        "PassTaskRolesToEcsTasks",
        &["iam:PassRole"],
        vec![
            names.execution_role_arn.clone(),
            names.task_role_arn.clone(),
        ],
    );
    pass_role.condition = condition(
        "StringEquals",
        "iam:PassedToService",
        vec![ECS_TASKS_SERVICE.to_string()],
    );
    PolicyDocument {
        version: POLICY_VERSION,
        statement: vec![
            allow("EcrLogin", &["ecr:GetAuthorizationToken"], vec!["*".into()]),
            allow(
                "EcrPushToAppRepository",
                &ECR_PUSH_ACTIONS,
                vec![names.ecr_repository_arn.clone()],
            ),
            allow(
                "RegisterTaskDefinition",
                &["ecs:RegisterTaskDefinition"],
                vec!["*".into()],
            ),
            allow(
                "TagAppTaskDefinitions",
                &["ecs:TagResource"],
                vec![names.task_definition_revisions_arn.clone()],
            ),
            allow(
                "DeployAppService",
                &["ecs:DescribeServices", "ecs:UpdateService"],
                vec![names.service_arn.clone()],
            ),
            pass_role,
        ],
    }
}

/// Trust policy of the task execution role: ECS tasks may assume it.
pub fn execution_role_trust_policy() -> PolicyDocument {
    ecs_tasks_trust(None)
}

/// Trust policy of the task role: ECS tasks of this account only
/// (`aws:SourceAccount`, against the confused deputy problem).
pub fn task_role_trust_policy(config: &ValidConfig) -> PolicyDocument {
    ecs_tasks_trust(Some(config.account_id.clone()))
}

fn ecs_tasks_trust(source_account: Option<String>) -> PolicyDocument {
    PolicyDocument {
        version: POLICY_VERSION,
        statement: vec![Statement {
            sid: "EcsTasksAssumeRole",
            effect: "Allow",
            principal: Some(Principal {
                federated: None,
                service: Some(ECS_TASKS_SERVICE.to_string()),
            }),
            action: vec!["sts:AssumeRole"],
            resource: None,
            condition: source_account
                .map(|account| condition("StringEquals", "aws:SourceAccount", vec![account]))
                .unwrap_or_default(),
        }],
    }
}

/// The execution role's inline policy for the container's secrets: read exactly
/// the listed SSM parameters and Secrets Manager secrets. `None` without secrets.
pub fn secrets_policy(config: &ValidConfig) -> Option<PolicyDocument> {
    let arns = |kind: SecretKind| -> Vec<String> {
        let mut arns: Vec<String> = config
            .secrets
            .values()
            .filter(|s| s.kind == kind)
            .map(|s| s.resource_arn.clone())
            .collect();
        sort_small_by_key(&mut arns, |arn| arn.clone());
        arns.dedup();
        arns
    };
    let mut statement = Vec::new();
    let ssm = arns(SecretKind::SsmParameter);
    if !ssm.is_empty() {
        statement.push(allow("ReadAppParameters", &["ssm:GetParameters"], ssm));
    }
    let secrets = arns(SecretKind::SecretsManager);
    if !secrets.is_empty() {
        statement.push(allow(
            "ReadAppSecrets",
            &["secretsmanager:GetSecretValue"],
            secrets,
        ));
    }
    (!statement.is_empty()).then_some(PolicyDocument {
        version: POLICY_VERSION,
        statement,
    })
}

/// Every value of a policy that would admit more than intended, in words:
/// a `sub` that is not one exact subject, a wildcard action, a `*` resource for
/// an action AWS can scope, any other wildcard resource except the family's
/// revisions, `iam:PassRole` without `iam:PassedToService`, and set operators
/// (`ForAllValues:` is true when the claim is absent). Empty means clean.
pub fn lint(policy: &PolicyDocument, names: &Names) -> Vec<String> {
    let mut problems = Vec::new();
    for statement in &policy.statement {
        let sid = statement.sid;
        if statement.effect != "Allow" {
            continue;
        }
        for operator in statement.condition.keys() {
            if operator.contains(':') || operator.starts_with("StringLike") {
                problems.push(format!(
                    "{sid}: operator {operator} admits more than exact values"
                ));
            }
        }
        for action in &statement.action {
            if action.contains(['*', '?']) {
                problems.push(format!("{sid}: wildcard action {action}"));
            }
        }
        if let Some(principal) = &statement.principal {
            lint_trust(statement, principal, names, &mut problems);
        }
        for resource in statement.resource.iter().flatten() {
            if resource == "*" {
                for action in &statement.action {
                    if !UNSCOPABLE_ACTIONS.contains(action) {
                        problems.push(format!(
                            "{sid}: {action} on \"*\" although it can be scoped"
                        ));
                    }
                }
            } else if resource.contains(['*', '?'])
                && *resource != names.task_definition_revisions_arn
            {
                problems.push(format!("{sid}: wildcard resource {resource}"));
            }
        }
        if statement.action.contains(&"iam:PassRole") {
            let passed_to = statement
                .condition
                .get("StringEquals")
                .and_then(|c| c.get("iam:PassedToService"));
            if passed_to != Some(&vec![ECS_TASKS_SERVICE.to_string()]) {
                problems.push(format!(
                    "{sid}: iam:PassRole without iam:PassedToService = {ECS_TASKS_SERVICE}"
                ));
            }
            for resource in statement.resource.iter().flatten() {
                if *resource != names.execution_role_arn && *resource != names.task_role_arn {
                    problems.push(format!(
                        "{sid}: passes a role other than the task roles: {resource}"
                    ));
                }
            }
        }
    }
    problems
}

fn lint_trust(
    statement: &Statement,
    principal: &Principal,
    names: &Names,
    problems: &mut Vec<String>,
) {
    let sid = statement.sid;
    let Some(provider) = &principal.federated else {
        return;
    };
    if *provider != names.oidc_provider_arn {
        problems.push(format!(
            "{sid}: trusts provider {provider}, not this account's GitHub provider"
        ));
    }
    let exact = statement.condition.get("StringEquals");
    let aud = exact.and_then(|c| c.get(&format!("{GITHUB_OIDC_HOST}:aud")));
    if aud != Some(&vec![STS_AUDIENCE.to_string()]) {
        problems.push(format!(
            "{sid}: the audience must be exactly {STS_AUDIENCE}"
        ));
    }
    match exact.and_then(|c| c.get(&format!("{GITHUB_OIDC_HOST}:sub"))) {
        None => problems.push(format!(
            "{sid}: no exact sub condition: every GitHub repository could assume the role"
        )),
        Some(subjects) if subjects.is_empty() => problems.push(format!("{sid}: empty sub list")),
        Some(subjects) => {
            for sub in subjects {
                if !sub.starts_with("repo:") || sub.contains(['*', '?']) {
                    problems.push(format!(
                        "{sid}: sub {sub:?} is not one exact repository subject"
                    ));
                }
                let parts: Vec<&str> = sub.splitn(3, ':').collect();
                let scoped = parts.len() == 3
                    && parts[1]
                        .split_once('/')
                        .is_some_and(|(o, r)| !o.is_empty() && !r.is_empty())
                    && (parts[2].starts_with("ref:refs/heads/")
                        || parts[2].starts_with("environment:"));
                if !scoped {
                    problems.push(format!("{sid}: sub {sub:?} does not name one owner, repository and branch or environment"));
                }
                if !names.subjects.contains(sub) {
                    problems.push(format!(
                        "{sid}: sub {sub:?} is not the deploy job's subject"
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::config::RawConfig;

    fn to_value(policy: &PolicyDocument) -> Value {
        serde_json::from_str(&crate::bundle::pretty_json(policy)).unwrap()
    }

    fn raw() -> RawConfig {
        RawConfig {
            account_id: "012345678901".into(),
            region: "eu-west-1".into(),
            ..RawConfig::example()
        }
    }

    #[test]
    fn trust_policy_pins_repository_and_branch() {
        assert_eq!(
            to_value(&trust_policy(&Names::new(&raw().validate().unwrap()))),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "GitHubActionsDeploy",
                    "Effect": "Allow",
                    "Principal": {"Federated": "arn:aws:iam::012345678901:oidc-provider/token.actions.githubusercontent.com"},
                    "Action": ["sts:AssumeRoleWithWebIdentity"],
                    "Condition": {"StringEquals": {
                        "token.actions.githubusercontent.com:aud": ["sts.amazonaws.com"],
                        "token.actions.githubusercontent.com:sub": ["repo:octo-org/octo-app:ref:refs/heads/main"]
                    }}
                }]
            })
        );
    }

    #[test]
    fn environment_replaces_branch_in_subject() {
        let config = RawConfig {
            environment: "production".into(),
            branch: "release".into(),
            ..raw()
        }
        .validate()
        .unwrap();
        assert_eq!(
            to_value(&trust_policy(&Names::new(&config)))["Statement"][0]["Condition"]
                ["StringEquals"]["token.actions.githubusercontent.com:sub"],
            json!(["repo:octo-org/octo-app:environment:production"])
        );
    }

    #[test]
    fn generated_policies_are_lint_clean() {
        let config = RawConfig {
            secrets: vec![
                ("A".into(), "/octo/a".into()),
                (
                    "B".into(),
                    "arn:aws:secretsmanager:eu-west-1:012345678901:secret:b-AbC123".into(),
                ),
            ],
            ..raw()
        }
        .validate()
        .unwrap();
        let names = Names::new(&config);
        for policy in [
            trust_policy(&names),
            permissions_policy(&names),
            execution_role_trust_policy(),
            task_role_trust_policy(&config),
            secrets_policy(&config).unwrap(),
        ] {
            assert_eq!(lint(&policy, &names), Vec::<String>::new(), "{policy:?}");
        }
    }

    #[test]
    fn lint_catches_what_iam_lets_through() {
        let config = raw().validate().unwrap();
        let names = Names::new(&config);
        let mut trust = trust_policy(&names);
        let sub = trust.statement[0]
            .condition
            .get_mut("StringEquals")
            .unwrap()
            .get_mut(&format!("{GITHUB_OIDC_HOST}:sub"))
            .unwrap();
        // IAM only rejects an unscoped sub in first position (domain.md §2).
        sub.push("repo:octo-org/*".into());
        sub.push("repo:*".into());
        assert_eq!(lint(&trust, &names).len(), 6, "{:?}", lint(&trust, &names));

        let mut permissions = permissions_policy(&names);
        permissions.statement[1].resource = Some(vec!["*".into()]);
        permissions.statement[5].condition.clear();
        permissions.statement.push(allow(
            "Bad",
            &["ecs:*"],
            vec!["arn:aws:ecs:eu-west-1:012345678901:service/*".into()],
        ));
        let problems = lint(&permissions, &names);
        assert!(
            problems.iter().any(|p| p.contains("ecr:PutImage on \"*\"")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("PassedToService")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("wildcard action")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("wildcard resource")),
            "{problems:?}"
        );
    }

    #[test]
    fn no_secrets_no_policy() {
        assert_eq!(secrets_policy(&raw().validate().unwrap()), None);
    }
}
