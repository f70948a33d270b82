//! The GitHub Actions workflow (`.github/workflows/deploy.yml`): a typed model
//! computed from the config ([`workflow`]), rendered by the small emitter in
//! [`crate::yaml`] with explanatory comments ([`render`]).
//!
//! The model also derives `Serialize` with the same key names, so a test can
//! parse the rendered YAML back and compare it with the model.
//!
//! Security properties, each by construction:
//! - triggers: push to the one branch and `workflow_dispatch`, never
//!   `pull_request_target` or `workflow_run`; a job condition refuses other refs;
//! - `permissions: {}` for the workflow, `id-token: write` + `contents: read`
//!   for the deploy job only;
//! - every action pinned to a full commit SHA, its version in a comment;
//! - no `${{ }}` expression is ever pasted into a shell (zizmor's
//!   template-injection): outputs reach actions only through `with:`, and the
//!   one `run:` step (with autoscaling) is text written in this file
//!   ([`READ_SCALED_COUNT`]) that reads its values from `env:`;
//! - the `sub` the job's token carries is the one the trust policy names: both
//!   come from [`Names`] and the same config fields.

use crate::sorted_map::SortedMap;

use serde::Serialize;

use crate::bundle::{GENERATED_BY, TASK_DEFINITION_PATH, TRUST_POLICY_PATH};
use crate::config::{Architecture, ValidConfig};
use crate::names::Names;
use crate::yaml::{s, Entry, Node};

/// An action pinned to a commit (domain.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinnedAction {
    /// `owner/name`.
    pub repo: &'static str,
    /// The release tag the commit belongs to.
    pub tag: &'static str,
    /// The full commit SHA.
    pub sha: &'static str,
}

impl PinnedAction {
    /// `owner/name@sha`, as `uses:` takes it.
    pub fn uses(self) -> String {
        format!("{}@{}", self.repo, self.sha)
    }
}

/// actions/checkout.
pub const CHECKOUT: PinnedAction = PinnedAction {
    repo: "actions/checkout",
    tag: "v7.0.1",
    sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
};
/// aws-actions/configure-aws-credentials.
pub const CONFIGURE_AWS_CREDENTIALS: PinnedAction = PinnedAction {
    repo: "aws-actions/configure-aws-credentials",
    tag: "v6.2.3",
    sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
};
/// aws-actions/amazon-ecr-login.
pub const ECR_LOGIN: PinnedAction = PinnedAction {
    repo: "aws-actions/amazon-ecr-login",
    tag: "v2.1.7",
    sha: "03f1aad4c6c7ffd436567f42f9384779290529bd",
};
/// aws-actions/amazon-ecs-render-task-definition.
pub const RENDER_TASK_DEFINITION: PinnedAction = PinnedAction {
    repo: "aws-actions/amazon-ecs-render-task-definition",
    tag: "v1.9.0",
    sha: "138c24f321fdbdf7edee4a685519d253cae2cdea",
};
/// aws-actions/amazon-ecs-deploy-task-definition.
pub const DEPLOY_TASK_DEFINITION: PinnedAction = PinnedAction {
    repo: "aws-actions/amazon-ecs-deploy-task-definition",
    tag: "v2.6.3",
    sha: "c465972ecbd160473f22e683363b422a5412a3de",
};
/// docker/setup-buildx-action.
pub const SETUP_BUILDX: PinnedAction = PinnedAction {
    repo: "docker/setup-buildx-action",
    tag: "v4.3.0",
    sha: "37fe631027851001ddb9b187196cc803df7f5f0e",
};
/// docker/build-push-action.
pub const BUILD_PUSH: PinnedAction = PinnedAction {
    repo: "docker/build-push-action",
    tag: "v7.3.0",
    sha: "53b7df96c91f9c12dcc8a07bcb9ccacbed38856a",
};

/// Every action the workflow uses.
pub const ACTIONS: [PinnedAction; 7] = [
    CHECKOUT,
    CONFIGURE_AWS_CREDENTIALS,
    ECR_LOGIN,
    SETUP_BUILDX,
    BUILD_PUSH,
    RENDER_TASK_DEFINITION,
    DEPLOY_TASK_DEFINITION,
];

/// Minutes the deploy step waits for the service to become stable.
pub const WAIT_FOR_MINUTES: u32 = 15;
/// The job's own time limit.
pub const JOB_TIMEOUT_MINUTES: u64 = 30;
/// The id of the deploy job.
pub const JOB_ID: &str = "deploy";

