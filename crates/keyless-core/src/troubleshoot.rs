//! The troubleshooter (issue 12): for each error users meet on the way from a
//! push to a running app (domain.md §5, the task's start, its health checks,
//! the deploy's wait, the load balancer), the likely cause *for this config*
//! and the exact fix, with the config's names filled in; and a search that
//! ranks the entries for a pasted error message. Pure: no I/O.
//!
//! # Entries
//! [`entries`] renders every entry for a config, in the order a deploy meets
//! them: credentials, image build and push, registration and deploy, the
//! task's start, its health checks, the deploy's wait, the load balancer.
//! Each [`Entry`] has an [`Entry::id`] (stable, for links), a title, the error
//! texts users paste ([`Entry::errors`]: whole messages and the fragments that
//! tell them apart), the likely cause for this config and the fix as
//! [`Step`]s (a sentence, and a command or a change to paste).
//!
//! The text is `&'static str` with `{placeholders}` filled from
//! [`Names`] and the [`ValidConfig`] (role names, cluster and service, log
//! group, region, account, repository, branch or environment, port, health
//! check path, domain, secrets' ARNs): no text is built per config except
//! those values. Commands name the region on every regional call.
//!
//! # Entries that do not apply to the config
//! Some entries apply only to some configs: the secrets entry to a config with
//! `secrets`, the container health check to one with `health_check_command`,
//! the target group's health check and the load balancer's answers to one with
//! a load balancer, the certificate to one with `domain_name`, the DNS entry to
//! a load balancer with HTTPS. Such an entry is never shown for its words
//! alone, nor in the list of an empty query; but when the pasted text contains
//! one of its error texts, it *is* shown, ranked by that match like any other
//! (before an applicable entry with an equal match), with
//! [`Entry::applies`] false and a cause that says why the config suggests
//! otherwise: a user who pastes a secrets error without secrets in
//! `keyless.json` is running a task definition edited by hand, and hiding the
//! entry would hide that.
//!
//! # Search
//! [`matching`] normalises the pasted text and each error text the same way
//! (ASCII lower case, quotes of every kind dropped, runs of whitespace as one space)
//! and ranks:
//! 1. by the summed length of the entry's error texts found in the paste (a
//!    longer, more specific text outweighs a prefix several errors share,
//!    such as `Could not assume role with OIDC`);
//! 2. applicable entries before the others;
//! 3. by how many of the paste's words (stop words aside) occur in the entry's
//!    title, error texts and keywords;
//! 4. in [`entries`]' order.
//!
//! Entries with neither an error text nor a word in common are left out; an
//! empty paste lists every applicable entry in [`entries`]' order.
//!
//! ```
//! use keyless_core::{troubleshoot, RawConfig};
//! let config = RawConfig::example().validate().unwrap();
//! let found = troubleshoot::matching(
//!     &config,
//!     "Error: Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity",
//! );
//! let best = &found[0].entry;
//! assert_eq!(best.id, "oidc-not-authorized");
//! assert!(best.cause.contains("repo:octo-org/octo-app:ref:refs/heads/main"));
//! assert!(best.fix.iter().any(|step| step.code.as_deref()
//!     == Some("aws iam update-assume-role-policy --role-name octo-app-github-deploy --policy-document file://infra/trust-policy.json")));
//! ```

mod entries;

use serde::Serialize;

use crate::bundle::{
    PERMISSIONS_POLICY_PATH, SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH, TRUST_POLICY_PATH,
    WORKFLOW_PATH,
};
use crate::config::{Ingress, LoadBalancer, SecretKind, Tls, ValidConfig};
use crate::names::{Names, DEPLOY_POLICY_NAME, SECRETS_POLICY_NAME};

/// One error and what to do about it, for one config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Stable identifier, e.g. `oidc-not-authorized` (for links and tests).
    pub id: &'static str,
    /// A short title, the error in a few words.
    pub title: &'static str,
    /// The error texts users paste: whole messages and the fragments that
    /// identify them, as AWS, GitHub, Docker or a browser print them.
    pub errors: &'static [&'static str],
    /// Whether the error can happen with this config as generated (see the
    /// module documentation); when false, [`Entry::cause`] says why not.
    pub applies: bool,
    /// The likely cause for this config, in a few sentences.
    pub cause: String,
    /// What to run or change, in order.
    pub fix: Vec<Step>,
    /// Ids of entries that often come with this one.
    pub see_also: &'static [&'static str],
}

