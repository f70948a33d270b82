//! A workflow run, as far as the trust decision goes, and the OIDC token GitHub
//! would issue for it (domain.md §1–2).

use crate::config::{SubjectFormat, ValidConfig};
use crate::names::{subject, SubjectContext, STS_AUDIENCE};

/// The repository a run belongs to, spelled as GitHub spells it (GitHub writes
/// the owner and the name into `sub` with their own capitals).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// User or organisation.
    pub owner: String,
    /// Repository name.
    pub name: String,
    /// `(owner id, repository id)`, GitHub's numeric ids, when known: needed
    /// for immutable subjects and for conditions on `repository_id`.
    pub ids: Option<(u64, u64)>,
}

impl Repository {
    /// `OWNER/REPO`, the `repository` claim.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// The repository as a user writes it: `OWNER/REPO`, or
    /// `OWNER@OWNER_ID/REPO@REPO_ID` with GitHub's numeric ids. Without ids, the
    /// config's when it names the config's repository (GitHub names ignore case).
    pub fn parse(text: &str, config: &ValidConfig) -> Result<Repository, String> {
        let bad = || format!("{text:?}: write OWNER/REPO or OWNER@OWNER_ID/REPO@REPO_ID");
        let (owner, name) = text.trim().split_once('/').ok_or_else(bad)?;
        let split = |part: &str| -> Result<(String, Option<u64>), String> {
            match part.split_once('@') {
                None => Ok((part.to_string(), None)),
                Some((name, id)) => Ok((name.to_string(), Some(id.parse().map_err(|_| bad())?))),
            }
        };
        let ((owner, owner_id), (name, repo_id)) = (split(owner)?, split(name)?);
        let ids = match (owner_id, repo_id) {
            (Some(owner_id), Some(repo_id)) => Some((owner_id, repo_id)),
            (None, None)
                if owner.eq_ignore_ascii_case(&config.github_owner)
                    && name.eq_ignore_ascii_case(&config.github_repo) =>
            {
                config.subject_format.ids()
            }
            (None, None) => None,
            _ => return Err(bad()),
        };
        Ok(Repository { owner, name, ids })
    }

    /// The config's repository, with its ids when it has them.
    pub fn of_config(config: &ValidConfig) -> Repository {
        Repository {
            owner: config.github_owner.clone(),
            name: config.github_repo.clone(),
            ids: config.subject_format.ids(),
        }
    }
}

/// Which `sub` form the repository emits: exactly one, never both (domain.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectForm {
    /// `repo:OWNER/REPO:...`.
    Legacy,
    /// `repo:OWNER@OWNER_ID/REPO@REPO_ID:...` (needs [`Repository::ids`]).
    Immutable,
}

impl SubjectForm {
    /// What a repository set up with this config emits: the config's form, and
    /// the legacy one when the config trusts both (the repository has not
    /// switched yet).
    pub fn of_config(format: SubjectFormat) -> SubjectForm {
        match format {
            SubjectFormat::Immutable { .. } => SubjectForm::Immutable,
            SubjectFormat::Legacy | SubjectFormat::Both { .. } => SubjectForm::Legacy,
        }
    }

    /// `legacy` or `immutable`.
    pub fn key(self) -> &'static str {
        match self {
            SubjectForm::Legacy => "legacy",
            SubjectForm::Immutable => "immutable",
        }
    }
}

/// What triggered the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `push` of a branch (`refs/heads/…`) or a tag (`refs/tags/…`).
    Push,
    /// `pull_request`; from a fork, GitHub issues no OIDC token at all.
    PullRequest {
        /// The head branch is in a fork.
        from_fork: bool,
    },
    /// `pull_request_target`: runs in the base repository's context, so even a
    /// fork's pull request gets a token. Its `sub` is taken to be the
    /// `pull_request` one (an inference: GitHub documents that subject for
    /// "a pull request event" without naming this one).
    PullRequestTarget {
        /// The head branch is in a fork.
        from_fork: bool,
    },
    /// `workflow_dispatch` on a branch or tag.
    WorkflowDispatch,
    /// `schedule`, on the default branch.
    Schedule,
    /// `release`, on the release's tag.
    Release,
}

/// Every event name [`Event::parse`] takes, for messages.
pub const EVENT_NAMES: [&str; 6] = [
    "push",
    "pull_request",
    "pull_request_target",
    "workflow_dispatch",
    "schedule",
    "release",
];

impl Event {
    /// The event from its GitHub name (the `event_name` claim).
    pub fn parse(name: &str, from_fork: bool) -> Result<Event, String> {
        let event = match name {
            "push" => Event::Push,
            "pull_request" => Event::PullRequest { from_fork },
            "pull_request_target" => Event::PullRequestTarget { from_fork },
            "workflow_dispatch" => Event::WorkflowDispatch,
            "schedule" => Event::Schedule,
            "release" => Event::Release,
            other => {
                return Err(format!(
                    "unknown event {other:?}: use one of {}",
                    EVENT_NAMES.join(", ")
                ))
            }
        };
        if from_fork && !event.is_pull_request() {
            return Err(format!(
                "only a pull request comes from a fork, not a {name} run"
            ));
        }
        Ok(event)
    }

