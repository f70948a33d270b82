"""infra/cloudformation.yaml: linted with cfn-lint for every fixture, and created
as a stack in moto_server (two servers, one per core) for a handful, with the
AWS CLI against the fixture's account and region (the awscli plugin's
x-moto-account-id header, as for setup.sh in emulator.py).

For each DEPLOYED config: the emulator is reset (emulator.prepare_account, which
also creates the subnets and security groups a config names), the GitHub OIDC
provider is created with the CLI first and the stack gets CreateOidcProvider=false
(moto 5.2.5 skips AWS::IAM::OIDCProvider; the deploy role then trusts the
existing provider's ARN, written literally in the template's Fn::If), VpcId and
Subnets are the default VPC and its default subnets (what setup.sh picks), and
`aws cloudformation create-stack` must return with the stack CREATE_COMPLETE
(moto creates synchronously) and DeployRoleArn equal to setup.sh's
DEPLOY_ROLE_ARN. For the COMPARED configs, infra/setup.sh runs first in a
freshly reset emulator, and what it created (emulator.snapshot and
front_door_snapshot, normalised by `comparable` below) must equal what the
stack created, except what moto drops for a stack (STACK_DROPS). Finally
delete-stack must delete everything but the ECR repository (DeletionPolicy
Retain) and what moto never deletes (NOT_DELETED_BY_MOTO).

What moto skips altogether (the OIDC provider, the ACM certificate, application
autoscaling) and the properties it drops are checked statically: cfn-lint here,
and the Rust tests, which check the template against the plan setup.sh is
generated from. See validators/README.md, "CloudFormation template".
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

import pytest
import yaml

from conftest import FIXTURES, generate
from emulator import Account, MotoServer, front_door_snapshot, inventory, snapshot
# emulator.prepare_account, plus what the front door configs expect to exist (an
# imported certificate named in lb-certificate's config, an internet gateway).
from test_front_door import prepare
from support import FIXTURE_DIR, OIDC_AUDIENCE, OIDC_HOST, SETUP_SH, run, tool

TEMPLATE = "infra/cloudformation.yaml"
# Default VPC, explicit subnets and security groups, spot, secrets, autoscaling,
# load balancer over HTTP, with a given certificate, with a requested one.
DEPLOYED = (
    "defaults", "explicit-network", "spot", "secrets-env", "autoscaling",
    "lb-http", "lb-certificate", "lb-domain",
)
# Also run through setup.sh first, for the comparison. One setup.sh with a load
# balancer makes about 100 AWS CLI calls (over a minute on two cores), so by
# default only lb-http (roles, repository, logs, cluster, service, task
# definition, both security groups, load balancer, target group, listener);
# KEYLESS_CFN_COMPARED=spot,lb-http,... compares more (each must be in DEPLOYED).
COMPARED = tuple(n.strip() for n in os.environ.get("KEYLESS_CFN_COMPARED", "lb-http").split(",") if n.strip())
STACK_TIMEOUT = 120
WORKERS = 2
# moto 5.2.5 skips these resource types silently (checked statically instead).
SKIPPED_BY_MOTO = (
    "AWS::IAM::OIDCProvider", "AWS::CertificateManager::Certificate",
    "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
)
# moto 5.2.5 does not delete these on delete-stack (AWS does): listed, not asserted.
NOT_DELETED_BY_MOTO = ("AWS::ECS::Cluster", "AWS::ECS::TaskDefinition", "AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::TargetGroup")


def test_every_deployed_fixture_exists():
    missing = [n for n in DEPLOYED if not (FIXTURE_DIR / f"{n}.json").is_file()]
    assert missing == [], f"fixtures named in DEPLOYED are gone: {missing}"
    assert set(COMPARED) <= set(DEPLOYED)


# ------------------------------------------------------------ static: cfn-lint


@pytest.fixture(scope="module")
def lint_results(keyless_bin, tmp_path_factory) -> dict:
    """cfn-lint's findings per fixture: one cfn-lint run over every fixture's
    template (its start-up costs more than a template)."""
    root = tmp_path_factory.mktemp("cfn-lint")
    templates = {}
    for fixture in FIXTURES:
        bundle = generate(keyless_bin, fixture, root / fixture.stem)
        templates[fixture.stem] = bundle.path(TEMPLATE)
    started = time.monotonic()
    result = run([tool("cfn-lint"), "--format", "parseable", *[p for p in templates.values() if p.is_file()]], timeout=300)
    lines = (result.stdout + result.stderr).splitlines()
    print(f"\ncfn-lint on {len(templates)} templates: exit {result.returncode} in {time.monotonic() - started:.1f}s")
    found = {
        name: [line for line in lines if line.startswith(str(path))] if path.is_file() else [f"no {TEMPLATE}"]
        for name, path in templates.items()
    }
    unattributed = [line for line in lines if not any(line in f for f in found.values())]
    return {"returncode": result.returncode, "found": found, "unattributed": unattributed}


@pytest.mark.parametrize("fixture", [p.stem for p in FIXTURES])
def test_cfn_lint_finds_nothing(lint_results, fixture):
    found = lint_results["found"][fixture]
    print(f"cfn-lint {fixture}: {chr(10).join(found) or 'nothing (no error, no warning)'}")
    assert found == [], f"cfn-lint on {fixture}'s {TEMPLATE}:\n" + "\n".join(found)
    assert lint_results["unattributed"] == []
    assert lint_results["returncode"] == 0


# ------------------------------------------------------------ moto: the runs


def aws(acct: Account, workdir: Path, *args, timeout=60) -> subprocess.CompletedProcess:
    """The AWS CLI against the emulator, in the config's account and region."""
    return run([tool("aws"), *args, "--region", acct.region, "--output", "json"],
               env=acct.env(workdir / "cli.jsonl"), timeout=timeout)


