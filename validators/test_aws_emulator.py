"""infra/setup.sh and infra/teardown.sh, run for real with the AWS CLI (v1, from
.venv) against moto_server on 127.0.0.1, for several fixture configs.

For each selected config: setup.sh, setup.sh again, teardown.sh, teardown.sh again,
each in a fresh emulator account; after every run the account's state is read back
with boto3 (emulator.snapshot). The assertions below then check what exists
against the other artifacts of the same bundle. See emulator.py for what moto
does not model and how that is covered instead.

The scenarios run in the background from the start of the session (the
session fixture conftest.emulator_job, see emulator.EmulatorJob), two at a time
(two moto servers, one per core), while the static tests run; these tests run
last and read the results. The servers are stopped when the scenarios end, and
in the fixture's teardown whatever happens. Which configs run: see emulator.select_fixtures (by default
two configs through every phase and, while some option is still unexercised,
two more through setup.sh only, to keep the suite under two minutes);
KEYLESS_EMULATOR_FIXTURES=all runs every config through every phase.
"""

from __future__ import annotations

import pytest

from checks_aws_model import validate_request
from conftest import EMULATOR_FIXTURES, FULL
from emulator import PHASE_NAMES, is_mutating
from support import (
    EXECUTION_ROLE_POLICY_ARN,
    OIDC_AUDIENCE,
    OIDC_HOST,
    PERMISSIONS_POLICY,
    TASK_DEFINITION,
    TRUST_POLICY,
    deploy_job,
    need,
    parse_arn,
    step_using,
)

pytestmark = pytest.mark.emulator

# ------------------------------------------------------------ the runs


@pytest.fixture(scope="session")
def emulator_runs(emulator_job):
    """The results of every scenario (run by conftest.emulator_job, in the
    background while the static tests run)."""
    assert emulator_job is not None
    results = emulator_job.wait()
    return {f.stem: results.get(f.stem, (None, {"error": "not run"})) for f in EMULATOR_FIXTURES}


def _scenario(name: str, emulator_runs):
    bundle, result = emulator_runs[name]
    if "error" in result:
        pytest.fail(f"the emulator scenario crashed:\n{result['error']}")
    return bundle, result


@pytest.fixture(params=[p.stem for p in EMULATOR_FIXTURES])
def scenario(request, emulator_runs):
    """Every config run through the emulator (at least setup.sh)."""
    return _scenario(request.param, emulator_runs)


@pytest.fixture(params=[p.stem for p in FULL])
def full_scenario(request, emulator_runs):
    """The configs run through setup, setup again, teardown, teardown again."""
    return _scenario(request.param, emulator_runs)


@pytest.fixture(params=[p.stem for p in FULL[:1]])
def first_scenario(request, emulator_runs):
    """The one config whose teardown also runs with --delete-oidc-provider."""
    return _scenario(request.param, emulator_runs)


def _run(result: dict, phase: str) -> dict:
    """A run that must have happened and succeeded."""
    runs = result["runs"]
    for earlier in PHASE_NAMES[: PHASE_NAMES.index(phase) + 1]:
        if earlier not in runs:
            pytest.fail(f"{phase} did not run: an earlier run failed")
        r = runs[earlier]
        if r["returncode"] != 0 and earlier != "teardown-unconfirmed":
            pytest.fail(
                f"{earlier}: `{r['command']}` (cwd {r['cwd']}) exited {r['returncode']}:\n"
                f"--- stdout (end)\n{r['stdout'][-2500:]}\n--- stderr (end)\n{r['stderr'][-2500:]}"
            )
    return runs[phase]


def _names(bundle) -> dict:
    """The resource names every other artifact refers to, read from the artifacts."""
    need(bundle, TASK_DEFINITION, PERMISSIONS_POLICY)
    td = bundle.json(TASK_DEFINITION)
    perm = bundle.json(PERMISSIONS_POLICY)
    names = {"family": td["family"]}
    role_arn = step_using(deploy_job(bundle.workflow()), "aws-actions/configure-aws-credentials")["with"]["role-to-assume"]
    names["deploy_role"] = role_arn.rsplit("/", 1)[-1]
    names["execution_role"] = td["executionRoleArn"].rsplit("/", 1)[-1]
    names["task_role"] = td["taskRoleArn"].rsplit("/", 1)[-1] if td.get("taskRoleArn") else None
    log = td["containerDefinitions"][0]["logConfiguration"]["options"]
    names["log_group"] = log["awslogs-group"]
    for st in perm["Statement"]:
        for res in st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]:
            arn = parse_arn(res) or {}
            if arn.get("service") == "ecr" and arn["resource"].startswith("repository/"):
                names["repository"] = arn["resource"].split("/", 1)[1]
            if arn.get("service") == "ecs" and arn["resource"].startswith("service/"):
                _, names["cluster"], names["service"] = arn["resource"].split("/")
    for key in ("repository", "cluster", "service"):
        assert key in names, f"no {key} ARN in {PERMISSIONS_POLICY}"
    return names


