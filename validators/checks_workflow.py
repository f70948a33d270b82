"""Checks of .github/workflows/deploy.yml by the tools GitHub users run on it.

* actionlint (with shellcheck on every `run:` script): syntax, expressions, types,
  job/step references, runner labels, known-action inputs, deprecated Node runtimes.
* zizmor --offline: security audits (template injection, credential persistence,
  unpinned actions, excessive permissions, dangerous triggers, cache poisoning...).
* our own pin check against the vendored action metadata (crates/keyless-core/tests/data/actions): each `uses:` is pinned to the
  exact commit of the version domain.md §4 names, the version comment matches it,
  every `with:` key is an input of that action.yml and every required input is
  given. actionlint cannot do this for commit-pinned actions (its input table is
  keyed by tag) and zizmor's ref-version-mismatch audit needs the network.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from support import (
    ACTIONS_DATA,
    PERMISSIONS_POLICY,
    TASK_DEFINITION,
    deploy_job,
    load_workflow,
    run,
    step_using,
    tool,
)


def actionlint(workflow: Path) -> list[str]:
    """Every actionlint error (one line each); [] when it reports nothing."""
    result = run(
        [
            tool("actionlint"),
            "-no-color",
            "-oneline",
            "-shellcheck",
            tool("shellcheck"),
            "-pyflakes=",
            workflow,
        ],
        cwd=workflow.parent,
    )
    out = (result.stdout + result.stderr).strip()
    if result.returncode not in (0, 1):
        raise RuntimeError(f"actionlint failed to run ({result.returncode}): {out}")
    if result.returncode == 1 and not out:
        raise RuntimeError("actionlint exited 1 without output")
    return out.splitlines() if result.returncode == 1 else ([out] if out else [])


def zizmor(workflow: Path, persona: str = "regular") -> list[str]:
    """Every zizmor finding as 'rule (severity): description at file:line'."""
    result = run(
        [
            tool("zizmor"),
            "--offline",
            "--no-config",
            "--no-progress",
            "--color=never",
            "--format=json",
            f"--persona={persona}",
            workflow,
        ],
        cwd=workflow.parent,
    )
    # 0: no finding; 10-14: findings (by highest severity); anything else: failure.
    if result.returncode not in (0, 10, 11, 12, 13, 14):
        raise RuntimeError(
            f"zizmor failed to run ({result.returncode}): {result.stdout}{result.stderr}"
        )
    findings = json.loads(result.stdout or "[]")
    problems = []
    for f in findings:
        where = ""
        for loc in f.get("locations", []):
            sym = loc.get("symbolic", {})
            concrete = loc.get("concrete", {}).get("location", {})
            line = concrete.get("start_point", {}).get("row")
            where = f" at line {line + 1 if line is not None else '?'}"
            ann = sym.get("annotation")
            if ann:
                where += f" ({ann})"
            break
        sev = f.get("determinations", {}).get("severity", "?")
        problems.append(f"{f.get('ident')} ({sev}): {f.get('desc')}{where}")
    if result.returncode != 0 and not problems:
        raise RuntimeError(f"zizmor exited {result.returncode} without findings")
    return problems


def zizmor_ignores_without_reason(text: str) -> list[str]:
    """An inline `# zizmor: ignore[rule]` is allowed only with a reason after it."""
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        m = re.search(r"#\s*zizmor:\s*ignore\[[^\]]*\](.*)$", line)
        if m and len(m.group(1).strip(" -:#")) < 10:
            problems.append(f"line {n}: zizmor ignore without a reason: {line.strip()}")
    return problems


def load_actions_index() -> dict:
    index = json.loads((ACTIONS_DATA / "index.json").read_text())
    return index["actions"]


def action_inputs(entry: dict) -> dict:
    spec = yaml.safe_load((ACTIONS_DATA / entry["action_yml"]).read_text())
    return spec.get("inputs") or {}


USES = re.compile(r"""^\s*(?:-\s*)?uses:\s*["']?([^\s#"']+)["']?\s*(?:#\s*(\S+))?""")


def pinned_actions(text: str) -> list[str]:
    """Every `uses:` pinned to the index's commit, version comment and inputs right."""
    index = load_actions_index()
    problems = []
    # Version comments, read from the raw text (YAML drops comments).
    comments = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = USES.match(line)
        if m:
            comments.setdefault(m.group(1), []).append((n, m.group(2)))
    for ref, places in comments.items():
        for n, comment in places:
            if "@" not in ref:
                problems.append(f"line {n}: {ref} has no ref")
                continue
            name, sha = ref.rsplit("@", 1)
            entry = index.get(name)
            if entry is None:
                problems.append(f"line {n}: {name} is not one of the pinned actions of domain.md §4")
                continue
            if not re.fullmatch(r"[0-9a-f]{40}", sha):
                problems.append(f"line {n}: {name} pinned to {sha!r}, not a full commit SHA")
            elif sha != entry["sha"]:
                problems.append(
                    f"line {n}: {name}@{sha} is not the commit of {entry['tag']} ({entry['sha']})"
                )
            if comment != entry["tag"]:
                problems.append(
                    f"line {n}: {name} version comment {comment!r}, expected {entry['tag']!r}"
                )
    workflow = load_workflow(text)
    for job_id, job in (workflow.get("jobs") or {}).items():
        for i, step in enumerate(job.get("steps") or []):
            uses = step.get("uses")
            if not uses or "@" not in uses:
                continue
            entry = index.get(uses.rsplit("@", 1)[0])
            if entry is None:
                continue
            inputs = action_inputs(entry)
            given = step.get("with") or {}
            label = f"jobs.{job_id}.steps[{i}] ({step.get('name') or uses})"
            for key in given:
                if key not in inputs:
                    problems.append(
                        f"{label}: `{key}` is not an input of {uses.split('@')[0]} {entry['tag']}"
                    )
            for key, spec in inputs.items():
                spec = spec or {}
                if spec.get("required") and "default" not in spec and key not in given:
                    problems.append(f"{label}: required input `{key}` missing")
    return problems


def consistency(bundle) -> list[str]:
    """The names the deploy job uses are the ones the task definition and the
    policies define; the image platform is the task's architecture."""
    wf = bundle.workflow()
    job = deploy_job(wf)
    td = bundle.json(TASK_DEFINITION)
    config = bundle.config
    problems = []

    creds = step_using(job, "aws-actions/configure-aws-credentials")["with"]
    if creds.get("aws-region") != config["region"]:
        problems.append(f"aws-region {creds.get('aws-region')!r}, config region {config['region']!r}")
    if not str(creds.get("role-to-assume", "")).startswith(f"arn:aws:iam::{config['account_id']}:role/"):
        problems.append(f"role-to-assume {creds.get('role-to-assume')!r} not in account {config['account_id']}")

    render = step_using(job, "aws-actions/amazon-ecs-render-task-definition")
    names = [c["name"] for c in td["containerDefinitions"]]
    if render["with"].get("container-name") not in names:
        problems.append(f"render container-name {render['with'].get('container-name')!r} not in {names}")
    if render["with"].get("task-definition") != TASK_DEFINITION:
        problems.append(f"render reads {render['with'].get('task-definition')!r}, not {TASK_DEFINITION}")

    deploy = step_using(job, "aws-actions/amazon-ecs-deploy-task-definition")["with"]
    if deploy.get("task-definition") != f"${{{{ steps.{render.get('id')}.outputs.task-definition }}}}":
        problems.append(f"deploy task-definition {deploy.get('task-definition')!r} is not the rendered one")
    service_arns = [
        r for st in bundle.json(PERMISSIONS_POLICY)["Statement"]
        for r in (st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]])
        if ":service/" in r
    ]
    if [f"service/{deploy.get('cluster')}/{deploy.get('service')}"] != [a.split(":", 5)[5] for a in service_arns]:
        problems.append(f"deploy cluster/service {deploy.get('cluster')}/{deploy.get('service')} != policy {service_arns}")

    build = step_using(job, "docker/build-push-action")["with"]
    arch = config.get("architecture") or "X86_64"
    platform = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}[arch]
    if build.get("platforms") != platform:
        problems.append(f"build platforms {build.get('platforms')!r}, runtimePlatform {arch} needs {platform}")
    tags = str(build.get("tags", ""))
    if "${{ github.sha }}" not in tags or ":latest" in tags:
        problems.append(f"image tags {tags!r}: tag by github.sha, never latest")
    if render["with"].get("image") not in [t.strip() for t in tags.replace(",", "\n").splitlines()]:
        problems.append(f"render image {render['with'].get('image')!r} is not the pushed tag {tags!r}")
    return problems
