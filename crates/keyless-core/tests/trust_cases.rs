//! "Would this run get credentials?": a table of (run, trust policy) cases with
//! the decision IAM would make and a fragment of the reason a user reads, over
//! every event, both subject forms, environments, wildcards, several
//! statements, explicit Deny, forks and letter case; then the errors.
//!
//! A run is written `EVENT [REF] [fork] [env=NAME] [immutable] [repo=OWNER/REPO]`:
//! the ref defaults to `refs/heads/main`, the repository to octo-org/octo-app
//! (ids 9919 and 1296269; write `repo=OWNER@ID/REPO@ID` for another's), the
//! subject form to legacy. Policies are named below; each statement trusts the
//! account's GitHub provider with `sts:AssumeRoleWithWebIdentity` unless its
//! name says otherwise, and condition keys without `:` are GitHub's claims.

use keyless_core::trust_check::{check, CheckError, Event, Repository, Run, SubjectForm};
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
const PROVIDER: &str =
    "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const OIDC: &str = "token.actions.githubusercontent.com";
/// octo-org's and octo-app's numeric ids.
const IDS: (u64, u64) = (9919, 1296269);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    Allow,
    Deny,
}
use Want::{Allow, Deny};

#[rustfmt::skip]
const CASES: &[(&str, &str, Want, &str)] = &[
    // run                                            policy                 want   the reason says
    // push to a branch
    ("push",                                          "main",                Allow, "meets its StringEquals \"repo:octo-org/octo-app:ref:refs/heads/main\""),
    ("push refs/heads/feature",                       "main",                Deny,  "sub is \"repo:octo-org/octo-app:ref:refs/heads/feature\", but statement \"Branch\" wants StringEquals"),
    ("push refs/heads/develop",                       "two-branches",        Allow, "meets its StringEquals"),
    ("push refs/heads/feature",                       "two-branches",        Deny,  "\"repo:octo-org/octo-app:ref:refs/heads/main\" or \"repo:octo-org/octo-app:ref:refs/heads/develop\""),
    ("push refs/heads/anything",                      "any-ref",             Allow, "StringLike \"repo:octo-org/octo-app:*\""),
    // push of a tag
    ("push refs/tags/v1.2.0",                         "main",                Deny,  "\"repo:octo-org/octo-app:ref:refs/tags/v1.2.0\""),
    ("push refs/tags/v1.2.0",                         "tags",                Allow, "StringLike \"repo:octo-org/octo-app:ref:refs/tags/v*\""),
    ("push refs/heads/v1",                            "tags",                Deny,  "wants StringLike"),
    ("push refs/tags/v1",                             "deny-tags",           Deny,  "denies it explicitly, and an explicit Deny wins"),
    ("push",                                          "deny-tags",           Allow, "\"Everything\" allows it"),
    // environment wins over the ref
    ("push env=production",                           "main",                Deny,  "a job with an environment gets environment:NAME"),
    ("push env=production",                           "env",                 Allow, "deployment branch rules"),
    ("push refs/heads/feature env=production",        "env",                 Allow, "environment:production"),
    ("push env=staging",                              "env",                 Deny,  "\"repo:octo-org/octo-app:environment:staging\""),
    ("push",                                          "env",                 Deny,  "the policy wants a job environment, and this run's job has none"),
    ("push env=preview-42",                           "any-env",             Allow, "StringLike \"repo:octo-org/octo-app:environment:*\""),
    // legacy, immutable, both
    ("push immutable",                                "main",                Deny,  "this repository sends immutable subjects"),
    ("push immutable",                                "main-immutable",      Allow, "\"repo:octo-org@9919/octo-app@1296269:ref:refs/heads/main\""),
    ("push",                                          "main-immutable",      Deny,  "still sends legacy subjects"),
    ("push",                                          "main-both",           Allow, "or \"repo:octo-org@9919/octo-app@1296269:ref:refs/heads/main\""),
    ("push immutable",                                "main-both",           Allow, "meets its StringEquals"),
    ("push immutable repo=octo-org@9919/other@77",     "main-both",           Deny,  "\"repo:octo-org@9919/other@77:ref:refs/heads/main\""),
    ("push env=production immutable",                 "env-immutable",       Allow, "\"repo:octo-org@9919/octo-app@1296269:environment:production\""),
    ("push env=production",                           "env-immutable",       Deny,  "still sends legacy subjects"),
    ("push refs/tags/v1.2.0 immutable",               "tags",                Deny,  "this repository sends immutable subjects"),
    ("pull_request_target immutable",                 "pull-request",        Deny,  "this repository sends immutable subjects"),
    ("pull_request fork immutable",                   "main-both",           Deny,  "no OIDC token"),
    ("workflow_dispatch immutable",                   "main-both",           Allow, "meets its StringEquals"),
    ("schedule immutable",                            "main-immutable",      Allow, "meets its StringEquals"),
    ("release refs/tags/v1.2.3 immutable",            "release-semver",      Deny,  "this repository sends immutable subjects"),
    // owner and repository names: values compare case-sensitively
    ("push repo=Octo-Org/octo-app",                   "main",                Deny,  "they differ only in letter case"),
    ("push repo=Octo-Org/octo-app",                   "ignore-case",         Allow, "StringEqualsIgnoreCase"),
    ("push",                                          "capitals",            Deny,  "they differ only in letter case"),
    ("push",                                          "key-case",            Allow, "meets its StringEquals"),
    ("push repo=octo-org/other-app",                  "main",                Deny,  "\"repo:octo-org/other-app:ref:refs/heads/main\""),
    ("push repo=octo-org/octo-app-2",                 "any-ref",             Deny,  "wants StringLike \"repo:octo-org/octo-app:*\""),
    ("push repo=octo-org/other-app",                  "owner-wide",          Allow, "StringLike \"repo:octo-org/*\""),
    ("push repo=evil-org/octo-app",                   "owner-wide",          Deny,  "\"repo:evil-org/octo-app:ref:refs/heads/main\""),
    // pull_request from the same repository, and from a fork
    ("pull_request",                                  "main",                Deny,  "a pull request run's sub is repo:OWNER/REPO:pull_request"),
    ("pull_request",                                  "pull-request",        Allow, "\"repo:octo-org/octo-app:pull_request\""),
    ("pull_request immutable",                        "pull-request",        Deny,  "this repository sends immutable subjects"),
    ("pull_request env=production",                   "env",                 Allow, "environment:production"),
    ("pull_request",                                  "deny-pull-requests",  Deny,  "an explicit Deny wins over every Allow"),
    ("push",                                          "deny-pull-requests",  Allow, "\"Everything\" allows it"),
    ("pull_request fork",                             "pull-request",        Deny,  "GitHub issues no OIDC token to a pull_request run from a fork"),
    ("pull_request fork",                             "no-condition",        Deny,  "whatever the trust policy says"),
    ("pull_request fork env=production",              "env",                 Deny,  "no OIDC token"),
    // pull_request_target: runs in the base repository, so a fork's gets a token
    ("pull_request_target",                           "pull-request",        Allow, "\"repo:octo-org/octo-app:pull_request\""),
    ("pull_request_target fork",                      "pull-request",        Allow, "\"repo:octo-org/octo-app:pull_request\""),
    ("pull_request_target",                           "main",                Deny,  "a pull request run's sub"),
    ("pull_request_target",                           "not-like-pull-request", Deny, "which statement \"NotPullRequests\" excludes with StringNotLike"),
    // workflow_dispatch
    ("workflow_dispatch",                             "main",                Allow, "meets its StringEquals"),
    ("workflow_dispatch refs/heads/dev",              "main",                Deny,  "\"repo:octo-org/octo-app:ref:refs/heads/dev\""),
    ("workflow_dispatch refs/tags/v2.0.0",            "tags",                Allow, "StringLike"),
    ("workflow_dispatch",                             "dispatch-only",       Allow, "meets its StringLike"),
    // schedule
    ("schedule",                                      "main",                Allow, "meets its StringEquals"),
    ("schedule",                                      "dispatch-only",       Deny,  "The token's event_name is \"schedule\", but statement \"DispatchOnly\" wants StringEquals \"workflow_dispatch\""),
    ("schedule env=nightly",                          "main",                Deny,  "environment:nightly"),
    // release
    ("release refs/tags/v1.2.3",                      "release-semver",      Allow, "StringLike \"repo:octo-org/octo-app:ref:refs/tags/v?.?.?\""),
    ("release refs/tags/v1.20.3",                     "release-semver",      Deny,  "\"repo:octo-org/octo-app:ref:refs/tags/v1.20.3\""),
    ("release refs/tags/v1.2.3",                      "main",                Deny,  "refs/tags/v1.2.3"),
    // aud
    ("push",                                          "no-aud",              Allow, "it has no aud condition, which STS does not need"),
    ("push",                                          "wrong-aud",           Deny,  "The token's aud is \"sts.amazonaws.com\", but statement \"Branch\" wants StringEquals \"https://github.com/octo-org\" (configure-aws-credentials asks GitHub for a token for sts.amazonaws.com"),
    ("push",                                          "no-condition",        Allow, "nothing in it pins the repository's owner"),
    ("push repo=someone/anything",                    "any-repository",      Allow, "a workflow of any GitHub repository could assume this role"),
    // two statements
    ("push",                                          "two-statements",      Allow, "Statement \"Branch\" allows it"),
    ("push env=production",                           "two-statements",      Allow, "Statement \"Environment\" allows it"),
    ("push refs/heads/feature",                       "two-statements",      Deny,  "No statement allows it; in the closest"),
    // ForAnyValue:, ForAllValues:, Not, IfExists, Null
    ("push",                                          "for-any-value",       Allow, "ForAnyValue:StringLike"),
    ("pull_request",                                  "for-any-value",       Deny,  "wants ForAnyValue:StringLike"),
    ("push",                                          "for-all-values",      Allow, "ForAllValues:StringEquals"),
    ("push",                                          "not-like-pull-request", Allow, "\"NotPullRequests\" allows it"),
    ("push refs/heads/feature",                       "not-main",            Allow, "\"NotMain\" allows it"),
    ("push",                                          "not-main",            Deny,  "The token's ref is \"refs/heads/main\", which statement \"NotMain\" excludes with StringNotEquals \"refs/heads/main\""),
    ("push",                                          "env-if-exists",       Allow, "allows it"),
    ("push env=staging",                              "env-if-exists",       Deny,  "wants StringEqualsIfExists \"production\""),
    ("push",                                          "no-environment",      Allow, "allows it"),
    ("push env=production",                           "no-environment",      Deny,  "wants no environment claim (Null)"),
    // other claims than sub
    ("push",                                          "claims",              Allow, "allows it"),
    ("push refs/heads/dev",                           "claims",              Deny,  "The token's ref is \"refs/heads/dev\""),
    ("push repo=octo-org@9919/other-app@77",          "claims",              Deny,  "1 more of its conditions fails too"),
    // which statements count: principal and action
    ("push",                                          "other-account",       Deny,  "the GitHub provider of account 999999999999, but the role is in account 123456789012"),
    ("push",                                          "service-principal",   Deny,  "trusts Service \"ecs-tasks.amazonaws.com\", not GitHub's OIDC provider"),
    ("push",                                          "any-principal",       Allow, "allows it"),
    ("push",                                          "action-wildcard",     Allow, "allows it"),
    ("push",                                          "action-lowercase",    Allow, "allows it"),
    ("push",                                          "not-action",          Allow, "allows it"),
    ("push",                                          "assume-role-only",    Deny,  "allows Action \"sts:AssumeRole\", not sts:AssumeRoleWithWebIdentity"),
    ("push",                                          "deny-only",           Deny,  "The policy has no Allow statement"),
];