# ------------------------------------------------------------ setup.sh


def test_setup_succeeds_from_the_repository_root(scenario):
    _run(scenario[1], "setup")


def test_every_request_the_scripts_send_is_valid_for_the_aws_model(scenario):
    problems = []
    for phase, r in scenario[1]["runs"].items():
        for call in r["calls"]:
            for p in validate_request(call["service"], call["operation"], call["params"]):
                problems.append(f"{phase}: {call['service']}.{call['operation']}: {p}")
    assert problems == []


def test_no_change_is_attempted_and_ignored(scenario):
    """A create/put that fails and is swallowed (`|| true`) hides real errors
    such as AccessDenied. Lookups may fail (that is how absence is detected);
    so may deletes of what is already gone, in teardown."""
    problems = []
    for phase, r in scenario[1]["runs"].items():
        for call in r["calls"]:
            if not call["error"] or not is_mutating(call["operation"]):
                continue
            gone = any(s in call["error"] for s in ("NotFound", "NoSuchEntity", "NotExist"))
            if phase.startswith("teardown") and gone and call["operation"].startswith(("Delete", "Deregister", "Detach")):
                continue
            problems.append(f"{phase}: {call['operation']} failed with {call['error']} and the script went on")
    assert problems == []


def test_nothing_lands_in_the_cli_default_region(scenario):
    """The CLI's default region is a decoy during the runs: setup.sh must pass the
    config's region explicitly (CLI v1 ignores AWS_REGION)."""
    result = scenario[1]
    for phase, r in result["runs"].items():
        if "decoy_inventory" not in r:
            continue
        stray = {k: v for k, v in r["decoy_inventory"].items() if k not in ("roles", "local_policies", "oidc_providers") and v != result["decoy_baseline"][k]}
        assert stray == {}, f"after {phase}, in {result['decoy_region']} (not {result['region']})"


