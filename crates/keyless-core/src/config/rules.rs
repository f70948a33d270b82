//! The rules of each system, one parser per field: text in, a typed value or a
//! message out. Each parser trims and accepts every unambiguous spelling, and
//! otherwise names every problem it finds in one message.

use std::collections::BTreeSet;
use std::fmt;

use crate::regions::region_name;

/// CloudWatch Logs accepts exactly these retention periods, in days.
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Fargate CPU units, smallest first (domain.md §6).
pub const FARGATE_CPUS: [u32; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

/// Longest name Keyless derives from the app name: `{app}-task-execution` must fit
/// IAM's 64-character role name limit (see [`crate::names`]).
pub const APP_NAME_MAX: usize = 64 - crate::names::LONGEST_ROLE_SUFFIX.len();

/// Most tasks ECS runs for one service (the default "tasks per service" quota).
pub const DESIRED_COUNT_MAX: u32 = 5000;

/// Most subnets and security groups one awsvpc network configuration takes.
pub const MAX_SUBNETS: usize = 16;
/// See [`MAX_SUBNETS`].
pub const MAX_SECURITY_GROUPS: usize = 5;

/// Which form of the OIDC `sub` claim the repository's tokens carry (domain.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectFormat {
    /// `repo:OWNER/REPO:...`, the only form before 2026-07-15.
    Legacy,
    /// `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`, emitted by repositories created,
    /// renamed or transferred after 2026-07-15, or that opted in.
    Immutable {
        /// Numeric id of the owning user or organisation.
        owner_id: u64,
        /// Numeric id of the repository.
        repo_id: u64,
    },
    /// Trust both forms: the safe way to migrate from legacy to immutable.
    Both {
        /// Numeric id of the owning user or organisation.
        owner_id: u64,
        /// Numeric id of the repository.
        repo_id: u64,
    },
}

impl SubjectFormat {
    /// The `keyless.json` spelling: `legacy`, `immutable` or `both`.
    pub fn key(self) -> &'static str {
        match self {
            SubjectFormat::Legacy => "legacy",
            SubjectFormat::Immutable { .. } => "immutable",
            SubjectFormat::Both { .. } => "both",
        }
    }

    /// `(owner_id, repo_id)` when the format uses them.
    pub fn ids(self) -> Option<(u64, u64)> {
        match self {
            SubjectFormat::Legacy => None,
            SubjectFormat::Immutable { owner_id, repo_id }
            | SubjectFormat::Both { owner_id, repo_id } => Some((owner_id, repo_id)),
        }
    }
}

/// The CPU architecture of the task (`runtimePlatform.cpuArchitecture`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Architecture {
    /// Intel/AMD 64-bit: `X86_64`, image platform `linux/amd64`.
    #[default]
    X86_64,
    /// Graviton: `ARM64`, image platform `linux/arm64`.
    Arm64,
}

impl Architecture {
    /// The ECS spelling, also the `keyless.json` one.
    pub fn ecs_name(self) -> &'static str {
        match self {
            Architecture::X86_64 => "X86_64",
            Architecture::Arm64 => "ARM64",
        }
    }

    /// A short label for people: `"x86"` or `"ARM (Graviton)"`.
    pub fn label(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86",
            Architecture::Arm64 => "ARM (Graviton)",
        }
    }

    /// The Docker platform the image must be built for.
    pub fn docker_platform(self) -> &'static str {
        match self {
            Architecture::X86_64 => "linux/amd64",
            Architecture::Arm64 => "linux/arm64",
        }
    }
}

/// A Fargate task size: a valid CPU/memory pair of domain.md §6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskSize {
    cpu: u32,
    memory: u32,
}

impl TaskSize {
    /// The pair, if Fargate offers it.
    pub fn new(cpu: u32, memory: u32) -> Option<TaskSize> {
        memory_options(cpu)
            .contains(&memory)
            .then_some(TaskSize { cpu, memory })
    }

    /// CPU units (1024 = 1 vCPU).
    pub fn cpu(self) -> u32 {
        self.cpu
    }

    /// Memory in MiB.
    pub fn memory(self) -> u32 {
        self.memory
    }
}

impl fmt::Display for TaskSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} vCPU, {} GB",
            decimal(self.cpu, 1024),
            decimal(self.memory, 1024)
        )
    }
}

/// The memory sizes (MiB) Fargate offers with `cpu` units; empty for an invalid CPU.
pub fn memory_options(cpu: u32) -> Vec<u32> {
    let (from, to, step) = match cpu {
        256 => return vec![512, 1024, 2048],
        512 => (1024, 4096, 1024),
        1024 => (2048, 8192, 1024),
        2048 => (4096, 16384, 1024),
        4096 => (8192, 30720, 1024),
        8192 => (16384, 61440, 4096),
        16384 => (32768, 122880, 8192),
        _ => return Vec::new(),
    };
    (from..=to).step_by(step as usize).collect()
}

/// Where a container secret comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// An SSM Parameter Store parameter (`ssm:GetParameters`).
    SsmParameter,
    /// A Secrets Manager secret (`secretsmanager:GetSecretValue`).
    SecretsManager,
}

/// One secret of the container: the value ECS reads, and the exact ARN the
/// execution role needs permission for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretSource {
    /// SSM parameter or Secrets Manager secret.
    pub kind: SecretKind,
    /// The task definition's `valueFrom`: always a full ARN (Secrets Manager may
    /// carry a `:json-key:version-stage:version-id` suffix).
    pub value_from: String,
    /// The ARN of the parameter or secret itself, for the IAM policy.
    pub resource_arn: String,
}

