//! IAM's decision for `sts:AssumeRoleWithWebIdentity` with one token: which
//! statements count, whether their conditions hold, explicit Deny first, then
//! any Allow; and the one sentence that says why.

use super::policy::{Actions, Condition, Match, Policy, Principal, Quantifier, Statement};
use super::run::{Claim, Token};
use super::{CheckError, Decision};
use crate::names::{GITHUB_OIDC_HOST, STS_AUDIENCE};

/// The action a web identity federation asks for.
const ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// How one statement fares.
enum Outcome<'p> {
    /// Its principal or action does not cover this request: why.
    NotApplicable(String),
    /// Every condition holds.
    Matches,
    /// These conditions fail (at least one).
    Fails(Vec<Failure<'p>>),
    /// A condition tests a claim whose value the run does not determine.
    Unknown(&'p Condition, &'static str),
}

/// One failing condition and the token's value for its claim.
struct Failure<'p> {
    condition: &'p Condition,
    claim: Claim,
}

/// The decision for `token` (`None`: GitHub issues no token). `account` is the
/// role's account; `None` takes GitHub's provider of any account.
pub(crate) fn decide(
    policy: &Policy,
    token: Option<&Token>,
    account: Option<&str>,
) -> Result<Decision, CheckError> {
    let Some(token) = token else {
        return Ok(Decision {
            allowed: false,
            sub: None,
            reason: "GitHub issues no OIDC token to a pull_request run from a fork (its id-token permission is at most read), so it cannot assume any role, whatever the trust policy says.".into(),
        });
    };
    let denied = |reason: String| Decision {
        allowed: false,
        sub: Some(token.sub.clone()),
        reason,
    };
    let outcomes: Vec<(&Statement, Outcome)> = policy
        .statements
        .iter()
        .map(|statement| (statement, outcome(statement, token, account)))
        .collect();

    let denies = outcomes.iter().filter(|(s, _)| !s.allow);
    let allows = || outcomes.iter().filter(|(s, _)| s.allow);
    if let Some((statement, _)) = denies
        .clone()
        .find(|(_, outcome)| matches!(outcome, Outcome::Matches))
    {
        return Ok(denied(format!(
            "Statement {} denies it explicitly, and an explicit Deny wins over every Allow: {}.",
            statement.label,
            holding(statement, token)
        )));
    }
    let allowing = allows().find(|(_, outcome)| matches!(outcome, Outcome::Matches));
    if let Some((statement, _)) = allowing {
        if let Some(error) = first_unknown(denies) {
            return Err(error);
        }
        return Ok(Decision {
            allowed: true,
            sub: Some(token.sub.clone()),
            reason: allowed_reason(statement, token),
        });
    }
    if let Some(error) = first_unknown(allows()) {
        return Err(error);
    }

    // Denied: say why, from the Allow that came closest.
    let closest = allows()
        .filter_map(|(statement, outcome)| match outcome {
            Outcome::Fails(failures) => Some((*statement, failures)),
            _ => None,
        })
        .min_by_key(|(_, failures)| failures.len());
    if let Some((statement, failures)) = closest {
        let applicable = allows()
            .filter(|(_, o)| !matches!(o, Outcome::NotApplicable(_)))
            .count();
        let first = failures
            .iter()
            .min_by_key(|f| rank(f.condition))
            .unwrap_or(&failures[0]);
        let more = match failures.len() - 1 {
            0 => String::new(),
            1 => " (1 more of its conditions fails too)".into(),
            n => format!(" ({n} more of its conditions fail too)"),
        };
        let sentence = failure_sentence(statement, first, token);
        let reason = if applicable > 1 {
            format!("No statement allows it; in the closest, {sentence}{more}.")
        } else {
            format!("{}{more}.", capitalise(&sentence))
        };
        return Ok(denied(reason));
    }
    let provider = provider_arn(account);
    let why = allows().find_map(|(statement, outcome)| match outcome {
        Outcome::NotApplicable(why) => Some(format!("{} {why}", statement.label)),
        _ => None,
    });
    Ok(denied(match why {
        Some(why) => format!("No Allow statement lets {provider} call {ACTION}: {why}."),
        None if policy.statements.is_empty() => {
            "The policy has no statement, so nothing is allowed.".into()
        }
        None => "The policy has no Allow statement, so nothing is allowed.".into(),
    }))
}