    /// The `event_name` claim.
    pub fn name(self) -> &'static str {
        match self {
            Event::Push => "push",
            Event::PullRequest { .. } => "pull_request",
            Event::PullRequestTarget { .. } => "pull_request_target",
            Event::WorkflowDispatch => "workflow_dispatch",
            Event::Schedule => "schedule",
            Event::Release => "release",
        }
    }

    fn is_pull_request(self) -> bool {
        matches!(
            self,
            Event::PullRequest { .. } | Event::PullRequestTarget { .. }
        )
    }
}

/// A workflow run's job, as far as GitHub's token and the trust decision go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The repository whose workflow runs (the base repository of a pull request).
    pub repository: Repository,
    /// What triggered it.
    pub event: Event,
    /// The full ref the run is on: the pushed branch or tag, the ref a
    /// `workflow_dispatch` chose, the default branch of a `schedule`, the tag of
    /// a `release`; for pull requests, the base branch.
    pub git_ref: String,
    /// The job's `environment:`, if any: it replaces the ref in `sub`.
    pub environment: Option<String>,
    /// The `sub` form the repository emits.
    pub subject_form: SubjectForm,
}

/// The claims of the token GitHub would issue, as far as a trust policy can
/// test them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// `sub`, exactly as GitHub writes it.
    pub sub: String,
    /// `aud`: what `configure-aws-credentials` asks for, `sts.amazonaws.com`.
    pub aud: String,
    /// `repository`, `OWNER/REPO`.
    pub repository: String,
    /// `repository_owner`.
    pub repository_owner: String,
    /// `(repository_owner_id, repository_id)` when the run description knows them.
    pub ids: Option<(u64, u64)>,
    /// `environment`, absent when the job has none.
    pub environment: Option<String>,
    /// `event_name`.
    pub event_name: &'static str,
    /// `ref`; `None` for a `pull_request`, whose ref is `refs/pull/NUMBER/merge`.
    pub git_ref: Option<String>,
}

/// What a token says about one claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The claim's value.
    Value(String),
    /// GitHub's token has no such claim here (IAM: the key is missing).
    Absent(&'static str),
    /// GitHub sets it, but its value depends on more than the run description.
    Unknown(&'static str),
}

/// GitHub claims whose value a run description does not determine.
const UNKNOWN_CLAIMS: [&str; 22] = [
    "actor",
    "actor_id",
    "base_ref",
    "check_run_id",
    "enterprise",
    "enterprise_id",
    "environment_node_id",
    "head_ref",
    "iss",
    "job_workflow_ref",
    "job_workflow_sha",
    "ref_protected",
    "repository_visibility",
    "run_attempt",
    "run_id",
    "run_number",
    "runner_environment",
    "sha",
    "workflow",
    "workflow_ref",
    "workflow_sha",
    "amr",
];

impl Token {
    /// The claim `name` (compared case-insensitively, as IAM compares condition keys).
    pub fn claim(&self, name: &str) -> Claim {
        let name = name.to_ascii_lowercase();
        let ids = |pick: fn((u64, u64)) -> u64| match self.ids {
            Some(ids) => Claim::Value(pick(ids).to_string()),
            None => Claim::Unknown(
                "it is the repository's numeric id, which the run description does not give",
            ),
        };
        match name.as_str() {
            "sub" => Claim::Value(self.sub.clone()),
            "aud" => Claim::Value(self.aud.clone()),
            "repository" => Claim::Value(self.repository.clone()),
            "repository_owner" => Claim::Value(self.repository_owner.clone()),
            "repository_owner_id" => ids(|(owner, _)| owner),
            "repository_id" => ids(|(_, repo)| repo),
            "environment" => match &self.environment {
                Some(env) => Claim::Value(env.clone()),
                None => Claim::Absent("the job has no environment"),
            },
            "event_name" => Claim::Value(self.event_name.to_string()),
            "ref" => match &self.git_ref {
                Some(git_ref) => Claim::Value(git_ref.clone()),
                None => Claim::Unknown("a pull request's ref is refs/pull/NUMBER/merge"),
            },
            "ref_type" => match self.git_ref.as_deref().map(ref_type) {
                Some(kind) => Claim::Value(kind.to_string()),
                None => Claim::Unknown("a pull request's ref is refs/pull/NUMBER/merge"),
            },
            other if UNKNOWN_CLAIMS.contains(&other) => {
                Claim::Unknown("it depends on more than the event, ref, environment and repository")
            }
            _ => Claim::Absent("GitHub's token has no such claim"),
        }
    }
}

fn ref_type(git_ref: &str) -> &'static str {
    if git_ref.starts_with("refs/tags/") {
        "tag"
    } else {
        "branch"
    }
}

