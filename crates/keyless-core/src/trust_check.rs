//! "Would this run get credentials, and if not, why?" (issue 12): the token
//! GitHub would issue for a workflow run, and IAM's decision on it for any
//! trust policy, with the reason in one sentence. Pure: no I/O.
//!
//! - [`run`]: a run ([`Run`]: repository, [`Event`], ref, environment,
//!   [`SubjectForm`]) and its [`Token`] (`sub` from [`crate::names::subject`],
//!   the one definition of its format; none for a fork's pull request);
//! - `policy`: any pasted trust policy, read into statements (errors, never panics);
//! - `evaluate`: IAM's rules for `sts:AssumeRoleWithWebIdentity`: a statement
//!   counts only when its `Principal` is the account's GitHub OIDC provider (or
//!   `"*"`) and its `Action` covers the action (`*`/`?` wildcards, names
//!   case-insensitive); conditions `StringEquals`, `StringLike` (`*`, `?`),
//!   their `Not` and `IgnoreCase` forms, `ForAnyValue:`/`ForAllValues:`,
//!   `IfExists` and `Null`; several values of a key are ORed, several keys
//!   ANDed; keys compare case-insensitively, values case-sensitively; an
//!   explicit Deny wins, and without a matching Allow the answer is no.
//!
//! ```
//! use keyless_core::trust_check::{check, Event, Repository, Run, SubjectForm};
//! let policy = r#"{"Version": "2012-10-17", "Statement": [{
//!     "Effect": "Allow",
//!     "Principal": {"Federated": "arn:aws:iam::012345678901:oidc-provider/token.actions.githubusercontent.com"},
//!     "Action": "sts:AssumeRoleWithWebIdentity",
//!     "Condition": {"StringEquals": {
//!         "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
//!         "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-app:ref:refs/heads/main"}}}]}"#;
//! let run = Run {
//!     repository: Repository { owner: "octo-org".into(), name: "octo-app".into(), ids: None },
//!     event: Event::PullRequest { from_fork: false },
//!     git_ref: "refs/heads/main".into(),
//!     environment: None,
//!     subject_form: SubjectForm::Legacy,
//! };
//! let decision = check(policy, &run, Some("012345678901")).unwrap();
//! assert!(!decision.allowed);
//! assert_eq!(decision.sub.as_deref(), Some("repo:octo-org/octo-app:pull_request"));
//! assert!(decision.reason.contains("wants StringEquals"));
//! ```

mod evaluate;
mod policy;
pub mod run;

use std::fmt;

use serde::Serialize;

pub use evaluate::capitalise;
pub use run::{Claim, Event, Repository, Run, SubjectForm, Token, EVENT_NAMES};

use crate::ValidConfig;

/// IAM's answer for one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Whether `sts:AssumeRoleWithWebIdentity` succeeds.
    pub allowed: bool,
    /// The `sub` GitHub would send; `None` when it sends no token (a fork's pull request).
    pub sub: Option<String>,
    /// One sentence: which statement decided, which condition failed, what the
    /// token had and what the policy wanted.
    pub reason: String,
}

/// Why there is no decision. Its text is a sentence to show as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The policy text is not JSON.
    Json(String),
    /// JSON, but not a trust policy IAM would take.
    Shape(String),
    /// A valid policy this check cannot evaluate exactly: an operator it does
    /// not implement, or a claim whose value the run description does not give.
    Unsupported(String),
    /// The run is not one GitHub could produce (e.g. a release on a branch).
    Run(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Json(m) | CheckError::Unsupported(m) | CheckError::Run(m) => f.write_str(m),
            CheckError::Shape(m) => write!(f, "not a trust policy: {m}"),
        }
    }
}

impl std::error::Error for CheckError {}

/// IAM's decision on `run`'s token for the trust policy `policy_json` (any
/// policy a user pastes, or what `aws iam get-role` prints) of a role in
/// `account` (`None`: trust GitHub's provider of whatever account the policy
/// names). Invalid JSON, an unexpected shape or an impossible run is an
/// `Err`, never a panic.
pub fn check(policy_json: &str, run: &Run, account: Option<&str>) -> Result<Decision, CheckError> {
    let policy = policy::Policy::parse(policy_json)?;
    let token = run.token().map_err(CheckError::Run)?;
    evaluate::decide(&policy, token.as_ref(), account)
}

/// [`check`] of the trust policy Keyless generates for `config`, in its account.
pub fn check_generated(config: &ValidConfig, run: &Run) -> Result<Decision, CheckError> {
    check(
        &generated_policy_json(config),
        run,
        Some(&config.account_id),
    )
}

/// The generated trust policy as JSON text, the bundle's `infra/trust-policy.json`.
pub fn generated_policy_json(config: &ValidConfig) -> String {
    crate::bundle::pretty_json(&crate::iam::trust_policy(&crate::names::Names::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawConfig;

    #[test]
    fn the_generated_policy_lets_in_its_own_run_only() {
        let config = RawConfig::example().validate().unwrap();
        let own = Run::of_config(&config);
        let decision = check_generated(&config, &own).unwrap();
        assert!(decision.allowed, "{}", decision.reason);
        assert_eq!(
            decision.sub,
            Some(crate::names::subjects(&config)[0].clone())
        );
        let pull_request = Run {
            event: Event::PullRequest { from_fork: false },
            ..own
        };
        assert!(!check_generated(&config, &pull_request).unwrap().allowed);
    }
}