/// A workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workflow {
    /// Comment lines at the top of the file.
    #[serde(skip)]
    pub header: Vec<String>,
    /// Display name.
    pub name: String,
    /// Triggers.
    pub on: Triggers,
    /// Workflow-wide token permissions (none: the job asks for its own).
    pub permissions: SortedMap<&'static str, &'static str>,
    /// One deploy at a time.
    pub concurrency: Concurrency,
    /// The jobs, by id.
    pub jobs: SortedMap<&'static str, Job>,
}

/// `on:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Triggers {
    /// Pushes to the deploy branch.
    pub push: Push,
    /// Manual runs (the job condition limits them to the deploy branch).
    pub workflow_dispatch: SortedMap<String, String>,
}

/// `on.push`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Push {
    /// Exactly the deploy branch.
    pub branches: Vec<String>,
}

/// `concurrency:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Concurrency {
    /// Group name: one per app.
    pub group: String,
    /// Never cancel a running deploy halfway.
    #[serde(rename = "cancel-in-progress")]
    pub cancel_in_progress: bool,
}

/// A job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Job {
    /// Display name.
    pub name: String,
    /// Runner label: its architecture matches the image's.
    #[serde(rename = "runs-on")]
    pub runs_on: String,
    /// Runs only for the deploy branch (a manual run can pick another ref).
    #[serde(rename = "if")]
    pub condition: String,
    /// The GitHub environment, when the config has one: it changes the token's `sub`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The token permissions of this job.
    pub permissions: SortedMap<&'static str, &'static str>,
    /// Time limit in minutes.
    #[serde(rename = "timeout-minutes")]
    pub timeout_minutes: u64,
    /// The steps.
    pub steps: Vec<Step>,
}

/// A step that uses a pinned action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Comment lines above the step.
    #[serde(skip)]
    pub comments: Vec<&'static str>,
    /// Display name.
    pub name: String,
    /// Id, when later steps read its outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'static str>,
    /// The action, for a `uses:` step.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_uses"
    )]
    pub uses: Option<PinnedAction>,
    /// Variables of a `run:` step: the only way a value reaches its shell.
    #[serde(skip_serializing_if = "SortedMap::is_empty")]
    pub env: SortedMap<&'static str, String>,
    /// The shell of a `run:` step: text written in this file, never a config value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<&'static str>,
    /// Inputs (every value a string: action inputs are strings).
    #[serde(skip_serializing_if = "SortedMap::is_empty")]
    pub with: SortedMap<&'static str, String>,
}

fn serialize_uses<S: serde::Serializer>(
    action: &Option<PinnedAction>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&action.map(PinnedAction::uses).unwrap_or_default())
}

impl Step {
    /// A `uses:` step.
    fn action(
        comments: Vec<&'static str>,
        name: &str,
        id: Option<&'static str>,
        uses: PinnedAction,
        with: SortedMap<&'static str, String>,
    ) -> Step {
        Step {
            comments,
            name: name.into(),
            id,
            uses: Some(uses),
            env: SortedMap::new(),
            run: None,
            with,
        }
    }
}

/// With autoscaling, the count a deploy keeps: the service's current desired
/// count (what autoscaling chose), or `MIN_COUNT` when it has fewer (the first
/// deploy, after setup created the service with 0 tasks). Reads
/// `ecs:DescribeServices` of the app's service, which the deploy action's wait
/// needs anyway: no new permission.
pub const READ_SCALED_COUNT: &str = r#"current="$(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].desiredCount' --output text)"; [[ "$current" =~ ^[0-9]+$ ]] || current=0; echo "count=$((current > MIN_COUNT ? current : MIN_COUNT))" >> "$GITHUB_OUTPUT""#;

/// The runner label for an architecture: the image is built natively, no emulation.
pub fn runner(architecture: Architecture) -> &'static str {
    match architecture {
        Architecture::X86_64 => "ubuntu-24.04",
        Architecture::Arm64 => "ubuntu-24.04-arm",
    }
}