def test_oidc_provider(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    arn = f"arn:aws:iam::{result['account']}:oidc-provider/{OIDC_HOST}"
    assert list(state["oidc_providers"]) == [arn]
    provider = state["oidc_providers"][arn]
    assert provider["url"] in (OIDC_HOST, f"https://{OIDC_HOST}")
    assert provider["clients"] == [OIDC_AUDIENCE]
    assert provider["thumbprints"] == []
    sent = [c for c in result["runs"]["setup"]["calls"] if c["operation"] == "CreateOpenIDConnectProvider"]
    assert len(sent) == 1, "the provider must be created exactly once"
    assert "ThumbprintList" not in sent[0]["params"], "thumbprints are ignored by AWS for GitHub: do not send them"
    assert sent[0]["params"]["Url"] == f"https://{OIDC_HOST}"


def test_the_oidc_provider_exists_before_the_role_that_trusts_it(scenario):
    """Real IAM refuses a trust policy whose Federated principal does not exist
    ("Invalid principal in policy"); moto accepts it, so check the order of the
    calls setup.sh made."""
    bundle, result = scenario
    calls = _run(result, "setup")["calls"]
    deploy_role = _names(bundle)["deploy_role"]
    provider_ready = None
    for i, c in enumerate(calls):
        if c["error"] is None and c["operation"] in ("CreateOpenIDConnectProvider", "GetOpenIDConnectProvider"):
            provider_ready = i if provider_ready is None else provider_ready
        if c["operation"] == "CreateRole" and c["params"].get("RoleName") == deploy_role:
            assert provider_ready is not None and provider_ready < i, (
                "setup.sh creates the deploy role before the OIDC provider exists"
            )
            break
    else:
        pytest.fail(f"setup.sh never created the deploy role {deploy_role}")


def test_deploy_role_trust_and_permissions_equal_the_files(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    names = _names(bundle)
    role = state["roles"].get(names["deploy_role"])
    assert role is not None, f"deploy role {names['deploy_role']} (the workflow's role-to-assume) not created"
    assert role["trust"] == bundle.json(TRUST_POLICY), "the role's trust policy is not infra/trust-policy.json"
    assert list(role["inline"].values()) == [bundle.json(PERMISSIONS_POLICY)], (
        "the role's inline policies are not exactly infra/permissions-policy.json"
    )
    assert role["attached"] == [], "the deploy role needs no managed policy"


def test_execution_role_and_task_role(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    names = _names(bundle)
    execution = state["roles"].get(names["execution_role"])
    assert execution is not None, f"execution role {names['execution_role']} not created"
    assert execution["attached"] == [EXECUTION_ROLE_POLICY_ARN]
    roles = [names["execution_role"]] + ([names["task_role"]] if names["task_role"] else [])
    for name in roles:
        role = state["roles"].get(name)
        assert role is not None, f"role {name} named by the task definition not created"
        statements = role["trust"]["Statement"]
        assert [s["Principal"] for s in statements] == [{"Service": "ecs-tasks.amazonaws.com"}], name
        assert [s["Action"] for s in statements] in (["sts:AssumeRole"], [["sts:AssumeRole"]]), name
        assert role["arn"] == f"arn:aws:iam::{result['account']}:role/{name}"
    secrets = bundle.config.get("secrets") or {}
    granted, actions = set(), set()
    for doc in execution["inline"].values():
        for st in doc["Statement"]:
            granted.update(st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]])
            actions.update(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
    assert actions <= {"ssm:GetParameters", "secretsmanager:GetSecretValue", "kms:Decrypt"}, actions
    assert not [r for r in granted if "*" in r], f"wildcard in the execution role's policy: {sorted(granted)}"
    wanted = set()
    for name, source in secrets.items():
        # A Secrets Manager reference may name a JSON key and version after the
        # secret's ARN (arn:...:secret:NAME-AbCdEf:key:stage:version).
        wanted.add(":".join(source.split(":")[:7]) if ":secretsmanager:" in source else source)
    assert granted == wanted, "the execution role must read exactly the container's secrets"


def test_ecr_repository(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    names = _names(bundle)
    repo = state["ecr"].get(names["repository"])
    assert repo is not None, f"ECR repository {names['repository']} (from {PERMISSIONS_POLICY}) not created"
    assert repo["mutability"] == "IMMUTABLE", f"image tags are {repo['mutability']}, not IMMUTABLE"
    assert repo["scan_on_push"] is True, "scan on push is off"
    rules = (repo["lifecycle"] or {}).get("rules", [])
    assert any(
        r["selection"]["tagStatus"] == "untagged" and r["action"]["type"] == "expire" for r in rules
    ), f"no lifecycle rule expiring untagged images: {repo['lifecycle']}"
    # And the policy's rules are valid ECR lifecycle rules.
    for r in rules:
        assert isinstance(r["rulePriority"], int) and r["selection"]["countType"] in ("imageCountMoreThan", "sinceImagePushed")


def test_log_group_with_retention(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    names = _names(bundle)
    group = state["log_groups"].get(names["log_group"])
    assert group is not None, f"log group {names['log_group']} (the task definition's awslogs-group) not created"
    wanted = bundle.config.get("log_retention_days")
    if wanted is not None:
        assert group["retention"] == wanted, f"retention {group['retention']} days, keyless.json says {wanted}"
    else:
        assert group["retention"] is not None, "logs kept forever: set a retention"


def test_cluster_and_task_definition(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    names = _names(bundle)
    cluster = state["clusters"].get(names["cluster"])
    assert cluster is not None and cluster["status"] == "ACTIVE", f"cluster {names['cluster']} not ACTIVE"
    assert state["task_definition_revisions"].get(names["family"]) == {1: "ACTIVE"}
    registered = state["task_definitions"][names["family"]]
    config = bundle.config
    assert registered["cpu"] == str(config["cpu"]), "registered cpu differs from keyless.json"
    assert registered["memory"] == str(config["memory"]), "registered memory differs from keyless.json"
    arch = config.get("architecture") or "X86_64"
    assert registered.get("runtimePlatform", {}).get("cpuArchitecture", "X86_64") == arch, "registered architecture differs"
    # What was registered is the file itself (every key of the file, same value).
    td = bundle.json(TASK_DEFINITION)
    differing = {k: (v, registered.get(k)) for k, v in td.items() if k not in ("containerDefinitions",) and registered.get(k) != v}
    assert differing == {}, "the registered task definition differs from .aws/task-definition.json"
    assert [c["name"] for c in registered["containerDefinitions"]] == [c["name"] for c in td["containerDefinitions"]]


def _create_service_request(result):
    sent = [c for c in result["runs"]["setup"]["calls"] if c["operation"] == "CreateService"]
    assert len(sent) == 1, f"setup.sh must create the service exactly once ({len(sent)} CreateService calls)"
    return sent[0]["params"]


def test_service(scenario):
    bundle, result = scenario
    state = _run(result, "setup")["state"]
    names = _names(bundle)
    config = bundle.config
    service = state["clusters"][names["cluster"]]["services"].get(names["service"])
    assert service is not None, f"service {names['service']} not created in cluster {names['cluster']}"
    assert service["status"] == "ACTIVE", f"service is {service['status']}"
    if service["desired"] == 0:
        # Created with 0 tasks (no image exists before the first push); then the
        # workflow's deploy step must set the configured count.
        deploy = step_using(deploy_job(bundle.workflow()), "aws-actions/amazon-ecs-deploy-task-definition")
        assert str(deploy["with"].get("desired-count")) == str(config["desired_count"]), (
            "the service starts with 0 tasks but the deploy step does not set desired-count"
        )
    else:
        assert service["desired"] == config["desired_count"], "service desired count differs from keyless.json"
    family, revision = service["task_definition"].rsplit("/", 1)[1].split(":")
    assert (family, revision) == (names["family"], "1")

    vpc = (service["network"] or {}).get("awsvpcConfiguration")
    assert vpc, "no awsvpc network configuration (Fargate requires it)"
    if config.get("subnets"):
        assert sorted(vpc["subnets"]) == sorted(config["subnets"])
    else:
        assert sorted(vpc["subnets"]) == state["default_subnets"], "expected the default VPC's subnets"
    if config.get("security_groups"):
        assert sorted(vpc["securityGroups"]) == sorted(config["security_groups"])
    else:
        assert len(vpc["securityGroups"]) == 1
        group = state["security_groups"].get(vpc["securityGroups"][0])
        assert group is not None, "the service's security group was not created by setup.sh"
        assert group["vpc"] == state["default_vpc"]
        port = config["container_port"]
        rules = [(p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort")) for p in group["ingress"]]
        assert rules == [("tcp", port, port)], f"the created group must open only tcp/{port}: {group['ingress']}"
    public = config.get("assign_public_ip")
    if public is not None:
        assert vpc.get("assignPublicIp") == ("ENABLED" if public else "DISABLED")

    # moto 5.2.5 drops deploymentConfiguration and capacityProviderStrategy on
    # CreateService (describe returns neither, and launchType EC2 for a
    # capacity-provider service): read them from the request sent instead.
    request = _create_service_request(result)
    breaker = (request.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker")
    assert breaker == {"enable": True, "rollback": True}, f"circuit breaker: {breaker}"
    if config.get("use_spot"):
        providers = [s["capacityProvider"] for s in request.get("capacityProviderStrategy") or []]
        assert "FARGATE_SPOT" in providers and "launchType" not in request, request
        # A capacity provider strategy only works with providers the cluster has.
        cluster = state["clusters"][names["cluster"]]
        assert set(providers) <= set(cluster["capacity_providers"]), cluster
    else:
        assert request.get("launchType") == "FARGATE" or [
            s["capacityProvider"] for s in request.get("capacityProviderStrategy") or []
        ] == ["FARGATE"], request
        assert service["launch_type"] in ("FARGATE", None)


# ------------------------------------------------------------ idempotency


def test_setup_again_succeeds_and_changes_nothing(full_scenario):
    bundle, result = full_scenario
    first = _run(result, "setup")["state"]
    again = _run(result, "setup-again")
    assert again["state"] == first, "the second setup.sh changed the account"
    creations = [
        c["operation"] for c in again["calls"]
        if c["operation"].startswith(("Create", "Register", "Run", "Start")) and not c["error"]
    ]
    assert creations == [], "a second run must create nothing"
    forced = [c for c in again["calls"] if c["operation"] == "UpdateService" and c["params"].get("forceNewDeployment")]
    assert forced == [], "a second run must not restart the service"


# ------------------------------------------------------------ teardown.sh


def test_teardown_removes_everything_setup_created(full_scenario):
    bundle, result = full_scenario
    after = _run(result, "teardown")["inventory"]
    expected = dict(result["baseline"])
    # The account-wide OIDC provider stays (other roles may trust it).
    expected["oidc_providers"] = [f"arn:aws:iam::{result['account']}:oidc-provider/{OIDC_HOST}"]
    assert after == expected, "teardown.sh left resources behind (or removed the OIDC provider)"


def test_teardown_without_confirmation_refuses_and_deletes_nothing(full_scenario):
    bundle, result = full_scenario
    before = _run(result, "setup-again")["inventory"]
    refused = result["runs"].get("teardown-unconfirmed")
    assert refused is not None
    assert refused["returncode"] not in (0, "timeout"), "teardown ran without a terminal and without --yes"
    assert refused["inventory"] == before
    assert [c["operation"] for c in refused["calls"] if is_mutating(c["operation"])] == []


def test_teardown_again_succeeds_and_changes_nothing(full_scenario):
    bundle, result = full_scenario
    first = _run(result, "teardown")["inventory"]
    again = _run(result, "teardown-again")
    assert again["inventory"] == first, "the second teardown.sh changed the account"


def test_teardown_deletes_the_oidc_provider_only_when_asked(first_scenario):
    bundle, result = first_scenario
    after = _run(result, "teardown-oidc")["inventory"]
    assert after == result["baseline"], "teardown.sh --delete-oidc-provider left resources behind"
