"""The front door (domain.md §8): infra/setup.sh and infra/teardown.sh of the
configs with a load balancer or autoscaling, run with the AWS CLI against this
module's own moto servers, with the state read back after every run.

Scenarios (each in a freshly reset emulator account; phases in order):

* lb-http: the same app first set up with a public IP (its config without
  `ingress`), then setup moves that service behind the load balancer in place,
  setup again, teardown, teardown again (HTTP only, port 80 forwards);
* lb-domain: setup stops while ACM validates the certificate it requested
  (exit 0, the validation CNAME printed, no listener and no service yet); moto
  issues it MOTO_ACM_VALIDATION_WAIT seconds after the request (ACM_WAIT here);
  setup then goes on to the listeners and the service and prints the URL and the
  CNAME to the load balancer; a Route 53 zone for the domain is then created and
  a third setup changes nothing and prints the alias record instead; teardown
  twice deletes the certificate it requested. A certificate for the same domain
  that Keyless did not request (imported, untagged) is there throughout and is
  neither used nor deleted;
* lb-certificate: two subnets of a new VPC (two zones, an internet gateway) and
  an issued certificate imported first, its ARN put in a scratch copy of the
  config; setup twice (with autoscaling), teardown twice; the certificate stays;
* autoscaling (public IP): setup twice, teardown twice.

After each complete setup the checks below read the account: listeners, TLS
policy, redirect, target group, security group rules, zones, tags, autoscaling.
A second setup may send only the idempotent re-applies (REAPPLIES) and must
leave the state as it was. Every request the CLI sent is checked against the
AWS service model. The seconds and AWS CLI calls of every run are printed at
the end of the session (and written to front_door_runs.md in pytest's temporary
folder). Two scenarios run at a time, one per moto server
(KEYLESS_FRONT_DOOR_WORKERS to change it); KEYLESS_FRONT_DOOR_SCENARIOS=a,b
runs only those.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shlex
import subprocess
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

import pytest

from checks_aws_model import validate_request
from conftest import RUN_TABLES, generate
from emulator import (
    Account,
    MotoServer,
    front_door_snapshot,
    inventory,
    is_mutating,
    prepare_account,
    read_calls,
    snapshot,
)
from support import FIXTURE_DIR, OIDC_HOST, SETUP_SH, TASK_DEFINITION, TEARDOWN_SH

pytestmark = pytest.mark.emulator

# Seconds after its request until moto issues a requested certificate
# (MOTO_ACM_VALIDATION_WAIT of the server). Long enough for setup.sh to see it
# pending (its DescribeCertificate follows RequestCertificate directly).
ACM_WAIT = 20
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
OWNER_TAGS = {"managed-by": "keyless"}
WORKERS = int(os.environ.get("KEYLESS_FRONT_DOOR_WORKERS", "2"))
RUN_TIMEOUT = 900

# What a second setup.sh may send that changes something: each re-applies the
# config to what exists, and leaves it as it was when nothing changed.
REAPPLIES = {
    "UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy",
    "PutImageTagMutability", "PutImageScanningConfiguration", "PutLifecyclePolicy",
    "PutRetentionPolicy",
    "SetSecurityGroups", "ModifyTargetGroup", "ModifyTargetGroupAttributes", "ModifyListener",
    "RegisterScalableTarget", "PutScalingPolicy",
}

# (phase, script, arguments)
SETUP = ("setup", SETUP_SH, ())
SETUP_AGAIN = ("setup-again", SETUP_SH, ())
TEARDOWN = ("teardown", TEARDOWN_SH, ("--yes",))
TEARDOWN_AGAIN = ("teardown-again", TEARDOWN_SH, ("--yes",))
PHASES = {
    "lb-domain": (("setup-pending", SETUP_SH, ()), SETUP, SETUP_AGAIN, TEARDOWN, TEARDOWN_AGAIN),
    "lb-certificate": (SETUP, SETUP_AGAIN, TEARDOWN, TEARDOWN_AGAIN),
    "lb-http": (("setup-public-ip", SETUP_SH, ()), SETUP, SETUP_AGAIN, TEARDOWN, TEARDOWN_AGAIN),
    "autoscaling": (SETUP, SETUP_AGAIN, TEARDOWN, TEARDOWN_AGAIN),
}
SCENARIOS = tuple(PHASES)  # lb-domain first: it waits for ACM meanwhile


def _selected() -> tuple[str, ...]:
    """KEYLESS_FRONT_DOOR_SCENARIOS=a,b runs only those (the others' tests are skipped)."""
    wanted = {n.strip() for n in os.environ.get("KEYLESS_FRONT_DOOR_SCENARIOS", "").split(",") if n.strip()}
    if not wanted:
        return SCENARIOS
    if wanted - set(SCENARIOS):
        raise ValueError(f"KEYLESS_FRONT_DOOR_SCENARIOS names unknown scenarios: {sorted(wanted - set(SCENARIOS))}")
    return tuple(n for n in SCENARIOS if n in wanted)


SELECTED = _selected()
LB_SCENARIOS = ("lb-domain", "lb-certificate", "lb-http")
SCALING_SCENARIOS = ("lb-certificate", "autoscaling")
COMPLETE_SETUPS = ("setup", "setup-again")


# ------------------------------------------------------------ preparation


def self_signed(domain: str) -> tuple[bytes, bytes]:
    """A certificate and its key for `domain` (what a user imports into ACM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def import_certificate(acct: Account, domain: str) -> str:
    cert, key = self_signed(domain)
    return acct.client("acm").import_certificate(Certificate=cert, PrivateKey=key)["CertificateArn"]


def config_account(config: dict) -> tuple[str, str]:
    return re.sub(r"\D", "", str(config["account_id"])), str(config["region"]).strip().lower()


def prepare(name: str, server: MotoServer, workdir: Path) -> tuple[Path, dict]:
    """Resets the emulator and creates what the config expects to exist.
    Returns (the config to generate from, what was made for the checks)."""
    fixture = FIXTURE_DIR / f"{name}.json"
    config_path, _ = prepare_account(server, fixture, workdir)
    config = json.loads(config_path.read_text())
    account, region = config_account(config)
    acct = Account(server, account, region, workdir / "prepare")
    made: dict = {}
    if name == "lb-certificate":
        ec2 = acct.client("ec2")
        subnets = ec2.describe_subnets(SubnetIds=config["subnets"])["Subnets"]
        vpc = subnets[0]["VpcId"]
        made["vpc"] = vpc
        # An internet-facing load balancer needs one in AWS (moto does not check).
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
        made["certificate"] = import_certificate(acct, "www.example.org")
        made["certificate_domain"] = "www.example.org"
        config["certificate_arn"] = made["certificate"]
        config_path = workdir / fixture.name
        config_path.write_text(json.dumps(config, indent=2))
    if name == "lb-domain":
        # Someone else's certificate for the same name: not this app's to use or delete.
        made["foreign_certificate"] = import_certificate(acct, config["domain_name"])
    return config_path, made


# ------------------------------------------------------------ the runs


def script_var(bundle, name: str) -> str | None:
    """The value of `readonly NAME='value'` in setup.sh (None when absent)."""
    match = re.search(rf"^readonly {name}='([^']*)'$", bundle.text(SETUP_SH), re.M)
    return match.group(1) if match else None


def names(bundle) -> dict:
    keys = (
        "LOAD_BALANCER", "LB_SECURITY_GROUP_NAME", "SECURITY_GROUP_NAME", "CLUSTER", "SERVICE",
        "SCALABLE_RESOURCE_ID", "SCALING_POLICY", "DOMAIN_NAME", "APP_NAME",
    )
    return {k: script_var(bundle, k) for k in keys}


def run_scenario(name: str, server: MotoServer, root: Path, keyless_bin: Path) -> dict:
    workdir = root / f"work-{name}"
    workdir.mkdir()
    config_path, made = prepare(name, server, workdir)
    bundle = generate(keyless_bin, config_path, root / f"bundle-{name}")
    bundle.name = name
    bundles = {}
    if name == "lb-http":
        # The same app with a public IP (the default ingress), set up first.
        public = {k: v for k, v in json.loads(config_path.read_text()).items() if k not in ("ingress", "health_check_path")}
        public_path = workdir / "lb-http-public-ip.json"
        public_path.write_text(json.dumps(public, indent=2))
        bundles["setup-public-ip"] = generate(keyless_bin, public_path, root / "bundle-lb-http-public-ip")
    config = bundle.config
    account, region = config_account(config)
    acct = Account(server, account, region, workdir)
    result = {
        "bundle": bundle,
        "made": made,
        "account": account,
        "region": region,
        "decoy_region": acct.decoy_region,
        "baseline": inventory(acct),
        "decoy_baseline": inventory(acct, acct.decoy_region),
        "runs": {},
    }
    for phase, script, args in PHASES[name]:
        if name == "lb-domain" and phase == "setup":
            # moto issues the certificate ACM_WAIT seconds after its request.
            certificates = result["runs"]["setup-pending"]["front_door"]["certificates"]
            created = max(c["created"].timestamp() for c in certificates.values() if c["type"] == "AMAZON_ISSUED")
            time.sleep(max(0.0, created + ACM_WAIT + 1 - time.time()))
        if name == "lb-domain" and phase == "setup-again":
            # From now on the domain's zone is in this account's Route 53: setup
            # prints the alias record (and still changes nothing).
            zone = acct.client("route53").create_hosted_zone(
                Name="example.com", CallerReference=f"keyless-{time.time()}"
            )["HostedZone"]["Id"]
            result["hosted_zone"] = zone.rsplit("/", 1)[-1]
        call_log = workdir / f"{phase}.jsonl"
        started = time.monotonic()
        try:
            b = bundles.get(phase, bundle)
            proc, calls = acct.run_script(b.path(script), args, cwd=b.root, call_log=call_log, timeout=RUN_TIMEOUT)
            run = {"returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "calls": calls}
        except subprocess.TimeoutExpired as e:
            run = {"returncode": "timeout", "stdout": str(e.stdout), "stderr": str(e.stderr), "calls": read_calls(call_log)}
        run["seconds"] = round(time.monotonic() - started, 1)
        run["command"] = " ".join(["bash", script, *args])
        if script == SETUP_SH:
            run["state"] = snapshot(acct)
            run["front_door"] = front_door_snapshot(acct)
            run["inventory"] = run["state"]["inventory"]
            run["decoy_inventory"] = inventory(acct, acct.decoy_region)
        else:
            run["inventory"] = inventory(acct)
        result["runs"][phase] = run
        if run["returncode"] != 0:
            break
    return result


@pytest.fixture(scope="module")
def front_door_runs(request, keyless_bin, tmp_path_factory):
    """Every scenario, WORKERS at a time, each on a moto server of its own while
    it runs; the servers are stopped whatever happens."""
    root = tmp_path_factory.mktemp("front-door")
    idle: Queue = Queue()
    servers = []
    results: dict = {}
    started = time.monotonic()

    def work(name):
        server = idle.get()
        try:
            results[name] = run_scenario(name, server, root, keyless_bin)
        except BaseException:  # noqa: BLE001 - reported by every test of the scenario
            results[name] = {"error": traceback.format_exc()}
        finally:
            idle.put(server)

    try:
        for i in range(max(1, min(WORKERS, len(SELECTED)))):
            server = MotoServer(root / f"moto-{i}.log", env={"MOTO_ACM_VALIDATION_WAIT": str(ACM_WAIT)})
            servers.append(server)
            server.start()
            idle.put(server)
        with ThreadPoolExecutor(len(servers)) as pool:
            for f in [pool.submit(work, name) for name in SELECTED]:
                f.result()
    finally:
        for server in servers:
            server.stop()
    total = round(time.monotonic() - started, 1)
    lines = table(results, total, len(servers))
    (root / "front_door_runs.md").write_text("\n".join(lines) + "\n")
    request.config.stash.setdefault(RUN_TABLES, []).append(
        (f"front door runs (written to {root / 'front_door_runs.md'})", lines)
    )
    return results


def table(results: dict, total: float, workers: int) -> list[str]:
    lines = [
        f"Front door scenarios, AWS CLI v1 against moto, {workers} at a time: {total} s in all",
        "",
        "| scenario | phase | exit | seconds | AWS CLI calls |",
        "|---|---|---|---:|---:|",
    ]
    calls_total = 0
    for name in SELECTED:
        result = results.get(name, {"error": "not run"})
        if "error" in result:
            lines.append(f"| {name} | (crashed) | | | |")
            continue
        for phase, r in result["runs"].items():
            calls_total += len(r["calls"])
            lines.append(f"| {name} | {phase} | {r['returncode']} | {r['seconds']} | {len(r['calls'])} |")
    lines.append(f"| all | | | {total} (wall) | {calls_total} |")
    return lines


def scenario(front_door_runs, name: str) -> dict:
    if name not in SELECTED:
        pytest.skip(f"{name} is not in KEYLESS_FRONT_DOOR_SCENARIOS")
    result = front_door_runs[name]
    if "error" in result:
        pytest.fail(f"the {name} scenario crashed:\n{result['error']}")
    return result


def run_of(result: dict, phase: str) -> dict:
    """A run that must have happened and succeeded (as every earlier one)."""
    for earlier, r in result["runs"].items():
        if r["returncode"] != 0:
            pytest.fail(
                f"{earlier}: `{r['command']}` exited {r['returncode']}:\n"
                f"--- stdout (end)\n{r['stdout'][-2500:]}\n--- stderr (end)\n{r['stderr'][-2500:]}"
            )
        if earlier == phase:
            return r
    pytest.fail(f"{phase} did not run")


def calls_of(run: dict, operation: str) -> list[dict]:
    return [c for c in run["calls"] if c["operation"] == operation]


# ------------------------------------------------------------ every scenario


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_run_succeeds(front_door_runs, name):
    result = scenario(front_door_runs, name)
    assert [p for p, *_ in PHASES[name]] == list(result["runs"]), "a run failed: see the other tests"
    run_of(result, PHASES[name][-1][0])


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_request_is_valid_for_the_aws_model(front_door_runs, name):
    problems = []
    for phase, r in scenario(front_door_runs, name)["runs"].items():
        for call in r["calls"]:
            for p in validate_request(call["service"], call["operation"], call["params"]):
                problems.append(f"{phase}: {call['service']}.{call['operation']}: {p}")
    assert problems == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_change_is_attempted_and_ignored(front_door_runs, name):
    """As in test_aws_emulator: only lookups, and in teardown deletes of what is
    already gone, may fail."""
    problems = []
    for phase, r in scenario(front_door_runs, name)["runs"].items():
        for call in r["calls"]:
            if not call["error"] or not is_mutating(call["operation"]):
                continue
            gone = any(s in call["error"] for s in ("NotFound", "NoSuchEntity", "NotExist"))
            if phase.startswith("teardown") and gone and call["operation"].startswith(("Delete", "Deregister", "Detach")):
                continue
            problems.append(f"{phase}: {call['operation']} failed with {call['error']} and the script went on")
    assert problems == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_nothing_lands_in_the_cli_default_region(front_door_runs, name):
    result = scenario(front_door_runs, name)
    for phase, r in result["runs"].items():
        if "decoy_inventory" not in r:
            continue
        stray = {
            k: v for k, v in r["decoy_inventory"].items()
            if k not in ("roles", "local_policies", "oidc_providers") and v != result["decoy_baseline"][k]
        }
        assert stray == {}, f"after {phase}, in {result['decoy_region']} (not {result['region']})"


@pytest.mark.parametrize("name", SCENARIOS)
def test_setup_again_sends_only_reapplies_and_changes_nothing(front_door_runs, name):
    """As test_aws_emulator.test_setup_again_succeeds_and_changes_nothing decides,
    with the front door's state too; RegisterScalableTarget and the Modify calls
    are re-applies (they update what exists), so the rule is the list REAPPLIES."""
    result = scenario(front_door_runs, name)
    first, again = run_of(result, "setup"), run_of(result, "setup-again")
    assert again["state"] == first["state"], "the second setup.sh changed the account"
    assert again["front_door"] == first["front_door"], "the second setup.sh changed the load balancer or autoscaling"
    changes = sorted({c["operation"] for c in again["calls"] if is_mutating(c["operation"])} - REAPPLIES)
    assert changes == [], "a second setup.sh sent changes beyond re-applying the config"
    assert calls_of(again, "UpdateService") == [], "a second setup.sh must not touch the service"


@pytest.mark.parametrize("name", SCENARIOS)
def test_teardown_removes_everything_and_again_nothing(front_door_runs, name):
    result = scenario(front_door_runs, name)
    after = run_of(result, "teardown")["inventory"]
    expected = dict(result["baseline"])
    # The account-wide OIDC provider stays (other roles may trust it).
    expected["oidc_providers"] = [f"arn:aws:iam::{result['account']}:oidc-provider/{OIDC_HOST}"]
    assert after == expected, "teardown.sh left something behind, or deleted what setup did not create"
    assert run_of(result, "teardown-again")["inventory"] == after, "the second teardown.sh changed the account"


# ------------------------------------------------------------ the load balancer


def rules(group: dict) -> set[tuple]:
    """Every inbound rule of a group as (protocol, from, to, source)."""
    out = set()
    for p in group["ingress"]:
        key = (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
        out |= {key + (r["CidrIp"],) for r in p.get("IpRanges", [])}
        out |= {key + (r["CidrIpv6"],) for r in p.get("Ipv6Ranges", [])}
        out |= {key + (r["GroupId"],) for r in p.get("UserIdGroupPairs", [])}
        out |= {key + (r["PrefixListId"],) for r in p.get("PrefixListIds", [])}
    return out


def group_named(state: dict, name: str) -> tuple[str, dict]:
    found = [(gid, g) for gid, g in state["security_groups"].items() if g["name"] == name]
    assert len(found) == 1, f"{len(found)} security groups named {name}"
    return found[0]


def load_balancer_problems(result: dict, run: dict) -> list[str]:
    """What is wrong with the front door after a complete setup (domain.md §8)."""
    bundle = result["bundle"]
    config, n = bundle.config, names(bundle)
    state, fd = run["state"], run["front_door"]
    app_tags = {**OWNER_TAGS, "keyless-app": n["APP_NAME"]}
    port = config["container_port"]
    https = bool(config.get("domain_name") or config.get("certificate_arn"))
    problems = []

    def check(ok, message):
        if not ok:
            problems.append(message)

    lb = fd["load_balancers"].get(n["LOAD_BALANCER"])
    tg = fd["target_groups"].get(n["LOAD_BALANCER"])
    if lb is None or tg is None:
        return [f"no load balancer or target group named {n['LOAD_BALANCER']}: {sorted(fd['load_balancers'])}"]
    check(lb["type"] == "application" and lb["scheme"] == "internet-facing", f"load balancer {lb['type']} {lb['scheme']}")

    # Listeners: 443 forwards with the TLS policy and certificate, 80 redirects (or forwards).
    forward = [{"type": "forward", "target_groups": [tg["arn"]]}]
    listeners = lb["listeners"]
    check(sorted(listeners) == ([80, 443] if https else [80]), f"listeners on ports {sorted(listeners)}")
    if https and 443 in listeners:
        l443 = listeners[443]
        certificate = config.get("certificate_arn") or next(
            (a for a, c in fd["certificates"].items() if c["tags"] == app_tags), None
        )
        check(l443["protocol"] == "HTTPS", f"443 is {l443['protocol']}")
        check(l443["ssl_policy"] == SSL_POLICY, f"443's TLS policy is {l443['ssl_policy']}, not {SSL_POLICY}")
        check(l443["certificates"] == [certificate], f"443's certificates {l443['certificates']}, expected [{certificate}]")
        check(l443["actions"] == forward, f"443's action {l443['actions']}")
    if 80 in listeners:
        l80 = listeners[80]
        check(l80["protocol"] == "HTTP", f"80 is {l80['protocol']}")
        if https:
            redirect = [{"type": "redirect", "redirect": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
            check(l80["actions"] == redirect, f"80's action {l80['actions']}, expected a 301 to HTTPS:443")
        else:
            check(l80["actions"] == forward, f"80's action {l80['actions']}, expected a forward to the target group")

    # The target group: ip targets (awsvpc), the app's port and health check path.
    check(tg["target_type"] == "ip", f"target type {tg['target_type']}")
    check((tg["protocol"], tg["port"]) == ("HTTP", port), f"target group {tg['protocol']}:{tg['port']}")
    check(tg["health_check"]["HealthCheckPath"] == config["health_check_path"],
          f"health check path {tg['health_check']['HealthCheckPath']}, config {config['health_check_path']}")
    check(tg["vpc"] == lb["vpc"], "target group and load balancer in different VPCs")
    check(tg["deregistration_delay"] == "30", f"deregistration delay {tg['deregistration_delay']}")

    # The service: behind the target group, with the task definition's container.
    container = bundle.json(TASK_DEFINITION)["containerDefinitions"][0]["name"]
    service = fd["services"].get(f"{n['CLUSTER']}/{n['SERVICE']}")
    if service is None:
        return problems + ["no service"]
    wanted = [{"targetGroupArn": tg["arn"], "containerName": container, "containerPort": port}]
    check(service["load_balancers"] == wanted, f"the service's loadBalancers {service['load_balancers']}, expected {wanted}")

    # Security groups: the load balancer's open to anyone on its ports only; the
    # service's only on the container port, only from the load balancer's group.
    lb_sg_id, lb_sg = group_named(state, n["LB_SECURITY_GROUP_NAME"])
    sg_id, sg = group_named(state, n["SECURITY_GROUP_NAME"])
    ports = (80, 443) if https else (80,)
    expected = {("tcp", p, p, source) for p in ports for source in ("0.0.0.0/0", "::/0")}
    check(rules(lb_sg) == expected, f"the load balancer's group: {sorted(rules(lb_sg))}, expected {sorted(expected)}")
    check(rules(sg) == {("tcp", port, port, lb_sg_id)},
          f"the service's group: {sorted(rules(sg))}, expected only tcp/{port} from {lb_sg_id}")
    check(lb["security_groups"] == [lb_sg_id], f"the load balancer's groups {lb['security_groups']}")
    vpc_config = state["clusters"][n["CLUSTER"]]["services"][n["SERVICE"]]["network"]["awsvpcConfiguration"]
    check(vpc_config["securityGroups"] == [sg_id], f"the service's groups {vpc_config['securityGroups']}")

    # Zones: two, different; the default VPC's (or the config's subnets).
    zones = [z for z, _ in lb["zones"]]
    check(len(zones) == 2 and len(set(zones)) == 2, f"the load balancer's zones {lb['zones']}")
    subnets = {s for _, s in lb["zones"]}
    if config["subnets"]:
        check(subnets == set(config["subnets"]), f"load balancer subnets {sorted(subnets)}, config {config['subnets']}")
        check(lb["vpc"] == result["made"]["vpc"], f"load balancer in {lb['vpc']}")
    else:
        check(lb["vpc"] == state["default_vpc"], f"load balancer in {lb['vpc']}, not the default VPC")
        check(subnets <= set(state["default_subnets"]), f"load balancer subnets {sorted(subnets)} not the default ones")
    # A load balancer sends only to targets in its own zones: a task elsewhere
    # would never be healthy (Target.NotInUse), so the service runs there only.
    task_zones = {fd["subnet_zones"].get(s) for s in service["subnets"]}
    check(task_zones <= set(zones), f"the service's subnets are in {sorted(task_zones)}, the load balancer only in {zones}")

    # Ownership tags on everything created.
    tagged = {
        f"load balancer {lb['arn']}": fd["elb_tags"].get(lb["arn"]),
        f"target group {tg['arn']}": fd["elb_tags"].get(tg["arn"]),
        f"security group {lb_sg_id}": lb_sg["tags"],
        f"security group {sg_id}": sg["tags"],
        **{f"listener {p}": fd["elb_tags"].get(l["arn"]) for p, l in listeners.items()},
    }
    if config.get("domain_name"):
        tagged |= {f"certificate {a}": c["tags"] for a, c in fd["certificates"].items() if c["domain"] == config["domain_name"] and c["type"] == "AMAZON_ISSUED"}
    for what, tags in tagged.items():
        check((tags or {}).items() >= app_tags.items(), f"{what} is tagged {tags}, expected {app_tags}")
    return problems


LB_SETUPS = [(name, phase) for name in LB_SCENARIOS for phase in COMPLETE_SETUPS]


@pytest.mark.parametrize(("name", "phase"), LB_SETUPS, ids=[f"{n}-{p}" for n, p in LB_SETUPS])
def test_load_balancer_after_setup(front_door_runs, name, phase):
    result = scenario(front_door_runs, name)
    assert load_balancer_problems(result, run_of(result, phase)) == []


@pytest.mark.parametrize("name", ("lb-domain", "lb-certificate"))
def test_service_created_behind_the_load_balancer_once(front_door_runs, name):
    """The service comes after its listeners (else ECS refuses it: the target
    group has no load balancer), with the grace period."""
    result = scenario(front_door_runs, name)
    run = run_of(result, "setup")
    operations = [c["operation"] for c in run["calls"]]
    created = calls_of(run, "CreateService")
    assert len(created) == 1, f"{len(created)} CreateService calls"
    assert operations.index("CreateService") > max(i for i, o in enumerate(operations) if o == "CreateListener")
    assert created[0]["params"].get("healthCheckGracePeriodSeconds", 0) > 0
    assert calls_of(run, "UpdateService") == []


def test_public_ip_service_is_moved_behind_the_load_balancer(front_door_runs):
    """An app set up with a public IP, then with a load balancer: the service is
    updated in place (load balancer, grace period, and the load balancer's zones),
    after its listener; the public rule of its group goes (the group's rules are
    checked with the rest in test_load_balancer_after_setup)."""
    result = scenario(front_door_runs, "lb-http")
    public = run_of(result, "setup-public-ip")
    (created,) = calls_of(public, "CreateService")
    assert "loadBalancers" not in created["params"]
    run = run_of(result, "setup")
    fd = run["front_door"]
    lb = fd["load_balancers"][names(result["bundle"])["LOAD_BALANCER"]]
    assert calls_of(run, "CreateService") == []
    (update,) = calls_of(run, "UpdateService")
    params = update["params"]
    assert params["loadBalancers"][0]["targetGroupArn"] == fd["target_groups"][names(result["bundle"])["LOAD_BALANCER"]]["arn"]
    assert params.get("healthCheckGracePeriodSeconds", 0) > 0
    subnets = params["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert sorted(subnets) == sorted(s for _, s in lb["zones"]), "the moved service must run in the load balancer's zones"
    operations = [c["operation"] for c in run["calls"]]
    assert operations.index("UpdateService") > operations.index("CreateListener")
    revoked = calls_of(run, "RevokeSecurityGroupIngress")
    assert revoked, "the public rule of the service's group must be revoked"


def lb_dns(run: dict, bundle) -> str:
    return run["front_door"]["load_balancers"][names(bundle)["LOAD_BALANCER"]]["dns"]


def test_http_only_prints_the_load_balancer_url(front_door_runs):
    result = scenario(front_door_runs, "lb-http")
    run = run_of(result, "setup")
    assert f"http://{lb_dns(run, result['bundle'])}" in run["stdout"]
    assert not [c for c in run["calls"] if c["service"] == "acm"], "no certificate without HTTPS"


def test_given_certificate_is_used_and_kept(front_door_runs):
    result = scenario(front_door_runs, "lb-certificate")
    run = run_of(result, "setup")
    made = result["made"]
    dns = lb_dns(run, result["bundle"])
    assert f"https://{made['certificate_domain']}" in run["stdout"]
    assert f"{made['certificate_domain']} CNAME {dns}" in run["stdout"]
    for phase, r in result["runs"].items():
        mutations = [c["operation"] for c in r["calls"] if c["service"] == "acm" and is_mutating(c["operation"])]
        assert mutations == [], f"{phase} changed a certificate setup did not request"
    teardown = run_of(result, "teardown-again")
    assert any(made["certificate"] in c for c in teardown["inventory"]["certificates"])


# ------------------------------------------------------------ the requested certificate


def test_pending_certificate_stops_setup_successfully(front_door_runs):
    """While ACM waits for the DNS record: exit 0, the record as ACM gives it,
    how to go on; everything that does not need the certificate exists, and no
    listener or service yet."""
    result = scenario(front_door_runs, "lb-domain")
    run = run_of(result, "setup-pending")
    bundle, n = result["bundle"], names(result["bundle"])
    fd = run["front_door"]
    ours = {a: c for a, c in fd["certificates"].items() if c["tags"].get("keyless-app") == n["APP_NAME"]}
    assert len(ours) == 1, f"certificates tagged for the app: {ours}"
    (arn, cert), = ours.items()
    assert cert["domain"] == bundle.config["domain_name"] and cert["type"] == "AMAZON_ISSUED"
    assert cert["tags"]["managed-by"] == "keyless"
    assert len(calls_of(run, "RequestCertificate")) == 1
    record = cert["records"][0]
    out = run["stdout"]
    for key in ("Name", "Type", "Value"):
        assert re.search(rf"\b{key.lower()}:\s+{re.escape(record[key])}\s*$", out, re.M), f"the record's {key} is not printed"
    assert "bash infra/setup.sh" in out and "run this script again" in out.lower()
    lb = fd["load_balancers"].get(n["LOAD_BALANCER"])
    assert lb is not None and n["LOAD_BALANCER"] in fd["target_groups"]
    assert lb["listeners"] == {}, "no listener before the certificate is issued"
    assert fd["services"] == {}, "no service before its listener exists"
    assert fd["scalable_targets"] == {}
    assert not [c for c in run["calls"] if c["operation"] in ("CreateListener", "CreateService")]
    if time.time() - cert["created"].timestamp() < ACM_WAIT:  # read before moto issues it
        assert cert["status"] == "PENDING_VALIDATION"
    assert result["made"]["foreign_certificate"] not in ours


def test_issued_certificate_continues_to_listeners_service_and_url(front_door_runs):
    result = scenario(front_door_runs, "lb-domain")
    run = run_of(result, "setup")
    bundle, n = result["bundle"], names(result["bundle"])
    domain = bundle.config["domain_name"]
    assert calls_of(run, "RequestCertificate") == [], "the next run must reuse the requested certificate"
    assert len(calls_of(run, "CreateListener")) == 2 and len(calls_of(run, "CreateService")) == 1
    for call in calls_of(run, "CreateListener"):
        assert result["made"]["foreign_certificate"] not in json.dumps(call["params"]), "used a certificate Keyless did not request"
    assert f"https://{domain}" in run["stdout"]
    assert f"{domain} CNAME {lb_dns(run, bundle)}" in run["stdout"]
    (cert,) = [c for c in run["front_door"]["certificates"].values() if c["tags"].get("keyless-app") == n["APP_NAME"]]
    assert cert["status"] == "ISSUED"


def test_route53_zone_gets_the_alias_command(front_door_runs):
    """With the domain's zone in the account, setup prints the alias record's
    command: a valid ChangeResourceRecordSets request aimed at the load balancer."""
    result = scenario(front_door_runs, "lb-domain")
    run = run_of(result, "setup-again")
    lb = run["front_door"]["load_balancers"][names(result["bundle"])["LOAD_BALANCER"]]
    commands = [line.strip() for line in run["stdout"].splitlines() if "change-resource-record-sets" in line]
    assert len(commands) == 1, run["stdout"][-2000:]
    argv = shlex.split(commands[0])
    zone = argv[argv.index("--hosted-zone-id") + 1]
    batch = json.loads(argv[argv.index("--change-batch") + 1])
    assert zone == result["hosted_zone"]
    assert validate_request("route53", "ChangeResourceRecordSets", {"HostedZoneId": zone, "ChangeBatch": batch}) == []
    record = batch["Changes"][0]["ResourceRecordSet"]
    assert record["Name"] == result["bundle"].config["domain_name"] and record["Type"] == "A"
    assert record["AliasTarget"]["DNSName"] == lb["dns"] and record["AliasTarget"]["HostedZoneId"] == lb["hosted_zone"]


def test_teardown_deletes_the_requested_certificate_only(front_door_runs):
    result = scenario(front_door_runs, "lb-domain")
    teardown = run_of(result, "teardown")
    deleted = [c["params"]["CertificateArn"] for c in calls_of(teardown, "DeleteCertificate")]
    pending = run_of(result, "setup-pending")["front_door"]["certificates"]
    requested = [a for a, c in pending.items() if c["type"] == "AMAZON_ISSUED"]
    assert deleted == requested
    assert [c for c in teardown["inventory"]["certificates"] if result["made"]["foreign_certificate"] in c]


# ------------------------------------------------------------ autoscaling


SCALING_SETUPS = [(name, phase) for name in SCALING_SCENARIOS for phase in COMPLETE_SETUPS]


@pytest.mark.parametrize(("name", "phase"), SCALING_SETUPS, ids=[f"{n}-{p}" for n, p in SCALING_SETUPS])
def test_autoscaling_after_setup(front_door_runs, name, phase):
    result = scenario(front_door_runs, name)
    fd = run_of(result, phase)["front_door"]
    config, n = result["bundle"].config, names(result["bundle"])
    resource = f"service/{n['CLUSTER']}/{n['SERVICE']}"
    assert n["SCALABLE_RESOURCE_ID"] == resource
    assert fd["scalable_targets"] == {
        resource: {"dimension": "ecs:service:DesiredCount", "min": config["min_count"], "max": config["max_count"]}
    }
    (key, policy), = fd["scaling_policies"].items()
    assert key == f"{resource} {n['SCALING_POLICY']}"
    assert policy["dimension"] == "ecs:service:DesiredCount" and policy["type"] == "TargetTrackingScaling"
    tracking = policy["configuration"]
    assert tracking["TargetValue"] == config["cpu_target_percent"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"


@pytest.mark.parametrize("name", SCALING_SCENARIOS)
def test_autoscaling_goes_with_teardown(front_door_runs, name):
    result = scenario(front_door_runs, name)
    teardown = run_of(result, "teardown")
    assert teardown["inventory"]["scalable_targets"] == [] and teardown["inventory"]["scaling_policies"] == []
    # moto keeps the policy of a deregistered target (AWS deletes it with the
    # target): check the target it belonged to was deregistered.
    n = names(result["bundle"])
    sent = [(c["params"]["ResourceId"], c["params"]["ScalableDimension"]) for c in calls_of(teardown, "DeregisterScalableTarget")]
    assert sent == [(n["SCALABLE_RESOURCE_ID"], "ecs:service:DesiredCount")]
    operations = [c["operation"] for c in teardown["calls"]]
    assert operations.index("DeregisterScalableTarget") < operations.index("DeleteService")