/// One step of a fix: a sentence, and what to run or paste, if anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What to do and why.
    pub text: String,
    /// A command (one per line) or the text of a change, to copy as is.
    pub code: Option<String>,
}

/// An entry found for a pasted text, with why it was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Match {
    /// The entry.
    pub entry: Entry,
    /// Its error texts found in the paste (to highlight them).
    pub matched: Vec<&'static str>,
    /// The summed length of the matched error texts, normalised: the first
    /// ranking key.
    pub error_score: usize,
    /// How many of the paste's words occur in the entry's title, error texts
    /// and keywords: the ranking key after applicability.
    pub word_score: usize,
}

/// Every entry for `config`, applicable or not, in the order a deploy meets
/// the errors (credentials, image, registration and deploy, task start,
/// health checks, the deploy's wait, the load balancer).
pub fn entries(config: &ValidConfig) -> Vec<Entry> {
    let facts = Facts::new(config);
    entries::SPECS
        .iter()
        .map(|spec| spec.render(&facts))
        .collect()
}

/// The entry with this id, if there is one.
pub fn entry(config: &ValidConfig, id: &str) -> Option<Entry> {
    let spec = entries::SPECS.iter().find(|spec| spec.id == id)?;
    Some(spec.render(&Facts::new(config)))
}

/// The entries for a pasted error text, best first (see the module
/// documentation for the ranking). An empty (or blank) paste gives every
/// applicable entry in [`entries`]' order, each with zero scores.
pub fn matching(config: &ValidConfig, pasted: &str) -> Vec<Match> {
    let facts = Facts::new(config);
    let pasted = normalise(pasted);
    let mut query: Vec<String> = words(&pasted).collect();
    query.sort();
    query.dedup();
    let mut found: Vec<Match> = Vec::new();
    for (spec, search) in entries::SPECS.iter().zip(searchable()) {
        // Choosing the text is cheap; filling it in is done for the found only.
        let text = (spec.text)(&facts);
        if pasted.is_empty() {
            if text.applies {
                found.push(Match {
                    entry: spec.fill(&facts, text),
                    matched: Vec::new(),
                    error_score: 0,
                    word_score: 0,
                });
            }
            continue;
        }
        let mut matched = Vec::new();
        let mut error_score = 0;
        for (error, needle) in spec.errors.iter().zip(&search.errors) {
            if !needle.is_empty() && pasted.contains(needle.as_str()) {
                matched.push(*error);
                error_score += needle.len();
            }
        }
        let word_score = query
            .iter()
            .filter(|word| search.vocabulary.binary_search(word).is_ok())
            .count();
        if error_score > 0 || (text.applies && word_score > 0) {
            found.push(Match {
                entry: spec.fill(&facts, text),
                matched,
                error_score,
                word_score,
            });
        }
    }
    // A stable sort: equal keys keep `entries`' order.
    found.sort_by(|a, b| {
        b.error_score
            .cmp(&a.error_score)
            .then(b.entry.applies.cmp(&a.entry.applies))
            .then(b.word_score.cmp(&a.word_score))
    });
    found
}

/// How many entries found by words only (no error text matched) are shown.
pub const WORD_MATCHES_SHOWN: usize = 3;

/// What to show for a pasted text, the same in the CLI and the page: an entry's
/// id gives that entry; when an error text matched, only the entries whose
/// error texts matched, best first; otherwise the [`WORD_MATCHES_SHOWN`] best
/// found by words; a blank paste every applicable entry ([`matching`]).
pub fn search(config: &ValidConfig, pasted: &str) -> Vec<Match> {
    let pasted = pasted.trim();
    if let Some(entry) = entry(config, pasted) {
        return vec![Match {
            entry,
            matched: Vec::new(),
            error_score: 0,
            word_score: 0,
        }];
    }
    let mut found = matching(config, pasted);
    if pasted.is_empty() {
        return found;
    }
    if found.first().is_some_and(|m| m.error_score > 0) {
        found.retain(|m| m.error_score > 0);
    } else {
        found.truncate(WORD_MATCHES_SHOWN);
    }
    found
}

/// An entry's error texts and words, in the form the search compares.
struct Searchable {
    /// [`normalise`]d error texts, in the entry's order.
    errors: Vec<String>,
    /// The words of its title, error texts and keywords, sorted, once each.
    vocabulary: Vec<String>,
}