/// Formats `value / unit` as a short decimal: `decimal(256, 1024)` is `0.25`.
pub fn decimal(value: u32, unit: u32) -> String {
    let whole = value / unit;
    let rest = value % unit;
    if rest == 0 {
        return whole.to_string();
    }
    // Four decimals, rounded, in integers: no float formatting in the wasm.
    let fraction = (u64::from(rest) * 10_000 + u64::from(unit) / 2) / u64::from(unit);
    let (whole, fraction) = if fraction == 10_000 {
        (whole + 1, 0)
    } else {
        (whole, fraction)
    };
    let digits = format!("{fraction:04}");
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{digits}")
    }
}

/// `value × factor` exactly, for a non-negative decimal like `0.25`; `None` if the
/// result is not a whole number or the text is not a decimal.
fn scaled(number: &str, factor: u64) -> Option<u64> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.len() > 9
        || frac.len() > 9
    {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let denominator = 10u64.pow(frac.len() as u32);
    let frac_value: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let numerator = frac_value * factor;
    numerator
        .is_multiple_of(denominator)
        .then(|| whole * factor + numerator / denominator)
}

/// Splits `"0.25 vCPU"` into `("0.25", "vcpu")`: the leading number and the
/// lower-cased unit after it.
fn number_and_unit(text: &str) -> (&str, String) {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    (&text[..end], text[end..].trim().to_ascii_lowercase())
}

fn cpu_choices() -> &'static str {
    "256 (0.25 vCPU), 512 (0.5 vCPU), 1024 (1 vCPU), 2048 (2 vCPU), 4096 (4 vCPU), 8192 (8 vCPU) or 16384 (16 vCPU)"
}

/// CPU units from `256`, `1024`, `0.25 vCPU`, `1 vCPU` or a bare vCPU count like `2`.
pub fn parse_cpu(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let shown = printable(t);
    if t.is_empty() {
        return Err(format!("Choose the task's CPU: {}", cpu_choices()));
    }
    let (number, unit) = number_and_unit(t);
    let units = match unit.as_str() {
        "vcpu" | "vcpus" | "cpu" | "cpus" => scaled(number, 1024),
        "" | "units" | "cpu units" => match scaled(number, 1) {
            // 256 and more can only be CPU units: Fargate has no such vCPU count.
            Some(units) if units >= 128 => Some(units),
            // A small number can only be vCPUs: Fargate has no task under 256 units.
            _ => scaled(number, 1024),
        },
        _ => {
            return Err(format!(
                "Write the CPU in CPU units or vCPUs (\"{shown}\" is neither): {}",
                cpu_choices()
            ))
        }
    };
    match units.and_then(|u| u32::try_from(u).ok()) {
        Some(units) if FARGATE_CPUS.contains(&units) => Ok(units),
        _ => Err(format!(
            "Choose a CPU size Fargate offers (it has no task size \"{shown}\"): {}",
            cpu_choices()
        )),
    }
}

/// Memory in MiB from `512`, `512 MiB`, `0.5 GB`, `2 GB` or a bare GB count like `4`.
pub fn parse_memory(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let shown = printable(t);
    if t.is_empty() {
        return Err(
            "Choose the task's memory in MiB (e.g. 512) or GB (e.g. 0.5 GB); the CPU decides which sizes are possible"
                .into(),
        );
    }
    let (number, unit) = number_and_unit(t);
    let mib = match unit.as_str() {
        "mib" | "mb" | "m" => scaled(number, 1),
        "gib" | "gb" | "g" => scaled(number, 1024),
        "" => match scaled(number, 1) {
            // 512 and more can only be MiB: Fargate has no such GB size.
            Some(mib) if mib >= 512 => Some(mib),
            // Less than 512 MiB does not exist on Fargate: a small number means GB.
            _ => scaled(number, 1024),
        },
        _ => {
            return Err(format!(
            "Write the memory in MiB (e.g. 2048 or 2048 MiB) or GB (e.g. 2 GB); \"{shown}\" is neither"
        ))
        }
    };
    match mib.and_then(|m| u32::try_from(m).ok()) {
        Some(mib) if FARGATE_CPUS.iter().any(|&c| memory_options(c).contains(&mib)) => Ok(mib),
        _ => Err(format!(
            "Choose a memory size Fargate offers (it has no \"{shown}\"): sizes go from 512 MiB (0.5 GB) to 122880 MiB (120 GB), and the CPU decides which"
        )),
    }
}

/// Explains which memory sizes go with `cpu` units.
pub fn memory_hint(cpu: u32) -> String {
    let options = memory_options(cpu);
    let vcpu = decimal(cpu, 1024);
    match options.as_slice() {
        [a, b, c] if cpu == 256 => {
            format!("with {vcpu} vCPU ({cpu}) Fargate takes {a}, {b} or {c} MiB (0.5, 1 or 2 GB)")
        }
        [first, .., last] => {
            let step = options[1] - options[0];
            format!(
                "with {vcpu} vCPU ({cpu}) Fargate takes {first} to {last} MiB in steps of {step} ({} to {} GB)",
                decimal(*first, 1024),
                decimal(*last, 1024)
            )
        }
        _ => String::new(),
    }
}

/// The 12-digit account id; spaces and dashes (as the console shows it) are dropped.
pub fn parse_account_id(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if compact.is_empty() {
        return Err("Enter your 12-digit AWS account id (top right of the AWS console)".into());
    }
    if !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err("Enter digits only: an AWS account id looks like 123456789012".into());
    }
    if compact.len() != 12 {
        return Err(format!(
            "Enter all 12 digits of the AWS account id; this has {}",
            compact.len()
        ));
    }
    Ok(compact)
}

/// A region code Keyless supports (every one has Fargate and a price).
pub fn parse_region(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_lowercase();
    if code.is_empty() {
        return Err("Choose the AWS region to deploy to, e.g. eu-west-1".into());
    }
    match region_name(&code) {
        Some(_) => Ok(code),
        None => Err(format!(
            "Pick a region from the list, e.g. eu-west-1: Keyless does not support \"{}\"",
            printable(text.trim())
        )),
    }
}

