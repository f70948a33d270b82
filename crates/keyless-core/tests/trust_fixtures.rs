//! For every fixture config, the trust policy Keyless generates against the
//! runs around it: it lets in the generated workflow's own runs (a push to its
//! branch and a manual dispatch there, in each subject form the config trusts)
//! and keeps out a pull request, another branch, a tag, another repository,
//! another owner and a fork. The runs are read from the generated workflow and
//! keyless.json, the policy from the bundle's file, not from `names.rs`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use keyless_core::bundle::{CONFIG_PATH, TRUST_POLICY_PATH, WORKFLOW_PATH};
use keyless_core::config::parse_config_json;
use keyless_core::generate;
use keyless_core::trust_check::{check, Event, Repository, Run, SubjectForm};
use serde_json::Value;

/// What the generated files say about the deploy job's runs.
struct Generated {
    name: String,
    policy: String,
    account: String,
    own: Run,
    forms: Vec<SubjectForm>,
}

fn generated(name: &str, text: &str) -> Generated {
    let config = parse_config_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let bundle = generate(&config);
    let keyless: Value = serde_json::from_str(bundle.file(CONFIG_PATH).unwrap()).unwrap();
    let flow = common::yaml(bundle.file(WORKFLOW_PATH).unwrap()).unwrap();
    let s = |v: &Value| {
        v.as_str()
            .unwrap_or_else(|| panic!("{name}: {v}"))
            .to_string()
    };
    let branch = s(&flow["on"]["push"]["branches"][0]);
    let ids = keyless["github_owner_id"]
        .as_u64()
        .zip(keyless["github_repo_id"].as_u64());
    let forms = match keyless["subject_format"].as_str() {
        Some("legacy") => vec![SubjectForm::Legacy],
        Some("immutable") => vec![SubjectForm::Immutable],
        Some("both") => vec![SubjectForm::Legacy, SubjectForm::Immutable],
        other => panic!("{name}: subject_format {other:?}"),
    };
    Generated {
        name: name.to_string(),
        policy: bundle.file(TRUST_POLICY_PATH).unwrap().to_string(),
        account: s(&keyless["account_id"]),
        own: Run {
            repository: Repository {
                owner: s(&keyless["github_owner"]),
                name: s(&keyless["github_repo"]),
                ids,
            },
            event: Event::Push,
            git_ref: format!("refs/heads/{branch}"),
            environment: flow["jobs"]["deploy"].get("environment").map(s),
            subject_form: forms[0],
        },
        forms,
    }
}

impl Generated {
    /// Asserts the decision on `run`, `what` naming it in the failure.
    fn expect(&self, run: &Run, allowed: bool, what: &str) -> String {
        let decision = check(&self.policy, run, Some(&self.account))
            .unwrap_or_else(|e| panic!("{}: {what}: {e}", self.name));
        assert_eq!(
            decision.allowed,
            allowed,
            "{}: {what} ({}): {}",
            self.name,
            run.describe(),
            decision.reason
        );
        decision.reason
    }
}

#[test]
fn generated_trust_policies_let_in_exactly_their_own_workflow() {
    let fixtures = common::fixtures();
    assert!(fixtures.len() >= 9);
    for (name, text) in fixtures {
        let g = generated(&name, &text);
        for &form in &g.forms {
            let own = Run {
                subject_form: form,
                ..g.own.clone()
            };
            let reason = g.expect(&own, true, "its own push");
            assert!(
                !reason.contains("no aud condition") && !reason.contains("any GitHub repository"),
                "{name}: {reason}"
            );
            let dispatch = Run {
                event: Event::WorkflowDispatch,
                ..own.clone()
            };
            g.expect(&dispatch, true, "a manual run on its branch");

            let without_environment = Run {
                environment: None,
                ..own.clone()
            };
            let pull_request = Run {
                event: Event::PullRequest { from_fork: false },
                ..without_environment.clone()
            };
            g.expect(&pull_request, false, "a pull request");
            let pull_request_target = Run {
                event: Event::PullRequestTarget { from_fork: true },
                ..without_environment.clone()
            };
            g.expect(&pull_request_target, false, "a fork's pull_request_target");
            let other_branch = Run {
                git_ref: "refs/heads/keyless-other-branch".into(),
                ..without_environment.clone()
            };
            g.expect(&other_branch, false, "another branch");
            let tag = Run {
                git_ref: "refs/tags/v1.0.0".into(),
                ..without_environment.clone()
            };
            g.expect(&tag, false, "a tag");
            let fork = Run {
                event: Event::PullRequest { from_fork: true },
                ..own.clone()
            };
            let reason = g.expect(&fork, false, "a fork's pull request");
            assert!(reason.contains("no OIDC token"), "{name}: {reason}");

            let mut other_repository = own.clone();
            other_repository.repository.name.push_str("-other");
            other_repository.repository.ids = own.repository.ids.map(|(o, r)| (o, r + 1));
            g.expect(&other_repository, false, "another repository");
            let mut other_owner = own.clone();
            other_owner.repository.owner = "someone-else".into();
            other_owner.repository.ids = own.repository.ids.map(|(o, r)| (o + 1, r));
            g.expect(&other_owner, false, "another owner");

            // With an environment the sub names it, not the branch: another
            // branch's job in that environment gets in, and only the
            // environment's deployment branch rules on GitHub can stop it (the
            // findings say so). Without, a job in some environment stays out.
            match &own.environment {
                Some(env) => {
                    let reason = g.expect(
                        &Run {
                            git_ref: "refs/heads/keyless-other-branch".into(),
                            ..own.clone()
                        },
                        true,
                        "another branch in its environment",
                    );
                    assert!(
                        reason.contains("deployment branch rules"),
                        "{name}: {reason}"
                    );
                    let other_env = Run {
                        environment: Some(format!("{env}-other")),
                        ..own.clone()
                    };
                    g.expect(&other_env, false, "another environment");
                }
                None => {
                    let with_environment = Run {
                        environment: Some("production".into()),
                        ..own.clone()
                    };
                    g.expect(&with_environment, false, "a job with an environment");
                }
            }
        }
        // The form the config does not trust stays out.
        if let [only] = g.forms[..] {
            let mut other_form = g.own.clone();
            other_form.repository.ids = Some(g.own.repository.ids.unwrap_or((1, 2)));
            other_form.subject_form = match only {
                SubjectForm::Legacy => SubjectForm::Immutable,
                SubjectForm::Immutable => SubjectForm::Legacy,
            };
            g.expect(&other_form, false, "the other subject form");
        }
    }
}