def aws_ok(acct, workdir, *args, **kw) -> dict:
    result = aws(acct, workdir, *args, **kw)
    assert result.returncode == 0, f"aws {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return json.loads(result.stdout) if result.stdout.strip() else {}


def script_var(bundle, name: str) -> str | None:
    match = re.search(rf"^readonly {name}='([^']*)'$", bundle.text(SETUP_SH), re.M)
    return match.group(1) if match else None


def stack_template(bundle, acct, workdir) -> Path:
    """The template to create. moto skips AWS::CertificateManager::Certificate,
    so for a requested certificate (lb-domain) a certificate is requested in
    moto's ACM with the CLI, the Certificate resource is dropped and every
    {"Ref": "Certificate"} becomes that ARN (in this scratch copy only)."""
    template = yaml.safe_load(bundle.text(TEMPLATE))
    if "Certificate" not in template["Resources"]:
        return bundle.path(TEMPLATE)
    domain = template["Resources"].pop("Certificate")["Properties"]["DomainName"]
    arn = aws_ok(acct, workdir, "acm", "request-certificate", "--domain-name", domain,
                 "--validation-method", "DNS")["CertificateArn"]

    def sub(node):
        if node == {"Ref": "Certificate"}:
            return arn
        if isinstance(node, dict):
            return {k: sub(v) for k, v in node.items()}
        if isinstance(node, list):
            return [sub(v) for v in node]
        return node

    path = workdir / "cloudformation.yaml"
    path.write_text(yaml.safe_dump(sub(template), sort_keys=False))
    return path