/// The repository field without a GitHub host prefix (`https://github.com/`,
/// `git@github.com:`, …) and without slashes at its ends.
fn without_github_host(text: &str) -> &str {
    let mut t = text.trim();
    for prefix in [
        "https://www.github.com/",
        "https://github.com/",
        "http://github.com/",
        "www.github.com/",
        "github.com/",
        "git@github.com:",
        "ssh://git@github.com/",
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest;
            break;
        }
    }
    t.trim_end_matches('/')
}

/// `owner/repo/tree/BRANCH` split into `owner/repo` and the branch, when the
/// text has that shape (as a repository page URL showing a branch does).
fn split_tree(path: &str) -> Option<(&str, &str)> {
    let mut slashes = path.match_indices('/').map(|(i, _)| i);
    let (_owner_end, repo_end) = (slashes.next()?, slashes.next()?);
    let branch = path[repo_end + 1..].strip_prefix("tree/")?;
    (!branch.is_empty()).then(|| (&path[..repo_end], branch))
}

/// The branch a pasted repository URL names after `/tree/`, e.g. `release/v2`
/// for `https://github.com/octo-org/octo-app/tree/release/v2` (everything after
/// `/tree/`, which may contain `/`); `None` when the text names no branch.
/// The repository field accepts such a URL, and validation uses this branch
/// when the branch field is empty.
pub fn branch_in_repository_url(text: &str) -> Option<String> {
    split_tree(without_github_host(text)).map(|(_, branch)| branch.to_string())
}

/// Splits the repository field: `owner/repo`, `https://github.com/owner/repo(.git)`,
/// `git@github.com:owner/repo.git`, a URL with `/tree/BRANCH` (see
/// [`branch_in_repository_url`]) or a bare name. Returns the owner if the text had one.
pub fn split_repository(text: &str) -> (Option<String>, String) {
    let t = without_github_host(text);
    let t = split_tree(t).map_or(t, |(repo, _)| repo);
    let t = t.strip_suffix(".git").unwrap_or(t);
    match t.split_once('/') {
        Some((owner, repo)) => (Some(owner.to_string()), repo.to_string()),
        None => (None, t.to_string()),
    }
}

/// A GitHub user or organisation name: up to 39 ASCII letters, digits and single
/// hyphens, not at either end. The owner named in the repository field fills it.
pub fn parse_owner(text: &str, from_repo: Option<&str>) -> Result<String, String> {
    let typed = text.trim();
    // "/name" in the repository field names no owner.
    let from_repo = from_repo.filter(|o| !o.is_empty());
    let owner = match (typed, from_repo) {
        ("", None) => {
            return Err("Enter the GitHub user or organisation that owns the repository".into())
        }
        ("", Some(o)) => o,
        (t, Some(o)) if !t.eq_ignore_ascii_case(o) => {
            return Err(format!(
            "Make the owners agree: the repository field names owner \"{}\", but this field says \"{}\"",
            printable(o),
            printable(t)
        ))
        }
        (t, _) => t,
    };
    let mut problems = Vec::new();
    if owner.chars().count() > 39 {
        problems.push("be longer than 39 characters".to_string());
    }
    push_bad_chars(&mut problems, owner, |c| {
        c.is_ascii_alphanumeric() || c == '-'
    });
    if owner.starts_with('-') || owner.ends_with('-') {
        problems.push("start or end with a hyphen".into());
    }
    if owner.contains("--") {
        problems.push("have two hyphens in a row".into());
    }
    if problems.is_empty() {
        Ok(owner.to_string())
    } else {
        Err(format!(
            "{} (\"{}\"). Use letters, digits and single hyphens, up to 39",
            cannot("GitHub user and organisation names", &problems),
            printable(owner),
        ))
    }
}

/// A GitHub repository name: up to 100 ASCII letters, digits, `-`, `_` and `.`.
pub fn parse_repo_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("Enter the repository name, e.g. octo-app (or paste its URL)".into());
    }
    let mut problems = Vec::new();
    if name.chars().count() > 100 {
        problems.push("be longer than 100 characters".to_string());
    }
    if name.contains('/') {
        problems.push("have another '/' after owner/ (write owner/name only once)".into());
    }
    push_bad_chars(&mut problems, name, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
    });
    if name == "." || name == ".." {
        problems.push("be \".\" or \"..\" (GitHub reserves them)".into());
    }
    if problems.is_empty() {
        Ok(name.to_string())
    } else {
        Err(format!(
            "{} (\"{}\"). Use letters, digits, '-', '_' and '.', up to 100",
            cannot("GitHub repository names", &problems),
            printable(name),
        ))
    }
}

/// One exact branch name, following `git check-ref-format --branch`, restricted to
/// the characters that are plain in GitHub's branch filters and in shells
/// (letters, digits, `-`, `_`, `.`, `/`). Empty means `main`.
pub fn parse_branch(text: &str) -> Result<String, String> {
    let typed = text.trim();
    let name = typed.strip_prefix("refs/heads/").unwrap_or(typed);
    if name.is_empty() {
        return Ok("main".into());
    }
    if name.contains(['*', '?', '[', '!', '+']) {
        return Err(
            "Enter one exact branch name: a pattern would let every matching branch deploy to AWS"
                .into(),
        );
    }
    let mut problems = Vec::new();
    push_bad_chars(&mut problems, name, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
    });
    if name.split('/').any(str::is_empty) {
        problems.push("have an empty part (a '/' at either end or '//')".into());
    }
    if name.split('/').any(|part| part.starts_with('.')) {
        problems.push("have a part that starts with '.'".into());
    }
    if name.split('/').any(|part| part.ends_with(".lock")) {
        problems.push("have a part that ends with \".lock\"".into());
    }
    if name.contains("..") {
        problems.push("contain \"..\"".into());
    }
    if name.ends_with('.') {
        problems.push("end with '.'".into());
    }
    if name.starts_with('-') {
        problems.push("start with '-'".into());
    }
    if name == "HEAD" {
        problems.push("be \"HEAD\" (that is not a branch)".into());
    }
    if name.len() > 255 {
        problems.push("be longer than 255 characters".into());
    }
    if problems.is_empty() {
        Ok(name.to_string())
    } else {
        Err(format!(
            "{} (\"{}\"). Use letters, digits, '-', '_', '.' and '/', as git allows them",
            cannot("Branch names", &problems),
            printable(name),
        ))
    }
}

