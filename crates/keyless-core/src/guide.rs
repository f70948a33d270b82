//! The deploy guide of a config (issue 13): one model of what the user does
//! and of what gets built, rendered as `DEPLOY.md` (steps, commands and a
//! Mermaid diagram) and, by the page, as a checklist and an SVG diagram.
//!
//! - [`flow`]: the path from a push to a user's request, box by box (GitHub
//!   Actions, the OIDC token and its `sub`, the deploy role, ECR, the ECS
//!   service, the load balancer when there is one, the users), each naming its
//!   resource and the file that creates it, with the label of each arrow;
//! - [`first_deploy`] and [`day_two`]: the steps in order, each a sentence and
//!   the commands to copy, with this config's names filled in;
//! - [`deploy_guide`]: the Markdown of `DEPLOY.md`.
//!
//! Every command is built here from [`Names`] and quoted with
//! [`crate::script::arg`]; no renderer decides a name.

use std::fmt::Write as _;

use crate::bundle::{
    CONFIG_PATH, DEPLOY_GUIDE_PATH, PERMISSIONS_POLICY_PATH, SETUP_SCRIPT_PATH,
    TASK_DEFINITION_PATH, TEARDOWN_SCRIPT_PATH, TRUST_POLICY_PATH, WORKFLOW_PATH,
};
use crate::config::{Tls, ValidConfig};
use crate::names::Names;
use crate::script::arg;

/// The name of the archive the page's "Download all" saves.
pub const BUNDLE_ZIP_NAME: &str = "keyless-bundle.zip";

/// One box of the deploy flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowBox {
    /// What it is: "GitHub Actions", "IAM role", ….
    pub title: &'static str,
    /// The resource's real name (or the token's `sub`, or the address).
    pub name: String,
    /// The files that create or define it (empty for the users).
    pub files: Vec<&'static str>,
}

/// The deploy flow: `boxes[i]` leads to `boxes[i + 1]` by `arrows[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// From the workflow to the users.
    pub boxes: Vec<FlowBox>,
    /// One label per arrow: `arrows.len() == boxes.len() - 1`.
    pub arrows: Vec<String>,
}

/// The flow of `config`, from a push to a user's request.
pub fn flow(config: &ValidConfig) -> Flow {
    flow_with(config, &Names::new(config))
}

/// [`flow`] with the config's names already derived.
fn flow_with(config: &ValidConfig, names: &Names) -> Flow {
    let trigger = match &config.environment {
        Some(env) => format!(
            "{}/{}, environment {env}",
            config.github_owner, config.github_repo
        ),
        None => format!(
            "{}/{}, branch {}",
            config.github_owner, config.github_repo, config.branch
        ),
    };
    let mut boxes = vec![
        FlowBox {
            title: "GitHub Actions",
            name: trigger,
            files: vec![WORKFLOW_PATH],
        },
        FlowBox {
            title: "OIDC token",
            name: names.subjects[0].clone(),
            files: vec![TRUST_POLICY_PATH],
        },
        FlowBox {
            title: "IAM role",
            name: names.deploy_role.clone(),
            files: vec![SETUP_SCRIPT_PATH, PERMISSIONS_POLICY_PATH],
        },
        FlowBox {
            title: "ECR repository",
            name: names.ecr_repository.clone(),
            files: vec![SETUP_SCRIPT_PATH],
        },
        FlowBox {
            title: "ECS service",
            name: format!("{} in cluster {}", names.service, names.cluster),
            files: vec![SETUP_SCRIPT_PATH, TASK_DEFINITION_PATH],
        },
    ];
    let mut arrows = vec![
        "asks for a token on each push".to_string(),
        "exchanged for one-hour credentials".to_string(),
        "pushes the image, tagged with the commit SHA".to_string(),
        "the service runs the new image".to_string(),
    ];
    let address = address(config, names);
    match config.ingress.load_balancer() {
        Some(_) => {
            boxes.push(FlowBox {
                title: "Load balancer",
                name: names.load_balancer.clone(),
                files: vec![SETUP_SCRIPT_PATH],
            });
            arrows.push(format!(
                "its tasks take the traffic on port {}",
                config.container_port
            ));
            arrows.push(format!("serves users over {}", address.scheme));
        }
        None => arrows.push(format!(
            "serves users on each task's {} IP, port {}",
            if config.assign_public_ip {
                "public"
            } else {
                "private"
            },
            config.container_port
        )),
    }
    boxes.push(FlowBox {
        title: "Users",
        name: address.shown,
        files: Vec::new(),
    });
    Flow { boxes, arrows }
}

