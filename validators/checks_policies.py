"""Checks of the deploy role's two IAM policies.

* parliament (Duo Labs' IAM linter, with its community auditors): policy grammar,
  unknown services/actions, actions that do not apply to the resource ARN given,
  bad condition keys and operators, Resource "*", privilege escalation, credential
  exposure. It reads identity policies only; the trust policy is a role's resource
  policy, so the findings that only say "this is not an identity policy" are the
  documented exceptions below.
* our own rules (domain.md §2–3): exact `sub` values from the config, `aud`
  pinned, no wildcard subject, Resource "*" only for the actions that cannot be
  scoped, exact ARNs of this account and region, PassRole only for the task roles
  and only to ecs-tasks.amazonaws.com, nothing beyond the table's actions.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

from support import OIDC_AUDIENCE, OIDC_HOST, expected_subjects

SEVERITIES = ["MUTE", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]

# Every parliament finding we accept, with the reason: (policy kind, issue, test on
# the finding, reason). The tests are exact so an exception never hides a new finding.
def _actions_are(*actions):
    return lambda f: isinstance(f.location, dict) and sorted(f.location.get("actions", [])) == sorted(actions)


def _detail_contains(text):
    return lambda f: text in str(f.detail)


PARLIAMENT_EXCEPTIONS = [
    (
        "trust",
        "MALFORMED",
        _detail_contains("Statement contains neither Resource nor NotResource"),
        "A trust policy is the role's resource policy and never has a Resource; "
        "parliament 1.6.4 reads every policy as an identity policy.",
    ),
    (
        "trust",
        "UNKNOWN_FEDERATION_SOURCE",
        lambda f: re.fullmatch(rf"arn:aws:iam::\d{{12}}:oidc-provider/{re.escape(OIDC_HOST)}", str(f.detail)),
        "parliament 1.6.4 knows only Cognito, Amazon, Facebook, Google and SAML "
        "federation; the GitHub OIDC provider ARN is checked exactly by "
        "trust_policy_rules() instead.",
    ),
    (
        "permissions",
        "RESOURCE_STAR",
        lambda f: set(f.detail) <= {"ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"},
        "RegisterTaskDefinition (and DescribeTaskDefinition) cannot be scoped to a "
        "resource (domain.md §3, aws/containers-roadmap #929).",
    ),
    (
        "permissions",
        "CREDENTIALS_EXPOSURE",
        _actions_are("ecr:getauthorizationtoken"),
        "docker login to ECR needs ecr:GetAuthorizationToken (on *, it cannot be "
        "scoped); the token is short-lived and only as strong as the ECR "
        "permissions granted beside it.",
    ),
    (
        "permissions",
        "PERMISSIONS_MANAGEMENT_ACTIONS",
        _actions_are("iam:passrole"),
        "Registering a task definition that names an execution/task role needs "
        "iam:PassRole; permissions_policy_rules() checks it is granted only on those "
        "two role ARNs and only with iam:PassedToService = ecs-tasks.amazonaws.com.",
    ),
]


def parliament_findings(policy_text: str, kind: str) -> list[str]:
    """parliament's findings of severity LOW and above that no documented exception covers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import parliament
        from parliament import analyze_policy_string, enhance_finding, override_config

        community = Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"
        override_config(str(community))
        policy = analyze_policy_string(policy_text, include_community_auditors=True)
    problems = []
    for finding in policy.findings:
        finding = enhance_finding(finding)
        if SEVERITIES.index(finding.severity) < SEVERITIES.index("LOW"):
            continue
        if any(
            k == kind and issue == finding.issue and accepts(finding)
            for k, issue, accepts, _ in PARLIAMENT_EXCEPTIONS
        ):
            continue
        problems.append(f"{finding.issue} ({finding.severity}): {finding.detail} at {finding.location}")
    return problems


def _list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(policy: dict) -> list[dict]:
    return _list(policy.get("Statement"))


def trust_policy_rules(policy: dict, config: dict, *, subjects: set[str] | None = None) -> list[str]:
    """domain.md §1–2 on the deploy role's trust policy."""
    problems = []
    account = config["account_id"]
    provider = f"arn:aws:iam::{account}:oidc-provider/{OIDC_HOST}"
    wanted = subjects if subjects is not None else expected_subjects(config)
    if policy.get("Version") != "2012-10-17":
        problems.append(f"Version {policy.get('Version')!r}, expected '2012-10-17'")
    seen_subjects: set[str] = set()
    statements = _statements(policy)
    if not statements:
        problems.append("no statement")
    for i, st in enumerate(statements):
        where = f"Statement[{i}]"
        for banned in ("NotPrincipal", "NotAction", "NotResource"):
            if banned in st:
                problems.append(f"{where}: {banned} is never needed here and widens the policy")
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        if not isinstance(principal, dict) or set(principal) != {"Federated"} or _list(principal["Federated"]) != [provider]:
            problems.append(f"{where}: Principal {principal!r}, expected only Federated {provider}")
        actions = _list(st.get("Action"))
        if actions != ["sts:AssumeRoleWithWebIdentity"]:
            problems.append(f"{where}: Action {actions!r}, expected only sts:AssumeRoleWithWebIdentity")
        conditions = st.get("Condition") or {}
        aud_ok = False
        sub_seen = False
        for operator, block in conditions.items():
            if operator.startswith(("ForAllValues:", "ForAnyValue:")):
                problems.append(f"{where}: {operator} in an Allow statement (true when the claim is absent)")
            if operator.endswith("IfExists"):
                problems.append(f"{where}: {operator} passes when the claim is absent")
            for key, values in (block or {}).items():
                values = _list(values)
                if key == f"{OIDC_HOST}:aud":
                    if operator == "StringEquals" and values == [OIDC_AUDIENCE]:
                        aud_ok = True
                    else:
                        problems.append(f"{where}: aud {operator} {values!r}, expected StringEquals [{OIDC_AUDIENCE!r}]")
                elif key == f"{OIDC_HOST}:sub":
                    sub_seen = True
                    if operator != "StringEquals":
                        problems.append(f"{where}: sub tested with {operator}; exact subjects need StringEquals")
                    for value in values:
                        seen_subjects.add(value)
                        if not isinstance(value, str) or re.search(r"[*?]", value):
                            problems.append(f"{where}: wildcard subject {value!r} admits other repositories, owners, branches or environments")
                        elif value not in wanted:
                            problems.append(f"{where}: subject {value!r} is not one the config allows ({sorted(wanted)})")
        if not aud_ok:
            problems.append(f"{where}: no StringEquals {OIDC_HOST}:aud = {OIDC_AUDIENCE} (any audience accepted)")
        if not sub_seen:
            problems.append(f"{where}: no {OIDC_HOST}:sub condition: every repository on GitHub could assume the role")
    missing = wanted - seen_subjects
    if missing:
        problems.append(f"subjects {sorted(missing)} missing: the deploy job would be refused")
    return problems


