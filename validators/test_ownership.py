"""Ownership: infra/setup.sh and infra/teardown.sh, run with the AWS CLI against
moto, in an account that already holds resources of the names they use, which
Keyless did not create for this app (untagged, or tagged for another Keyless app):

* setup.sh exits non-zero, lists every conflict, and changes nothing: the full
  state (every resource, its settings, tags, images and log streams) is equal
  before and after, and the CLI sent no mutating request;
* teardown.sh deletes none of them and lists them as left alone;
* setup.sh --adopt takes them over (tags them and applies the config), and only
  then does teardown.sh delete them; a cluster that holds another service stays,
  and so do task definitions and services Keyless never owned;
* a second setup.sh after the container port changed leaves only the new port
  open and strips a policy added to the deploy role by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import generate
from emulator import Account, MotoServer, is_mutating, snapshot
from support import FIXTURE_DIR, SETUP_SH, TEARDOWN_SH

pytestmark = pytest.mark.emulator

FIXTURE = FIXTURE_DIR / "defaults.json"
OTHER_APP_TAGS = {"managed-by": "keyless", "keyless-app": "another-app"}
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    moto = MotoServer(tmp_path_factory.mktemp("ownership") / "moto.log")
    moto.start()
    try:
        yield moto
    finally:
        moto.stop()


@pytest.fixture(scope="module")
def bundle(keyless_bin, tmp_path_factory):
    return generate(keyless_bin, FIXTURE, tmp_path_factory.mktemp("ownership-bundle"))


def script_var(bundle, name: str) -> str:
    """The value of `readonly NAME='value'` in setup.sh."""
    match = re.search(rf"^readonly {name}='([^']*)'$", bundle.text(SETUP_SH), re.M)
    assert match, f"{SETUP_SH} sets no {name}"
    return match.group(1)


def names(bundle) -> dict:
    return {
        key: script_var(bundle, var)
        for key, var in {
            "roles": "DEPLOY_ROLE",
            "execution_role": "EXECUTION_ROLE",
            "task_role": "TASK_ROLE",
            "repository": "ECR_REPOSITORY",
            "log_group": "LOG_GROUP",
            "cluster": "CLUSTER",
            "service": "SERVICE",
            "family": "TASK_FAMILY",
            "security_group": "SECURITY_GROUP_NAME",
        }.items()
    }


def make_foreign_resources(acct: Account, n: dict, tags: dict) -> None:
    """Resources of every name setup.sh uses, not created by Keyless for this app
    (`tags` are put on each: none, or another app's marks)."""
    iam, ecr, logs, ecs, ec2 = (acct.client(s) for s in ("iam", "ecr", "logs", "ecs", "ec2"))
    tag_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    ecs_tags = [{"key": k, "value": v} for k, v in tags.items()]
    for role in (n["roles"], n["execution_role"], n["task_role"]):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST), Tags=tag_list)
    ecr.create_repository(repositoryName=n["repository"], tags=tag_list)
    for i, tag in enumerate(("v1", "v2", "v3")):
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"digest": "sha256:" + f"{i}" * 64, "size": 1, "mediaType": "application/vnd.docker.container.image.v1+json"},
            "layers": [],
        }
        ecr.put_image(repositoryName=n["repository"], imageManifest=json.dumps(manifest), imageTag=tag)
    logs.create_log_group(logGroupName=n["log_group"], **({"tags": tags} if tags else {}))
    logs.create_log_stream(logGroupName=n["log_group"], logStreamName="web/web/1")
    logs.put_log_events(
        logGroupName=n["log_group"], logStreamName="web/web/1", logEvents=[{"timestamp": 1_700_000_000_000, "message": "hello"}]
    )
    container = [{"name": "web", "image": "public.ecr.aws/nginx/nginx:1", "memory": 512}]
    for _ in range(2):  # earlier revisions of the app's family
        ecs.register_task_definition(family=n["family"], containerDefinitions=container, **({"tags": ecs_tags} if tags else {}))
    ecs.register_task_definition(family="other-worker", containerDefinitions=container)
    ecs.create_cluster(clusterName=n["cluster"], **({"tags": ecs_tags} if tags else {}))
    ecs.create_service(cluster=n["cluster"], serviceName="other-service", taskDefinition="other-worker", desiredCount=0)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    extra = {"TagSpecifications": [{"ResourceType": "security-group", "Tags": tag_list}]} if tags else {}
    group = ec2.create_security_group(GroupName=n["security_group"], Description="someone else's", VpcId=vpc, **extra)
    ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="10.0.0.0/8")


