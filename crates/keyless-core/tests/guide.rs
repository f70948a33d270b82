//! `DEPLOY.md` and the flow it draws, for every fixture config, checked against
//! the other generated files rather than against `names.rs`: the guide must
//! name what the scripts create and what the workflow deploys.
//!
//! - the file carries Keyless's header (so `keyless generate` may replace it);
//! - the Mermaid block has one box per step of the flow and one arrow between
//!   each pair, every label quoted, with the box of the OIDC token naming a
//!   `sub` the trust policy trusts and the boxes naming the workflow's role,
//!   ECR repository, cluster and service;
//! - every `sh` block parses (`bash -n`), every `--region` is the config's,
//!   and the log group, family, cluster, service and load balancer in the
//!   commands are those of the task definition, the workflow and setup.sh;
//! - the address: the URL with a domain, the load balancer's DNS name without,
//!   the task's public (or private) IP without a load balancer.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use keyless_core::bundle::{
    DEPLOY_GUIDE_PATH, GENERATED_BY, TASK_DEFINITION_PATH, TRUST_POLICY_PATH, WORKFLOW_PATH,
};
use keyless_core::config::{parse_config_json, Tls};
use keyless_core::guide::{first_deploy, flow};
use keyless_core::{generate, ValidConfig};
use serde_json::Value;

fn configs() -> Vec<(String, ValidConfig)> {
    common::fixtures()
        .into_iter()
        .map(|(name, text)| {
            let config = parse_config_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, config)
        })
        .collect()
}

/// The contents of the fenced blocks of `lang` in `markdown`.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed == format!("```{lang}") => current = Some(String::new()),
            Some(_) if trimmed == "```" => out.push(current.take().unwrap()),
            Some(block) => {
                block.push_str(trimmed);
                block.push('\n');
            }
            None => {}
        }
    }
    assert!(current.is_none(), "an unclosed block");
    out
}

/// The value of `key` in the `with:` of a step of the deploy job.
fn step_input(workflow: &Value, key: &str) -> String {
    workflow["jobs"]["deploy"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|step| step["with"][key].as_str())
        .unwrap_or_else(|| panic!("a step takes {key}"))
        .to_string()
}

/// The value setup.sh gives the readonly variable `name`.
fn readonly(setup: &str, name: &str) -> String {
    let prefix = format!("readonly {name}='");
    let line = setup
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("setup.sh sets {name}"));
    line[prefix.len()..line.len() - 1].to_string()
}

#[test]
fn the_guide_names_what_the_other_files_create() {
    for (name, config) in configs() {
        let bundle = generate(&config);
        let guide = bundle.file(DEPLOY_GUIDE_PATH).expect("DEPLOY.md");
        assert!(
            guide.lines().next().unwrap().starts_with("<!--")
                && guide.lines().next().unwrap().contains(GENERATED_BY),
            "{name}: the header"
        );
        let workflow = common::yaml(bundle.file(WORKFLOW_PATH).unwrap()).unwrap();
        let task: Value = serde_json::from_str(bundle.file(TASK_DEFINITION_PATH).unwrap()).unwrap();
        let trust: Value = serde_json::from_str(bundle.file(TRUST_POLICY_PATH).unwrap()).unwrap();
        let log_group = task["containerDefinitions"][0]["logConfiguration"]["options"]
            ["awslogs-group"]
            .as_str()
            .unwrap();
        let family = task["family"].as_str().unwrap();
        let setup = bundle.file("infra/setup.sh").unwrap();
        let cluster = step_input(&workflow, "cluster");
        let service = step_input(&workflow, "service");
        let role_arn = step_input(&workflow, "role-to-assume");
        let role = role_arn.rsplit('/').next().unwrap();
        let repository = readonly(setup, "ECR_REPOSITORY");
        assert_eq!(readonly(setup, "CLUSTER"), cluster, "{name}");
        assert_eq!(readonly(setup, "SERVICE"), service, "{name}");

        // The diagram.
        let mermaid = blocks(guide, "mermaid");
        assert_eq!(mermaid.len(), 1, "{name}");
        let mermaid = &mermaid[0];
        let model = flow(&config);
        assert_eq!(model.arrows.len() + 1, model.boxes.len());
        let boxes: Vec<&str> = mermaid.lines().filter(|l| l.contains("[\"")).collect();
        let arrows: Vec<&str> = mermaid.lines().filter(|l| l.contains(" -->|\"")).collect();
        assert_eq!(boxes.len(), model.boxes.len(), "{name}: {mermaid}");
        assert_eq!(arrows.len(), model.arrows.len(), "{name}: {mermaid}");
        let has_load_balancer = config.ingress.load_balancer().is_some();
        assert_eq!(boxes.len(), if has_load_balancer { 7 } else { 6 }, "{name}");
        let trusted = trust["Statement"][0]["Condition"]["StringEquals"]
            ["token.actions.githubusercontent.com:sub"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<Vec<_>>();
        assert!(
            trusted.contains(&model.boxes[1].name) && boxes[1].contains(&model.boxes[1].name),
            "{name}: the token's sub is one the trust policy trusts"
        );
        for needle in [
            role,
            repository.as_str(),
            service.as_str(),
            cluster.as_str(),
        ] {
            assert!(
                mermaid.contains(needle),
                "{name}: the diagram names {needle}"
            );
        }

        // The commands.
        let commands = blocks(guide, "sh").join("\n");
        common::bash_syntax(&commands).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (i, _) in commands.match_indices("--region ") {
            let region = commands[i + 9..].split([' ', '\n']).next().unwrap();
            assert_eq!(region, config.region, "{name}");
        }
        for needle in [
            format!("aws logs tail {log_group} "),
            format!("--family-prefix {family} "),
            format!("--cluster {cluster} --service {service} --task-definition {family}:REVISION"),
            format!("git push origin {}", config.branch),
        ] {
            assert!(commands.contains(&needle), "{name}: {needle}\n{commands}");
        }
        match config.ingress.load_balancer().map(|lb| &lb.tls) {
            Some(Tls::RequestFor(domain)) => {
                assert!(
                    guide.contains(&format!("answers at https://{domain}/")),
                    "{name}"
                )
            }
            Some(_) => {
                let lb_name = format!("--names {} ", model.boxes[5].name);
                assert!(commands.contains(&lb_name), "{name}: {lb_name}");
                assert_eq!(
                    readonly(setup, "LOAD_BALANCER"),
                    model.boxes[5].name,
                    "{name}: the load balancer setup.sh creates"
                );
            }
            None => {
                let ip = if config.assign_public_ip {
                    "Association.PublicIp"
                } else {
                    "PrivateIpAddress"
                };
                assert!(
                    commands.contains(&format!("--cluster {cluster} --service-name {service} "))
                        && commands.contains(ip),
                    "{name}: {commands}"
                );
            }
        }
        if let Some(env) = &config.environment {
            assert!(
                guide.contains(&format!("GitHub environment `{env}`")),
                "{name}"
            );
        }
        assert_eq!(
            guide.matches("\n1. **").count(),
            2,
            "{name}: two numbered lists"
        );
        assert!(first_deploy(&config).len() >= 4);
    }
}