/// The workflow model for this config and its names.
pub fn workflow(config: &ValidConfig, names: &Names) -> Workflow {
    let branch = &config.branch;
    let image = format!(
        "${{{{ steps.ecr.outputs.registry }}}}/{}:${{{{ github.sha }}}}",
        names.ecr_repository
    );
    let (desired_count, deploy_comments) = match config.autoscaling {
        None => (
            config.desired_count.to_string(),
            vec![
                "Registers the rendered revision, points the service at it and sets the",
                "desired count from keyless.json (the service was created with 0 tasks),",
                "then waits until the new tasks are stable. The circuit breaker rolls back",
                "a deploy whose tasks keep failing.",
            ],
        ),
        Some(_) => (
            "${{ steps.count.outputs.count }}".to_string(),
            vec![
                "Registers the rendered revision, points the service at it, keeps the",
                "count autoscaling chose (read by the step above), then waits until the",
                "new tasks are stable. The circuit breaker rolls back a deploy whose",
                "tasks keep failing.",
            ],
        ),
    };
    let mut steps = vec![
        Step::action(
            vec![
                "persist-credentials: false keeps the GitHub token out of .git/config,",
                "where the Docker build could read it.",
            ],
            "Check out",
            None,
            CHECKOUT,
            SortedMap::from([("persist-credentials", "false".into())]),
        ),
        Step::action(
            vec![
                "Exchanges the job's OIDC token for short-lived credentials of the deploy role.",
                "allowed-account-ids stops the job if the role is in another account.",
            ],
            "Configure AWS credentials (OIDC, no stored keys)",
            None,
            CONFIGURE_AWS_CREDENTIALS,
            SortedMap::from([
                ("role-to-assume", names.deploy_role_arn.clone()),
                ("aws-region", names.region.clone()),
                ("role-session-name", names.role_session_name.clone()),
                ("allowed-account-ids", names.account_id.clone()),
            ]),
        ),
        Step::action(
            vec![],
            "Log in to Amazon ECR",
            Some("ecr"),
            ECR_LOGIN,
            SortedMap::new(),
        ),
        Step::action(
            vec![],
            "Set up Docker Buildx",
            None,
            SETUP_BUILDX,
            SortedMap::new(),
        ),
        Step::action(
            vec![
                "The platform matches the task definition's cpuArchitecture.",
                "Tagged with the commit SHA, never latest: the ECR repository's tags are immutable.",
                "provenance: false pushes a plain image, not an index whose untagged parts",
                "the repository's lifecycle policy would expire.",
            ],
            "Build and push the image",
            Some("build"),
            BUILD_PUSH,
            SortedMap::from([
                ("context", ".".into()),
                ("platforms", config.architecture.docker_platform().into()),
                ("push", "true".into()),
                ("provenance", "false".into()),
                ("tags", image.clone()),
            ]),
        ),
        Step::action(
            vec![
                "Writes the new image into a copy of the committed task definition.",
                "container-name is the container's name in that file.",
            ],
            "Render the task definition",
            Some("render"),
            RENDER_TASK_DEFINITION,
            SortedMap::from([
                ("task-definition", TASK_DEFINITION_PATH.into()),
                ("container-name", names.container_name.clone()),
                ("image", image),
            ]),
        ),
        Step::action(
            deploy_comments,
            "Deploy to Amazon ECS",
            None,
            DEPLOY_TASK_DEFINITION,
            SortedMap::from([
                (
                    "task-definition",
                    "${{ steps.render.outputs.task-definition }}".into(),
                ),
                ("cluster", names.cluster.clone()),
                ("service", names.service.clone()),
                ("desired-count", desired_count),
                ("wait-for-service-stability", "true".into()),
                ("wait-for-minutes", WAIT_FOR_MINUTES.to_string()),
            ]),
        ),
    ];
    if let Some(scaling) = config.autoscaling {
        let deploy = steps.len() - 1;
        steps.insert(
            deploy,
            Step {
                comments: vec![
                    "Autoscaling owns the task count: a deploy must not reset it. The deploy",
                    "action sets whatever count it is given, so give it the current one, or",
                    "the fewest tasks when there are fewer (the first deploy starts from 0).",
                    "Reads only ecs:DescribeServices of this service, which the deploy's wait",
                    "needs anyway. Values reach the shell through env only.",
                ],
                name: "Read the task count autoscaling chose".into(),
                id: Some("count"),
                uses: None,
                env: SortedMap::from([
                    ("CLUSTER", names.cluster.clone()),
                    ("SERVICE", names.service.clone()),
                    ("MIN_COUNT", scaling.min_count.to_string()),
                ]),
                run: Some(READ_SCALED_COUNT),
                with: SortedMap::new(),
            },
        );
    }
    let job = Job {
        name: format!("Build and deploy {}", config.app_name),
        runs_on: runner(config.architecture).into(),
        condition: format!("github.ref == 'refs/heads/{branch}'"),
        environment: config.environment.clone(),
        permissions: SortedMap::from([("contents", "read"), ("id-token", "write")]),
        timeout_minutes: JOB_TIMEOUT_MINUTES,
        steps,
    };
    Workflow {
        header: header(config, names),
        name: format!("Deploy {}", config.app_name),
        on: Triggers {
            push: Push {
                branches: vec![branch.clone()],
            },
            workflow_dispatch: SortedMap::new(),
        },
        permissions: SortedMap::new(),
        concurrency: Concurrency {
            group: format!("deploy-{}", config.app_name),
            cancel_in_progress: false,
        },
        jobs: SortedMap::from([(JOB_ID, job)]),
    }
}