/// A GitHub environment name (up to 255 characters). Keyless accepts ASCII letters,
/// digits, spaces, `-`, `_` and `.`: the name is written into the OIDC `sub`, where
/// `:` would be ambiguous, and into YAML.
pub fn parse_environment(text: &str) -> Result<Option<String>, String> {
    let name = text.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    if name.chars().count() > 255 {
        problems.push("be longer than 255 characters".to_string());
    }
    push_bad_chars(&mut problems, name, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ')
    });
    if name.contains("  ") {
        problems.push("have two spaces in a row".into());
    }
    if problems.is_empty() {
        Ok(Some(name.to_string()))
    } else {
        Err(format!(
            "{} (\"{}\"). Use letters, digits, spaces, '-', '_' and '.', up to 255",
            cannot("Environment names", &problems),
            printable(name),
        ))
    }
}

/// The subject format keyword; empty means `legacy`.
pub fn parse_subject_format_key(text: &str) -> Result<&'static str, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "legacy" => Ok("legacy"),
        "immutable" => Ok("immutable"),
        "both" => Ok("both"),
        other => Err(format!(
            "Choose legacy (repo:OWNER/REPO), immutable (repo:OWNER@ID/REPO@ID) or both: \"{}\" is not a subject format",
            printable(other)
        )),
    }
}

/// A numeric GitHub id (`gh api repos/OWNER/REPO --jq '.owner.id, .id'`).
pub fn parse_github_id(text: &str, what: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!(
            "Enter the {what}'s numeric id, which the immutable subject needs: run gh api repos/OWNER/REPO --jq '.owner.id, .id'"
        ));
    }
    match t.parse::<u64>() {
        Ok(id) if id > 0 && t.chars().all(|c| c.is_ascii_digit()) => Ok(id),
        _ => Err(format!(
            "Enter the {what}'s id as a whole number like 9919 (\"{}\" is not a GitHub id)",
            printable(t)
        )),
    }
}

/// One name for the ECR repository, cluster, service, task family, container and
/// the start of every role name. It must satisfy all of them at once: ECR wants
/// lowercase and separators between letters or digits, ECS takes letters, digits,
/// `-` and `_`, and `{app}-task-execution` must fit IAM's 64 characters.
///
/// Capital letters are lower-cased rather than refused: ECR needs lower case, and
/// ECS and IAM names take it unchanged, so `Octo-App` can only mean `octo-app`
/// (see [`app_name_note`]).
pub fn parse_app_name(text: &str) -> Result<String, String> {
    let name = text.trim().to_ascii_lowercase();
    let name = name.as_str();
    if name.is_empty() {
        return Err("Enter a short name for the app, e.g. octo-app: it names the ECR repository, cluster, service and roles".into());
    }
    let mut problems = Vec::new();
    if name.len() < 2 {
        problems.push("be shorter than 2 characters (ECR)".to_string());
    }
    if name.chars().count() > APP_NAME_MAX {
        problems.push(format!(
            "be longer than {APP_NAME_MAX} characters (the role {name}-task-execution must fit IAM's 64)"
        ));
    }
    if name.contains(' ') {
        problems.push("contain spaces (use '-' instead)".into());
    }
    push_bad_chars(&mut problems, name, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ')
    });
    let bytes = name.as_bytes();
    let separator = |b: &u8| matches!(b, b'-' | b'_');
    if bytes.first().is_some_and(separator) || bytes.last().is_some_and(separator) {
        problems.push("start or end with '-' or '_' (ECR)".into());
    }
    if bytes
        .windows(2)
        .any(|w| separator(&w[0]) && separator(&w[1]))
    {
        problems.push("have '-' and '_' next to each other (ECR)".into());
    }
    if problems.is_empty() {
        Ok(name.to_string())
    } else {
        Err(format!(
            "{} (\"{}\"). Use lowercase letters and digits, with single '-' or '_' between them: the name is used for the ECR repository, cluster, service and roles",
            cannot("App names", &problems),
            printable(text.trim()),
        ))
    }
}

/// The note shown next to the app name field when Keyless changes what was
/// typed: `Some("Used as octo-app: AWS resource names here are lower case.")`
/// for `Octo-App`; `None` when the name is used as typed or is not valid.
pub fn app_name_note(raw: &str) -> Option<String> {
    let typed = raw.trim();
    if !typed.chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let name = parse_app_name(typed).ok()?;
    Some(format!(
        "Used as {name}: AWS resource names here are lower case."
    ))
}

/// The container port, 1–65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Enter the port your container listens on, e.g. 8080".into());
    }
    match t.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        Ok(_) => Err(format!("Choose a port from 1 to 65535: port {t} does not exist")),
        Err(_) => Err(format!(
            "Write the port as a whole number from 1 to 65535, e.g. 8080 (\"{}\" is not a port number)",
            printable(t)
        )),
    }
}

/// How many tasks the service keeps running: 0 (paused) up to the ECS quota.
pub fn parse_desired_count(text: &str) -> Result<u32, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Enter how many copies of the container should run, e.g. 1".into());
    }
    match t.parse::<u32>() {
        Ok(n) if n <= DESIRED_COUNT_MAX => Ok(n),
        Ok(_) => Err(format!(
            "Choose fewer tasks: ECS runs at most {DESIRED_COUNT_MAX} per service by default"
        )),
        Err(_) => Err(format!(
            "Write the task count as a whole number, e.g. 1 (\"{}\" is not one)",
            printable(t)
        )),
    }
}