/// A run from its one-line description.
fn run(spec: &str) -> Run {
    let mut words = spec.split_whitespace();
    let event_name = words.next().unwrap();
    let mut run = Run {
        repository: Repository {
            owner: "octo-org".into(),
            name: "octo-app".into(),
            ids: Some(IDS),
        },
        event: Event::parse(event_name, false).unwrap(),
        git_ref: "refs/heads/main".into(),
        environment: None,
        subject_form: SubjectForm::Legacy,
    };
    for word in words {
        if word.starts_with("refs/") {
            run.git_ref = word.into();
        } else if word == "fork" {
            run.event = Event::parse(event_name, true).unwrap();
        } else if word == "immutable" {
            run.subject_form = SubjectForm::Immutable;
        } else if let Some(env) = word.strip_prefix("env=") {
            run.environment = Some(env.into());
        } else if let Some(slug) = word.strip_prefix("repo=") {
            let (owner, name) = slug.split_once('/').unwrap();
            let part = |p: &str| match p.split_once('@') {
                Some((name, id)) => (name.to_string(), Some(id.parse::<u64>().unwrap())),
                None => (p.to_string(), None),
            };
            let ((owner, owner_id), (name, repo_id)) = (part(owner), part(name));
            let same =
                owner.eq_ignore_ascii_case("octo-org") && name.eq_ignore_ascii_case("octo-app");
            run.repository = Repository {
                ids: owner_id.zip(repo_id).or(same.then_some(IDS)),
                owner,
                name,
            };
        } else {
            panic!("unknown word {word:?} in run {spec:?}");
        }
    }
    run
}