fn header(config: &ValidConfig, names: &Names) -> Vec<String> {
    let trigger = match &config.environment {
        Some(env) => format!(
            "on every push to {} (job environment: {env})",
            config.branch
        ),
        None => format!("on every push to {}", config.branch),
    };
    let mut lines = vec![
        format!(
            "Deploys {} to AWS ECS Fargate ({}) {trigger}.",
            config.app_name, config.region
        ),
        format!("{GENERATED_BY}: change that file and regenerate"),
        "(keyless generate --config keyless.json --out .) rather than editing this one.".into(),
        String::new(),
        "No AWS keys are stored in GitHub. The job asks GitHub for an OIDC token and".into(),
        "exchanges it for short-lived credentials of the role".into(),
        format!("  {}", names.deploy_role_arn),
        format!("whose trust policy ({TRUST_POLICY_PATH}) accepts only the sub"),
    ];
    lines.extend(names.subjects.iter().map(|sub| format!("  {sub}")));
    lines.extend([
        "so adding or renaming `environment:`, or moving the trigger to another branch,".into(),
        "needs a regenerated trust policy too.".into(),
        String::new(),
        "Before the first run: bash infra/setup.sh (creates the OIDC provider, the roles,".into(),
        "the ECR repository, the log group, the cluster, the task definition and the service)."
            .into(),
        format!(
            "The repository needs a Dockerfile at its root; the container listens on port {}.",
            config.container_port
        ),
    ]);
    if config.architecture == Architecture::Arm64 {
        lines.push("ARM64 images build natively on GitHub's ubuntu-24.04-arm runner.".into());
    }
    lines
}

/// The workflow as YAML: the header, then the model with comments.
pub fn render(workflow: &Workflow) -> String {
    let job = |job: &Job| {
        let mut entries = vec![
            Entry::new("name", s(&job.name)),
            Entry::new("runs-on", s(&job.runs_on)),
            Entry::new("if", s(&job.condition))
                .comment(&["A manual run may pick any ref: only the deploy branch goes on."]),
        ];
        if let Some(env) = &job.environment {
            entries
                .push(Entry::new("environment", s(env)).comment(&[
                    "The environment makes the token's sub repo:...:environment:NAME.",
                ]));
        }
        entries.push(
            Entry::new("permissions", string_map(&job.permissions)).comment(&[
                "id-token: write lets the job request the OIDC token; nothing else is writable.",
            ]),
        );
        entries.push(Entry::new(
            "timeout-minutes",
            Node::Int(job.timeout_minutes),
        ));
        entries.push(Entry::new(
            "steps",
            Node::Seq(job.steps.iter().map(step_node).collect()),
        ));
        Node::Map(entries)
    };
    let root = vec![
        Entry::new("name", s(&workflow.name)),
        Entry::new(
            "on",
            Node::Map(vec![
                Entry::new(
                    "push",
                    Node::Map(vec![Entry::new(
                        "branches",
                        Node::Seq(workflow.on.push.branches.iter().map(s).collect()),
                    )]),
                ),
                Entry::new(
                    "workflow_dispatch",
                    string_map(&workflow.on.workflow_dispatch),
                ),
            ]),
        )
        .blank(),
        Entry::new("permissions", string_map(&workflow.permissions))
            .comment(&["No token permissions unless a job asks for them."])
            .blank(),
        Entry::new(
            "concurrency",
            Node::Map(vec![
                Entry::new("group", s(&workflow.concurrency.group)),
                Entry::new(
                    "cancel-in-progress",
                    Node::Bool(workflow.concurrency.cancel_in_progress),
                ),
            ]),
        )
        .comment(&["One deploy at a time; a running deploy is never cancelled halfway."])
        .blank(),
        Entry::new(
            "jobs",
            Node::Map(
                workflow
                    .jobs
                    .iter()
                    .map(|(id, j)| Entry::new(id, job(j)))
                    .collect(),
            ),
        )
        .blank(),
    ];
    crate::yaml::render(&workflow.header, &root)
}

