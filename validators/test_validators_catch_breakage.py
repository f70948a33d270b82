"""Each static validator, on a deliberately broken scratch copy of one generated
bundle, reports the breakage. Without these a validator that silently checks
nothing (a tool not run, an output format misread) would pass forever.

(The emulator checks are proven the same way by hand, with a broken setup.sh:
see the final note of the validator work and validators/FINDINGS.md.)
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

import checks_workflow
from checks_aws_model import fargate_rules, validate_request
from checks_policies import parliament_findings, permissions_policy_rules, trust_policy_rules
from conftest import FIXTURES, generate
from support import (
    PERMISSIONS_POLICY,
    SETUP_SH,
    TASK_DEFINITION,
    TRUST_POLICY,
    WORKFLOW,
    run,
    tool,
)


@pytest.fixture(scope="module")
def scratch(keyless_bin, tmp_path_factory):
    """A bundle of the plainest fixture, to copy and break."""
    fixture = next((p for p in FIXTURES if p.stem == "defaults"), FIXTURES[0])
    return generate(keyless_bin, fixture, tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def broken(scratch, tmp_path):
    """A fresh copy of the bundle, for one test to break."""
    copy = tmp_path / "broken"
    shutil.copytree(scratch.root, copy)
    return type(scratch)(name=scratch.name, fixture=scratch.fixture, root=copy)


def _edit(bundle, rel, old, new, count=1):
    text = bundle.text(rel)
    assert old in text, f"{rel} no longer contains {old!r}: update this self-test"
    bundle.path(rel).write_text(text.replace(old, new, count))


def _add_step(bundle, step_lines):
    """Inserts a step before the last step of the workflow."""
    lines = bundle.text(WORKFLOW).splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*- name:", line)]
    assert starts, "no steps found: update this self-test"
    last = starts[-1]
    indent = re.match(r"^(\s*)", lines[last]).group(1)
    new = [f"{indent}- name: \"Injected\""] + [f"{indent}  {line}" for line in step_lines]
    bundle.path(WORKFLOW).write_text("\n".join(lines[:last] + new + lines[last:]) + "\n")


def _edit_re(bundle, rel, pattern, new):
    text = bundle.text(rel)
    changed, n = re.subn(pattern, new, text, count=1, flags=re.M)
    assert n == 1, f"{rel} no longer matches {pattern!r}: update this self-test"
    bundle.path(rel).write_text(changed)


# ---------------------------------------------------------------- workflow


def test_actionlint_catches_a_reference_to_a_missing_step(broken):
    _edit(broken, WORKFLOW, "steps.render.outputs", "steps.rendr.outputs")
    problems = checks_workflow.actionlint(broken.path(WORKFLOW))
    assert any('property "rendr" is not defined' in p for p in problems), problems


def test_actionlint_runs_shellcheck_on_run_scripts(broken):
    _add_step(broken, ["run: echo $GITHUB_SHA > $RUNNER_TEMP/sha"])
    problems = checks_workflow.actionlint(broken.path(WORKFLOW))
    assert any("shellcheck reported issue" in p and "SC2086" in p for p in problems), problems


def test_zizmor_catches_persisted_credentials(broken):
    _edit_re(broken, WORKFLOW, r"^(\s*)persist-credentials:.*$", r'\1fetch-depth: "1"')
    problems = checks_workflow.zizmor(broken.path(WORKFLOW))
    assert any(p.startswith("artipacked") for p in problems), problems


def test_zizmor_catches_template_injection(broken):
    _add_step(broken, ['run: echo "${{ github.event.head_commit.message }}"'])
    problems = checks_workflow.zizmor(broken.path(WORKFLOW))
    assert any(p.startswith("template-injection") for p in problems), problems


def test_pin_check_catches_a_wrong_commit_a_wrong_comment_and_an_unknown_input(broken):
    text = broken.text(WORKFLOW)
    sha = re.search(r"actions/checkout@([0-9a-f]{40})", text).group(1)
    text = text.replace(sha, "0" * 40)
    text = re.sub(r"(configure-aws-credentials@[0-9a-f]{40}\W*#\s*)v[\d.]+", r"\1v9.9.9", text)
    text = re.sub(r"^(\s*)role-to-assume:", r"\1role-to-asume: x\n\1role-to-assume:", text, count=1, flags=re.M)
    broken.path(WORKFLOW).write_text(text)
    problems = "\n".join(checks_workflow.pinned_actions(broken.text(WORKFLOW)))
    assert "actions/checkout@0000000000000000000000000000000000000000 is not the commit of" in problems
    assert "version comment 'v9.9.9'" in problems
    assert "`role-to-asume` is not an input" in problems


def test_consistency_check_catches_a_renamed_container_and_a_wrong_platform(broken):
    _edit_re(broken, WORKFLOW, r"^(\s*)container-name: .*$", r'\1container-name: "web"')
    _edit_re(broken, WORKFLOW, r"^(\s*)platforms: .*$", r'\1platforms: "linux/s390x"')
    problems = "\n".join(checks_workflow.consistency(broken))
    assert "render container-name 'web' not in" in problems
    assert "build platforms 'linux/s390x'" in problems


# ---------------------------------------------------------------- task definition


def test_param_validator_catches_describe_only_keys_and_wrong_types(broken):
    td = broken.json(TASK_DEFINITION)
    td["revision"] = 3
    td["cpu"] = int(td["cpu"])
    td["containerDefinitions"][0]["portMappings"][0]["containerPort"] = "8080"
    problems = "\n".join(validate_request("ecs", "RegisterTaskDefinition", td))
    assert 'Unknown parameter in input: "revision"' in problems
    assert "Invalid type for parameter cpu" in problems
    assert "portMappings[0].containerPort" in problems


def test_fargate_rules_catch_a_bad_size_bridge_mode_and_missing_stream_prefix(broken):
    td = broken.json(TASK_DEFINITION)
    td["memory"] = "3072" if td["cpu"] == "256" else "100"
    td["networkMode"] = "bridge"
    td["runtimePlatform"] = {"cpuArchitecture": "ARM64" if broken.config.get("architecture") != "ARM64" else "X86_64"}
    del td["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-stream-prefix"]
    problems = "\n".join(fargate_rules(td, broken.config, broken.config["region"]))
    assert "is not a Fargate size" in problems
    assert "Fargate requires 'awsvpc'" in problems
    assert "runtimePlatform.cpuArchitecture" in problems
    assert "awslogs-stream-prefix missing" in problems


def test_fargate_rules_catch_a_missing_execution_role(broken):
    td = broken.json(TASK_DEFINITION)
    del td["executionRoleArn"]
    assert any("executionRoleArn missing" in p for p in fargate_rules(td, broken.config))


# ---------------------------------------------------------------- policies


def test_parliament_catches_an_unknown_action_and_star_resource(broken):
    policy = broken.json(PERMISSIONS_POLICY)
    policy["Statement"].append({"Effect": "Allow", "Action": ["ecr:PutImages"], "Resource": "*"})
    policy["Statement"].append({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})
    problems = "\n".join(parliament_findings(json.dumps(policy), "permissions"))
    assert "UNKNOWN_ACTION" in problems
    assert "RESOURCE_STAR" in problems


def test_parliament_catches_privilege_escalation(broken):
    policy = broken.json(PERMISSIONS_POLICY)
    policy["Statement"].append({"Effect": "Allow", "Action": ["iam:PutRolePolicy"], "Resource": "*"})
    problems = "\n".join(parliament_findings(json.dumps(policy), "permissions"))
    assert "PRIVILEGE_ESCALATION" in problems or "PERMISSIONS_MANAGEMENT_ACTIONS" in problems, problems


def _sub_condition(trust):
    return trust["Statement"][0]["Condition"]["StringEquals"]


def test_trust_rules_catch_a_wildcard_sub(broken):
    trust = broken.json(TRUST_POLICY)
    key = "token.actions.githubusercontent.com:sub"
    subs = _sub_condition(trust)[key]
    subs = subs if isinstance(subs, list) else [subs]
    _sub_condition(trust)[key] = subs + [f"repo:{broken.config['github_owner']}/*"]
    problems = "\n".join(trust_policy_rules(trust, broken.config))
    assert "wildcard subject" in problems


def test_trust_rules_catch_stringlike_and_a_missing_aud(broken):
    trust = broken.json(TRUST_POLICY)
    cond = trust["Statement"][0]["Condition"]
    cond.pop("StringEquals")
    cond["StringLike"] = {"token.actions.githubusercontent.com:sub": "repo:*"}
    problems = "\n".join(trust_policy_rules(trust, broken.config))
    assert "no StringEquals token.actions.githubusercontent.com:aud" in problems
    assert "sub tested with StringLike" in problems
    assert "wildcard subject 'repo:*'" in problems


def test_trust_rules_catch_a_subject_of_another_branch(broken):
    trust = broken.json(TRUST_POLICY)
    key = "token.actions.githubusercontent.com:sub"
    _sub_condition(trust)[key] = [f"repo:{broken.config['github_owner']}/{broken.config['github_repo']}:ref:refs/heads/other"]
    problems = "\n".join(trust_policy_rules(trust, broken.config))
    assert "is not one the config allows" in problems and "missing: the deploy job would be refused" in problems


def test_permission_rules_catch_star_resources_and_an_unconditioned_pass_role(broken):
    policy = broken.json(PERMISSIONS_POLICY)
    for st in policy["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        if "ecr:PutImage" in actions:
            st["Resource"] = "*"
        if "iam:PassRole" in actions:
            st.pop("Condition", None)
    problems = "\n".join(
        permissions_policy_rules(policy, broken.config, task_definition=broken.json(TASK_DEFINITION))
    )
    assert "Resource '*' for ['ecr:BatchCheckLayerAvailability'" in problems
    assert "iam:PassRole without StringEquals iam:PassedToService" in problems


def test_permission_rules_catch_a_role_the_task_does_not_use(broken):
    policy = broken.json(PERMISSIONS_POLICY)
    for st in policy["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        if "iam:PassRole" in actions:
            st["Resource"] = [f"arn:aws:iam::{broken.config['account_id']}:role/Admin"]
    problems = "\n".join(
        permissions_policy_rules(policy, broken.config, task_definition=broken.json(TASK_DEFINITION))
    )
    assert "expected exactly the task definition's roles" in problems


# ---------------------------------------------------------------- scripts


def test_shellcheck_catches_an_unquoted_expansion(broken):
    _edit_re(broken, SETUP_SH, r"^set -euo pipefail$", "set -euo pipefail\nrm -rf $TMPDIR/keyless-x")
    lint = run([tool("shellcheck"), "--shell=bash", "--color=never", broken.path(SETUP_SH)])
    assert lint.returncode != 0 and "SC2086" in lint.stdout, lint.stdout