/// The error of the first statement with a condition on a claim this run
/// cannot know. Such a condition decides only where nothing known already did:
/// a Deny that might match an allowed request, or an Allow that might match a
/// request nothing else allows.
fn first_unknown<'a, 'p: 'a>(
    mut outcomes: impl Iterator<Item = &'a (&'p Statement, Outcome<'p>)>,
) -> Option<CheckError> {
    outcomes.find_map(|(statement, outcome)| match outcome {
        Outcome::Unknown(condition, why) => Some(unknown_claim(statement, condition, why)),
        _ => None,
    })
}

/// `text` with its first letter a capital. ASCII only: every sentence here
/// starts with an ASCII word, and Unicode's case tables would cost the page
/// kilobytes of wasm.
pub fn capitalise(text: &str) -> String {
    let mut out = text.to_string();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

/// `arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com`, or
/// a description of it without an account.
fn provider_arn(account: Option<&str>) -> String {
    match account {
        Some(account) => format!("arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"),
        None => format!("GitHub's OIDC provider ({GITHUB_OIDC_HOST})"),
    }
}

fn outcome<'p>(statement: &'p Statement, token: &Token, account: Option<&str>) -> Outcome<'p> {
    if let Err(why) = principal_applies(&statement.principal, account) {
        return Outcome::NotApplicable(why);
    }
    if let Err(why) = action_applies(&statement.actions) {
        return Outcome::NotApplicable(why);
    }
    let mut failures = Vec::new();
    let mut unknown = None;
    for condition in &statement.conditions {
        let claim = match claim_name(&condition.key) {
            Some(name) => token.claim(name),
            None => Claim::Absent("it is not a claim of GitHub's token"),
        };
        match &claim {
            Claim::Unknown(why) => {
                unknown.get_or_insert((condition, *why));
            }
            Claim::Value(value) if holds(condition, Some(value)) => {}
            Claim::Absent(_) if holds(condition, None) => {}
            _ => failures.push(Failure { condition, claim }),
        }
    }
    match (failures.is_empty(), unknown) {
        (false, _) => Outcome::Fails(failures),
        (true, Some((condition, why))) => Outcome::Unknown(condition, why),
        (true, None) => Outcome::Matches,
    }
}

/// The claim a condition key tests, when it is one of GitHub's token's
/// (`token.actions.githubusercontent.com:sub` → `sub`); keys compare
/// case-insensitively, as in IAM.
fn claim_name(key: &str) -> Option<&str> {
    let (issuer, claim) = key.split_once(':')?;
    issuer
        .eq_ignore_ascii_case(GITHUB_OIDC_HOST)
        .then_some(claim)
}

/// Whether the statement's principal is the account's GitHub OIDC provider.
fn principal_applies(principal: &Principal, account: Option<&str>) -> Result<(), String> {
    let named = match principal {
        Principal::Anyone => return Ok(()),
        Principal::Named(named) => named,
    };
    let federated: Vec<&String> = named
        .iter()
        .filter(|(kind, _)| kind == "Federated")
        .flat_map(|(_, values)| values)
        .collect();
    let mut other_account = None;
    for arn in &federated {
        match github_provider_account(arn) {
            Some(found) if account.is_none_or(|account| account == found) => return Ok(()),
            Some(found) => other_account = Some((arn, found)),
            None => {}
        }
    }
    if let Some((arn, found)) = other_account {
        return Err(format!(
            "trusts {arn}, the GitHub provider of account {found}, but the role is in account {}",
            account.unwrap_or_default()
        ));
    }
    let written: Vec<String> = named
        .iter()
        .flat_map(|(kind, values)| values.iter().map(move |v| format!("{kind} \"{v}\"")))
        .collect();
    Err(match written.as_slice() {
        [] => "names no principal".to_string(),
        _ => format!("trusts {}, not GitHub's OIDC provider", written.join(", ")),
    })
}