/// `X86_64` (also `x86`, `amd64`) or `ARM64` (also `aarch64`, `graviton`); empty is X86_64.
pub fn parse_architecture(text: &str) -> Result<Architecture, String> {
    match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "" | "x86_64" | "x86" | "amd64" | "x64" => Ok(Architecture::X86_64),
        "arm64" | "aarch64" | "graviton" | "arm" => Ok(Architecture::Arm64),
        _ => Err(format!(
            "Choose X86_64 (Intel/AMD) or ARM64 (Graviton): \"{}\" is not a Fargate architecture",
            printable(text.trim())
        )),
    }
}

/// `true` or `false` (any case); empty takes `default`.
pub fn parse_bool(text: &str, default: bool) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!(
            "Write true or false (\"{}\" is neither)",
            printable(other)
        )),
    }
}

/// A container health check command, run by ECS as `CMD-SHELL` inside the
/// container. One line of plain ASCII: it goes into JSON only, never into the
/// workflow or the scripts.
pub fn parse_health_check(text: &str) -> Result<Option<String>, String> {
    let cmd = text.trim();
    if cmd.is_empty() {
        return Ok(None);
    }
    let mut problems = Vec::new();
    if cmd.chars().any(|c| c.is_control()) {
        problems.push("span lines or contain tabs or control characters".to_string());
    }
    if !cmd.is_ascii() {
        problems.push(
            "contain non-ASCII characters (look-alike quotes or dashes pasted from a document?)"
                .into(),
        );
    }
    if cmd.len() > 1000 {
        problems.push("be longer than 1000 characters".into());
    }
    if problems.is_empty() {
        Ok(Some(cmd.to_string()))
    } else {
        Err(format!(
            "{}. A shell runs it inside the container, e.g. curl -f http://localhost:8080/health || exit 1",
            cannot("Health check commands", &problems),
        ))
    }
}

/// A CloudWatch Logs retention period in days (`30` or `30 days`); empty is 30.
pub fn parse_log_retention(text: &str) -> Result<u32, String> {
    let t = text.trim().to_ascii_lowercase();
    let number = t
        .strip_suffix("days")
        .or_else(|| t.strip_suffix("day"))
        .or_else(|| t.strip_suffix('d'))
        .unwrap_or(&t)
        .trim();
    if number.is_empty() {
        return Ok(30);
    }
    let list = LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ");
    match number.parse::<u32>() {
        Ok(days) if LOG_RETENTION_DAYS.contains(&days) => Ok(days),
        _ => Err(format!(
            "Choose one of the retention periods CloudWatch Logs offers, in days: {list}"
        )),
    }
}

/// Ephemeral storage in GiB: 21–200 adds storage; empty or 20 is the included 20 GiB.
pub fn parse_ephemeral_storage(text: &str) -> Result<Option<u32>, String> {
    let t = text.trim().to_ascii_lowercase();
    let number = t
        .strip_suffix("gib")
        .or_else(|| t.strip_suffix("gb"))
        .or_else(|| t.strip_suffix('g'))
        .unwrap_or(&t)
        .trim();
    if number.is_empty() {
        return Ok(None);
    }
    match number.parse::<u32>() {
        Ok(20) => Ok(None),
        Ok(gib) if (21..=200).contains(&gib) => Ok(Some(gib)),
        _ => Err(format!(
            "Choose 21 to 200 GiB, or leave it empty: 20 GiB are included (\"{}\" is not a Fargate ephemeral storage size)",
            printable(text.trim())
        )),
    }
}

/// Checks a container environment variable name (also used for secrets):
/// a letter or `_`, then letters, digits and `_`, up to 255 characters, and not
/// one of the variables ECS sets for the task's own credentials and metadata.
pub fn check_variable_name(name: &str) -> Result<(), String> {
    let shown = printable(name);
    if name.is_empty() {
        return Err("Name the variable that has a value, or clear its row".into());
    }
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "Start variable names with a letter or '_', then use letters, digits and '_' (\"{shown}\" is not a variable name)"
        ));
    }
    if name.len() > 255 {
        return Err(format!(
            "Shorten \"{shown}\": variable names have at most 255 characters"
        ));
    }
    for reserved in ["AWS_CONTAINER_", "ECS_CONTAINER_METADATA_URI"] {
        if name.starts_with(reserved) {
            return Err(format!(
                "Choose another name than {name}: ECS sets it itself (task credentials and metadata)"
            ));
        }
    }
    Ok(())
}

/// Checks a plain environment variable value: one line, no control characters.
pub fn check_variable_value(name: &str, value: &str) -> Result<(), String> {
    if value.chars().any(|c| c.is_control()) {
        return Err(format!(
            "Put multi-line values in a secret: the value of {name} must be one line without control characters"
        ));
    }
    if value.len() > 32_768 {
        return Err(format!(
            "Shorten the value of {name}: it is longer than 32768 characters"
        ));
    }
    Ok(())
}