/// Condition keys without `:` are GitHub's claims.
fn expand(conditions: Value) -> Value {
    let Value::Object(blocks) = conditions else {
        panic!("conditions: {conditions}")
    };
    let blocks = blocks
        .into_iter()
        .map(|(operator, keys)| {
            let Value::Object(keys) = keys else {
                panic!("{operator}")
            };
            let keys = keys
                .into_iter()
                .map(|(key, values)| match key.contains(':') {
                    true => (key, values),
                    false => (format!("{OIDC}:{key}"), values),
                })
                .collect();
            (operator, Value::Object(keys))
        })
        .collect();
    Value::Object(blocks)
}

/// A statement trusting the account's GitHub provider with the web identity action.
fn statement(sid: &str, effect: &str, conditions: Value) -> Value {
    let mut statement = json!({
        "Sid": sid,
        "Effect": effect,
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    });
    if conditions != json!({}) {
        statement["Condition"] = expand(conditions);
    }
    statement
}

fn allow(sid: &str, conditions: Value) -> Value {
    statement(sid, "Allow", conditions)
}

fn deny(sid: &str, conditions: Value) -> Value {
    statement(sid, "Deny", conditions)
}

/// `StringEquals` sub (one value or several) and aud: the shape Keyless generates.
fn exact(sid: &str, sub: Value) -> Value {
    allow(
        sid,
        json!({"StringEquals": {"aud": "sts.amazonaws.com", "sub": sub}}),
    )
}

