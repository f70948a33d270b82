//! One source for every name and ARN: computed once from the config and read by
//! every artifact, so the policies, scripts, task definition and workflow never disagree.

use crate::config::ValidConfig;

/// The OIDC issuer host of GitHub Actions (also the provider's name in IAM).
pub const GITHUB_OIDC_HOST: &str = "token.actions.githubusercontent.com";
/// The audience GitHub's token must carry for AWS STS.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// Names and ARNs derived from one config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    /// ARN of the account's GitHub OIDC identity provider.
    pub oidc_provider_arn: String,
    /// `repo:OWNER/REPO`, the start of every legacy subject.
    pub repository_subject_prefix: String,
    /// The exact `sub` claim of the deploy job's token (legacy form).
    pub subject: String,
}

impl Names {
    /// Derives every name from the config.
    pub fn new(config: &ValidConfig) -> Self {
        let account = &config.account_id;
        let repository_subject_prefix =
            format!("repo:{}/{}", config.github_owner, config.github_repo);
        let subject = format!("{repository_subject_prefix}:{}", job_subject_suffix(config));
        Names {
            oidc_provider_arn: format!("arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"),
            repository_subject_prefix,
            subject,
        }
    }
}

/// What follows `repo:OWNER/REPO:` in the `sub` of the deploy job: the environment
/// when the job has one, else the branch ref (domain.md §2).
fn job_subject_suffix(config: &ValidConfig) -> String {
    match &config.environment {
        Some(env) => format!("environment:{env}"),
        None => format!("ref:refs/heads/{}", config.branch),
    }
}
