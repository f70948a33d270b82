"""Checks against the AWS service model (botocore's JSON models + ParamValidator)
and the Fargate rules the model cannot express (domain.md §6).

ParamValidator is what the AWS CLI and SDKs run before sending a request: unknown
keys ("Unknown parameter"), missing required members, wrong types (a number where
the API wants a string), enum-less shapes, list/map/string length bounds. It does
not know value rules that only the service enforces (the Fargate CPU/memory table,
awsvpc being required on Fargate, ARN formats, IAM policy grammar): those are the
explicit rules below.
"""

from __future__ import annotations

import re
from functools import lru_cache

import botocore.session
from botocore.validate import ParamValidator

# Fargate task sizes, CPU units -> allowed memory MiB (domain.md §6).
FARGATE_SIZES: dict[int, set[int]] = {
    256: {512, 1024, 2048},
    512: set(range(1024, 4096 + 1, 1024)),
    1024: set(range(2048, 8192 + 1, 1024)),
    2048: set(range(4096, 16384 + 1, 1024)),
    4096: set(range(8192, 30720 + 1, 1024)),
    8192: set(range(16384, 61440 + 1, 4096)),
    16384: set(range(32768, 122880 + 1, 8192)),
}

# Keys describe-task-definition returns that register-task-definition refuses.
DESCRIBE_ONLY_KEYS = {
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
}

ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")


@lru_cache(maxsize=None)
def _session():
    return botocore.session.get_session()


@lru_cache(maxsize=None)
def operation_model(service: str, operation: str):
    return _session().get_service_model(service).operation_model(operation)