/// [`Searchable`] of every entry, in [`entries`]' order, computed once.
fn searchable() -> &'static [Searchable] {
    static SEARCHABLE: std::sync::OnceLock<Vec<Searchable>> = std::sync::OnceLock::new();
    SEARCHABLE.get_or_init(|| {
        entries::SPECS
            .iter()
            .map(|spec| Searchable {
                errors: spec.errors.iter().map(|e| normalise(e)).collect(),
                vocabulary: spec.vocabulary(),
            })
            .collect()
    })
}

/// The form in which pasted text and error texts are compared: ASCII lower case,
/// quotes (`'`, `"`, `` ` `` and their typographic forms) dropped, every run of
/// whitespace one space, none at the ends. Quotes vary with the tool that
/// printed a message and the hand that pasted it; the words do not.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !matches!(c, '\'' | '"' | '`' | '‘' | '’' | '“' | '”') {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Words too common in error messages to say which one it is.
const STOP_WORDS: [&str; 30] = [
    "the", "and", "for", "not", "with", "this", "that", "from", "has", "have", "was", "were",
    "are", "its", "your", "you", "error", "errors", "failed", "aws", "when", "while", "but", "can",
    "cannot", "could", "does", "did", "into", "there",
];

/// The words of normalised text, for the word overlap: runs of ASCII letters
/// and digits (every error text is ASCII; Unicode's tables would cost the page
/// kilobytes) of three characters or more, stop words dropped, a plural `s` cut.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| word.chars().count() >= 3 && !STOP_WORDS.contains(word))
        .map(|word| match word.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_string(),
            _ => word.to_string(),
        })
}

/// What the text of the entries is filled from.
pub(crate) struct Facts<'a> {
    config: &'a ValidConfig,
    names: Names,
}

impl<'a> Facts<'a> {
    fn new(config: &'a ValidConfig) -> Self {
        Facts {
            config,
            names: Names::new(config),
        }
    }

    fn load_balancer(&self) -> Option<&LoadBalancer> {
        match &self.config.ingress {
            Ingress::PublicIp => None,
            Ingress::LoadBalancer(lb) => Some(lb),
        }
    }

    fn tls(&self) -> &Tls {
        self.load_balancer().map_or(&Tls::None, |lb| &lb.tls)
    }