/// Where the app answers.
struct Address {
    /// For people: the URL, or what to run to find it.
    shown: String,
    /// `HTTPS` or `HTTP`.
    scheme: &'static str,
    /// The command that prints the address, when it is not known in advance.
    command: Option<String>,
}

fn address(config: &ValidConfig, names: &Names) -> Address {
    let region = arg(&config.region);
    match config.ingress.load_balancer() {
        Some(lb) => {
            let dns = format!(
                "aws elbv2 describe-load-balancers --names {} --region {region} --query 'LoadBalancers[0].DNSName' --output text",
                arg(&names.load_balancer)
            );
            match &lb.tls {
                Tls::RequestFor(domain) => Address {
                    shown: format!("https://{domain}/"),
                    scheme: "HTTPS",
                    command: None,
                },
                Tls::Existing(_) => Address {
                    shown: "your certificate's domain, over HTTPS".to_string(),
                    scheme: "HTTPS",
                    command: Some(dns),
                },
                Tls::None => Address {
                    shown: "the load balancer's DNS name, over HTTP".to_string(),
                    scheme: "HTTP",
                    command: Some(dns),
                },
            }
        }
        None => {
            let (what, query) = if config.assign_public_ip {
                ("public", "NetworkInterfaces[0].Association.PublicIp")
            } else {
                ("private", "NetworkInterfaces[0].PrivateIpAddress")
            };
            Address {
                shown: format!("a task's {what} IP, port {}", config.container_port),
                scheme: "HTTP",
                command: Some(format!(
                    "TASK=$(aws ecs list-tasks --cluster {cluster} --service-name {service} --region {region} --query 'taskArns[0]' --output text)\n\
                     ENI=$(aws ecs describe-tasks --cluster {cluster} --tasks \"$TASK\" --region {region} --query \"tasks[0].attachments[0].details[?name=='networkInterfaceId'].value\" --output text)\n\
                     aws ec2 describe-network-interfaces --network-interface-ids \"$ENI\" --region {region} --query '{query}' --output text",
                    cluster = arg(&names.cluster),
                    service = arg(&names.service),
                )),
            }
        }
    }
}

/// One step of the guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideStep {
    /// A short imperative title.
    pub title: String,
    /// What to do and why, in a sentence or two (Markdown code spans allowed).
    pub text: String,
    /// Commands to copy as they are, one per line; empty when there are none.
    pub commands: String,
}

fn step(
    title: impl Into<String>,
    text: impl Into<String>,
    commands: impl Into<String>,
) -> GuideStep {
    GuideStep {
        title: title.into(),
        text: text.into(),
        commands: commands.into(),
    }
}

/// The files to commit, in the order of the bundle.
const COMMITTED: [&str; 4] = [
    WORKFLOW_PATH,
    TASK_DEFINITION_PATH,
    CONFIG_PATH,
    DEPLOY_GUIDE_PATH,
];

/// From the bundle to a running app, in order.
pub fn first_deploy(config: &ValidConfig) -> Vec<GuideStep> {
    first_deploy_with(config, &Names::new(config))
}

