//! The raw config as the web page keeps it between visits (URL fragment, local
//! storage): only the fields that differ from a base, every value exactly as
//! typed, even while invalid. Unlike `keyless.json`, empty rows, duplicate names
//! and the order of environment variables survive.
//!
//! Format: a JSON object, `{"key": "text" | ["line", …] | [["NAME", "value"], …]}`,
//! keys as in `keyless.json`.

use serde_json::Value;

use super::{Field, RawConfig};

/// How a field's raw value is held.
enum Slot<'a> {
    Text(&'a str),
    Lines(&'a [String]),
    Pairs(&'a [(String, String)]),
}

fn slot(raw: &RawConfig, field: Field) -> Slot<'_> {
    match field {
        Field::Subnets => Slot::Lines(&raw.subnets),
        Field::SecurityGroups => Slot::Lines(&raw.security_groups),
        Field::EnvironmentVariables => Slot::Pairs(&raw.environment_variables),
        Field::Secrets => Slot::Pairs(&raw.secrets),
        _ => Slot::Text(raw.scalar(field)),
    }
}

fn string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

fn list<T>(items: &[T], item: impl Fn(&T) -> String) -> String {
    let items: Vec<String> = items.iter().map(item).collect();
    format!("[{}]", items.join(","))
}

fn text_of(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn lines_of(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(text_of).collect()
}

fn pairs_of(value: &Value) -> Option<Vec<(String, String)>> {
    value
        .as_array()?
        .iter()
        .map(|pair| match pair.as_array()?.as_slice() {
            [name, value] => Some((text_of(name)?, text_of(value)?)),
            _ => None,
        })
        .collect()
}

/// Every field a draft carries (all but `version`).
fn draft_fields() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|f| *f != Field::Version)
}

impl RawConfig {
    /// The fields of `self` that differ from `base`, as compact JSON (`{}` when
    /// none do).
    pub fn draft_json(&self, base: &RawConfig) -> String {
        let mut members = Vec::new();
        for field in draft_fields() {
            let value = match (slot(self, field), slot(base, field)) {
                (Slot::Text(a), Slot::Text(b)) if a != b => string(a),
                (Slot::Lines(a), Slot::Lines(b)) if a != b => list(a, |l| string(l)),
                (Slot::Pairs(a), Slot::Pairs(b)) if a != b => {
                    list(a, |(n, v)| format!("[{},{}]", string(n), string(v)))
                }
                _ => continue,
            };
            members.push(format!("{}:{value}", string(field.key())));
        }
        format!("{{{}}}", members.join(","))
    }

    /// `self` overlaid with the fields of a [`RawConfig::draft_json`] text, or
    /// `None` when the text is not such a draft (a stale or edited link).
    pub fn with_draft_json(&self, text: &str) -> Option<RawConfig> {
        let Ok(Value::Object(members)) = serde_json::from_str(text) else {
            return None;
        };
        let mut raw = self.clone();
        for (key, value) in &members {
            let field = Field::from_key(key).filter(|f| *f != Field::Version)?;
            match field {
                Field::Subnets => raw.subnets = lines_of(value)?,
                Field::SecurityGroups => raw.security_groups = lines_of(value)?,
                Field::EnvironmentVariables => raw.environment_variables = pairs_of(value)?,
                Field::Secrets => raw.secrets = pairs_of(value)?,
                _ => *raw.scalar_mut(field) = text_of(value)?,
            }
        }
        Some(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edited() -> RawConfig {
        RawConfig {
            app_name: "web \"api\"\n".into(),
            use_spot: String::new(),
            subnets: vec!["subnet-1".into(), String::new(), "subnet-1".into()],
            environment_variables: vec![
                ("B".into(), "2".into()),
                ("A".into(), "ü".into()),
                ("B".into(), String::new()),
                (String::new(), String::new()),
            ],
            ..RawConfig::example()
        }
    }

    #[test]
    fn a_draft_restores_exactly_what_was_typed() {
        let base = RawConfig::example();
        let raw = edited();
        let text = raw.draft_json(&base);
        assert_eq!(base.with_draft_json(&text), Some(raw));
    }

    #[test]
    fn a_draft_holds_only_the_changed_fields() {
        let base = RawConfig::example();
        assert_eq!(base.draft_json(&base), "{}");
        let raw = RawConfig {
            region: "eu-west-1".into(),
            secrets: vec![("DB".into(), "arn".into())],
            ..base.clone()
        };
        assert_eq!(
            raw.draft_json(&base),
            r#"{"region":"eu-west-1","secrets":[["DB","arn"]]}"#
        );
    }

    #[test]
    fn what_is_not_a_draft_is_refused() {
        let base = RawConfig::example();
        for text in [
            "",
            "[]",
            "{",
            r#"{"nope":"x"}"#,
            r#"{"version":1}"#,
            r#"{"cpu":256}"#,
            r#"{"subnets":"subnet-1"}"#,
            r#"{"secrets":[["DB"]]}"#,
            r#"{"secrets":{"DB":"arn"}}"#,
        ] {
            assert_eq!(base.with_draft_json(text), None, "{text}");
        }
    }
}
