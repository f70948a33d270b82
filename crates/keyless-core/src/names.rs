//! One source for every name and ARN: computed once from the config and read by
//! every artifact, so the policies, scripts, task definition and workflow never
//! disagree (domain.md §5: "one container-name constant", "trust `sub` and
//! workflow trigger/environment from one input").

use crate::config::{SubjectFormat, ValidConfig};

/// The OIDC issuer host of GitHub Actions (also the provider's name in IAM).
pub const GITHUB_OIDC_HOST: &str = "token.actions.githubusercontent.com";
/// The OIDC issuer URL, as `create-open-id-connect-provider --url` takes it.
pub const GITHUB_OIDC_URL: &str = "https://token.actions.githubusercontent.com";
/// The audience GitHub's token must carry for AWS STS.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";
/// The service principal of ECS tasks (trusts of the execution and task roles, `iam:PassedToService`).
pub const ECS_TASKS_SERVICE: &str = "ecs-tasks.amazonaws.com";
/// The AWS managed policy of the task execution role: ECR pull and awslogs.
pub const TASK_EXECUTION_MANAGED_POLICY_ARN: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

/// Suffix of the deploy role assumed by the workflow.
pub const DEPLOY_ROLE_SUFFIX: &str = "-github-deploy";
/// Suffix of the task execution role (image pull, logs, secrets).
pub const EXECUTION_ROLE_SUFFIX: &str = "-task-execution";
/// Suffix of the task role (the app's own AWS permissions; none by default).
pub const TASK_ROLE_SUFFIX: &str = "-task";
/// The longest role suffix: it bounds the app name (IAM role names have at most 64 characters).
pub const LONGEST_ROLE_SUFFIX: &str = EXECUTION_ROLE_SUFFIX;
/// Name of the deploy role's inline permissions policy.
pub const DEPLOY_POLICY_NAME: &str = "keyless-deploy";
/// Name of the execution role's inline policy for the container's secrets.
pub const SECRETS_POLICY_NAME: &str = "keyless-secrets";
/// `awslogs-stream-prefix` (required on Fargate): streams are `ecs/CONTAINER/TASK_ID`.
pub const LOG_STREAM_PREFIX: &str = "ecs";
/// Tag of the image the first task definition names. No such image is ever
/// pushed: the service starts with zero tasks, and the first workflow run
/// replaces the image with the one it built (see [`crate::script`]).
pub const BOOTSTRAP_IMAGE_TAG: &str = "awaiting-first-deploy";

/// Names and ARNs derived from one config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// The AWS account id.
    pub account_id: String,
    /// The AWS region code.
    pub region: String,
    /// ARN of the account's GitHub OIDC identity provider.
    pub oidc_provider_arn: String,
    /// The exact `sub` values the trust policy accepts: one, or two for `both`
    /// (legacy first). They match the workflow's trigger and environment.
    pub subjects: Vec<String>,
    /// ECR repository name.
    pub ecr_repository: String,
    /// ECR repository ARN.
    pub ecr_repository_arn: String,
    /// The account's private registry host, `ACCOUNT.dkr.ecr.REGION.amazonaws.com`.
    pub ecr_registry: String,
    /// `REGISTRY/REPOSITORY`, the image name without tag.
    pub image_repository_uri: String,
    /// The image the committed task definition names until the workflow renders a real one.
    pub bootstrap_image: String,
    /// ECS cluster name.
    pub cluster: String,
    /// ECS cluster ARN.
    pub cluster_arn: String,
    /// ECS service name.
    pub service: String,
    /// ECS service ARN (`service/CLUSTER/SERVICE`).
    pub service_arn: String,
    /// Task definition family.
    pub task_family: String,
    /// ARN of every revision of the family, `task-definition/FAMILY:*` (the only
    /// wildcard Keyless writes: a revision number is not known in advance).
    pub task_definition_revisions_arn: String,
    /// The container's name, shared by the task definition and the render step.
    pub container_name: String,
    /// CloudWatch Logs group, created by the setup script.
    pub log_group: String,
    /// Deploy role name.
    pub deploy_role: String,
    /// Deploy role ARN, the workflow's `role-to-assume`.
    pub deploy_role_arn: String,
    /// Task execution role name.
    pub execution_role: String,
    /// Task execution role ARN.
    pub execution_role_arn: String,
    /// Task role name.
    pub task_role: String,
    /// Task role ARN.
    pub task_role_arn: String,
    /// Security group the setup creates when the config names none.
    pub security_group: String,
    /// The load balancer's name, also its target group's: the app name with
    /// `_` as `-` (ELB names take letters, digits and hyphens only).
    pub load_balancer: String,
    /// The load balancer's security group (80 and 443 from anywhere).
    pub load_balancer_security_group: String,
    /// The service's id in Application Auto Scaling, `service/CLUSTER/SERVICE`.
    pub scalable_resource_id: String,
    /// The name of the service's target-tracking policy.
    pub scaling_policy: String,
    /// `role-session-name` of the workflow's credentials (shows in CloudTrail).
    pub role_session_name: String,
}

