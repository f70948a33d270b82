"""Shared helpers of the validator suite: where things are, the generated bundle,
and running the external tools.

Each check in checks_*.py is a plain function returning a list of problems (empty
when the artifact is fine), so the tests assert `== []` on the real bundles and the
self-tests (test_validators_catch_breakage.py) assert the same function reports a
problem on a deliberately broken scratch copy.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

VALIDATORS = Path(__file__).resolve().parent
REPO = VALIDATORS.parent
VENV_BIN = REPO / ".venv" / "bin"
FIXTURE_DIR = REPO / "crates" / "keyless-core" / "tests" / "fixtures"
# The pinned actions' action.yml files (domain.md §4), vendored in the repository
# (a core test keeps the copy equal to shared/data/actions), so a clone alone suffices.
ACTIONS_DATA = REPO / "crates" / "keyless-core" / "tests" / "data" / "actions"

TRUST_POLICY = "infra/trust-policy.json"
PERMISSIONS_POLICY = "infra/permissions-policy.json"
SETUP_SH = "infra/setup.sh"
TEARDOWN_SH = "infra/teardown.sh"
TASK_DEFINITION = ".aws/task-definition.json"
WORKFLOW = ".github/workflows/deploy.yml"
CONFIG = "keyless.json"
BUNDLE_FILES = (
    TRUST_POLICY,
    PERMISSIONS_POLICY,
    SETUP_SH,
    TEARDOWN_SH,
    "infra/cloudformation.yaml",
    TASK_DEFINITION,
    WORKFLOW,
    CONFIG,
    "DEPLOY.md",
)
# What each container starter adds to the bundle (keyless.json "starter").
STARTER_FILES = {
    "node": ("Dockerfile", ".dockerignore", "server.js", "package.json"),
    "python": ("Dockerfile", ".dockerignore", "app.py"),
    "go": ("Dockerfile", ".dockerignore", "go.mod", "main.go"),
    "static": ("Dockerfile", ".dockerignore", "public/index.html"),
}

OIDC_HOST = "token.actions.githubusercontent.com"
OIDC_AUDIENCE = "sts.amazonaws.com"
EXECUTION_ROLE_POLICY_ARN = (
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
)

# Defaults of optional config fields named by the generator issue.
DEFAULTS = {
    "branch": "main",
    "subject_format": "legacy",
    "architecture": "X86_64",
}


def fixture_paths() -> list[Path]:
    """Every fixture config of the generator (each must generate a bundle)."""
    return sorted(FIXTURE_DIR.glob("*.json"))


def tool(name: str) -> str:
    """Absolute path of a tool installed in .venv by scripts/setup-python."""
    path = VENV_BIN / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run scripts/setup-python")
    return str(path)


def run(cmd, *, cwd=None, env=None, timeout=120, input=None) -> subprocess.CompletedProcess:
    """Runs cmd in its own process group; on timeout the whole group is killed
    (a script's `sleep` or `aws` child must not outlive it) and
    subprocess.TimeoutExpired is raised."""
    proc = subprocess.Popen(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(proc.args, timeout, output=out, stderr=err) from None
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@dataclass
class Bundle:
    """One generated bundle: the fixture it came from and the files under root."""

    name: str
    fixture: Path
    root: Path
    _cache: dict = field(default_factory=dict, repr=False)

    def path(self, rel: str) -> Path:
        return self.root / rel

    def exists(self, rel: str) -> bool:
        return self.path(rel).is_file()

    def text(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def json(self, rel: str):
        return json.loads(self.text(rel))

    def workflow(self) -> dict:
        return load_workflow(self.text(WORKFLOW))

    @property
    def config(self) -> dict:
        """The normalised config the generator wrote (keyless.json)."""
        if "config" not in self._cache:
            self._cache["config"] = self.json(CONFIG)
        return self._cache["config"]

    def setting(self, key: str, default=None):
        value = self.config.get(key)
        if value is None:
            value = DEFAULTS.get(key, default)
        return value

    def files(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()
        )


def load_workflow(text: str) -> dict:
    """The workflow as data. YAML 1.1 reads the key `on` as True: put it back."""
    data = yaml.safe_load(text)
    if isinstance(data, dict) and True in data and "on" not in data:
        data["on"] = data.pop(True)
    return data


def need(bundle: Bundle, *rels: str) -> None:
    """Fail (not skip) when an artifact a test needs was not generated."""
    import pytest

    missing = [r for r in rels if not bundle.exists(r)]
    if missing:
        pytest.fail(f"{bundle.name}: the bundle has no {', '.join(missing)}")


def expected_subjects(config: dict, *, environment=None, branch=None) -> set[str]:
    """The exact `sub` values the trust policy must hold (domain.md §2)."""
    owner, repo = config["github_owner"], config["github_repo"]
    env = environment if environment is not None else config.get("environment")
    br = branch if branch is not None else (config.get("branch") or DEFAULTS["branch"])
    tail = f"environment:{env}" if env else f"ref:refs/heads/{br}"
    form = config.get("subject_format") or DEFAULTS["subject_format"]
    subjects = set()
    if form in ("legacy", "both"):
        subjects.add(f"repo:{owner}/{repo}:{tail}")
    if form in ("immutable", "both"):
        oid, rid = config.get("github_owner_id"), config.get("github_repo_id")
        subjects.add(f"repo:{owner}@{oid}/{repo}@{rid}:{tail}")
    return subjects


ARN = re.compile(r"^arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12}|aws|):(?P<resource>.+)$")


def parse_arn(arn: str) -> dict | None:
    m = ARN.match(arn)
    return m.groupdict() if m else None


def deploy_job(workflow: dict) -> dict:
    """The job that assumes the AWS role (uses configure-aws-credentials)."""
    for job in (workflow.get("jobs") or {}).values():
        for step in job.get("steps") or []:
            if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
                return job
    raise AssertionError("no job uses aws-actions/configure-aws-credentials")


def step_using(job: dict, action: str) -> dict:
    """The first step of job that uses owner/name@... of action."""
    for step in job.get("steps") or []:
        if str(step.get("uses", "")).startswith(action + "@"):
            return step
    raise AssertionError(f"no step uses {action}")


def workflow_subject_inputs(workflow: dict) -> tuple[str, str | None]:
    """(environment or '', the single pushed branch) as the workflow would present them to GitHub's OIDC."""
    job = deploy_job(workflow)
    env = job.get("environment") or ""
    if isinstance(env, dict):
        env = env.get("name") or ""
    push = (workflow.get("on") or {}).get("push") or {}
    branches = push.get("branches") or []
    return env, (branches[0] if len(branches) == 1 else None)
