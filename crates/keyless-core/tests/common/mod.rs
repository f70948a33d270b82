//! Checks every generated bundle must pass, shared by the snapshot tests (over
//! the fixtures) and the property tests (over random configs). They re-derive
//! what they compare from the files themselves, not from `names.rs`, so a bug
//! there cannot hide itself.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use keyless_core::bundle::{
    CONFIG_PATH, PERMISSIONS_POLICY_PATH, SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH,
    TEARDOWN_SCRIPT_PATH, TRUST_POLICY_PATH, WORKFLOW_PATH,
};
use keyless_core::names::Names;
use keyless_core::{generate, workflow, Bundle, ValidConfig};
use serde_json::Value;

/// The crate's directory.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(stem, text)` of every fixture config, sorted by name.
pub fn fixtures() -> Vec<(String, String)> {
    let dir = crate_dir().join("tests/fixtures");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures exists")
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn json(bundle: &Bundle, path: &str) -> Result<Value, String> {
    let text = bundle.file(path).ok_or(format!("{path} missing"))?;
    serde_json::from_str(text).map_err(|e| format!("{path} is not JSON: {e}"))
}

/// Parses YAML with serde-saphyr into a JSON value.
pub fn yaml(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| format!("not YAML: {e}"))
}

/// `bash -n`: the script parses.
pub fn bash_syntax(script: &str) -> Result<(), String> {
    let mut child = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "bash -n failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Each pinned action: `owner/name` → (commit, input → required without default).
pub type ActionInputs = BTreeMap<String, (String, BTreeMap<String, bool>)>;

/// The inputs of each pinned action, read once from tests/data/actions.
pub fn action_inputs() -> &'static ActionInputs {
    static INPUTS: OnceLock<ActionInputs> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let dir = crate_dir().join("tests/data/actions");
        let index: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap())
                .unwrap();
        let mut out = BTreeMap::new();
        for (repo, entry) in index["actions"].as_object().unwrap() {
            let file = dir.join(entry["action_yml"].as_str().unwrap());
            if !file.exists() {
                continue;
            }
            let action = yaml(&std::fs::read_to_string(file).unwrap()).unwrap();
            let inputs = action["inputs"]
                .as_object()
                .map(|inputs| {
                    inputs
                        .iter()
                        .map(|(name, spec)| {
                            let required = spec["required"] == Value::Bool(true)
                                || spec["required"] == Value::String("true".into());
                            (name.clone(), required && spec.get("default").is_none())
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.insert(
                repo.clone(),
                (entry["sha"].as_str().unwrap().to_string(), inputs),
            );
        }
        out
    })
}

/// Checks `uses:` pins and `with:` keys of a parsed workflow against the actions' metadata.
pub fn check_actions(workflow: &Value) -> Result<(), String> {
    for job in workflow["jobs"].as_object().ok_or("no jobs")?.values() {
        for step in job["steps"].as_array().ok_or("no steps")? {
            let Some(uses) = step["uses"].as_str() else {
                // The one run step (autoscaling): its script is a constant of the
                // generator and no expression may reach it.
                let run = step["run"].as_str().ok_or("a step without uses or run")?;
                if run != keyless_core::workflow::READ_SCALED_COUNT || run.contains("${{") {
                    return Err(format!("an unexpected run step: {run}"));
                }
                continue;
            };
            let (repo, sha) = uses.split_once('@').ok_or("uses without @")?;
            let (pinned, inputs) = action_inputs()
                .get(repo)
                .ok_or(format!("{repo} is not a known pinned action"))?;
            if sha != pinned || sha.len() != 40 {
                return Err(format!("{repo} pinned to {sha}, expected {pinned}"));
            }
            let with = step["with"].as_object().cloned().unwrap_or_default();
            for (key, value) in &with {
                if !inputs.contains_key(key) {
                    return Err(format!("{repo} has no input {key}"));
                }
                if !value.is_string() {
                    return Err(format!("{repo} input {key} is not a string: {value}"));
                }
            }
            for (input, required) in inputs {
                if *required && !with.contains_key(input) {
                    return Err(format!("{repo} needs input {input}"));
                }
            }
        }
    }
    Ok(())
}

/// Every check of one bundle; `Err` names the first problem.
pub fn check_bundle(config: &ValidConfig, bundle: &Bundle) -> Result<(), String> {
    let paths: Vec<&str> = bundle
        .files
        .iter()
        .filter(|f| !f.write_once)
        .map(|f| f.path)
        .collect();
    let starter: Vec<&str> = keyless_core::starter::files(config)
        .iter()
        .map(|f| f.path)
        .collect();
    let written_once: Vec<&str> = bundle
        .files
        .iter()
        .filter(|f| f.write_once)
        .map(|f| f.path)
        .collect();
    if paths != keyless_core::bundle::PATHS || written_once != starter {
        return Err(format!("unexpected files {paths:?}"));
    }
    for file in &bundle.files {
        if !file.text.ends_with('\n') {
            return Err(format!("{} does not end with a newline", file.path));
        }
        if file.executable != file.path.ends_with(".sh") {
            return Err(format!("{} has the wrong mode", file.path));
        }
    }
    // Deterministic.
    if generate(config) != *bundle {
        return Err("two generations differ".into());
    }

    let trust = json(bundle, TRUST_POLICY_PATH)?;
    let permissions = json(bundle, PERMISSIONS_POLICY_PATH)?;
    let task = json(bundle, TASK_DEFINITION_PATH)?;
    let keyless = json(bundle, CONFIG_PATH)?;
    let workflow_text = bundle.file(WORKFLOW_PATH).unwrap();
    let flow = yaml(workflow_text)?;
    bash_syntax(bundle.file(SETUP_SCRIPT_PATH).unwrap()).map_err(|e| format!("setup.sh: {e}"))?;
    bash_syntax(bundle.file(TEARDOWN_SCRIPT_PATH).unwrap())
        .map_err(|e| format!("teardown.sh: {e}"))?;

    // The YAML reads back as exactly the model.
    let model = serde_json::to_value(workflow::workflow(config, &Names::new(config))).unwrap();
    if flow != model {
        return Err(format!(
            "the workflow YAML does not read back as its model:\n{flow:#}\n!=\n{model:#}"
        ));
    }
    check_actions(&flow)?;

    // keyless.json round-trips.
    let reparsed = keyless_core::config::parse_config_json(bundle.file(CONFIG_PATH).unwrap())
        .map_err(|e| format!("keyless.json does not validate: {e}"))?;
    if reparsed != *config {
        return Err("keyless.json does not round-trip".into());
    }

    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let account = s(&keyless["account_id"]);
    let region = s(&keyless["region"]);
    let owner = s(&keyless["github_owner"]);
    let repo = s(&keyless["github_repo"]);

    // The trust policy's sub matches the workflow's trigger and environment.
    let job = &flow["jobs"]["deploy"];
    let branches = flow["on"]["push"]["branches"]
        .as_array()
        .ok_or("no push branches")?;
    if branches.len() != 1 {
        return Err("the workflow must trigger on exactly one branch".into());
    }
    let branch = s(&branches[0]);
    if s(&job["if"]) != format!("github.ref == 'refs/heads/{branch}'") {
        return Err("the job condition does not name the trigger branch".into());
    }
    let on_keys: Vec<&String> = flow["on"].as_object().unwrap().keys().collect();
    if on_keys != ["push", "workflow_dispatch"] {
        return Err(format!("unexpected triggers {on_keys:?}"));
    }
    let suffix = match job.get("environment") {
        Some(env) => format!("environment:{}", s(env)),
        None => format!("ref:refs/heads/{branch}"),
    };
    let legacy = format!("repo:{owner}/{repo}:{suffix}");
    let immutable = format!(
        "repo:{owner}@{}/{repo}@{}:{suffix}",
        keyless["github_owner_id"], keyless["github_repo_id"]
    );
    let expected_subs = match keyless["subject_format"].as_str() {
        Some("legacy") => vec![legacy],
        Some("immutable") => vec![immutable],
        Some("both") => vec![legacy, immutable],
        other => return Err(format!("unexpected subject_format {other:?}")),
    };
    let statement = &trust["Statement"][0];
    let exact = &statement["Condition"]["StringEquals"];
    let subs: Vec<String> = exact["token.actions.githubusercontent.com:sub"]
        .as_array()
        .ok_or("no sub condition")?
        .iter()
        .map(s)
        .collect();
    if subs != expected_subs {
        return Err(format!("trust subs {subs:?} != expected {expected_subs:?}"));
    }
    if exact["token.actions.githubusercontent.com:aud"] != serde_json::json!(["sts.amazonaws.com"])
    {
        return Err("audience".into());
    }
    if statement["Condition"].as_object().unwrap().len() != 1 {
        return Err("the trust policy uses an operator other than StringEquals".into());
    }
    if s(&statement["Principal"]["Federated"])
        != format!("arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com")
    {
        return Err("trust principal".into());
    }
    for sub in &subs {
        if sub.contains(['*', '?']) {
            return Err(format!("wildcard sub {sub}"));
        }
    }

    // Names agree across files.
    let container = &task["containerDefinitions"][0];
    let steps = job["steps"].as_array().unwrap();
    let with = |repo: &str| -> &Value {
        &steps
            .iter()
            .find(|st| s(&st["uses"]).starts_with(repo))
            .unwrap()["with"]
    };
    let credentials = with("aws-actions/configure-aws-credentials");
    let render = with("aws-actions/amazon-ecs-render-task-definition");
    let deploy = with("aws-actions/amazon-ecs-deploy-task-definition");
    let build = with("docker/build-push-action");
    let role_arn = s(&credentials["role-to-assume"]);
    if s(&credentials["aws-region"]) != region
        || s(&credentials["allowed-account-ids"]) != account
        || !role_arn.starts_with(&format!("arn:aws:iam::{account}:role/"))
    {
        return Err("credentials step disagrees with keyless.json".into());
    }
    if s(&render["container-name"]) != s(&container["name"]) {
        return Err("render container-name != task definition container".into());
    }
    if s(&render["task-definition"]) != TASK_DEFINITION_PATH {
        return Err("render reads another task definition".into());
    }
    let cluster = s(&deploy["cluster"]);
    let service = s(&deploy["service"]);
    let family = s(&task["family"]);
    let image = s(&container["image"]);
    let registry = format!("{account}.dkr.ecr.{region}.amazonaws.com/");
    let ecr_repo = image
        .strip_prefix(&registry)
        .and_then(|rest| rest.split_once(':'))
        .map(|(name, _)| name.to_string())
        .ok_or(format!("image {image} is not in the account's ECR"))?;
    if s(&build["tags"])
        != format!("${{{{ steps.ecr.outputs.registry }}}}/{ecr_repo}:${{{{ github.sha }}}}")
        || s(&render["image"]) != s(&build["tags"])
    {
        return Err("built image and rendered image differ".into());
    }
    // With autoscaling, the deploy keeps the count the step before it read
    // (never below min_count); without, it sets keyless.json's.
    let expected_count = if keyless["min_count"].is_null() {
        keyless["desired_count"].to_string()
    } else {
        let steps = flow["jobs"]["deploy"]["steps"]
            .as_array()
            .ok_or("no steps")?;
        let read = steps
            .iter()
            .find(|s| s["run"].is_string())
            .ok_or("autoscaling without the step that reads the count")?;
        if read["env"]["MIN_COUNT"] != Value::String(keyless["min_count"].to_string()) {
            return Err("the count step's MIN_COUNT differs from keyless.json's min_count".into());
        }
        format!("${{{{ steps.{}.outputs.count }}}}", s(&read["id"]))
    };
    if deploy["desired-count"] != Value::String(expected_count) {
        return Err("deploy desired-count differs from keyless.json".into());
    }
    let platform = match s(&task["runtimePlatform"]["cpuArchitecture"]).as_str() {
        "X86_64" => "linux/amd64",
        "ARM64" => "linux/arm64",
        other => return Err(format!("architecture {other}")),
    };
    if s(&build["platforms"]) != platform {
        return Err("buildx platform differs from the task definition".into());
    }
    let options = &container["logConfiguration"]["options"];
    if s(&options["awslogs-region"]) != region || s(&options["awslogs-stream-prefix"]).is_empty() {
        return Err("awslogs options".into());
    }
    if task["networkMode"] != "awsvpc"
        || task["requiresCompatibilities"] != serde_json::json!(["FARGATE"])
        || task["runtimePlatform"]["operatingSystemFamily"] != "LINUX"
    {
        return Err("task definition is not Fargate-ready".into());
    }
    for key in keyless_core::ecs::DESCRIBE_ONLY_KEYS {
        if task.get(key).is_some() {
            return Err(format!("task definition has describe-only key {key}"));
        }
    }

    // The permissions policy names exactly these resources, and nothing it can scope is on "*".
    let mut by_action: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in permissions["Statement"].as_array().unwrap() {
        if statement.get("NotAction").is_some() || statement.get("NotResource").is_some() {
            return Err("NotAction/NotResource".into());
        }
        for action in statement["Action"].as_array().unwrap() {
            let action = s(action);
            if action.contains('*') {
                return Err(format!("wildcard action {action}"));
            }
            for resource in statement["Resource"].as_array().unwrap() {
                by_action
                    .entry(action.clone())
                    .or_default()
                    .push(s(resource));
            }
        }
    }
    let star = vec!["*".to_string()];
    let expect = |action: &str, resources: Vec<String>| -> Result<(), String> {
        match by_action.get(action) {
            Some(found) if *found == resources => Ok(()),
            found => Err(format!("{action} on {found:?}, expected {resources:?}")),
        }
    };
    expect("ecr:GetAuthorizationToken", star.clone())?;
    expect("ecs:RegisterTaskDefinition", star)?;
    let repo_arn = format!("arn:aws:ecr:{region}:{account}:repository/{ecr_repo}");
    for action in [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ] {
        expect(action, vec![repo_arn.clone()])?;
    }
    let service_arn = format!("arn:aws:ecs:{region}:{account}:service/{cluster}/{service}");
    expect("ecs:UpdateService", vec![service_arn.clone()])?;
    expect("ecs:DescribeServices", vec![service_arn])?;
    expect(
        "ecs:TagResource",
        vec![format!(
            "arn:aws:ecs:{region}:{account}:task-definition/{family}:*"
        )],
    )?;
    expect(
        "iam:PassRole",
        vec![s(&task["executionRoleArn"]), s(&task["taskRoleArn"])],
    )?;
    if by_action.len() != 13 {
        return Err(format!("unexpected actions {:?}", by_action.keys()));
    }
    let pass_role = permissions["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|st| st["Action"] == serde_json::json!(["iam:PassRole"]))
        .unwrap();
    if pass_role["Condition"]["StringEquals"]["iam:PassedToService"]
        != serde_json::json!(["ecs-tasks.amazonaws.com"])
    {
        return Err("PassRole without iam:PassedToService".into());
    }

    // The scripts name the same resources.
    let setup = bundle.file(SETUP_SCRIPT_PATH).unwrap();
    let teardown = bundle.file(TEARDOWN_SCRIPT_PATH).unwrap();
    let role_name = role_arn.rsplit('/').next().unwrap();
    for (var, value) in [
        ("ACCOUNT_ID", account.as_str()),
        ("REGION", region.as_str()),
        ("CLUSTER", cluster.as_str()),
        ("SERVICE", service.as_str()),
        ("TASK_FAMILY", family.as_str()),
        ("ECR_REPOSITORY", ecr_repo.as_str()),
        ("LOG_GROUP", &s(&options["awslogs-group"])),
        ("DEPLOY_ROLE", role_name),
        (
            "EXECUTION_ROLE",
            s(&task["executionRoleArn"]).rsplit('/').next().unwrap(),
        ),
        (
            "TASK_ROLE",
            s(&task["taskRoleArn"]).rsplit('/').next().unwrap(),
        ),
    ] {
        let line = format!("readonly {var}={}", keyless_core::script::quote(value));
        for (name, script) in [("setup.sh", setup), ("teardown.sh", teardown)] {
            if !script.lines().any(|l| l == line) {
                return Err(format!("{name} lacks {line}"));
            }
        }
    }
    for needle in [
        "set -euo pipefail",
        "file://$TRUST_POLICY_FILE",
        "file://$PERMISSIONS_POLICY_FILE",
        "file://$TASK_DEFINITION_FILE",
        // The plan's settings, as variables (tests/plan.rs checks the plan itself).
        "readonly INITIAL_DESIRED_COUNT='0'",
        "--desired-count \"$INITIAL_DESIRED_COUNT\"",
        "readonly TAG_MUTABILITY='IMMUTABLE'",
        "--image-tag-mutability \"$TAG_MUTABILITY\"",
        "readonly SCAN_ON_PUSH='true'",
        "\"scanOnPush=$SCAN_ON_PUSH\"",
    ] {
        if !setup.contains(needle) {
            return Err(format!("setup.sh lacks {needle}"));
        }
    }
    for forbidden in ["--thumbprint-list", "--cli-binary-format", "--no-cli-pager"] {
        if setup.contains(forbidden) || teardown.contains(forbidden) {
            return Err(format!("a script uses {forbidden}"));
        }
    }
    // Every regional call names its region (CLI v1 ignores AWS_REGION); IAM and
    // Route 53 are global.
    for (name, script) in [("setup.sh", setup), ("teardown.sh", teardown)] {
        for call in aws_calls(script) {
            let service = call.split_whitespace().nth(1).unwrap_or_default();
            if !["iam", "route53"].contains(&service) && !call.contains("--region \"$REGION\"") {
                return Err(format!("{name}: regional call without --region: {call}"));
            }
        }
    }
    Ok(())
}

/// Every `aws ...` command of a script, continuation lines joined.
pub fn aws_calls(script: &str) -> Vec<String> {
    let mut calls = Vec::new();
    let mut current: Option<String> = None;
    for line in script.lines() {
        let trimmed = line.trim();
        if let Some(call) = current.as_mut() {
            call.push(' ');
            call.push_str(trimmed.trim_end_matches('\\'));
            if !trimmed.ends_with('\\') {
                calls.push(current.take().unwrap());
            }
            continue;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some(start) = trimmed.find("aws ") {
            let before = &trimmed[..start];
            let starts_command = before.is_empty()
                || before.ends_with("$(")
                || before.ends_with("if ")
                || before.ends_with("if ! ")
                || before.ends_with("|| ")
                || before.ends_with("until ")
                || before.ends_with("; ")
                || before.ends_with("\"$(");
            if !starts_command || trimmed[start..].starts_with("aws ecs wait") {
                continue;
            }
            let call = trimmed[start..].trim_end_matches('\\').to_string();
            if trimmed.ends_with('\\') {
                current = Some(call);
            } else {
                calls.push(call);
            }
        }
    }
    calls
}

/// Writes `text` to a fresh file under the target directory and returns its path.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("keyless-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