def create_stack(bundle, acct, workdir) -> dict:
    """The stack of bundle's template, created with the CLI; its description."""
    ec2 = acct.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    defaults = sorted((s["AvailabilityZone"], s["SubnetId"]) for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "default-for-az", "Values": ["true"]}])["Subnets"])
    # What setup.sh picks: every default subnet, or with a load balancer those of
    # the first LB_ZONES zones (in zone order).
    zones = sorted({z for z, _ in defaults})[: int(script_var(bundle, "LB_ZONES") or len(defaults))]
    subnets = [s for z, s in defaults if z in zones]
    if bundle.config.get("subnets"):  # the security groups go in the subnets' VPC
        vpc = ec2.describe_subnets(SubnetIds=bundle.config["subnets"][:1])["Subnets"][0]["VpcId"]
    aws_ok(acct, workdir, "iam", "create-open-id-connect-provider", "--url", f"https://{OIDC_HOST}",
           "--client-id-list", OIDC_AUDIENCE)
    path = stack_template(bundle, acct, workdir)
    declared = yaml.safe_load(path.read_text()).get("Parameters", {})
    values = {"CreateOidcProvider": "false", "VpcId": vpc, "Subnets": ",".join(subnets)}
    params = json.dumps([{"ParameterKey": k, "ParameterValue": values[k]} for k in declared])
    name = f"keyless-{bundle.config['app_name']}"
    result = aws(acct, workdir, "cloudformation", "create-stack", "--stack-name", name,
                 "--template-body", f"file://{path}", "--capabilities", "CAPABILITY_NAMED_IAM",
                 "--parameters", params, timeout=STACK_TIMEOUT)
    stack = {"name": name, "template": path, "returncode": result.returncode, "output": result.stdout + result.stderr}
    if result.returncode == 0:
        stack["description"] = acct.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]
    return stack


def delete_stack(acct, workdir, name) -> str:
    stack_id = acct.client("cloudformation").describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    aws_ok(acct, workdir, "cloudformation", "delete-stack", "--stack-name", name)
    deadline = time.monotonic() + 30
    while True:
        status = acct.client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def deploy(name: str, server: MotoServer, root: Path, keyless_bin: Path) -> dict:
    workdir = root / name
    workdir.mkdir()
    out: dict = {"times": {}}
    started = time.monotonic()
    if name in COMPARED:
        config, _ = prepare(name, server, workdir / "setup")
        bundle = generate(keyless_bin, config, workdir / "setup-bundle")
        acct = Account(server, bundle.config["account_id"], bundle.config["region"], workdir / "setup")
        proc, _ = acct.run_script(bundle.path(SETUP_SH), cwd=bundle.root, call_log=workdir / "setup.jsonl")
        assert proc.returncode == 0, f"setup.sh of {name} failed:\n{proc.stdout}{proc.stderr}"
        out["setup"] = comparable(acct, snapshot(acct), front_door_snapshot(acct))
        out["times"]["setup.sh"] = round(time.monotonic() - started, 1)
    t = time.monotonic()
    config, _ = prepare(name, server, workdir / "stack")
    bundle = generate(keyless_bin, config, workdir / "bundle")
    acct = Account(server, bundle.config["account_id"], bundle.config["region"], workdir / "stack")
    out["bundle"] = bundle
    out["before"] = inventory(acct)
    out["times"]["prepare"] = round(time.monotonic() - t, 1)
    t = time.monotonic()
    out["stack"] = create_stack(bundle, acct, workdir)
    out["times"]["create-stack"] = round(time.monotonic() - t, 1)
    if out["stack"]["returncode"] != 0:
        return out
    out["stack_state"] = comparable(acct, snapshot(acct), front_door_snapshot(acct))
    out["resources"] = [
        r for r in acct.client("cloudformation").describe_stack_resources(StackName=out["stack"]["name"])["StackResources"]
        if r.get("LogicalResourceId")  # moto lists the resources it skipped as empty rows
    ]
    t = time.monotonic()
    out["delete_status"] = delete_stack(acct, workdir, out["stack"]["name"])
    out["after_delete"] = inventory(acct)
    out["times"]["delete-stack"] = round(time.monotonic() - t, 1)
    return out


@pytest.fixture(scope="module")
def deployments(keyless_bin, tmp_path_factory):
    """Every DEPLOYED config (the COMPARED ones first: they take longest), on
    two moto servers (one per core), each config on whichever is free; the
    servers are stopped whatever happens."""
    root = tmp_path_factory.mktemp("cloudformation")
    idle: Queue = Queue()
    servers = [MotoServer(root / f"moto-{i}.log") for i in range(WORKERS)]
    results = {}
    started = time.monotonic()

    def work(name):
        server = idle.get()
        try:
            results[name] = deploy(name, server, root, keyless_bin)
        except Exception as e:  # noqa: BLE001 - reported by this config's tests
            results[name] = {"error": f"{type(e).__name__}: {e}"}
        finally:
            idle.put(server)

    try:
        for server in servers:
            server.start()
            idle.put(server)
        order = sorted(DEPLOYED, key=lambda n: n not in COMPARED)
        with ThreadPoolExecutor(WORKERS) as pool:
            for f in [pool.submit(work, name) for name in order]:
                f.result()
    finally:
        for server in servers:
            server.stop()
    print(f"\nCloudFormation in moto: {round(time.monotonic() - started, 1)}s in all")
    for name, r in results.items():
        print(f"  {name}: {r.get('times') or r.get('error')}")
    return results