/// The account of `arn:PARTITION:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com`.
fn github_provider_account(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    if !partition.starts_with("aws") {
        return None;
    }
    let rest = rest.strip_prefix("iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid && resource == format!("oidc-provider/{GITHUB_OIDC_HOST}")).then_some(account)
}

/// Whether `Action` (or `NotAction`) covers `sts:AssumeRoleWithWebIdentity`:
/// action names compare case-insensitively, with `*` and `?` wildcards.
fn action_applies(actions: &Actions) -> Result<(), String> {
    let covers = |patterns: &[String]| {
        patterns
            .iter()
            .any(|p| wildcard_match(&p.to_ascii_lowercase(), &ACTION.to_ascii_lowercase()))
    };
    match actions {
        Actions::Action(patterns) if covers(patterns) => Ok(()),
        Actions::Action(patterns) => {
            Err(format!("allows Action {}, not {ACTION}", quoted(patterns)))
        }
        Actions::NotAction(patterns) if !covers(patterns) => Ok(()),
        Actions::NotAction(patterns) => Err(format!(
            "leaves {ACTION} out with NotAction {}",
            quoted(patterns)
        )),
    }
}

/// Whether `condition` holds for a single-valued claim (`None`: absent), with
/// IAM's rules: values of one key are ORed; a negated operator holds when no
/// value matches; a missing key fails a plain operator (holds a negated one),
/// holds with `IfExists` and `ForAllValues:`, fails with `ForAnyValue:`.
fn holds(condition: &Condition, value: Option<&str>) -> bool {
    let Some(value) = value else {
        return match condition.matching {
            Match::Null => condition.values.iter().any(|v| v == "true"),
            _ if condition.if_exists => true,
            _ => match condition.quantifier {
                Quantifier::ForAllValues => true,
                Quantifier::ForAnyValue => false,
                Quantifier::Plain => condition.negated,
            },
        };
    };
    if condition.matching == Match::Null {
        return condition.values.iter().any(|v| v == "false");
    }
    let matched = condition
        .values
        .iter()
        .any(|wanted| value_matches(condition.matching, wanted, value));
    matched != condition.negated
}

fn value_matches(matching: Match, wanted: &str, value: &str) -> bool {
    match matching {
        Match::Equals => wanted == value,
        Match::EqualsIgnoreCase => wanted.eq_ignore_ascii_case(value),
        Match::Like => wildcard_match(wanted, value),
        Match::Null => false,
    }
}

/// IAM's `StringLike`: `*` any run of characters (`/` and `:` too), `?` exactly
/// one; case-sensitive. Greedy with one backtrack point: linear in practice.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// `"a"`, `"a" or "b"`, `one of "a", "b", "c"` (at most five shown).
fn quoted(values: &[String]) -> String {
    let q: Vec<String> = values.iter().take(5).map(|v| format!("\"{v}\"")).collect();
    let more = values.len().saturating_sub(5);
    match (q.as_slice(), more) {
        ([], _) => "no value".into(),
        ([one], _) => one.clone(),
        ([a, b], _) => format!("{a} or {b}"),
        (_, 0) => format!("one of {}", q.join(", ")),
        (_, n) => format!("one of {} and {n} more", q.join(", ")),
    }
}

/// `sub` for GitHub's claims (in lower case), else the key as written.
fn short_key(key: &str) -> String {
    match claim_name(key) {
        Some(claim) => claim.to_ascii_lowercase(),
        None => key.to_string(),
    }
}

/// The claims a reason names first: the most telling, `aud` last.
const TELLING: [&str; 6] = [
    "sub",
    "repository",
    "repository_id",
    "environment",
    "ref",
    "event_name",
];

/// How telling a condition's claim is (lower first).
fn rank(condition: &Condition) -> usize {
    let key = short_key(&condition.key);
    match TELLING.iter().position(|claim| *claim == key) {
        Some(position) => position,
        None if key == "aud" => TELLING.len() + 1,
        None => TELLING.len(),
    }
}

/// Why the statement's conditions hold for the token: its most telling one.
fn holding(statement: &Statement, token: &Token) -> String {
    match statement.conditions.iter().min_by_key(|c| rank(c)) {
        None => "it has no condition, so it matches every token".into(),
        Some(c) => {
            let claim = short_key(&c.key);
            let value = match token.claim(&claim) {
                Claim::Value(v) => format!("\"{v}\""),
                _ => "(absent)".into(),
            };
            format!(
                "the token's {claim} {value} meets its {} {}",
                c.operator,
                quoted(&c.values)
            )
        }
    }
}

/// The sentence of an allowed request, with what the statement lacks.
fn allowed_reason(statement: &Statement, token: &Token) -> String {
    let tests = |claim: &'static str| {
        statement
            .conditions
            .iter()
            .filter(move |c| short_key(&c.key) == claim && !c.negated)
    };
    // A value pins the owner when nothing before its first `/` is a wildcard
    // (`repo:octo-org/*` does, `repo:*` and `*` do not); ids are exact.
    let pins = |value: &String| match value.split_once('/') {
        Some((owner, _)) => !owner.contains(['*', '?']),
        None => !value.contains(['*', '?']),
    };
    let pins_repository = tests("sub")
        .chain(tests("repository"))
        .chain(tests("repository_id"))
        .any(|c| c.matching != Match::Null && c.values.iter().all(pins));
    let mut reason = format!(
        "Statement {} allows it: {}",
        statement.label,
        holding(statement, token)
    );
    if !pins_repository {
        reason.push_str(
            "; but nothing in it pins the repository's owner (no sub, repository or repository_id condition without a wildcard there), so a workflow of any GitHub repository could assume this role",
        );
    }
    if let Some(env) = &token.environment {
        reason.push_str(&format!(
            "; which branches may run a job in environment {env} is for that environment's deployment branch rules on GitHub to say, not this policy"
        ));
    }
    if tests("aud").next().is_none() {
        reason.push_str(&format!(
            "; it has no aud condition, which STS does not need (it checks the audience against the provider's client ids, assumed to be {STS_AUDIENCE}), but add StringEquals {GITHUB_OIDC_HOST}:aud \"{STS_AUDIENCE}\" to say so"
        ));
    }
    reason.push('.');
    reason
}