fn string_map<K: AsRef<str>, V: AsRef<str>>(map: &SortedMap<K, V>) -> Node {
    Node::Map(
        map.iter()
            .map(|(k, v)| Entry::new(k.as_ref(), s(v.as_ref())))
            .collect(),
    )
}

fn step_node(step: &Step) -> Node {
    let comments: Vec<&str> = step.comments.clone();
    let mut entries = vec![Entry::new("name", s(&step.name)).comment(&comments)];
    if let Some(id) = step.id {
        entries.push(Entry::new("id", s(id)));
    }
    if let Some(action) = step.uses {
        entries.push(Entry::new("uses", s(action.uses())).trailing(action.tag));
    }
    if !step.env.is_empty() {
        entries.push(Entry::new("env", string_map(&step.env)));
    }
    if let Some(run) = step.run {
        entries.push(Entry::new("run", s(run)));
    }
    if !step.with.is_empty() {
        entries.push(Entry::new("with", string_map(&step.with)));
    }
    Node::Map(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn config() -> ValidConfig {
        RawConfig {
            account_id: "012345678901".into(),
            region: "eu-west-1".into(),
            desired_count: "2".into(),
            ..RawConfig::example()
        }
        .validate()
        .unwrap()
    }

    fn of(config: &ValidConfig) -> Workflow {
        workflow(config, &Names::new(config))
    }

    #[test]
    fn account_id_is_quoted_and_actions_pinned() {
        let text = render(&of(&config()));
        assert!(text.contains("allowed-account-ids: \"012345678901\""));
        for action in ACTIONS {
            assert!(
                text.contains(&format!("uses: \"{}\"  # {}", action.uses(), action.tag)),
                "{}",
                action.repo
            );
        }
        assert!(!text.contains(":latest"));
        assert!(!text
            .lines()
            .any(|l| l.trim_start().trim_start_matches("- ").starts_with("run:")));
    }

    #[test]
    fn expressions_only_where_intended() {
        let text = render(&of(&config()));
        let expressions: Vec<&str> = text
            .match_indices("${{")
            .map(|(i, _)| {
                let end = text[i..].find("}}").unwrap();
                &text[i..i + end + 2]
            })
            .collect();
        for e in &expressions {
            assert!(
                [
                    "${{ steps.ecr.outputs.registry }}",
                    "${{ github.sha }}",
                    "${{ steps.render.outputs.task-definition }}",
                    "${{ steps.count.outputs.count }}"
                ]
                .contains(e),
                "{e}"
            );
        }
    }

    #[test]
    fn with_autoscaling_a_deploy_keeps_the_count_and_no_expression_reaches_a_shell() {
        let scaled = RawConfig {
            min_count: "2".into(),
            max_count: "6".into(),
            cpu_target_percent: "60".into(),
            desired_count: "2".into(),
            ..RawConfig::example()
        }
        .validate()
        .unwrap();
        let model = of(&scaled);
        let steps = &model.jobs.get(JOB_ID).unwrap().steps;
        let runs: Vec<&Step> = steps.iter().filter(|s| s.run.is_some()).collect();
        assert_eq!(runs.len(), 1);
        let read = runs[0];
        assert!(!read.run.unwrap().contains("${{"));
        assert_eq!(read.env.get("MIN_COUNT").unwrap(), "2");
        let deploy = steps.last().unwrap();
        assert_eq!(deploy.uses, Some(DEPLOY_TASK_DEFINITION));
        assert_eq!(
            deploy.with.get("desired-count").unwrap(),
            &format!("${{{{ steps.{}.outputs.count }}}}", read.id.unwrap())
        );
        // Without autoscaling: no run step, the count of keyless.json.
        let fixed = of(&config());
        let steps = &fixed.jobs.get(JOB_ID).unwrap().steps;
        assert!(steps.iter().all(|s| s.run.is_none()));
        assert_eq!(
            steps.last().unwrap().with.get("desired-count").unwrap(),
            "2"
        );
    }
}
