//! `generate()`: the one entry point from a valid config to the files of the
//! bundle and the findings. Compute (names, typed documents) → render (text) →
//! the caller writes or shows it.

use serde::Serialize;

use crate::config::ValidConfig;
use crate::findings::{self, Finding};
use crate::zip::{write_zip, ZipEntry};
use crate::{ecs, iam, script, workflow};

/// Path of the deploy role's trust policy in the user's repository.
pub const TRUST_POLICY_PATH: &str = "infra/trust-policy.json";
/// Path of the deploy role's permissions policy.
pub const PERMISSIONS_POLICY_PATH: &str = "infra/permissions-policy.json";
/// Path of the setup script.
pub const SETUP_SCRIPT_PATH: &str = "infra/setup.sh";
/// Path of the teardown script.
pub const TEARDOWN_SCRIPT_PATH: &str = "infra/teardown.sh";
/// Path of the task definition (read by setup.sh and by the workflow's render step).
pub const TASK_DEFINITION_PATH: &str = ".aws/task-definition.json";
/// Path of the workflow.
pub const WORKFLOW_PATH: &str = ".github/workflows/deploy.yml";
/// Path of the normalised config.
pub const CONFIG_PATH: &str = "keyless.json";

/// Every path of the bundle, in the order of [`Bundle::files`].
pub const PATHS: [&str; 7] = [
    TRUST_POLICY_PATH,
    PERMISSIONS_POLICY_PATH,
    SETUP_SCRIPT_PATH,
    TEARDOWN_SCRIPT_PATH,
    TASK_DEFINITION_PATH,
    WORKFLOW_PATH,
    CONFIG_PATH,
];

/// One generated file: where it sits in the user's repository and its exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFile {
    /// Relative path, with `/` separators.
    pub path: &'static str,
    /// The file's complete text, ending with a newline.
    pub text: String,
    /// Whether the file is a script to be written with mode 0755.
    pub executable: bool,
}

/// Everything generated from one config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The files, in the stable order of [`PATHS`].
    pub files: Vec<BundleFile>,
    /// Security findings: warnings first, then what each choice protects against.
    pub findings: Vec<Finding>,
}

impl Bundle {
    /// The files as a ZIP archive, at their paths, scripts executable (what the
    /// page's "Download all" saves).
    pub fn zip(&self) -> Vec<u8> {
        let entries: Vec<ZipEntry<'_>> = self
            .files
            .iter()
            .map(|f| ZipEntry {
                path: f.path,
                data: f.text.as_bytes(),
                executable: f.executable,
            })
            .collect();
        write_zip(&entries)
    }

    /// The text of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.text.as_str())
    }
}

/// Generates the bundle. Cannot fail: the config is already valid. Same config,
/// same bytes.
pub fn generate(config: &ValidConfig) -> Bundle {
    let file = |path: &'static str, text: String| BundleFile {
        path,
        executable: path.ends_with(".sh"),
        text,
    };
    Bundle {
        files: vec![
            file(TRUST_POLICY_PATH, pretty_json(&iam::trust_policy(config))),
            file(
                PERMISSIONS_POLICY_PATH,
                pretty_json(&iam::permissions_policy(config)),
            ),
            file(SETUP_SCRIPT_PATH, script::setup_script(config)),
            file(TEARDOWN_SCRIPT_PATH, script::teardown_script(config)),
            file(
                TASK_DEFINITION_PATH,
                pretty_json(&ecs::task_definition(config)),
            ),
            file(WORKFLOW_PATH, workflow::render(&workflow::workflow(config))),
            file(CONFIG_PATH, config.to_json()),
        ],
        findings: findings::findings(config),
    }
}

/// Pretty JSON with two-space indentation and a final newline.
pub(crate) fn pretty_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plain data always serialises");
    text.push('\n');
    text
}