/// A secret source: an SSM parameter name (`/app/db-password`, in the deploy
/// region and account), an SSM parameter ARN, or a complete Secrets Manager
/// secret ARN (with its 6-character suffix, optionally followed by
/// `:json-key:version-stage:version-id`).
pub fn parse_secret_source(
    name: &str,
    text: &str,
    region: Option<&str>,
    account: Option<&str>,
) -> Result<SecretSource, String> {
    let value = text.trim();
    if value.is_empty() {
        return Err(format!(
            "Enter an SSM parameter name (e.g. /octo-app/db-password) or a Secrets Manager secret ARN for {name}"
        ));
    }
    if value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return Err(format!(
            "Remove the spaces or unusual characters from the source of {name}: no parameter or secret name contains them"
        ));
    }
    if value.contains(['*', '?']) {
        return Err(format!(
            "Name one exact parameter or secret for {name}: wildcards would let the task read others"
        ));
    }
    if value.starts_with("arn:") {
        return parse_secret_arn(name, value);
    }
    // A bare SSM parameter name: it lives in the deploy region and account.
    let path = value.strip_prefix('/').unwrap_or(value);
    check_ssm_parameter_path(name, path)?;
    let (Some(region), Some(account)) = (region, account) else {
        return Err(format!(
            "Fix the account id and region first: the parameter of {name} needs them to form its ARN"
        ));
    };
    let arn = format!("arn:aws:ssm:{region}:{account}:parameter/{path}");
    Ok(SecretSource {
        kind: SecretKind::SsmParameter,
        value_from: arn.clone(),
        resource_arn: arn,
    })
}

fn check_ssm_parameter_path(name: &str, path: &str) -> Result<(), String> {
    let valid = !path.is_empty()
        && path.len() <= 2048
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/'))
        && !path.split('/').any(str::is_empty);
    if !valid {
        return Err(format!(
            "Write the SSM parameter of {name} as a parameter name, e.g. /octo-app/db-password: letters, digits, '_', '.', '-' and '/'-separated levels"
        ));
    }
    let lower = path.to_ascii_lowercase();
    if lower.starts_with("aws") || lower.starts_with("ssm") {
        return Err(format!(
            "SSM parameter names cannot start with \"aws\" or \"ssm\" ({name}): choose another name"
        ));
    }
    Ok(())
}

fn parse_secret_arn(name: &str, arn: &str) -> Result<SecretSource, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let bad = || {
        format!(
            "Write the source of {name} as an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME) or a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf)"
        )
    };
    let [_, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(bad());
    };
    if *partition != "aws" {
        return Err(format!(
            "Use an ARN in the aws partition for {name}: Keyless deploys there only, and this one is in \"{}\"",
            printable(partition)
        ));
    }
    if region_name(region).is_none() {
        return Err(format!(
            "Fix the region in the ARN of {name}: \"{}\" is not an AWS region Keyless knows",
            printable(region)
        ));
    }
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "Put a 12-digit account id after the region in the ARN of {name}"
        ));
    }
    match *service {
        "ssm" => {
            let Some(path) = resource.strip_prefix("parameter/") else {
                return Err(bad());
            };
            check_ssm_parameter_path(name, path)?;
            Ok(SecretSource {
                kind: SecretKind::SsmParameter,
                value_from: arn.to_string(),
                resource_arn: arn.to_string(),
            })
        }
        "secretsmanager" => {
            let Some(rest) = resource.strip_prefix("secret:") else {
                return Err(bad());
            };
            let mut pieces = rest.split(':');
            let secret = pieces.next().unwrap_or_default();
            let extra: Vec<&str> = pieces.collect();
            let secret_ok = !secret.is_empty()
                && secret.len() <= 512 + 7
                && secret
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
            if !secret_ok {
                return Err(format!(
                    "Fix the secret name in the ARN of {name}: it may only have letters, digits and /_+=.@-"
                ));
            }
            let suffix_ok = secret.rsplit_once('-').is_some_and(|(head, tail)| {
                !head.is_empty()
                    && tail.len() == 6
                    && tail.chars().all(|c| c.is_ascii_alphanumeric())
            });
            if !suffix_ok {
                return Err(format!(
                    "Copy the complete ARN of {name} from the console: it lacks the 6 characters Secrets Manager appends (…:secret:NAME-AbCdEf), which let the execution role be granted exactly that secret"
                ));
            }
            if extra.len() > 3 || (!extra.is_empty() && extra.len() != 3) {
                return Err(format!(
                    "After the secret in {name}, write exactly :json-key:version-stage:version-id (each may be empty): ECS takes nothing else"
                ));
            }
            let extra_ok = extra.iter().all(|e| {
                e.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c))
            });
            if !extra_ok {
                return Err(format!(
                    "Fix the json-key, version-stage or version-id of {name}: it has characters ECS does not accept"
                ));
            }
            let resource_arn = format!("arn:aws:secretsmanager:{region}:{account}:secret:{secret}");
            Ok(SecretSource {
                kind: SecretKind::SecretsManager,
                value_from: arn.to_string(),
                resource_arn,
            })
        }
        _ => Err(bad()),
    }
}

/// Subnet ids (`subnet-` and 8 or 17 hex digits) or security group ids (`sg-`…);
/// blank entries are dropped, ids lower-cased, duplicates reported.
pub fn parse_id_list(
    items: &[String],
    prefix: &str,
    what: &str,
    max: usize,
) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for item in items {
        let id = item.trim().to_ascii_lowercase();
        if id.is_empty() {
            continue;
        }
        let hex = id.strip_prefix(prefix).unwrap_or("");
        let valid = matches!(hex.len(), 8 | 17) && hex.chars().all(|c| c.is_ascii_hexdigit());
        if !valid {
            bad.push(format!("\"{}\"", printable(item.trim())));
        } else if !seen.insert(id.clone()) {
            problems.push(format!("List {id} only once"));
        } else {
            ids.push(id);
        }
    }
    if !bad.is_empty() {
        let verb = if bad.len() == 1 {
            "is not one"
        } else {
            "are not"
        };
        problems.insert(
            0,
            format!(
                "Write each {what} id as {prefix} and 8 or 17 hex digits: {} {verb}",
                join_with(&bad, "and")
            ),
        );
    }
    if ids.len() > max {
        problems.push(format!(
            "Remove some {what}s: ECS takes at most {max} per service"
        ));
    }
    if problems.is_empty() {
        Ok(ids)
    } else {
        Err(problems.join(". "))
    }
}