def validate_request(service: str, operation: str, params: dict) -> list[str]:
    """ParamValidator's report for one API request, one problem per line."""
    op = operation_model(service, operation)
    report = ParamValidator().validate(params, op.input_shape)
    if not report.has_errors():
        return []
    return [
        line.strip()
        for line in report.generate_report().splitlines()
        if line.strip() and not line.startswith("Parameter validation failed")
    ]


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def fargate_rules(td: dict, config: dict, region: str | None = None) -> list[str]:
    """The rules ECS applies to a Fargate task definition, plus agreement with the config."""
    problems = []
    if td.get("networkMode") != "awsvpc":
        problems.append(f"networkMode is {td.get('networkMode')!r}; Fargate requires 'awsvpc'")
    if td.get("requiresCompatibilities") != ["FARGATE"]:
        problems.append(
            f"requiresCompatibilities is {td.get('requiresCompatibilities')!r}, expected ['FARGATE']"
        )
    for key in sorted(DESCRIBE_ONLY_KEYS & set(td)):
        problems.append(f"{key} is a describe-only key: register-task-definition refuses it")

    cpu, memory = _int(td.get("cpu")), _int(td.get("memory"))
    if cpu is None or memory is None:
        problems.append(f"task-level cpu and memory are required on Fargate (cpu={td.get('cpu')!r}, memory={td.get('memory')!r})")
    elif memory not in FARGATE_SIZES.get(cpu, set()):
        problems.append(f"cpu {cpu} / memory {memory} is not a Fargate size")
    for key in ("cpu", "memory"):
        if key in td and not isinstance(td[key], str):
            problems.append(f"{key} must be a string in the API ({td[key]!r})")
    if cpu is not None and str(config.get("cpu")) != str(cpu):
        problems.append(f"cpu {cpu} differs from keyless.json cpu {config.get('cpu')}")
    if memory is not None and str(config.get("memory")) != str(memory):
        problems.append(f"memory {memory} differs from keyless.json memory {config.get('memory')}")

    arch = config.get("architecture") or "X86_64"
    platform = td.get("runtimePlatform") or {}
    if platform.get("cpuArchitecture", "X86_64") != arch:
        problems.append(
            f"runtimePlatform.cpuArchitecture {platform.get('cpuArchitecture')!r} but keyless.json says {arch}"
        )
    if platform.get("operatingSystemFamily", "LINUX") != "LINUX":
        problems.append(f"operatingSystemFamily {platform.get('operatingSystemFamily')!r}, expected LINUX")

    storage = (td.get("ephemeralStorage") or {}).get("sizeInGiB")
    if storage is not None and not 21 <= storage <= 200:
        problems.append(f"ephemeralStorage.sizeInGiB {storage} outside 21–200")
    wanted_storage = config.get("ephemeral_storage_gib")
    if wanted_storage and wanted_storage > 20 and storage != wanted_storage:
        problems.append(f"ephemeralStorage {storage} but keyless.json asks {wanted_storage} GiB")

    containers = td.get("containerDefinitions") or []
    if not containers:
        problems.append("no containerDefinitions")
    needs_execution_role = False
    port = config.get("container_port")
    for c in containers:
        name = c.get("name")
        log = c.get("logConfiguration") or {}
        if log.get("logDriver") == "awslogs":
            needs_execution_role = True
            opts = log.get("options") or {}
            for opt in ("awslogs-group", "awslogs-region", "awslogs-stream-prefix"):
                if not opts.get(opt):
                    problems.append(f"container {name}: awslogs option {opt} missing (stream prefix is required on Fargate)")
            if region and opts.get("awslogs-region") not in (None, region):
                problems.append(f"container {name}: awslogs-region {opts.get('awslogs-region')} but region {region}")
            if str(opts.get("awslogs-create-group", "false")).lower() == "true":
                problems.append(f"container {name}: awslogs-create-group needs logs:CreateLogGroup; the group is pre-created")
        elif c.get("essential", True):
            problems.append(f"container {name}: no awslogs log configuration (logs would be lost)")
        if ECR_IMAGE.match(c.get("image", "")):
            needs_execution_role = True
        if c.get("secrets"):
            needs_execution_role = True
        for pm in c.get("portMappings") or []:
            host = pm.get("hostPort")
            if host is not None and host != pm.get("containerPort"):
                problems.append(f"container {name}: hostPort {host} != containerPort {pm.get('containerPort')} (awsvpc)")
        if port is not None and port not in [pm.get("containerPort") for pm in c.get("portMappings") or []]:
            problems.append(f"container {name}: no portMapping for container_port {port}")
    if needs_execution_role and not td.get("executionRoleArn"):
        problems.append("executionRoleArn missing: awslogs, an ECR image or secrets need the task execution role")
    for key in ("executionRoleArn", "taskRoleArn"):
        arn = td.get(key)
        if arn and not re.fullmatch(rf"arn:aws[a-z-]*:iam::{config.get('account_id')}:role/[\w+=,.@/-]+", arn):
            problems.append(f"{key} {arn!r} is not a role ARN in account {config.get('account_id')}")

    # Environment and secrets exactly as configured.
    if containers:
        c = containers[0]
        env = {e.get("name"): e.get("value") for e in c.get("environment") or []}
        expected_env = dict(config.get("environment_variables") or {})
        if config.get("starter"):
            # A starter's app listens on PORT: the task definition sets it unless keyless.json does.
            expected_env.setdefault("PORT", str(config.get("container_port")))
        if config.get("environment_variables") is not None and env != expected_env:
            problems.append(f"environment {env} differs from keyless.json environment_variables")
        secrets = {s.get("name"): s.get("valueFrom") for s in c.get("secrets") or []}
        if config.get("secrets") is not None and secrets != config["secrets"]:
            problems.append(f"secrets {secrets} differ from keyless.json secrets")
        health = config.get("health_check_command")
        if health:
            hc = c.get("healthCheck") or {}
            if hc.get("command") != ["CMD-SHELL", health]:
                problems.append(f"healthCheck.command {hc.get('command')!r}, expected ['CMD-SHELL', {health!r}]")
            if not hc.get("startPeriod"):
                problems.append("healthCheck without startPeriod: slow starts fail the deployment")
    return problems