impl Names {
    /// Derives every name from the config.
    pub fn new(config: &ValidConfig) -> Self {
        let account = &config.account_id;
        let region = &config.region;
        let app = &config.app_name;
        let ecr_registry = format!("{account}.dkr.ecr.{region}.amazonaws.com");
        let image_repository_uri = format!("{ecr_registry}/{app}");
        let role_arn = |name: &str| format!("arn:aws:iam::{account}:role/{name}");
        let deploy_role = format!("{app}{DEPLOY_ROLE_SUFFIX}");
        let execution_role = format!("{app}{EXECUTION_ROLE_SUFFIX}");
        let task_role = format!("{app}{TASK_ROLE_SUFFIX}");
        Names {
            account_id: account.clone(),
            region: region.clone(),
            oidc_provider_arn: format!("arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"),
            subjects: subjects(config),
            ecr_repository: app.clone(),
            ecr_repository_arn: format!("arn:aws:ecr:{region}:{account}:repository/{app}"),
            bootstrap_image: format!("{image_repository_uri}:{BOOTSTRAP_IMAGE_TAG}"),
            ecr_registry,
            image_repository_uri,
            cluster: app.clone(),
            cluster_arn: format!("arn:aws:ecs:{region}:{account}:cluster/{app}"),
            service: app.clone(),
            service_arn: format!("arn:aws:ecs:{region}:{account}:service/{app}/{app}"),
            task_family: app.clone(),
            task_definition_revisions_arn: format!(
                "arn:aws:ecs:{region}:{account}:task-definition/{app}:*"
            ),
            container_name: app.clone(),
            log_group: format!("/ecs/{app}"),
            deploy_role_arn: role_arn(&deploy_role),
            execution_role_arn: role_arn(&execution_role),
            task_role_arn: role_arn(&task_role),
            deploy_role,
            execution_role,
            task_role,
            security_group: format!("{app}-service"),
            load_balancer: app.replace('_', "-"),
            load_balancer_security_group: format!("{app}-load-balancer"),
            scalable_resource_id: format!("service/{app}/{app}"),
            scaling_policy: format!("{app}-cpu-target"),
            role_session_name: format!("github-{app}"),
        }
    }
}

/// The exact `sub` claims of the deploy job's tokens (domain.md §2): the
/// repository in each form the config trusts, then the environment when the job
/// has one, else the branch ref.
pub fn subjects(config: &ValidConfig) -> Vec<String> {
    let (owner, repo) = (&config.github_owner, &config.github_repo);
    let branch_ref = format!("refs/heads/{}", config.branch);
    let context = match &config.environment {
        Some(env) => SubjectContext::Environment(env),
        None => SubjectContext::Ref(&branch_ref),
    };
    let ids = match config.subject_format {
        SubjectFormat::Legacy => vec![None],
        SubjectFormat::Immutable { owner_id, repo_id } => vec![Some((owner_id, repo_id))],
        SubjectFormat::Both { owner_id, repo_id } => vec![None, Some((owner_id, repo_id))],
    };
    ids.into_iter()
        .map(|ids| subject(owner, repo, ids, context))
        .collect()
}

/// What follows the repository in a job's `sub` (domain.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectContext<'a> {
    /// The job names an environment (it wins over any ref): `environment:NAME`.
    Environment(&'a str),
    /// A `pull_request` run without an environment: `pull_request`.
    PullRequest,
    /// Any other run without an environment: `ref:` and the full ref
    /// (`refs/heads/BRANCH`, `refs/tags/TAG`).
    Ref(&'a str),
}

/// The `sub` GitHub writes for a job, the one definition of its format
/// (domain.md §2): `repo:OWNER/REPO:CONTEXT`, or with `ids` (owner id,
/// repository id) the immutable `repo:OWNER@OWNER_ID/REPO@REPO_ID:CONTEXT`.
pub fn subject(
    owner: &str,
    repo: &str,
    ids: Option<(u64, u64)>,
    context: SubjectContext,
) -> String {
    let repository = match ids {
        None => format!("{owner}/{repo}"),
        Some((owner_id, repo_id)) => format!("{owner}@{owner_id}/{repo}@{repo_id}"),
    };
    match context {
        SubjectContext::Environment(env) => format!("repo:{repository}:environment:{env}"),
        SubjectContext::PullRequest => format!("repo:{repository}:pull_request"),
        SubjectContext::Ref(git_ref) => format!("repo:{repository}:ref:{git_ref}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn config(format: &str) -> ValidConfig {
        RawConfig {
            account_id: "012345678901".into(),
            region: "eu-west-1".into(),
            subject_format: format.into(),
            github_owner_id: "9919".into(),
            github_repo_id: "1296269".into(),
            ..RawConfig::example()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn subjects_per_format() {
        assert_eq!(
            subjects(&config("legacy")),
            ["repo:octo-org/octo-app:ref:refs/heads/main"]
        );
        assert_eq!(
            subjects(&config("immutable")),
            ["repo:octo-org@9919/octo-app@1296269:ref:refs/heads/main"]
        );
        assert_eq!(
            subjects(&config("both")),
            [
                "repo:octo-org/octo-app:ref:refs/heads/main",
                "repo:octo-org@9919/octo-app@1296269:ref:refs/heads/main"
            ]
        );
        let mut with_env = config("legacy");
        with_env.environment = Some("production".into());
        assert_eq!(
            subjects(&with_env),
            ["repo:octo-org/octo-app:environment:production"]
        );
    }

    #[test]
    fn arns_and_names() {
        let names = Names::new(&config("legacy"));
        assert_eq!(
            names.service_arn,
            "arn:aws:ecs:eu-west-1:012345678901:service/octo-app/octo-app"
        );
        assert_eq!(
            names.execution_role_arn,
            "arn:aws:iam::012345678901:role/octo-app-task-execution"
        );
        assert_eq!(
            names.bootstrap_image,
            "012345678901.dkr.ecr.eu-west-1.amazonaws.com/octo-app:awaiting-first-deploy"
        );
        assert_eq!(names.log_group, "/ecs/octo-app");
    }

    #[test]
    fn longest_role_name_fits_iam() {
        let mut long = config("legacy");
        long.app_name = "a".repeat(crate::config::APP_NAME_MAX);
        let names = Names::new(&long);
        for role in [&names.deploy_role, &names.execution_role, &names.task_role] {
            assert!(role.len() <= 64, "{role}");
        }
        assert!(names.role_session_name.len() <= 64);
    }
}