/// `StringLike` sub, `StringEquals` aud.
fn like(sid: &str, sub: &str) -> Value {
    allow(
        sid,
        json!({"StringEquals": {"aud": "sts.amazonaws.com"}, "StringLike": {"sub": sub}}),
    )
}

/// The policy named `name`, as JSON text.
fn policy(name: &str) -> String {
    const MAIN: &str = "repo:octo-org/octo-app:ref:refs/heads/main";
    const MAIN_IMMUTABLE: &str = "repo:octo-org@9919/octo-app@1296269:ref:refs/heads/main";
    let statements = match name {
        "main" => vec![exact("Branch", json!(MAIN))],
        "two-branches" => vec![exact(
            "Branch",
            json!([MAIN, "repo:octo-org/octo-app:ref:refs/heads/develop"]),
        )],
        "any-ref" => vec![like("AnyRef", "repo:octo-org/octo-app:*")],
        "tags" => vec![like("Tags", "repo:octo-org/octo-app:ref:refs/tags/v*")],
        "release-semver" => vec![like(
            "Releases",
            "repo:octo-org/octo-app:ref:refs/tags/v?.?.?",
        )],
        "deny-tags" => vec![
            like("Everything", "repo:octo-org/octo-app:*"),
            deny(
                "NoTags",
                json!({"StringLike": {"sub": "*:ref:refs/tags/*"}}),
            ),
        ],
        "env" => vec![exact(
            "Environment",
            json!("repo:octo-org/octo-app:environment:production"),
        )],
        "any-env" => vec![like(
            "AnyEnvironment",
            "repo:octo-org/octo-app:environment:*",
        )],
        "main-immutable" => vec![exact("Branch", json!(MAIN_IMMUTABLE))],
        "main-both" => vec![exact("Branch", json!([MAIN, MAIN_IMMUTABLE]))],
        "env-immutable" => vec![exact(
            "Environment",
            json!("repo:octo-org@9919/octo-app@1296269:environment:production"),
        )],
        "ignore-case" => vec![allow(
            "Branch",
            json!({"StringEqualsIgnoreCase": {"sub": MAIN}}),
        )],
        "capitals" => vec![exact(
            "Branch",
            json!("repo:Octo-Org/octo-app:ref:refs/heads/main"),
        )],
        "key-case" => vec![allow(
            "Branch",
            json!({"StringEquals": {"Token.Actions.GitHubUserContent.com:SUB": MAIN, "TOKEN.actions.githubusercontent.com:Aud": "sts.amazonaws.com"}}),
        )],
        "owner-wide" => vec![like("Owner", "repo:octo-org/*")],
        "any-repository" => vec![like("AnyRepository", "repo:*:ref:refs/heads/main")],
        "pull-request" => vec![exact(
            "PullRequests",
            json!("repo:octo-org/octo-app:pull_request"),
        )],
        "deny-pull-requests" => vec![
            like("Everything", "repo:octo-org/octo-app:*"),
            deny(
                "NoPullRequests",
                json!({"StringEquals": {"sub": "repo:octo-org/octo-app:pull_request"}}),
            ),
        ],
        "not-like-pull-request" => vec![allow(
            "NotPullRequests",
            json!({"StringLike": {"sub": "repo:octo-org/octo-app:*"}, "StringNotLike": {"sub": "*:pull_request"}}),
        )],
        "not-main" => vec![allow(
            "NotMain",
            json!({"StringLike": {"sub": "repo:octo-org/octo-app:*"}, "StringNotEquals": {"ref": "refs/heads/main"}}),
        )],
        "dispatch-only" => vec![allow(
            "DispatchOnly",
            json!({"StringLike": {"sub": "repo:octo-org/octo-app:*"}, "StringEquals": {"event_name": "workflow_dispatch", "aud": "sts.amazonaws.com"}}),
        )],
        "no-aud" => vec![allow("Branch", json!({"StringEquals": {"sub": MAIN}}))],
        "wrong-aud" => vec![allow(
            "Branch",
            json!({"StringEquals": {"sub": MAIN, "aud": "https://github.com/octo-org"}}),
        )],
        "no-condition" => vec![allow("Anyone", json!({}))],
        "two-statements" => vec![
            exact("Branch", json!(MAIN)),
            exact(
                "Environment",
                json!("repo:octo-org/octo-app:environment:production"),
            ),
        ],
        "for-any-value" => vec![allow(
            "Listed",
            json!({"ForAnyValue:StringLike": {"sub": ["repo:octo-org/octo-app:ref:refs/heads/*", "repo:octo-org/octo-app:environment:*"]}}),
        )],
        "for-all-values" => vec![allow(
            "Listed",
            json!({"ForAllValues:StringEquals": {"sub": [MAIN]}}),
        )],
        "env-if-exists" => vec![allow(
            "MaybeProduction",
            json!({"StringLike": {"sub": "repo:octo-org/octo-app:*"}, "StringEqualsIfExists": {"environment": "production"}}),
        )],
        "no-environment" => vec![allow(
            "NoEnvironment",
            json!({"StringLike": {"sub": "repo:octo-org/octo-app:*"}, "Null": {"environment": "true"}}),
        )],
        "claims" => vec![allow(
            "Claims",
            json!({"StringEquals": {"repository": "octo-org/octo-app", "repository_id": "1296269", "ref": "refs/heads/main", "aud": "sts.amazonaws.com"}}),
        )],
        "other-account" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s["Principal"]["Federated"] = json!(PROVIDER.replace(ACCOUNT, "999999999999"));
            s
        }],
        "service-principal" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s["Principal"] = json!({"Service": "ecs-tasks.amazonaws.com"});
            s
        }],
        "any-principal" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s["Principal"] = json!("*");
            s
        }],
        "action-wildcard" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s["Action"] = json!(["sts:TagSession", "sts:AssumeRole*"]);
            s
        }],
        "action-lowercase" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s["Action"] = json!(["STS:assumerolewithwebidentity"]);
            s
        }],
        "not-action" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s.as_object_mut().unwrap().remove("Action");
            s["NotAction"] = json!("iam:*");
            s
        }],
        "assume-role-only" => vec![{
            let mut s = exact("Branch", json!(MAIN));
            s["Action"] = json!("sts:AssumeRole");
            s
        }],
        "deny-only" => vec![deny(
            "NoPullRequests",
            json!({"StringEquals": {"sub": "repo:octo-org/octo-app:pull_request"}}),
        )],
        other => panic!("no policy named {other}"),
    };
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