/// The error for a condition on a claim the run description cannot give.
fn unknown_claim(statement: &Statement, condition: &Condition, why: &str) -> CheckError {
    CheckError::Unsupported(format!(
        "{} tests {} with {}, and this check cannot know that claim's value: {why}",
        statement.label, condition.key, condition.operator
    ))
}

/// One failing condition as a clause: what the token had, what the policy wanted.
fn failure_sentence(statement: &Statement, failure: &Failure, token: &Token) -> String {
    let c = failure.condition;
    let claim = short_key(&c.key);
    let wanted = format!("{} {}", c.operator, quoted(&c.values));
    match (&failure.claim, c.matching) {
        (Claim::Value(value), Match::Null) => format!(
            "statement {} wants no {claim} claim (Null), but the token's {claim} is \"{value}\"",
            bare(&statement.label)
        ),
        (Claim::Value(value), _) if c.negated => format!(
            "the token's {claim} is \"{value}\", which statement {} excludes with {wanted}",
            bare(&statement.label)
        ),
        (Claim::Value(value), _) => {
            let hint = if claim == "sub" {
                sub_hint(value, &c.values, token)
            } else if claim == "aud" {
                " (configure-aws-credentials asks GitHub for a token for sts.amazonaws.com, the audience of AWS STS)"
            } else {
                case_hint(c.matching, value, &c.values)
            };
            format!(
                "the token's {claim} is \"{value}\", but statement {} wants {wanted}{hint}",
                bare(&statement.label)
            )
        }
        (Claim::Absent(why), _) | (Claim::Unknown(why), _) => format!(
            "the token has no {claim} claim ({why}), but statement {} wants {wanted}",
            bare(&statement.label)
        ),
    }
}

/// A label without the word "statement" twice: `"Sid"` or `2`.
fn bare(label: &str) -> &str {
    label.strip_prefix("statement ").unwrap_or(label)
}

/// A hint when a value differs from a wanted one only in letter case.
fn case_hint(matching: Match, value: &str, wanted: &[String]) -> &'static str {
    let lower = value.to_ascii_lowercase();
    let same_but_case = wanted.iter().any(|w| match matching {
        Match::Like => wildcard_match(&w.to_ascii_lowercase(), &lower),
        _ => w.eq_ignore_ascii_case(value),
    });
    if same_but_case {
        " (they differ only in letter case: IAM compares values exactly, and GitHub writes the owner and repository names with the capitals they have on GitHub)"
    } else {
        ""
    }
}

