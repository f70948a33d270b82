//! Any trust policy document, read from JSON into the few things the decision
//! needs: each statement's effect, principal, actions and conditions. A shape
//! IAM would reject is an error that says where, never a panic.

use serde_json::{Map, Value};

use super::CheckError;

/// A parsed trust policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Policy {
    pub statements: Vec<Statement>,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statement {
    /// `"GitHubActionsDeploy"` (its Sid) or `statement 2`.
    pub label: String,
    pub allow: bool,
    pub principal: Principal,
    pub actions: Actions,
    pub conditions: Vec<Condition>,
}

/// `Principal`: `"*"` or principal type → values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Principal {
    Anyone,
    Named(Vec<(String, Vec<String>)>),
}

/// `Action` or `NotAction`, patterns as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Actions {
    Action(Vec<String>),
    NotAction(Vec<String>),
}

/// How a condition treats the key's value(s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quantifier {
    Plain,
    ForAnyValue,
    ForAllValues,
}

/// What a condition compares with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Match {
    Equals,
    EqualsIgnoreCase,
    Like,
    Null,
}

/// One key of one operator block: `StringLike: {key: [values]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Condition {
    /// The operator as written, e.g. `ForAnyValue:StringLike`.
    pub operator: String,
    pub quantifier: Quantifier,
    pub matching: Match,
    pub negated: bool,
    pub if_exists: bool,
    /// The key as written, e.g. `token.actions.githubusercontent.com:sub`.
    pub key: String,
    pub values: Vec<String>,
}

impl Policy {
    /// Reads a policy document from JSON. Also takes what `aws iam get-role`
    /// prints (`{"Role": {"AssumeRolePolicyDocument": …}}`), and the document
    /// as a JSON string or URL-encoded, as the IAM API returns it.
    pub fn parse(text: &str) -> Result<Policy, CheckError> {
        let value: Value = serde_json::from_str(text.trim())
            .map_err(|e| CheckError::Json(format!("the policy is not valid JSON: {e}")))?;
        let document = unwrap_document(value)?;
        let Value::Object(document) = document else {
            return Err(shape(
                "a policy document is a JSON object with a \"Statement\"",
            ));
        };
        let statements = match document.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            Some(_) => {
                return Err(shape(
                    "\"Statement\" must be an object or a list of objects",
                ))
            }
            None => return Err(shape("the policy has no \"Statement\"")),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, item)| statement(index, item))
            .collect::<Result<_, _>>()?;
        Ok(Policy { statements })
    }
}

fn shape(message: impl Into<String>) -> CheckError {
    CheckError::Shape(message.into())
}

/// The policy document inside what the user pasted.
fn unwrap_document(value: Value) -> Result<Value, CheckError> {
    let mut value = value;
    for _ in 0..3 {
        value = match value {
            Value::Object(mut map) if !map.contains_key("Statement") => {
                match map
                    .remove("AssumeRolePolicyDocument")
                    .or_else(|| map.remove("Role"))
                {
                    Some(inner) => inner,
                    None => return Ok(Value::Object(map)),
                }
            }
            Value::String(text) => {
                let decoded = if text.trim_start().starts_with('{') {
                    text
                } else {
                    percent_decode(&text)
                };
                serde_json::from_str(&decoded).map_err(|e| {
                    CheckError::Json(format!("the policy document string is not valid JSON: {e}"))
                })?
            }
            other => return Ok(other),
        };
    }
    Ok(value)
}

