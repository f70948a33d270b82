//! `generate()`: the one entry point from a valid config to the files of the bundle.

use serde::Serialize;

use crate::config::ValidConfig;
use crate::iam;

/// Path of the deploy role's trust policy in the user's repository.
pub const TRUST_POLICY_PATH: &str = "infra/trust-policy.json";
/// Path of the normalised config.
pub const CONFIG_PATH: &str = "keyless.json";

/// One generated file: where it sits in the user's repository and its exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFile {
    /// Relative path, with `/` separators.
    pub path: &'static str,
    /// The file's complete text, ending with a newline.
    pub text: String,
}

/// Everything generated from one config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The files, in a stable order.
    pub files: Vec<BundleFile>,
}

impl Bundle {
    /// The text of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.text.as_str())
    }
}

/// Generates the bundle. Cannot fail: the config is already valid.
pub fn generate(config: &ValidConfig) -> Bundle {
    Bundle {
        files: vec![
            BundleFile {
                path: TRUST_POLICY_PATH,
                text: pretty_json(&iam::trust_policy(config)),
            },
            BundleFile {
                path: CONFIG_PATH,
                text: config.to_json(),
            },
        ],
    }
}

/// Pretty JSON with two-space indentation and a final newline.
pub(crate) fn pretty_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plain data always serialises");
    text.push('\n');
    text
}