/// Adds "contain X or Y" (to follow "… cannot") for characters outside
/// `allowed`, naming the first few and calling out non-ASCII look-alikes.
pub(super) fn push_bad_chars(
    problems: &mut Vec<String>,
    text: &str,
    allowed: impl Fn(char) -> bool,
) {
    let mut bad: Vec<char> = Vec::new();
    for c in text.chars() {
        if !allowed(c) && !bad.contains(&c) {
            bad.push(c);
        }
    }
    if bad.is_empty() {
        return;
    }
    let non_ascii = bad.iter().any(|c| !c.is_ascii());
    let shown: Vec<String> = bad.iter().take(5).map(|c| describe_char(*c)).collect();
    let mut message = format!("contain {}", join_with(&shown, "or"));
    if non_ascii {
        message
            .push_str(" (a non-ASCII character, perhaps a look-alike of a plain letter or dash)");
    }
    problems.push(message);
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\n' | '\r' => "a line break".into(),
        '\t' => "a tab".into(),
        c if c.is_control() || !c.is_ascii() => format!("U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}

/// `a`, `a or b`, `a, b or c` (with `word` for "or").
pub(super) fn join_with(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => {
            // "contain a space or '~', or start with '-'": a comma keeps the
            // inner list apart from the outer one.
            let nested = items.iter().any(|i| i.contains(" or ") || i.contains(", "));
            let comma = if nested { "," } else { "" };
            format!("{}{comma} {word} {last}", rest.join(", "))
        }
    }
}

/// One sentence from a subject and the things it cannot do:
/// `cannot("Branch names", ["start with '-'", "contain a space"])` is
/// "Branch names cannot start with '-' or contain a space".
pub(super) fn cannot(subject: &str, problems: &[String]) -> String {
    format!("{subject} cannot {}", join_with(problems, "or"))
}

/// The text with control characters escaped, safe to show inside quotes.
pub fn printable(text: &str) -> String {
    let short: String = text.chars().take(80).collect();
    let mut out = String::with_capacity(short.len());
    for c in short.chars() {
        if c.is_control() {
            out.push_str(&c.escape_default().to_string());
        } else {
            out.push(c);
        }
    }
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_field_with_an_empty_owner_part_names_no_owner() {
        // Found by the hostile-text property test: "/main" passed with owner "".
        for repository in ["/main", "https://github.com//main"] {
            let (from_repo, _) = split_repository(repository);
            assert!(
                parse_owner("", from_repo.as_deref()).is_err(),
                "{repository}"
            );
            assert_eq!(
                parse_owner("octo-org", from_repo.as_deref()),
                Ok("octo-org".into())
            );
        }
        assert_eq!(parse_owner("", Some("octo-org")), Ok("octo-org".into()));
    }

    #[test]
    fn cpu_spellings() {
        for (text, units) in [
            ("256", 256),
            ("0.25 vCPU", 256),
            (".25vcpu", 256),
            ("1 vCPU", 1024),
            ("1", 1024),
            ("2", 2048),
            ("16 vCPU", 16384),
            (" 4096 ", 4096),
        ] {
            assert_eq!(parse_cpu(text), Ok(units), "{text}");
        }
        for bad in ["", "300", "0.3 vCPU", "3", "1 core", "1e3", "-1", "0"] {
            assert!(parse_cpu(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_spellings() {
        for (text, mib) in [
            ("512", 512),
            ("512 MiB", 512),
            ("0.5 GB", 512),
            ("2 GB", 2048),
            ("2GiB", 2048),
            ("4", 4096),
            ("120 GB", 122880),
        ] {
            assert_eq!(parse_memory(text), Ok(mib), "{text}");
        }
        for bad in ["", "100", "0.3 GB", "512 KB", "lots", "121 GB"] {
            assert!(parse_memory(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fargate_table_matches_domain_facts() {
        assert_eq!(memory_options(256), [512, 1024, 2048]);
        assert_eq!(memory_options(512), [1024, 2048, 3072, 4096]);
        assert_eq!(memory_options(1024).len(), 7);
        assert_eq!(memory_options(2048).len(), 13);
        assert_eq!(*memory_options(4096).last().unwrap(), 30720);
        assert_eq!(memory_options(8192)[..2], [16384, 20480]);
        assert_eq!(memory_options(16384)[..2], [32768, 40960]);
        assert_eq!(*memory_options(16384).last().unwrap(), 122880);
        assert!(memory_options(300).is_empty());
        assert!(TaskSize::new(256, 4096).is_none());
        assert_eq!(
            TaskSize::new(256, 512).unwrap().to_string(),
            "0.25 vCPU, 0.5 GB"
        );
    }

    #[test]
    fn memory_hint_names_the_range() {
        assert_eq!(
            memory_hint(1024),
            "with 1 vCPU (1024) Fargate takes 2048 to 8192 MiB in steps of 1024 (2 to 8 GB)"
        );
        assert!(memory_hint(256).contains("512, 1024 or 2048"));
    }

    #[test]
    fn app_name_rules() {
        for good in ["octo-app", "ab", "a_b-c", "web2"] {
            assert_eq!(parse_app_name(good).as_deref(), Ok(good));
        }
        let long = "a".repeat(APP_NAME_MAX + 1);
        for bad in [
            "a", "my app", "-x", "x-", "a--b", "a-_b", "a.b", &long, "аpp",
        ] {
            assert!(parse_app_name(bad).is_err(), "{bad}");
        }
        let message = parse_app_name("My App!").unwrap_err();
        assert_eq!(
            message,
            "App names cannot contain spaces (use '-' instead) or contain '!' (\"My App!\"). Use lowercase letters and digits, with single '-' or '_' between them: the name is used for the ECR repository, cluster, service and roles"
        );
    }

    #[test]
    fn capital_letters_in_the_app_name_are_lower_cased_with_a_note() {
        assert_eq!(parse_app_name(" Octo-App ").as_deref(), Ok("octo-app"));
        assert_eq!(parse_app_name("WEB_2").as_deref(), Ok("web_2"));
        assert_eq!(
            app_name_note("Octo-App").as_deref(),
            Some("Used as octo-app: AWS resource names here are lower case.")
        );
        // No note when nothing changes, or when the name is refused anyway.
        assert_eq!(app_name_note("octo-app"), None);
        assert_eq!(app_name_note(""), None);
        assert_eq!(app_name_note("Octo App"), None);
        // A non-ASCII capital is not a plain letter: refused, not folded.
        assert!(parse_app_name("Äpp").is_err());
    }

    #[test]
    fn a_repository_url_with_a_branch_names_the_repository_and_the_branch() {
        for (text, owner, repo, branch) in [
            (
                "https://github.com/octo-org/octo-app/tree/release/v2",
                Some("octo-org"),
                "octo-app",
                Some("release/v2"),
            ),
            (
                "github.com/octo-org/octo-app/tree/main/",
                Some("octo-org"),
                "octo-app",
                Some("main"),
            ),
            (
                "octo-org/octo-app/tree/dev",
                Some("octo-org"),
                "octo-app",
                Some("dev"),
            ),
            (
                "https://github.com/octo-org/octo-app",
                Some("octo-org"),
                "octo-app",
                None,
            ),
            (
                "https://github.com/octo-org/octo-app/tree/",
                Some("octo-org"),
                "octo-app/tree",
                None,
            ),
            ("octo-org/tree", Some("octo-org"), "tree", None),
            ("octo-app", None, "octo-app", None),
        ] {
            let (o, r) = split_repository(text);
            assert_eq!((o.as_deref(), r.as_str()), (owner, repo), "{text}");
            assert_eq!(branch_in_repository_url(text).as_deref(), branch, "{text}");
        }
        assert_eq!(parse_repo_name("octo-app/tree").map(|_| ()), Err(
            "GitHub repository names cannot have another '/' after owner/ (write owner/name only once) (\"octo-app/tree\"). Use letters, digits, '-', '_' and '.', up to 100".to_string()
        ));
    }

    #[test]
    fn combined_problems_read_as_one_sentence() {
        assert_eq!(
            parse_branch("-my  branch").unwrap_err(),
            "Branch names cannot contain a space or start with '-' (\"-my  branch\"). Use letters, digits, '-', '_', '.' and '/', as git allows them"
        );
        assert_eq!(
            parse_environment("-prod  1~").unwrap_err(),
            "Environment names cannot contain '~' or have two spaces in a row (\"-prod  1~\"). Use letters, digits, spaces, '-', '_' and '.', up to 255"
        );
        assert_eq!(
            parse_owner("-octo org~", None).unwrap_err(),
            "GitHub user and organisation names cannot contain a space or '~', or start or end with a hyphen (\"-octo org~\"). Use letters, digits and single hyphens, up to 39"
        );
    }

    #[test]
    fn secret_sources() {
        let ssm =
            parse_secret_source("DB", "/octo/db", Some("eu-west-1"), Some("123456789012")).unwrap();
        assert_eq!(ssm.kind, SecretKind::SsmParameter);
        assert_eq!(
            ssm.value_from,
            "arn:aws:ssm:eu-west-1:123456789012:parameter/octo/db"
        );
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123:password::";
        let sm = parse_secret_source("DB", arn, None, None).unwrap();
        assert_eq!(sm.value_from, arn);
        assert_eq!(
            sm.resource_arn,
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123"
        );
        for bad in [
            "",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*",
            "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x",
            "arn:aws:s3:::bucket",
            "/a//b",
            "/aws/reserved",
            "a b",
        ] {
            assert!(
                parse_secret_source("DB", bad, Some("eu-west-1"), Some("123456789012")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn id_lists() {
        let ids = parse_id_list(
            &[
                "subnet-0123abcd".into(),
                " ".into(),
                "SUBNET-0123456789ABCDEF0".into(),
            ],
            "subnet-",
            "subnet",
            16,
        )
        .unwrap();
        assert_eq!(ids, ["subnet-0123abcd", "subnet-0123456789abcdef0"]);
        let err = parse_id_list(
            &[
                "subnet-0123abcd".into(),
                "subnet-0123abcd".into(),
                "sg-1".into(),
            ],
            "subnet-",
            "subnet",
            16,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "Write each subnet id as subnet- and 8 or 17 hex digits: \"sg-1\" is not one. List subnet-0123abcd only once"
        );
    }

    #[test]
    fn retention_and_storage() {
        assert_eq!(parse_log_retention(""), Ok(30));
        assert_eq!(parse_log_retention("14 days"), Ok(14));
        assert!(parse_log_retention("10").is_err());
        assert_eq!(parse_ephemeral_storage(""), Ok(None));
        assert_eq!(parse_ephemeral_storage("20"), Ok(None));
        assert_eq!(parse_ephemeral_storage("50 GiB"), Ok(Some(50)));
        assert!(parse_ephemeral_storage("201").is_err());
        assert!(parse_ephemeral_storage("10").is_err());
    }
}

#[cfg(test)]
mod decimal_tests {
    use super::decimal;

    #[test]
    fn decimal_formats_quarters_and_thirds() {
        assert_eq!(decimal(256, 1024), "0.25");
        assert_eq!(decimal(512, 1024), "0.5");
        assert_eq!(decimal(2048, 1024), "2");
        assert_eq!(decimal(1536, 1024), "1.5");
        assert_eq!(decimal(1, 3), "0.3333");
        assert_eq!(decimal(2, 3), "0.6667");
        assert_eq!(decimal(99_999, 100_000), "1");
    }
}