/// `%7B%22…` → `{"…`; `+` stays (IAM encodes spaces as `%20`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn statement(index: usize, item: &Value) -> Result<Statement, CheckError> {
    let number = index + 1;
    let Value::Object(map) = item else {
        return Err(shape(format!("statement {number} is not a JSON object")));
    };
    let label = match map.get("Sid") {
        Some(Value::String(sid)) if !sid.is_empty() => format!("\"{sid}\""),
        _ => format!("statement {number}"),
    };
    let allow = match map.get("Effect") {
        Some(Value::String(effect)) if effect == "Allow" => true,
        Some(Value::String(effect)) if effect == "Deny" => false,
        Some(other) => {
            return Err(shape(format!(
                "{label} has Effect {other}: it must be \"Allow\" or \"Deny\""
            )))
        }
        None => return Err(shape(format!("{label} has no \"Effect\""))),
    };
    if map.contains_key("NotPrincipal") {
        return Err(CheckError::Unsupported(format!(
            "{label} uses NotPrincipal, which a role's trust policy cannot use"
        )));
    }
    let principal = match map.get("Principal") {
        Some(Value::String(star)) if star == "*" => Principal::Anyone,
        Some(Value::Object(kinds)) => Principal::Named(
            kinds
                .iter()
                .map(|(kind, values)| Ok((kind.clone(), strings(values, &label, kind)?)))
                .collect::<Result<_, CheckError>>()?,
        ),
        Some(other) => {
            return Err(shape(format!(
                "{label} has Principal {other}: it must be \"*\" or an object such as {{\"Federated\": \"arn:…\"}}"
            )))
        }
        None => {
            return Err(shape(format!(
                "{label} has no \"Principal\": a role's trust policy names who may assume it (is this a permissions policy?)"
            )))
        }
    };
    let actions = match (map.get("Action"), map.get("NotAction")) {
        (Some(action), None) => Actions::Action(strings(action, &label, "Action")?),
        (None, Some(not)) => Actions::NotAction(strings(not, &label, "NotAction")?),
        (Some(_), Some(_)) => {
            return Err(shape(format!(
                "{label} has both \"Action\" and \"NotAction\""
            )))
        }
        (None, None) => return Err(shape(format!("{label} has no \"Action\""))),
    };
    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(Value::Object(blocks)) => conditions(blocks, &label)?,
        Some(_) => return Err(shape(format!("{label}'s \"Condition\" must be an object"))),
    };
    Ok(Statement {
        label,
        allow,
        principal,
        actions,
        conditions,
    })
}

fn conditions(blocks: &Map<String, Value>, label: &str) -> Result<Vec<Condition>, CheckError> {
    let mut out = Vec::new();
    for (operator, keys) in blocks {
        let Value::Object(keys) = keys else {
            return Err(shape(format!(
                "{label}'s {operator} must be an object of condition keys"
            )));
        };
        let (quantifier, base) = if let Some(rest) = operator.strip_prefix("ForAnyValue:") {
            (Quantifier::ForAnyValue, rest)
        } else if let Some(rest) = operator.strip_prefix("ForAllValues:") {
            (Quantifier::ForAllValues, rest)
        } else {
            (Quantifier::Plain, operator.as_str())
        };
        let (base, if_exists) = match base.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (base, false),
        };
        let (matching, negated) = match base {
            "StringEquals" => (Match::Equals, false),
            "StringNotEquals" => (Match::Equals, true),
            "StringEqualsIgnoreCase" => (Match::EqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Match::EqualsIgnoreCase, true),
            "StringLike" => (Match::Like, false),
            "StringNotLike" => (Match::Like, true),
            "Null" if !if_exists => (Match::Null, false),
            _ => {
                return Err(CheckError::Unsupported(format!(
                    "{label} uses the condition operator {operator}: this check evaluates StringEquals, StringLike, their Not and IgnoreCase forms, with ForAnyValue:, ForAllValues: and IfExists, and Null"
                )))
            }
        };
        for (key, values) in keys {
            out.push(Condition {
                operator: operator.clone(),
                quantifier,
                matching,
                negated,
                if_exists,
                key: key.clone(),
                values: strings(values, label, key)?,
            });
        }
    }
    Ok(out)
}

/// A string or a list of strings; IAM also takes numbers and booleans as their text.
fn strings(value: &Value, label: &str, what: &str) -> Result<Vec<String>, CheckError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(shape(format!(
            "{label}: {what} must be a string or a list of strings, not {other}"
        ))),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%7B%22a%22%3A1%7D"), "{\"a\":1}");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
