//! IAM policy documents as typed serde structs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::ValidConfig;
use crate::names::{Names, GITHUB_OIDC_HOST, STS_AUDIENCE};

/// An IAM policy document.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    /// Always `2012-10-17`.
    pub version: &'static str,
    /// The statements.
    pub statement: Vec<Statement>,
}

/// One statement of a policy document.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub condition: BTreeMap<&'static str, BTreeMap<String, Vec<String>>>,
}

/// The principal of a trust policy statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Principal {
    /// The OIDC provider ARN.
    pub federated: String,
}

/// The trust policy of the deploy role: only GitHub's OIDC tokens for exactly this
/// repository and branch (or environment), with the STS audience (domain.md §1–2).
pub fn trust_policy(config: &ValidConfig) -> PolicyDocument {
    let names = Names::new(config);
    let mut string_equals = BTreeMap::new();
    string_equals.insert(
        format!("{GITHUB_OIDC_HOST}:aud"),
        vec![STS_AUDIENCE.to_string()],
    );
    string_equals.insert(format!("{GITHUB_OIDC_HOST}:sub"), vec![names.subject]);
    PolicyDocument {
        version: "2012-10-17",
        statement: vec![Statement {
            sid: "GitHubActionsDeploy",
            effect: "Allow",
            principal: Some(Principal {
                federated: names.oidc_provider_arn,
            }),
            action: vec!["sts:AssumeRoleWithWebIdentity"],
            resource: None,
            condition: BTreeMap::from([("StringEquals", string_equals)]),
        }],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::config::RawConfig;

    fn trust_json(raw: RawConfig) -> Value {
        let config = raw.validate().unwrap();
        serde_json::from_str(&crate::bundle::pretty_json(&super::trust_policy(&config))).unwrap()
    }

    fn raw() -> RawConfig {
        RawConfig {
            account_id: "012345678901".into(),
            region: "eu-west-1".into(),
            github_owner: "octo-org".into(),
            github_repo: "octo-app".into(),
            ..RawConfig::default()
        }
    }

    #[test]
    fn trust_policy_pins_repository_and_branch() {
        assert_eq!(
            trust_json(raw()),
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
        let policy = trust_json(RawConfig {
            environment: "production".into(),
            branch: "release".into(),
            ..raw()
        });
        assert_eq!(
            policy["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"],
            json!(["repo:octo-org/octo-app:environment:production"])
        );
    }
}