def run(acct, bundle, script, args, workdir: Path, phase: str) -> dict:
    proc, calls = acct.run_script(bundle.path(script), args, cwd=bundle.root, call_log=workdir / f"{phase}.jsonl")
    return {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "calls": calls, "state": snapshot(acct)}


def mutations(result: dict) -> list[str]:
    return [c["operation"] for c in result["calls"] if is_mutating(c["operation"])]


def explain(result: dict) -> str:
    return f"exit {result['returncode']}\n--- stdout\n{result['stdout'][-3000:]}\n--- stderr\n{result['stderr'][-3000:]}"


@pytest.fixture(scope="module")
def untagged(server, bundle, tmp_path_factory):
    """setup, teardown, setup --adopt, teardown, next to untagged resources."""
    server.reset()
    workdir = tmp_path_factory.mktemp("untagged")
    acct = Account(server, bundle.config["account_id"], bundle.config["region"], workdir)
    make_foreign_resources(acct, names(bundle), {})
    runs = {"before": {"state": snapshot(acct)}}
    for phase, script, args in (
        ("setup", SETUP_SH, ()),
        ("teardown", TEARDOWN_SH, ("--yes",)),
        ("adopt", SETUP_SH, ("--adopt",)),
        ("teardown-adopted", TEARDOWN_SH, ("--yes",)),
    ):
        runs[phase] = run(acct, bundle, script, args, workdir, phase)
    return runs


@pytest.fixture(scope="module")
def other_app(server, bundle, tmp_path_factory):
    """setup and teardown next to resources tagged for another Keyless app."""
    server.reset()
    workdir = tmp_path_factory.mktemp("other-app")
    acct = Account(server, bundle.config["account_id"], bundle.config["region"], workdir)
    make_foreign_resources(acct, names(bundle), OTHER_APP_TAGS)
    runs = {"before": {"state": snapshot(acct)}}
    runs["setup"] = run(acct, bundle, SETUP_SH, (), workdir, "setup")
    runs["teardown"] = run(acct, bundle, TEARDOWN_SH, ("--yes",), workdir, "teardown")
    return runs


CONFLICTS = ("role {roles}", "role {execution_role}", "role {task_role}", "ECR repository {repository}",
             "log group {log_group}", "cluster {cluster}", "task definition family {family}",
             "security group {security_group}")


@pytest.mark.parametrize("scenario", ["untagged", "other_app"])
def test_setup_refuses_and_changes_nothing(scenario, request, bundle):
    runs = request.getfixturevalue(scenario)
    refused = runs["setup"]
    assert refused["returncode"] not in (0, "timeout"), explain(refused)
    assert mutations(refused) == [], "setup.sh changed something before refusing"
    assert refused["state"] == runs["before"]["state"], "the account changed although setup.sh refused"
    n = names(bundle)
    for conflict in CONFLICTS:
        assert conflict.format(**n) in refused["stderr"], f"{conflict.format(**n)} not listed:\n{explain(refused)}"
    assert "--adopt" in refused["stderr"] and "another app name" in refused["stderr"]
    assert "3 images" in refused["stderr"], "the repository's conflict does not count its images"
    owner = "created by Keyless for the app another-app" if scenario == "other_app" else "not created by Keyless"
    assert owner in refused["stderr"]


@pytest.mark.parametrize("scenario", ["untagged", "other_app"])
def test_teardown_deletes_none_of_them(scenario, request, bundle):
    runs = request.getfixturevalue(scenario)
    teardown = runs["teardown"]
    assert teardown["returncode"] == 0, explain(teardown)
    assert mutations(teardown) == [], "teardown.sh changed resources Keyless did not create"
    assert teardown["state"] == runs["before"]["state"], "teardown.sh changed the account"
    n = names(bundle)
    assert "Left alone, not created by Keyless" in teardown["stdout"]
    for listed in ("role {roles}", "ECR repository {repository}", "log group {log_group}", "cluster {cluster}",
                   "2 revisions of the task definition family {family}", "security group {security_group}"):
        assert listed.format(**n) in teardown["stdout"].split("Left alone")[-1], explain(teardown)