/// [`first_deploy`] with the config's names already derived.
fn first_deploy_with(config: &ValidConfig, names: &Names) -> Vec<GuideStep> {
    let repo = format!("{}/{}", config.github_owner, config.github_repo);
    let starter_files: Vec<&str> = crate::starter::files(config)
        .iter()
        .map(|f| f.path)
        .collect();
    let starter_note = match config.starter {
        Some(starter) => format!(
            " With it come a Dockerfile and a minimal {} app answering `{}` (the starter): commit them too, then make the app yours.",
            starter.key(),
            starter.health_path()
        ),
        None => " It goes next to your `Dockerfile`: the workflow builds the repository's root."
            .to_string(),
    };
    let mut committed: Vec<&str> = COMMITTED.to_vec();
    committed.extend(starter_files.iter().map(|p| match p.split_once('/') {
        Some(("public", _)) => "public/",
        _ => *p,
    }));
    committed.dedup();
    let mut steps = vec![step(
        "Put the files in your repository",
        format!(
            "Unzip the bundle at the root of `{repo}`.{starter_note} The container must listen on port {port}. Commit the workflow, the task definition, `{CONFIG_PATH}`, this guide and `infra/`; the policies and scripts hold no secret.",
            port = config.container_port
        ),
        format!("unzip {BUNDLE_ZIP_NAME} -d .\ngit add {} infra/", committed.join(" ")),
    )];
    let certificate = match config.ingress.load_balancer().map(|lb| &lb.tls) {
        Some(Tls::RequestFor(domain)) => format!(
            " The first run requests a certificate for {domain}: it prints the DNS record that proves the domain is yours and stops; add the record, wait until ACM says ISSUED, and run it again. At the end it prints the record that points {domain} at the load balancer: add it too."
        ),
        _ => String::new(),
    };
    steps.push(step(
        "Create the AWS resources",
        format!(
            "Run `{SETUP_SCRIPT_PATH}` once with administrator credentials for account {account}: on your machine (the first command shows which account you are in), or in AWS CloudShell (upload `{BUNDLE_ZIP_NAME}` from the Actions menu, unzip it, run the script). It creates only what is missing and changes nothing it did not create.{certificate}",
            account = config.account_id,
        ),
        format!(
            "aws sts get-caller-identity --query Account --output text\nbash {SETUP_SCRIPT_PATH}"
        ),
    ));
    if let Some(env) = &config.environment {
        steps.push(step(
            "Protect the environment (optional)",
            format!(
                "The deploy job runs in the GitHub environment `{env}`; GitHub creates it at the first run. Add required reviewers or a branch rule in the repository's Settings → Environments → {env} to decide who may deploy."
            ),
            "",
        ));
    }
    steps.push(step(
        "Push",
        format!(
            "Push to `{branch}`: the workflow builds the image, pushes it to ECR tagged with the commit SHA and deploys it. Follow the run at https://github.com/{repo}/actions/workflows/deploy.yml.",
            branch = config.branch
        ),
        format!(
            "git commit -m {}\ngit push origin {}",
            arg("Deploy with Keyless"),
            arg(&config.branch)
        ),
    ));
    let address = address(config, names);
    let open = match (&address.command, config.ingress.load_balancer()) {
        (None, _) => format!("When the run is green, the app answers at {}.", address.shown),
        (Some(_), Some(_)) => format!(
            "When the run is green, the app answers at {}; the command prints that name.",
            address.shown
        ),
        (Some(_), None) => format!(
            "When the run is green, the app answers at {}: the commands print the address of the service's first task (it changes when a task is replaced; a load balancer gives a stable address).",
            address.shown
        ),
    };
    steps.push(step(
        "Open the app",
        open,
        address.command.unwrap_or_default(),
    ));
    steps
}

/// Living with the deploy: logs, rollback, changes, teardown.
pub fn day_two(config: &ValidConfig) -> Vec<GuideStep> {
    day_two_with(config, &Names::new(config))
}