def deployment(deployments, name) -> dict:
    d = deployments[name]
    if "error" in d:
        pytest.fail(f"{name}: {d['error']}")
    assert d["stack"]["returncode"] == 0, f"create-stack of {name} failed:\n{d['stack']['output']}"
    return d


# ------------------------------------------------------------ normalising reader


def document(doc):
    """A policy document as data: moto returns a stack role's inline policies
    written as YAML objects as a Python repr string."""
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except ValueError:
            return ast.literal_eval(doc)
    return doc


def own_tags(tags) -> dict:
    """Tags without those AWS adds (aws:cloudformation:stack-name and the like)."""
    return {k: v for k, v in (tags or {}).items() if not k.startswith("aws:")}


def comparable(acct: Account, snap: dict, fd: dict) -> dict:
    """What setup.sh and the stack both create, with the emulator's generated ids
    (VPCs, subnets, security groups, ARNs with random parts) replaced by names
    or zones, and without what moto drops for a stack (STACK_DROPS)."""
    sg_names = {gid: g["name"] for gid, g in snap["security_groups"].items()}
    tg_names = {tg["arn"]: n for n, tg in fd["target_groups"].items()}

    def ingress(perms):  # IPv4 and group sources only (moto drops CidrIpv6 rules of a stack)
        rules = set()
        for p in perms:
            key = (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
            rules |= {key + (r["CidrIp"],) for r in p.get("IpRanges", [])}
            rules |= {key + ("sg:" + sg_names.get(g["GroupId"], g["GroupId"]),) for g in p.get("UserIdGroupPairs", [])}
        return sorted(rules)

    def action(a):
        return {**a, "target_groups": [tg_names.get(x, x) for x in a.get("target_groups", [])]}

    return {
        "roles": {
            n: {
                "arn": r["arn"],
                "trust": document(r["trust"]),
                "inline": {p: document(d) for p, d in r["inline"].items()},
                "tags": own_tags(snap["tags"]["roles"].get(n)),
            }
            for n, r in snap["roles"].items()
        },
        "ecr": {
            n: {"mutability": r["mutability"], "uri": r["uri"], "tags": own_tags(snap["tags"]["ecr"][n]["tags"])}
            for n, r in snap["ecr"].items()
        },
        "log_groups": {
            n: {"retention": g["retention"], "tags": own_tags(snap["tags"]["log_groups"][n]["tags"])}
            for n, g in snap["log_groups"].items()
        },
        "clusters": {
            n: {s: {"desired": v["desired"], "status": v["status"]} for s, v in c["services"].items()}
            for n, c in snap["clusters"].items()
        },
        "task_definitions": {f: td["containerDefinitions"] for f, td in snap["task_definitions"].items()},
        "security_groups": {
            g["name"]: {"description": g["description"], "ingress": ingress(g["ingress"]),
                        "default_vpc": g["vpc"] == snap["default_vpc"], "tags": own_tags(g["tags"])}
            for g in snap["security_groups"].values()
        },
        "load_balancers": {
            n: {
                "type": lb["type"], "scheme": lb["scheme"], "zones": sorted(z for z, _ in lb["zones"]),
                "security_groups": sorted(sg_names.get(g, g) for g in lb["security_groups"]),
                "listeners": {
                    # moto's CreateListener API gives an HTTP listener SslPolicy
                    # ELBSecurityPolicy-2016-08 (AWS gives none): HTTPS only.
                    port: {"protocol": li["protocol"],
                           "ssl_policy": li["ssl_policy"] if li["protocol"] == "HTTPS" else None,
                           "certificates": li["certificates"], "actions": [action(a) for a in li["actions"]]}
                    for port, li in lb["listeners"].items()
                },
            }
            for n, lb in fd["load_balancers"].items()
        },
        "target_groups": {
            n: {k: tg[k] for k in ("protocol", "port", "target_type", "health_check", "matcher")}
            for n, tg in fd["target_groups"].items()
        },
    }


# What moto 5.2.5 drops when it creates a stack's resources (AWS keeps them), so
# `comparable` leaves it out for both sides; the Rust tests check these
# properties of the template against the plan setup.sh is generated from.
STACK_DROPS = (
    "IAM: ManagedPolicyArns (the execution role's attached policy)",
    "ECR: image scanning configuration, lifecycle policy",
    "ECS cluster: tags, capacity providers and default strategy (Fargate Spot)",
    "ECS service: network configuration, launch type / capacity provider strategy, "
    "load balancers, health check grace, deployment configuration (circuit breaker), tags",
    "ECS task definition: cpu, memory, networkMode, execution and task roles, runtime platform, tags",
    "EC2: CidrIpv6 ingress rules",
    "ELBv2: target group attributes (deregistration delay), tags of the load balancer and target group",
)


# ------------------------------------------------------------ moto: the tests


@pytest.mark.parametrize("name", DEPLOYED)
@pytest.mark.emulator
def test_stack_is_created_with_the_outputs(deployments, name):
    d = deployment(deployments, name)
    stack, bundle = d["stack"]["description"], d["bundle"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    # Every resource of the template moto supports (and the condition keeps) is in the stack.
    template = yaml.safe_load(d["stack"]["template"].read_text())["Resources"]
    wanted = {k for k, r in template.items() if r["Type"] not in SKIPPED_BY_MOTO and "Condition" not in r}
    assert {r["LogicalResourceId"] for r in d["resources"]} == wanted
    role_arn = script_var(bundle, "DEPLOY_ROLE_ARN")
    assert outputs.get("DeployRoleArn") == role_arn
    assert role_arn in d["stack_state"]["roles"].get(role_arn.rsplit("/", 1)[1], {}).get("arn", "")
    if script_var(bundle, "LOAD_BALANCER"):
        assert outputs.get("Url", "").startswith(("http://", "https://")), outputs
        assert outputs.get("LoadBalancerDnsName"), outputs
    # Everything the stack made was new: the fixture's account had none of it.
    assert d["before"]["roles"] == [] or role_arn.rsplit("/", 1)[1] not in d["before"]["roles"]


@pytest.mark.parametrize("name", COMPARED)
@pytest.mark.emulator
def test_stack_creates_what_setup_sh_creates(deployments, name):
    d = deployment(deployments, name)
    setup, stack = d["setup"], d["stack_state"]
    differ = {
        key: {"setup.sh": setup[key], "stack": stack[key]} for key in setup if stack[key] != setup[key]
    }
    assert differ == {}, f"{name}: differs between setup.sh and the stack:\n" + json.dumps(differ, indent=1, default=str)


@pytest.mark.parametrize("name", DEPLOYED)
@pytest.mark.emulator
def test_delete_stack_keeps_only_the_repository(deployments, name):
    d = deployment(deployments, name)
    assert d["delete_status"] == "DELETE_COMPLETE"
    after, bundle = d["after_delete"], d["bundle"]
    assert bundle.config["app_name"] in after["ecr_repositories"], "the repository (Retain) was deleted"
    app_roles = {script_var(bundle, v) for v in ("DEPLOY_ROLE", "EXECUTION_ROLE", "TASK_ROLE")}
    assert app_roles & set(after["roles"]) == set()
    assert script_var(bundle, "LOG_GROUP") not in after["log_groups"]
    assert after["security_groups"] == d["before"]["security_groups"]
    assert after["load_balancers"] == []
    # Kept by moto, not by AWS: NOT_DELETED_BY_MOTO (not asserted).
    assert len(after["oidc_providers"]) == 1  # made with the CLI before the stack: not the stack's