#[test]
fn the_case_table() {
    assert!(CASES.len() >= 40, "only {} cases", CASES.len());
    let mut failures = Vec::new();
    for &(spec, name, want, says) in CASES {
        let decision = match check(&policy(name), &run(spec), Some(ACCOUNT)) {
            Ok(decision) => decision,
            Err(e) => {
                failures.push(format!("{spec} × {name}: error {e}"));
                continue;
            }
        };
        let got = if decision.allowed { Allow } else { Deny };
        if got != want || !decision.reason.contains(says) {
            failures.push(format!(
                "{spec} × {name}: {got:?}, expected {want:?} saying {says:?}\n  sub: {:?}\n  reason: {}",
                decision.sub, decision.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// The table covers every event, both subject forms (against legacy, immutable
/// and both-form policies) and every operator the evaluator implements.
#[test]
fn the_table_covers_events_forms_and_operators() {
    let runs: Vec<Run> = CASES.iter().map(|(spec, ..)| run(spec)).collect();
    for form in [SubjectForm::Legacy, SubjectForm::Immutable] {
        for event in [
            Event::Push,
            Event::PullRequest { from_fork: false },
            Event::PullRequest { from_fork: true },
            Event::PullRequestTarget { from_fork: false },
            Event::WorkflowDispatch,
            Event::Schedule,
            Event::Release,
        ] {
            assert!(
                runs.iter()
                    .any(|r| r.event == event && r.subject_form == form),
                "no {form:?} case for {event:?}"
            );
        }
        assert!(runs.iter().any(|r| r.event == Event::Push
            && r.git_ref.starts_with("refs/tags/")
            && r.subject_form == form));
    }
    assert!(runs
        .iter()
        .any(|r| r.event == (Event::PullRequestTarget { from_fork: true })));
    for form in [SubjectForm::Legacy, SubjectForm::Immutable] {
        for policy in ["main", "main-immutable", "main-both"] {
            assert!(
                CASES
                    .iter()
                    .any(|(spec, name, ..)| *name == policy && run(spec).subject_form == form),
                "no {form:?} run against {policy}"
            );
        }
    }
    let texts: Vec<String> = CASES.iter().map(|(_, name, ..)| policy(name)).collect();
    for operator in [
        "\"StringEquals\"",
        "\"StringLike\"",
        "\"StringNotLike\"",
        "\"StringNotEquals\"",
        "\"StringEqualsIgnoreCase\"",
        "\"ForAnyValue:StringLike\"",
        "\"ForAllValues:StringEquals\"",
        "\"StringEqualsIfExists\"",
        "\"Null\"",
        "\"Deny\"",
        "\"NotAction\"",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(operator)),
            "no policy uses {operator}"
        );
    }
    for (want, count) in [(Allow, 25), (Deny, 25)] {
        assert!(
            CASES.iter().filter(|c| c.2 == want).count() >= count,
            "fewer than {count} {want:?}"
        );
    }
}

#[test]
fn the_sub_is_exactly_what_github_writes() {
    for (spec, sub) in [
        ("push", "repo:octo-org/octo-app:ref:refs/heads/main"),
        (
            "push refs/tags/v1.2.0",
            "repo:octo-org/octo-app:ref:refs/tags/v1.2.0",
        ),
        (
            "push refs/heads/feature/x env=Production 1",
            "repo:octo-org/octo-app:environment:Production 1",
        ),
        ("pull_request", "repo:octo-org/octo-app:pull_request"),
        (
            "pull_request env=preview",
            "repo:octo-org/octo-app:environment:preview",
        ),
        ("pull_request_target", "repo:octo-org/octo-app:pull_request"),
        (
            "workflow_dispatch refs/tags/v2",
            "repo:octo-org/octo-app:ref:refs/tags/v2",
        ),
        (
            "schedule refs/heads/trunk",
            "repo:octo-org/octo-app:ref:refs/heads/trunk",
        ),
        (
            "release refs/tags/v3",
            "repo:octo-org/octo-app:ref:refs/tags/v3",
        ),
        (
            "push immutable",
            "repo:octo-org@9919/octo-app@1296269:ref:refs/heads/main",
        ),
        (
            "pull_request immutable",
            "repo:octo-org@9919/octo-app@1296269:pull_request",
        ),
        (
            "push immutable env=prod",
            "repo:octo-org@9919/octo-app@1296269:environment:prod",
        ),
        (
            "push repo=Octo-Org/Octo-App",
            "repo:Octo-Org/Octo-App:ref:refs/heads/main",
        ),
    ] {
        let mut run = run(spec.trim_end_matches(" 1"));
        if spec.ends_with(" 1") {
            run.environment = Some("Production 1".into());
        }
        let token = run.token().unwrap().unwrap();
        assert_eq!(token.sub, sub, "{spec}");
        assert_eq!(token.aud, "sts.amazonaws.com");
    }
    assert_eq!(run("pull_request fork").token(), Ok(None));
}

#[test]
fn runs_github_cannot_produce_are_errors() {
    let deny_main = policy("main");
    for (spec, says) in [
        ("release", "a release run is on its tag"),
        ("schedule refs/tags/v1", "a schedule run is on a branch"),
        (
            "pull_request refs/tags/v1",
            "a pull_request run is on a branch",
        ),
        ("push refs/heads/", "is not a branch ref"),
        ("push refs/heads/feature/*", "is not a branch ref"),
        (
            "push immutable repo=someone/else",
            "immutable subjects carry",
        ),
    ] {
        let mut bad = run(spec);
        if spec == "push refs/heads/" {
            bad.git_ref = "refs/heads/".into();
        }
        match check(&deny_main, &bad, Some(ACCOUNT)) {
            Err(CheckError::Run(message)) => assert!(message.contains(says), "{spec}: {message}"),
            other => panic!("{spec}: {other:?}"),
        }
    }
    let mut bare = run("push");
    bare.git_ref = "main".into();
    assert!(
        matches!(check(&deny_main, &bare, None), Err(CheckError::Run(m)) if m.contains("not a full ref"))
    );
    assert!(Event::parse("push", true).is_err());
    assert!(Event::parse("workflow_run", false).is_err());
}

#[test]
fn bad_policies_are_errors_never_panics() {
    let push = run("push");
    for (text, says) in [
        ("", "not valid JSON"),
        ("{\"Statement\": [", "not valid JSON"),
        ("[]", "a policy document is a JSON object"),
        ("{\"Version\": \"2012-10-17\"}", "no \"Statement\""),
        ("{\"Statement\": 3}", "must be an object or a list"),
        ("{\"Statement\": [3]}", "statement 1 is not a JSON object"),
        ("{\"Statement\": [{\"Principal\": \"*\", \"Action\": \"*\"}]}", "no \"Effect\""),
        ("{\"Statement\": [{\"Effect\": \"allow\", \"Principal\": \"*\", \"Action\": \"*\"}]}", "must be \"Allow\" or \"Deny\""),
        ("{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ecr:*\", \"Resource\": \"*\"}]}", "is this a permissions policy?"),
        ("{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\"}]}", "no \"Action\""),
        ("{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": [1, {}]}]}", "must be a string or a list of strings"),
        ("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": 7, \"Action\": \"*\"}}", "Principal 7"),
        ("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": []}}", "\"Condition\" must be an object"),
        ("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": {\"StringEquals\": \"x\"}}}", "must be an object of condition keys"),
        ("{\"Statement\": {\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Condition\": {\"DateGreaterThan\": {\"aws:CurrentTime\": \"2020-01-01\"}}}}", "the condition operator DateGreaterThan"),
        ("{\"Statement\": {\"Effect\": \"Allow\", \"NotPrincipal\": {\"AWS\": \"x\"}, \"Action\": \"*\"}}", "NotPrincipal"),
        ("\"%7B%22Statement%22%3A5%7D\"", "must be an object or a list"),
        ("\"not json\"", "the policy document string is not valid JSON"),
    ] {
        let error = check(text, &push, Some(ACCOUNT)).expect_err(text);
        assert!(error.to_string().contains(says), "{text}: {error}");
    }
}