impl Run {
    /// The run of the workflow Keyless generates for `config`: a push to its
    /// branch, in its environment, from its repository, in the subject form it
    /// emits ([`SubjectForm::of_config`]).
    pub fn of_config(config: &ValidConfig) -> Run {
        Run {
            repository: Repository::of_config(config),
            event: Event::Push,
            git_ref: format!("refs/heads/{}", config.branch),
            environment: config.environment.clone(),
            subject_form: SubjectForm::of_config(config.subject_format),
        }
    }

    /// Checks that GitHub could produce this run; `Err` says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        for (what, name) in [
            ("owner", &self.repository.owner),
            ("repository name", &self.repository.name),
        ] {
            if name.is_empty() || name.contains(['/', ':', '@', ' ', '*', '?']) {
                return Err(format!("{name:?} is not a GitHub {what}"));
            }
        }
        let (kind, rest) = if let Some(branch) = self.git_ref.strip_prefix("refs/heads/") {
            ("branch", branch)
        } else if let Some(tag) = self.git_ref.strip_prefix("refs/tags/") {
            ("tag", tag)
        } else {
            return Err(format!(
                "{:?} is not a full ref: write refs/heads/BRANCH or refs/tags/TAG",
                self.git_ref
            ));
        };
        if rest.is_empty() || rest.contains(['*', '?', ' ']) {
            return Err(format!("{:?} is not a {kind} ref", self.git_ref));
        }
        let event = self.event.name();
        match (self.event, kind) {
            (Event::Release, "branch") => {
                return Err("a release run is on its tag: give refs/tags/TAG".into())
            }
            (
                Event::Schedule | Event::PullRequest { .. } | Event::PullRequestTarget { .. },
                "tag",
            ) => {
                return Err(format!(
                    "a {event} run is on a branch: give refs/heads/BRANCH"
                ))
            }
            _ => {}
        }
        if self
            .environment
            .as_deref()
            .is_some_and(|env| env.trim().is_empty())
        {
            return Err("the environment name is empty".into());
        }
        if self.subject_form == SubjectForm::Immutable && self.repository.ids.is_none() {
            let slug = self.repository.slug();
            return Err(format!(
                "immutable subjects carry the numeric ids of {slug}: write it as OWNER@OWNER_ID/REPO@REPO_ID (gh api repos/{slug} --jq '.owner.id, .id' prints them)"
            ));
        }
        Ok(())
    }

    /// The token GitHub would issue, or `None` for a fork's `pull_request`, which
    /// gets none (`id-token: write` is at most `read` there). `Err` when the run
    /// is not one GitHub could produce ([`Run::validate`]).
    pub fn token(&self) -> Result<Option<Token>, String> {
        self.validate()?;
        if self.event == (Event::PullRequest { from_fork: true }) {
            return Ok(None);
        }
        let context = match (&self.environment, self.event) {
            (Some(env), _) => SubjectContext::Environment(env),
            // pull_request_target is a pull request event to GitHub's subject
            // template too (inference: domain.md §2 names only pull_request).
            (None, Event::PullRequest { .. } | Event::PullRequestTarget { .. }) => {
                SubjectContext::PullRequest
            }
            (None, _) => SubjectContext::Ref(&self.git_ref),
        };
        let repo = &self.repository;
        let ids = match self.subject_form {
            SubjectForm::Legacy => None,
            SubjectForm::Immutable => repo.ids,
        };
        Ok(Some(Token {
            sub: subject(&repo.owner, &repo.name, ids, context),
            aud: STS_AUDIENCE.to_string(),
            repository: repo.slug(),
            repository_owner: repo.owner.clone(),
            ids: repo.ids,
            environment: self.environment.clone(),
            event_name: self.event.name(),
            git_ref: match self.event {
                Event::PullRequest { .. } => None,
                _ => Some(self.git_ref.clone()),
            },
        }))
    }

    /// One line for people: `push to refs/heads/main of octo-org/octo-app
    /// (environment production, legacy subjects)`.
    pub fn describe(&self) -> String {
        let what = match self.event {
            Event::Push if self.git_ref.starts_with("refs/tags/") => {
                format!("push of {}", self.git_ref)
            }
            Event::Push => format!("push to {}", self.git_ref),
            Event::PullRequest { from_fork: true } => "pull_request from a fork".to_string(),
            Event::PullRequest { from_fork: false } => "pull_request".to_string(),
            Event::PullRequestTarget { from_fork } => format!(
                "pull_request_target{} into {}",
                if from_fork { " from a fork" } else { "" },
                self.git_ref
            ),
            Event::WorkflowDispatch => format!("workflow_dispatch on {}", self.git_ref),
            Event::Schedule => format!("schedule on {}", self.git_ref),
            Event::Release => format!("release on {}", self.git_ref),
        };
        let environment = match &self.environment {
            Some(env) => format!("environment {env}, "),
            None => String::new(),
        };
        format!(
            "{what} of {} ({environment}{} subjects)",
            self.repository.slug(),
            self.subject_form.key()
        )
    }
}