def test_adopt_tags_and_applies_the_config(untagged, bundle):
    adopted = untagged["adopt"]
    assert adopted["returncode"] == 0, explain(adopted)
    n, state = names(bundle), adopted["state"]
    mark = {"managed-by": "keyless", "keyless-app": bundle.config["app_name"]}
    tags = state["tags"]
    for role in (n["roles"], n["execution_role"], n["task_role"]):
        assert tags["roles"][role] == mark, role
        assert state["roles"][role]["trust"] != LAMBDA_TRUST, f"{role} still trusts Lambda"
    assert tags["ecr"][n["repository"]]["tags"] == mark
    assert state["ecr"][n["repository"]]["mutability"] == "IMMUTABLE"
    assert tags["log_groups"][n["log_group"]]["tags"] == mark
    assert tags["clusters"][n["cluster"]] == mark
    assert all(tags["task_definitions"][f"{n['family']}:{r}"] == mark for r in (1, 2))
    group = next(g for g in state["security_groups"].values() if g["name"] == n["security_group"])
    assert group["tags"] == mark
    port = bundle.config["container_port"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in group["ingress"]] == [("tcp", port, port)]
    assert "other-service" in state["clusters"][n["cluster"]]["services"]
    assert tags["services"].get(f"{n['cluster']}/other-service") == {}, "setup.sh tagged a service it does not own"


def test_teardown_after_adopting_deletes_them_but_keeps_what_others_use(untagged, bundle):
    teardown = untagged["teardown-adopted"]
    assert teardown["returncode"] == 0, explain(teardown)
    n, state = names(bundle), teardown["state"]
    inventory = state["inventory"]
    for role in (n["roles"], n["execution_role"], n["task_role"]):
        assert role not in inventory["roles"]
    assert n["repository"] not in inventory["ecr_repositories"]
    assert n["log_group"] not in inventory["log_groups"]
    assert not [g for g in inventory["security_groups"] if g.startswith(n["security_group"] + " ")]
    # The cluster holds a service Keyless never owned: both stay, with its task definition.
    assert n["cluster"] in inventory["active_clusters"], "a cluster holding another service was deleted"
    assert "other-service" in inventory["active_services"]
    assert [a for a in inventory["active_task_definitions"] if "/other-worker:" in a], "another family was deregistered"
    assert "still holds the services other-service" in teardown["stdout"]


@pytest.fixture(scope="module")
def port_change(server, bundle, keyless_bin, tmp_path_factory):
    """setup.sh at one port; a policy added to the deploy role by hand; setup.sh
    regenerated for another port."""
    server.reset()
    workdir = tmp_path_factory.mktemp("port-change")
    acct = Account(server, bundle.config["account_id"], bundle.config["region"], workdir)
    first = run(acct, bundle, SETUP_SH, (), workdir, "setup")
    config = json.loads(FIXTURE.read_text())
    config["container_port"] = 3000
    changed_fixture = workdir / "port-3000.json"
    changed_fixture.write_text(json.dumps(config))
    changed = generate(keyless_bin, changed_fixture, workdir / "bundle-3000")
    acct.client("iam").put_role_policy(
        RoleName=names(bundle)["roles"],
        PolicyName="added-by-hand",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}),
    )
    second = run(acct, changed, SETUP_SH, (), workdir, "setup-3000")
    return first, second, changed


def test_only_the_new_port_is_open_after_the_port_changes(port_change, bundle):
    first, second, changed = port_change
    assert first["returncode"] == 0, explain(first)
    assert second["returncode"] == 0, explain(second)
    n = names(bundle)
    group = next(g for g in second["state"]["security_groups"].values() if g["name"] == n["security_group"])
    ingress = [(p["IpProtocol"], p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p.get("IpRanges", [])]) for p in group["ingress"]]
    assert ingress == [("tcp", 3000, 3000, ["0.0.0.0/0"])], f"inbound rules after the port changed: {ingress}"


def test_the_deploy_role_keeps_exactly_its_policy(port_change, bundle):
    _, second, changed = port_change
    role = second["state"]["roles"][names(bundle)["roles"]]
    assert list(role["inline"]) == ["keyless-deploy"], f"the deploy role's inline policies: {list(role['inline'])}"
    assert role["attached"] == []