#[test]
fn claims_a_run_cannot_know_are_errors_only_where_they_decide() {
    let with =
        |conditions: Value| json!({"Statement": [allow("Workflow", conditions)]}).to_string();
    let workflow = with(
        json!({"StringEquals": {"sub": "repo:octo-org/octo-app:ref:refs/heads/main", "job_workflow_ref": "octo-org/octo-app/.github/workflows/deploy.yml@refs/heads/main"}}),
    );
    let error = check(&workflow, &run("push"), Some(ACCOUNT)).unwrap_err();
    assert!(
        matches!(&error, CheckError::Unsupported(m) if m.contains("job_workflow_ref")),
        "{error}"
    );
    // The sub already fails: the unknown claim cannot change the answer.
    let decision = check(&workflow, &run("push refs/heads/dev"), Some(ACCOUNT)).unwrap();
    assert!(!decision.allowed);
    // A pull request's ref is refs/pull/NUMBER/merge.
    let by_ref = with(json!({"StringLike": {"ref": "refs/pull/*/merge"}}));
    let error = check(&by_ref, &run("pull_request"), Some(ACCOUNT)).unwrap_err();
    assert!(
        error.to_string().contains("refs/pull/NUMBER/merge"),
        "{error}"
    );
    // Without ids, repository_id is unknown; an unknown claim name is just absent.
    let by_id = with(json!({"StringEquals": {"repository_id": "1296269"}}));
    let error = check(&by_id, &run("push repo=octo-org/other"), Some(ACCOUNT)).unwrap_err();
    assert!(error.to_string().contains("numeric id"), "{error}");
    let typo =
        with(json!({"StringEquals": {"subject": "repo:octo-org/octo-app:ref:refs/heads/main"}}));
    let decision = check(&typo, &run("push"), Some(ACCOUNT)).unwrap();
    assert!(
        !decision.allowed && decision.reason.contains("GitHub's token has no such claim"),
        "{}",
        decision.reason
    );
}