    /// The value of `{key}`; `None` leaves the placeholder as it is (a test
    /// renders every entry of every fixture and finds none left).
    fn var(&self, key: &str) -> Option<String> {
        let (c, n) = (self.config, &self.names);
        let joined = |items: Vec<&str>| items.join(", ");
        Some(match key {
            "account" => n.account_id.clone(),
            "region" => n.region.clone(),
            "repository" => format!("{}/{}", c.github_owner, c.github_repo),
            "owner" => c.github_owner.clone(),
            "repo_name" => c.github_repo.clone(),
            "branch" => c.branch.clone(),
            "branch_ref" => format!("refs/heads/{}", c.branch),
            "environment" => c.environment.clone()?,
            "subjects" => n.subjects.join(" or "),
            "oidc_provider_arn" => n.oidc_provider_arn.clone(),
            "deploy_role" => n.deploy_role.clone(),
            "deploy_role_arn" => n.deploy_role_arn.clone(),
            "deploy_policy" => DEPLOY_POLICY_NAME.into(),
            "execution_role" => n.execution_role.clone(),
            "execution_role_arn" => n.execution_role_arn.clone(),
            "task_role" => n.task_role.clone(),
            "task_role_arn" => n.task_role_arn.clone(),
            "secrets_policy" => SECRETS_POLICY_NAME.into(),
            "cluster" => n.cluster.clone(),
            "service" => n.service.clone(),
            "family" => n.task_family.clone(),
            "family_arn" => n.task_definition_revisions_arn.clone(),
            "container" => n.container_name.clone(),
            "log_group" => n.log_group.clone(),
            "retention" => c.log_retention_days.to_string(),
            "ecr_repository" => n.ecr_repository.clone(),
            "registry" => n.ecr_registry.clone(),
            "image" => n.image_repository_uri.clone(),
            "bootstrap_image" => n.bootstrap_image.clone(),
            "keep_images" => crate::plan::KEEP_IMAGES.to_string(),
            "port" => c.container_port.to_string(),
            "platform" => c.architecture.docker_platform().into(),
            "architecture" => c.architecture.ecs_name().into(),
            "cpu" => c.task_size.cpu().to_string(),
            "memory" => c.task_size.memory().to_string(),
            "start_period" => crate::ecs::HEALTH_CHECK_START_PERIOD.to_string(),
            "health_check_command" => c.container_health_check()?,
            "health_check_command_quoted" => crate::script::quote(&c.container_health_check()?),
            "health_check_path" => self.load_balancer()?.health_check_path.clone(),
            "load_balancer" => n.load_balancer.clone(),
            "lb_security_group" => n.load_balancer_security_group.clone(),
            "service_security_group" => {
                if c.security_groups.is_empty() {
                    n.security_group.clone()
                } else {
                    joined(c.security_groups.iter().map(String::as_str).collect())
                }
            }
            "subnets" => {
                if c.subnets.is_empty() {
                    "the default VPC's default subnets".into()
                } else {
                    joined(c.subnets.iter().map(String::as_str).collect())
                }
            }
            "domain" => self.tls().requested_domain()?.to_string(),
            "certificate_arn" => match self.tls() {
                Tls::Existing(arn) => arn.clone(),
                _ => return None,
            },
            "secret_names" => joined(c.secrets.keys().map(String::as_str).collect()),
            "secret_arns" => joined(
                c.secrets
                    .values()
                    .map(|s| s.resource_arn.as_str())
                    .collect(),
            ),
            "secret_checks" => self.secret_checks()?,
            "jq_del" => format!(
                "del({})",
                crate::ecs::DESCRIBE_ONLY_KEYS
                    .iter()
                    .map(|key| format!(".{key}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "describe_only_keys" => crate::ecs::DESCRIBE_ONLY_KEYS.join(", "),
            "wait_minutes" => crate::workflow::WAIT_FOR_MINUTES.to_string(),
            "workflow" => WORKFLOW_PATH.into(),
            "task_definition" => TASK_DEFINITION_PATH.into(),
            "trust_policy" => TRUST_POLICY_PATH.into(),
            "permissions_policy" => PERMISSIONS_POLICY_PATH.into(),
            "setup" => SETUP_SCRIPT_PATH.into(),
            _ => return None,
        })
    }

    /// Commands that check each secret exists in the region: one
    /// `get-parameters` for every SSM parameter (it prints the missing ones),
    /// one `describe-secret` per Secrets Manager secret (its name and KMS key).
    fn secret_checks(&self) -> Option<String> {
        let region = &self.names.region;
        let arns = |kind: SecretKind| -> Vec<String> {
            self.config
                .secrets
                .values()
                .filter(|s| s.kind == kind)
                .map(|s| crate::script::quote(&s.resource_arn))
                .collect()
        };
        let mut lines = Vec::new();
        let parameters = arns(SecretKind::SsmParameter);
        if !parameters.is_empty() {
            lines.push(format!(
                "aws ssm get-parameters --region {region} --names {} --query InvalidParameters --output text",
                parameters.join(" ")
            ));
        }
        for secret in arns(SecretKind::SecretsManager) {
            lines.push(format!(
                "aws secretsmanager describe-secret --region {region} --secret-id {secret} --query '[Name,KmsKeyId]' --output text"
            ));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    /// `template` with every `{key}` that has a value replaced by it.
    fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after
                .find('}')
                .and_then(|close| Some((close, self.var(&after[..close])?)));
            match value {
                Some((close, value)) => {
                    out.push_str(&value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RawConfig;

    #[test]
    fn normalise_ignores_case_quotes_and_spacing() {
        assert_eq!(
            normalise("  Unexpected key 'taskDefinitionArn'\n\t found  in “params” "),
            "unexpected key taskdefinitionarn found in params"
        );
        assert_eq!(normalise(" \n "), "");
    }

    #[test]
    fn words_drop_stop_words_and_plurals() {
        let found: Vec<String> =
            words(&normalise("Error: the tasks failed ELB health checks")).collect();
        assert_eq!(found, ["task", "elb", "health", "check"]);
    }

    #[test]
    fn fill_leaves_unknown_placeholders() {
        let config = RawConfig::example().validate().unwrap();
        let facts = Facts::new(&config);
        assert_eq!(
            facts.fill("{deploy_role} in {region}, {nothing} and {environment}"),
            "octo-app-github-deploy in us-east-1, {nothing} and {environment}"
        );
    }

    #[test]
    fn an_empty_paste_lists_the_applicable_entries_in_order() {
        let config = RawConfig::example().validate().unwrap();
        let all = entries(&config);
        let listed: Vec<&str> = matching(&config, "  \n")
            .iter()
            .map(|m| m.entry.id)
            .collect();
        let applicable: Vec<&str> = all.iter().filter(|e| e.applies).map(|e| e.id).collect();
        assert_eq!(listed, applicable);
        assert!(
            applicable.len() < all.len(),
            "the example has no load balancer"
        );
    }
}