/// Why a `sub` did not match, when it is one of the usual traps (domain.md §2).
fn sub_hint(sub: &str, wanted: &[String], token: &Token) -> &'static str {
    let case = case_hint(Match::Like, sub, wanted);
    if !case.is_empty() {
        return case;
    }
    let matches_any = |candidate: &str| wanted.iter().any(|w| wildcard_match(w, candidate));
    let token_immutable = repository_part(sub).contains('@');
    if token_immutable && matches_any(&without_ids(sub)) {
        return " (this repository sends immutable subjects, repo:OWNER@OWNER_ID/REPO@REPO_ID:…, and the policy trusts only the legacy form)";
    }
    if !token_immutable
        && wanted
            .iter()
            .any(|w| repository_part(w).contains('@') && wildcard_match(&without_ids(w), sub))
    {
        return " (the policy trusts only the immutable form, repo:OWNER@OWNER_ID/REPO@REPO_ID:…, and this repository still sends legacy subjects)";
    }
    let wants = |part: &str| wanted.iter().any(|w| w.contains(part));
    if token.environment.is_some() && !wants(":environment:") && wants(":ref:") {
        return " (a job with an environment gets environment:NAME in its sub, whatever its branch or tag)";
    }
    if sub.ends_with(":pull_request") && !wants(":pull_request") && wants(":ref:") {
        return " (a pull request run's sub is repo:OWNER/REPO:pull_request, whatever its branch)";
    }
    if token.environment.is_none() && wants(":environment:") {
        return " (the policy wants a job environment, and this run's job has none)";
    }
    ""
}

/// `OWNER@1/REPO@2` of `repo:OWNER@1/REPO@2:ref:…`.
fn repository_part(sub: &str) -> &str {
    sub.strip_prefix("repo:")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or("")
}

/// `repo:OWNER/REPO:…` from `repo:OWNER@1/REPO@2:…`.
fn without_ids(sub: &str) -> String {
    let part = repository_part(sub);
    let stripped: Vec<&str> = part
        .split('/')
        .map(|piece| match piece.split_once('@') {
            Some((name, _)) => name,
            None => piece,
        })
        .collect();
    sub.replacen(part, &stripped.join("/"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        for (pattern, text, expected) in [
            ("*", "", true),
            ("*", "anything:at/all", true),
            ("repo:o/r:*", "repo:o/r:ref:refs/heads/main", true),
            ("repo:o/r:*", "repo:o/r2:ref:refs/heads/main", false),
            ("repo:o/*:pull_request", "repo:o/r:pull_request", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("sts:assumerole*", "sts:assumerolewithwebidentity", true),
            ("ab", "abc", false),
            ("abc", "ab", false),
            ("**", "x", true),
            ("é?", "éü", true),
        ] {
            assert_eq!(
                wildcard_match(pattern, text),
                expected,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn provider_arns() {
        let arn = "arn:aws:iam::012345678901:oidc-provider/token.actions.githubusercontent.com";
        assert_eq!(github_provider_account(arn), Some("012345678901"));
        assert_eq!(
            github_provider_account(&arn.replace("arn:aws:", "arn:aws-cn:")),
            Some("012345678901")
        );
        assert_eq!(github_provider_account(&arn.replace("0123", "123")), None);
        assert_eq!(
            github_provider_account(&format!("{arn}/my-enterprise")),
            None
        );
        assert_eq!(
            github_provider_account("arn:aws:iam::012345678901:oidc-provider/accounts.google.com"),
            None
        );
    }

    #[test]
    fn ids_come_off_subjects() {
        assert_eq!(
            without_ids("repo:o@1/r@2:ref:refs/heads/a@b"),
            "repo:o/r:ref:refs/heads/a@b"
        );
        assert_eq!(
            without_ids("repo:o/r:pull_request"),
            "repo:o/r:pull_request"
        );
    }

    #[test]
    fn lists_read_as_prose() {
        let v = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(quoted(&v(&["a"])), "\"a\"");
        assert_eq!(quoted(&v(&["a", "b"])), "\"a\" or \"b\"");
        assert_eq!(quoted(&v(&["a", "b", "c"])), "one of \"a\", \"b\", \"c\"");
        assert_eq!(
            quoted(&v(&["1", "2", "3", "4", "5", "6", "7"])),
            "one of \"1\", \"2\", \"3\", \"4\", \"5\" and 2 more"
        );
    }
}