#[test]
fn what_aws_iam_get_role_prints_is_a_policy_too() {
    let document: Value = serde_json::from_str(&policy("main")).unwrap();
    let get_role = json!({"Role": {"RoleName": "octo-app-github-deploy", "AssumeRolePolicyDocument": document}});
    assert!(
        check(&get_role.to_string(), &run("push"), Some(ACCOUNT))
            .unwrap()
            .allowed
    );
    let as_string = json!({"AssumeRolePolicyDocument": document.to_string()});
    assert!(
        check(&as_string.to_string(), &run("push"), Some(ACCOUNT))
            .unwrap()
            .allowed
    );
    // Without an account, GitHub's provider of any account counts.
    assert!(
        check(&policy("other-account"), &run("push"), None)
            .unwrap()
            .allowed
    );
}

#[test]
fn warnings_only_where_due() {
    let reason = |spec: &str, name: &str| {
        check(&policy(name), &run(spec), Some(ACCOUNT))
            .unwrap()
            .reason
    };
    for (spec, name) in [
        ("push", "main"),
        ("push repo=octo-org/x", "owner-wide"),
        ("push", "claims"),
    ] {
        let text = reason(spec, name);
        assert!(!text.contains("any GitHub repository"), "{name}: {text}");
        assert!(!text.contains("no aud condition"), "{name}: {text}");
        assert!(!text.contains("deployment branch rules"), "{name}: {text}");
    }
}