# domain.md §3: action -> the kind of resource it must be granted on.
UNSCOPABLE = {"ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"}
ECR_PUSH = {
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
}
ECS_SERVICE = {"ecs:UpdateService", "ecs:DescribeServices"}
ECS_TAG = {"ecs:TagResource"}
PASS_ROLE = {"iam:PassRole"}
REQUIRED = {"ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ecs:UpdateService", "ecs:DescribeServices", "iam:PassRole"} | ECR_PUSH


def permissions_policy_rules(policy: dict, config: dict, *, task_definition: dict | None = None) -> list[str]:
    """domain.md §3 on the deploy role's permissions policy."""
    problems = []
    account, region = config["account_id"], config["region"]
    pass_role_targets = None
    if task_definition is not None:
        pass_role_targets = {a for a in (task_definition.get("executionRoleArn"), task_definition.get("taskRoleArn")) if a}
    patterns = [
        (ECR_PUSH, rf"arn:aws:ecr:{region}:{account}:repository/[a-z0-9][a-z0-9._/-]*"),
        (ECS_SERVICE, rf"arn:aws:ecs:{region}:{account}:service/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+"),
        (ECS_TAG, rf"arn:aws:ecs:{region}:{account}:task-definition/[A-Za-z0-9_-]+:\*"),
        (PASS_ROLE, rf"arn:aws:iam::{account}:role/[\w+=,.@/-]+"),
    ]
    granted: set[str] = set()
    if policy.get("Version") != "2012-10-17":
        problems.append(f"Version {policy.get('Version')!r}, expected '2012-10-17'")
    for i, st in enumerate(_statements(policy)):
        where = f"Statement[{i}]"
        for banned in ("NotAction", "NotResource", "Principal", "NotPrincipal"):
            if banned in st:
                problems.append(f"{where}: {banned} does not belong in this identity policy")
        if st.get("Effect") != "Allow":
            continue
        actions = _list(st.get("Action"))
        resources = _list(st.get("Resource"))
        for action in actions:
            if "*" in action or "?" in action:
                problems.append(f"{where}: wildcard action {action!r}")
        known = UNSCOPABLE | ECR_PUSH | ECS_SERVICE | ECS_TAG | PASS_ROLE
        for action in actions:
            if action not in known:
                problems.append(f"{where}: {action} is not needed by the deploy (domain.md §3)")
        granted.update(actions)
        if "*" in resources:
            if not set(actions) <= UNSCOPABLE:
                problems.append(
                    f"{where}: Resource '*' for {sorted(set(actions) - UNSCOPABLE)}; only "
                    f"{sorted(UNSCOPABLE)} may use '*'"
                )
            if len(resources) > 1:
                problems.append(f"{where}: '*' next to other resources")
            continue
        for action_set, pattern in patterns:
            if set(actions) & action_set:
                if not set(actions) <= action_set:
                    problems.append(f"{where}: mixes {sorted(set(actions) & action_set)} with {sorted(set(actions) - action_set)} on one resource list")
                for r in resources:
                    if not re.fullmatch(pattern, r):
                        problems.append(f"{where}: resource {r!r} for {sorted(set(actions) & action_set)} is not an exact ARN of this account/region ({pattern})")
        if set(actions) & PASS_ROLE:
            cond = (st.get("Condition") or {}).get("StringEquals") or {}
            passed_to = _list(cond.get("iam:PassedToService"))
            if passed_to != ["ecs-tasks.amazonaws.com"]:
                problems.append(f"{where}: iam:PassRole without StringEquals iam:PassedToService = ecs-tasks.amazonaws.com")
            if pass_role_targets is not None and set(resources) != pass_role_targets:
                problems.append(f"{where}: PassRole on {sorted(resources)}, expected exactly the task definition's roles {sorted(pass_role_targets)}")
    missing = REQUIRED - granted
    if missing:
        problems.append(f"missing actions the deploy needs: {sorted(missing)}")
    return problems


def policy_size_limits(trust_text: str, permissions_text: str) -> list[str]:
    """IAM quotas counted without whitespace: trust policy 2,048 characters by
    default (raisable to 8,192), inline role policies 10,240 in total."""
    problems = []
    for label, text, limit in (
        ("trust policy", trust_text, 2048),
        ("permissions policy", permissions_text, 10240),
    ):
        size = len(re.sub(r"\s", "", json.dumps(json.loads(text))))
        if size > limit:
            problems.append(f"{label} is {size} characters without whitespace; IAM's limit is {limit}")
    return problems