/// [`day_two`] with the config's names already derived.
fn day_two_with(config: &ValidConfig, names: &Names) -> Vec<GuideStep> {
    let region = arg(&config.region);
    vec![
        step(
            "Read the logs",
            format!(
                "The containers write to the log group `{}` (kept {} days).",
                names.log_group, config.log_retention_days
            ),
            format!(
                "aws logs tail {} --follow --since 1h --region {region}",
                arg(&names.log_group)
            ),
        ),
        step(
            "Roll back",
            "Each deploy registers a new revision of the task definition. Point the service at an earlier one; the next push deploys again.".to_string(),
            format!(
                "aws ecs list-task-definitions --family-prefix {family} --sort DESC --max-items 5 --region {region}\naws ecs update-service --cluster {cluster} --service {service} --task-definition {family}:REVISION --region {region}",
                family = arg(&names.task_family),
                cluster = arg(&names.cluster),
                service = arg(&names.service),
            ),
        ),
        step(
            "Change the setup",
            format!(
                "Edit `{CONFIG_PATH}` (or import it into the Keyless page), regenerate the files, run `{SETUP_SCRIPT_PATH}` again and commit."
            ),
            format!(
                "keyless generate --config {CONFIG_PATH} --out .\nbash {SETUP_SCRIPT_PATH}"
            ),
        ),
        step(
            "Tear down",
            format!(
                "`{TEARDOWN_SCRIPT_PATH}` deletes what setup created, names what it deletes first, and leaves alone what Keyless did not create."
            ),
            format!("bash {TEARDOWN_SCRIPT_PATH}"),
        ),
    ]
}

/// The Mermaid flowchart of [`flow`], top to bottom.
pub fn mermaid(flow: &Flow) -> String {
    let mut out = String::from("flowchart TD\n");
    for (i, b) in flow.boxes.iter().enumerate() {
        let files = if b.files.is_empty() {
            String::new()
        } else {
            format!("<br/><i>{}</i>", mermaid_text(&b.files.join(", ")))
        };
        let _ = writeln!(
            out,
            "  n{i}[\"<b>{}</b><br/>{}{files}\"]",
            mermaid_text(b.title),
            mermaid_text(&b.name)
        );
    }
    for (i, label) in flow.arrows.iter().enumerate() {
        let _ = writeln!(out, "  n{i} -->|\"{}\"| n{}", mermaid_text(label), i + 1);
    }
    out
}

/// Text inside a quoted Mermaid label: its quotes and markup as entity codes.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            _ => out.push(c),
        }
    }
    out
}

/// The text of `DEPLOY.md`, from the config and its names.
pub fn deploy_guide(config: &ValidConfig, names: &Names) -> String {
    let mut out = format!(
        "<!-- {}; regenerate rather than edit. -->\n# Deploying {} to AWS ECS Fargate\n\n",
        crate::bundle::GENERATED_BY,
        config.app_name
    );
    let _ = write!(
        out,
        "Pushes to `{}` of `{}/{}` deploy the service `{}` in account {} ({}) through GitHub's OIDC: no AWS key is stored anywhere.\n\n",
        config.branch, config.github_owner, config.github_repo, names.service, config.account_id, config.region
    );
    out.push_str("```mermaid\n");
    out.push_str(&mermaid(&flow_with(config, names)));
    out.push_str("```\n\n## First deploy\n");
    render_steps(&mut out, &first_deploy_with(config, names));
    out.push_str("\n## Day two\n");
    render_steps(&mut out, &day_two_with(config, names));
    out
}

fn render_steps(out: &mut String, steps: &[GuideStep]) {
    for (i, s) in steps.iter().enumerate() {
        let _ = write!(out, "\n{}. **{}.** {}\n", i + 1, s.title, s.text);
        if !s.commands.is_empty() {
            out.push_str("\n   ```sh\n");
            for line in s.commands.lines() {
                let _ = writeln!(out, "   {line}");
            }
            out.push_str("   ```\n");
        }
    }
}
