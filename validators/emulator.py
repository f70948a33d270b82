"""A local AWS (moto_server on 127.0.0.1) for running the generated infra/setup.sh
and infra/teardown.sh with the real AWS CLI, and reading back what they did.

Accounts: one server plays every fixture's AWS account. The AWS CLI plugin in
awscli_plugin/ (and the boto3 clients below) send moto's `x-moto-account-id`
header, so resources land in the account the config names and the ARNs the
scripts build match. MOTO_ACCOUNT_ID is deliberately not set: it would override
that header and force one account on all configs. The server is also reset
(POST /moto-api/reset) before each config.

What moto 5.2.5 does not keep, and how the tests cover it instead:
* ECS CreateService/UpdateService ignore `deploymentConfiguration` (circuit
  breaker) and `capacityProviderStrategy` (Fargate Spot): describe-services
  returns neither, and reports launchType EC2 for a capacity-provider service.
  The tests read both from the requests the CLI sent (recorded by the plugin),
  which the AWS service model validates.
* moto accepts invalid Fargate sizes, services without network configuration,
  subnets and security groups that do not exist, and any trust policy; the
  static checks (test_task_definition.py, test_policies.py) cover those.
* IAM: moto does not enforce policy size quotas or the policy grammar
  (checks_policies.policy_size_limits and parliament do).
* services never run tasks, so stability and the container itself are not tested.
* the load balancer, ACM and autoscaling gaps (no DNS, no state transitions,
  certificates deletable in use, scaling policies kept after their target):
  see validators/README.md and test_front_door.py.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import threading
import time
import traceback
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

from support import VALIDATORS, VENV_BIN, run, tool

PLUGIN_DIR = VALIDATORS / "awscli_plugin"
# A region no fixture should use: the CLI's default region while the scripts run,
# so a call that forgets --region lands here and is noticed.
DECOY_REGIONS = ("sa-east-1", "ca-central-1")

MUTATING_PREFIXES = (
    "Create", "Put", "Register", "Update", "Attach", "Detach", "Delete",
    "Deregister", "Authorize", "Revoke", "Tag", "Untag", "Set", "Run", "Start", "Stop",
    # elbv2 (ModifyListener, AddTags, RemoveTags...) and ACM (RequestCertificate, ImportCertificate).
    "Modify", "Add", "Remove", "Request", "Import",
)


def is_mutating(operation: str) -> bool:
    return operation.startswith(MUTATING_PREFIXES)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """moto_server on 127.0.0.1 at a free port; stop() always ends it."""

    def __init__(self, log_path: Path, env: dict[str, str] | None = None):
        """`env`: extra environment of the server process, such as
        MOTO_ACM_VALIDATION_WAIT (seconds until moto issues a requested
        certificate; 60 by default)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        # Without it, attaching AmazonECSTaskExecutionRolePolicy fails (NoSuchEntity).
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        env.update(self.extra_env)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [tool("moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto_server did not answer within {timeout}s: {self.log()}")

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200, resp.status

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        self._log.close()


class Account:
    """One AWS account in the emulator: CLI environment and boto3 clients."""

    def __init__(self, server: MotoServer, account_id: str, region: str, workdir: Path):
        self.server = server
        self.account_id = account_id
        self.region = region
        self.decoy_region = next(r for r in DECOY_REGIONS if r != region)
        self.workdir = workdir
        self._clients: dict = {}
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_file = workdir / "aws-config"
        self.config_file.write_text(
            "[plugins]\nkeyless_aws_recorder = keyless_aws_recorder\n"
        )

    def env(self, call_log: Path) -> dict:
        """The environment a user's shell would have, pointed at the emulator."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "PYTHON"))}
        env.update(
            PATH=f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}",
            AWS_ENDPOINT_URL=self.server.url,
            AWS_ACCESS_KEY_ID="AKIAKEYLESSTEST00000",
            AWS_SECRET_ACCESS_KEY="keyless-test-secret",
            # Deliberately not the config's region: the scripts must pass --region.
            AWS_DEFAULT_REGION=self.decoy_region,
            AWS_REGION=self.decoy_region,
            AWS_CONFIG_FILE=str(self.config_file),
            AWS_SHARED_CREDENTIALS_FILE=str(self.workdir / "no-credentials"),
            AWS_EC2_METADATA_DISABLED="true",
            AWS_PAGER="",
            PYTHONPATH=str(PLUGIN_DIR),
            KEYLESS_AWS_CALL_LOG=str(call_log),
            KEYLESS_MOTO_ACCOUNT_ID=self.account_id,
        )
        return env

    def run_script(self, script: Path, args=(), *, cwd: Path, call_log: Path, timeout: int = 240):
        """bash SCRIPT ARGS, with no terminal on stdin (as in CI)."""
        call_log.unlink(missing_ok=True)
        rel = os.path.relpath(script, cwd)
        result = run(["bash", rel, *args], cwd=cwd, env=self.env(call_log), timeout=timeout, input="")
        return result, read_calls(call_log)

    def client(self, service: str, region: str | None = None):
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self._make_client(service, region)
        return self._clients[key]

    def _make_client(self, service: str, region: str | None = None):
        client = boto3.session.Session(
            aws_access_key_id="AKIAKEYLESSTEST00000",
            aws_secret_access_key="keyless-test-secret",
            region_name=region or self.region,
        ).client(
            service,
            endpoint_url=self.server.url,
            config=Config(retries={"max_attempts": 2}),
        )
        account = self.account_id

        def add_header(request, **_):
            request.headers["x-moto-account-id"] = account

        client.meta.events.register("before-sign", add_header)
        return client


def read_calls(path: Path) -> list[dict]:
    """The API calls the CLI made: requests paired with the answer's error code."""
    if not path.exists():
        return []
    calls, pending = [], []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry["event"] == "request":
            entry["error"] = None
            entry["answered"] = False
            calls.append(entry)
            pending.append(entry)
        else:
            for call in reversed(pending):
                if call["operation"] == entry["operation"] and not call["answered"]:
                    call["answered"] = True
                    call["error"] = entry.get("error")
                    call["status"] = entry.get("status")
                    break
    return calls


# ---------------------------------------------------------------- state readers


def _paginate(client, method, key, **kwargs):
    out = []
    for page in client.get_paginator(method).paginate(**kwargs):
        out.extend(page.get(key, []))
    return out


def inventory(acct: Account, region: str | None = None) -> dict:
    """Names of everything that exists (and costs or matters) in one account/region."""
    region = region or acct.region
    iam, ecr, logs, ecs, ec2 = (acct.client(s, region) for s in ("iam", "ecr", "logs", "ecs", "ec2"))
    cluster_arns = ecs.list_clusters()["clusterArns"]
    clusters = ecs.describe_clusters(clusters=cluster_arns)["clusters"] if cluster_arns else []
    services = []
    for c in clusters:
        if c["status"] != "ACTIVE":
            continue
        arns = ecs.list_services(cluster=c["clusterArn"])["serviceArns"]
        if arns:
            services += [
                s["serviceName"]
                for s in ecs.describe_services(cluster=c["clusterArn"], services=arns)["services"]
                if s["status"] == "ACTIVE"
            ]
    return {
        "roles": sorted(r["RoleName"] for r in _paginate(iam, "list_roles", "Roles")),
        "local_policies": sorted(p["PolicyName"] for p in _paginate(iam, "list_policies", "Policies", Scope="Local")),
        "oidc_providers": sorted(p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]),
        "ecr_repositories": sorted(r["repositoryName"] for r in ecr.describe_repositories()["repositories"]),
        "log_groups": sorted(g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]),
        "active_clusters": sorted(c["clusterName"] for c in clusters if c["status"] == "ACTIVE"),
        "active_services": sorted(services),
        "active_task_definitions": sorted(ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]),
        "security_groups": sorted(
            f"{g['GroupName']} ({g['VpcId']})"
            for g in ec2.describe_security_groups()["SecurityGroups"]
            if g["GroupName"] != "default"
        ),
        **front_door_inventory(acct, region),
    }


def front_door_inventory(acct: Account, region: str | None = None) -> dict:
    """The load balancers, target groups, certificates and ECS autoscaling of one
    account/region, by name (empty for a config without them).

    moto 5.2.5 keeps a scaling policy after DeregisterScalableTarget; AWS deletes
    a target's policies with it (there is no other way to reach them), so only
    the policies of a registered target are listed."""
    region = region or acct.region
    elb, acm, scaling = (acct.client(s, region) for s in ("elbv2", "acm", "application-autoscaling"))
    targets = _paginate(scaling, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="ecs")
    registered = {(t["ResourceId"], t["ScalableDimension"]) for t in targets}
    return {
        "load_balancers": sorted(lb["LoadBalancerName"] for lb in _paginate(elb, "describe_load_balancers", "LoadBalancers")),
        "target_groups": sorted(tg["TargetGroupName"] for tg in _paginate(elb, "describe_target_groups", "TargetGroups")),
        "certificates": sorted(
            f"{c['DomainName']} ({c['CertificateArn']})"
            for c in _paginate(acm, "list_certificates", "CertificateSummaryList")
        ),
        "scalable_targets": sorted(f"{t['ResourceId']} {t['ScalableDimension']}" for t in targets),
        "scaling_policies": sorted(
            f"{p['ResourceId']} {p['PolicyName']}"
            for p in _paginate(scaling, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="ecs")
            if (p["ResourceId"], p["ScalableDimension"]) in registered
        ),
    }


def _strip(d: dict, *keys) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


def snapshot(acct: Account) -> dict:
    """Everything setup.sh can create, in detail, for the idempotency comparison
    and the assertions on what exists."""
    iam, ecr, logs, ecs, ec2 = (acct.client(s) for s in ("iam", "ecr", "logs", "ecs", "ec2"))
    snap: dict = {"inventory": inventory(acct)}

    roles = {}
    for r in _paginate(iam, "list_roles", "Roles"):
        name = r["RoleName"]
        inline = {
            p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
            for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
        }
        attached = sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])
        roles[name] = {
            "arn": r["Arn"],
            "trust": r["AssumeRolePolicyDocument"],
            "inline": inline,
            "attached": attached,
            "max_session": r.get("MaxSessionDuration"),
        }
    snap["roles"] = roles

    providers = {}
    for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        d = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=p["Arn"])
        providers[p["Arn"]] = {"url": d["Url"], "clients": d["ClientIDList"], "thumbprints": d.get("ThumbprintList", [])}
    snap["oidc_providers"] = providers

    repos = {}
    for r in ecr.describe_repositories()["repositories"]:
        try:
            lifecycle = json.loads(ecr.get_lifecycle_policy(repositoryName=r["repositoryName"])["lifecyclePolicyText"])
        except ecr.exceptions.LifecyclePolicyNotFoundException:
            lifecycle = None
        repos[r["repositoryName"]] = {
            "uri": r["repositoryUri"],
            "mutability": r.get("imageTagMutability"),
            "scan_on_push": r.get("imageScanningConfiguration", {}).get("scanOnPush"),
            "encryption": r.get("encryptionConfiguration"),
            "lifecycle": lifecycle,
        }
    snap["ecr"] = repos

    snap["log_groups"] = {
        g["logGroupName"]: {"retention": g.get("retentionInDays"), "kms": g.get("kmsKeyId")}
        for g in logs.describe_log_groups()["logGroups"]
    }

    clusters = {}
    arns = ecs.list_clusters()["clusterArns"]
    for c in ecs.describe_clusters(clusters=arns)["clusters"] if arns else []:
        services = {}
        sarns = ecs.list_services(cluster=c["clusterArn"])["serviceArns"]
        for s in ecs.describe_services(cluster=c["clusterArn"], services=sarns)["services"] if sarns else []:
            services[s["serviceName"]] = {
                "status": s["status"],
                "desired": s["desiredCount"],
                "task_definition": s.get("taskDefinition"),
                "launch_type": s.get("launchType"),
                "capacity_providers": s.get("capacityProviderStrategy"),
                "network": s.get("networkConfiguration"),
                "deployment_configuration": s.get("deploymentConfiguration"),
                "platform_version": s.get("platformVersion"),
                "deployments": len(s.get("deployments", [])),
            }
        clusters[c["clusterName"]] = {
            "status": c["status"],
            "capacity_providers": sorted(c.get("capacityProviders") or []),
            "default_strategy": c.get("defaultCapacityProviderStrategy") or [],
            "services": services,
        }
    snap["clusters"] = clusters

    families = {}
    for status in ("ACTIVE", "INACTIVE"):
        for arn in ecs.list_task_definitions(status=status)["taskDefinitionArns"]:
            family, revision = arn.rsplit("/", 1)[1].rsplit(":", 1)
            families.setdefault(family, {})[int(revision)] = status
    latest = {}
    for family, revisions in families.items():
        described = ecs.describe_task_definition(taskDefinition=f"{family}:{max(revisions)}", include=["TAGS"])
        td = _strip(described["taskDefinition"], "registeredAt", "registeredBy", "deregisteredAt")
        if described.get("tags"):
            td["tags"] = described["tags"]
        latest[family] = td
    snap["task_definition_revisions"] = families
    snap["task_definitions"] = latest

    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    default_vpc = vpcs[0]["VpcId"] if vpcs else None
    snap["default_vpc"] = default_vpc
    snap["default_subnets"] = sorted(
        s["SubnetId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        if s["VpcId"] == default_vpc
    )
    snap["security_groups"] = {
        g["GroupId"]: {
            "name": g["GroupName"],
            "vpc": g["VpcId"],
            "description": g.get("Description"),
            "ingress": g.get("IpPermissions", []),
            "tags": _tags(g.get("Tags")),
        }
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    }
    snap["tags"] = _ownership_tags(acct, snap)
    return snap


def _tags(tags) -> dict:
    """{key: value} from any of AWS's tag shapes (Key/Value, key/value, a map)."""
    if isinstance(tags, dict):
        return dict(tags)
    return {t.get("Key", t.get("key")): t.get("Value", t.get("value")) for t in tags or []}


def _ownership_tags(acct: Account, snap: dict) -> dict:
    """The tags of everything setup.sh can create or adopt, and what is in the
    repositories and log groups (images, log streams): what ownership is decided
    on, and what a wrong deletion or takeover would lose."""
    iam, ecr, logs, ecs = (acct.client(s) for s in ("iam", "ecr", "logs", "ecs"))
    out: dict = {
        "roles": {n: _tags(iam.list_role_tags(RoleName=n)["Tags"]) for n in snap["roles"]},
        "oidc_providers": {
            a: _tags(iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=a)["Tags"])
            for a in snap["oidc_providers"]
        },
        "ecr": {},
        "log_groups": {},
        "clusters": {},
        "services": {},
        "task_definitions": {},
    }
    for name in snap["ecr"]:
        arn = f"arn:aws:ecr:{acct.region}:{acct.account_id}:repository/{name}"
        images = sorted(
            (i.get("imageDigest"), i.get("imageTag")) for i in ecr.list_images(repositoryName=name)["imageIds"]
        )
        out["ecr"][name] = {"tags": _tags(ecr.list_tags_for_resource(resourceArn=arn)["tags"]), "images": images}
    for name in snap["log_groups"]:
        streams = sorted(s["logStreamName"] for s in logs.describe_log_streams(logGroupName=name)["logStreams"])
        out["log_groups"][name] = {"tags": _tags(logs.list_tags_log_group(logGroupName=name)["tags"]), "streams": streams}
    arns = ecs.list_clusters()["clusterArns"]
    for c in ecs.describe_clusters(clusters=arns, include=["TAGS"])["clusters"] if arns else []:
        out["clusters"][c["clusterName"]] = _tags(c.get("tags"))
        sarns = ecs.list_services(cluster=c["clusterArn"])["serviceArns"]
        for s in ecs.describe_services(cluster=c["clusterArn"], services=sarns, include=["TAGS"])["services"] if sarns else []:
            out["services"][f"{c['clusterName']}/{s['serviceName']}"] = _tags(s.get("tags"))
    for family, revisions in snap["task_definition_revisions"].items():
        for revision in revisions:
            described = ecs.describe_task_definition(taskDefinition=f"{family}:{revision}", include=["TAGS"])
            out["task_definitions"][f"{family}:{revision}"] = _tags(described.get("tags"))
    return out


def _action(action: dict) -> dict:
    """A listener's default action, without the shapes moto and AWS add."""
    out = {"type": action["Type"]}
    groups = [t["TargetGroupArn"] for t in (action.get("ForwardConfig") or {}).get("TargetGroups", [])]
    if action.get("TargetGroupArn"):
        groups = [action["TargetGroupArn"]]
    if groups:
        out["target_groups"] = groups
    if action.get("RedirectConfig"):
        out["redirect"] = {k: action["RedirectConfig"].get(k) for k in ("Protocol", "Port", "StatusCode")}
    return out


def front_door_snapshot(acct: Account) -> dict:
    """The load balancers (with listeners and tags), target groups (health check,
    attributes, tags), certificates (status, validation record, tags), the ECS
    services' load balancer settings, ECS autoscaling, and every subnet's
    Availability Zone: what the front door's checks and the idempotency
    comparison read."""
    elb, acm, scaling, ecs, ec2 = (
        acct.client(s) for s in ("elbv2", "acm", "application-autoscaling", "ecs", "ec2")
    )
    snap: dict = {"load_balancers": {}, "target_groups": {}, "certificates": {}, "services": {}}
    arns = []
    for lb in _paginate(elb, "describe_load_balancers", "LoadBalancers"):
        listeners = {}
        for listener in _paginate(elb, "describe_listeners", "Listeners", LoadBalancerArn=lb["LoadBalancerArn"]):
            listeners[listener["Port"]] = {
                "arn": listener["ListenerArn"],
                "protocol": listener["Protocol"],
                "ssl_policy": listener.get("SslPolicy"),
                "certificates": sorted(c["CertificateArn"] for c in listener.get("Certificates") or []),
                "actions": [_action(a) for a in listener.get("DefaultActions") or []],
            }
            arns.append(listener["ListenerArn"])
        snap["load_balancers"][lb["LoadBalancerName"]] = {
            "arn": lb["LoadBalancerArn"],
            "dns": lb["DNSName"],
            "hosted_zone": lb.get("CanonicalHostedZoneId"),
            "type": lb.get("Type"),
            "scheme": lb.get("Scheme"),
            "vpc": lb.get("VpcId"),
            "state": (lb.get("State") or {}).get("Code"),
            "zones": sorted((z["ZoneName"], z["SubnetId"]) for z in lb.get("AvailabilityZones") or []),
            "security_groups": sorted(lb.get("SecurityGroups") or []),
            "listeners": listeners,
        }
        arns.append(lb["LoadBalancerArn"])
    for tg in _paginate(elb, "describe_target_groups", "TargetGroups"):
        attributes = elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]
        snap["target_groups"][tg["TargetGroupName"]] = {
            "arn": tg["TargetGroupArn"],
            "protocol": tg.get("Protocol"),
            "port": tg.get("Port"),
            "vpc": tg.get("VpcId"),
            "target_type": tg.get("TargetType"),
            "health_check": {
                k: tg.get(k)
                for k in (
                    "HealthCheckProtocol", "HealthCheckPath", "HealthCheckIntervalSeconds",
                    "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount",
                )
            },
            "matcher": (tg.get("Matcher") or {}).get("HttpCode"),
            "deregistration_delay": {a["Key"]: a["Value"] for a in attributes}.get("deregistration_delay.timeout_seconds"),
            "load_balancers": sorted(tg.get("LoadBalancerArns") or []),
        }
        arns.append(tg["TargetGroupArn"])
    tags = {}
    for i in range(0, len(arns), 20):
        for d in elb.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]:
            tags[d["ResourceArn"]] = _tags(d.get("Tags"))
    snap["elb_tags"] = tags

    for summary in _paginate(acm, "list_certificates", "CertificateSummaryList"):
        arn = summary["CertificateArn"]
        c = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        snap["certificates"][arn] = {
            "domain": c["DomainName"],
            "status": c["Status"],
            "type": c.get("Type"),
            "created": c.get("CreatedAt") or c.get("ImportedAt"),
            "records": [o.get("ResourceRecord") for o in c.get("DomainValidationOptions") or []],
            "in_use_by": sorted(c.get("InUseBy") or []),
            "tags": _tags(acm.list_tags_for_certificate(CertificateArn=arn).get("Tags")),
        }

    cluster_arns = ecs.list_clusters()["clusterArns"]
    for c in ecs.describe_clusters(clusters=cluster_arns)["clusters"] if cluster_arns else []:
        sarns = ecs.list_services(cluster=c["clusterArn"])["serviceArns"]
        for svc in ecs.describe_services(cluster=c["clusterArn"], services=sarns)["services"] if sarns else []:
            if svc["status"] != "ACTIVE":
                continue
            snap["services"][f"{c['clusterName']}/{svc['serviceName']}"] = {
                "load_balancers": svc.get("loadBalancers") or [],
                "subnets": sorted(
                    ((svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
                ),
            }

    snap["scalable_targets"] = {
        t["ResourceId"]: {
            "dimension": t["ScalableDimension"],
            "min": t["MinCapacity"],
            "max": t["MaxCapacity"],
        }
        for t in _paginate(scaling, "describe_scalable_targets", "ScalableTargets", ServiceNamespace="ecs")
    }
    snap["scaling_policies"] = {
        f"{p['ResourceId']} {p['PolicyName']}": {
            "dimension": p["ScalableDimension"],
            "type": p["PolicyType"],
            "configuration": p.get("TargetTrackingScalingPolicyConfiguration"),
        }
        for p in _paginate(scaling, "describe_scaling_policies", "ScalingPolicies", ServiceNamespace="ecs")
    }
    snap["subnet_zones"] = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe_subnets()["Subnets"]}
    return snap


# ---------------------------------------------------------------- which configs


def _features(path: Path) -> set[str]:
    """The code paths of setup.sh/teardown.sh (and of the resources they create)
    that a config exercises. Read from the raw fixture, so forgiving spellings
    are folded the way the generator reads them."""
    config = json.loads(path.read_text())

    def norm(key):
        value = config.get(key)
        if isinstance(value, str):
            value = value.strip().lower()
        return value if value not in ("", [], {}, None) else None

    features = {
        "network:" + ("explicit-subnets" if norm("subnets") else "default-vpc"),
        "security-groups:" + ("explicit" if norm("security_groups") else "created"),
    }
    flags = {
        "spot": norm("use_spot") is True,
        "no-public-ip": norm("assign_public_ip") is False,
        "arm64": norm("architecture") == "arm64",
        "secrets": bool(norm("secrets")),
        "environment-variables": bool(norm("environment_variables")),
        "github-environment": bool(norm("environment")),
        "immutable-subjects": norm("subject_format") in ("immutable", "both"),
        "health-check": bool(norm("health_check_command")),
        "log-retention": norm("log_retention_days") is not None,
    }
    features |= {name for name, on in flags.items() if on}
    return features


# How much each option changes what setup.sh/teardown.sh do (API calls and code
# paths), for choosing the configs; options that only change a file the scripts
# upload as is (the trust policy's subjects) matter least.
WEIGHTS = {
    "network:explicit-subnets": 3,
    "network:default-vpc": 3,
    "security-groups:explicit": 3,
    "security-groups:created": 3,
    "spot": 3,
    "secrets": 2,
    "no-public-ip": 1,
    "arm64": 1,
    "log-retention": 1,
    "health-check": 0.5,
    "environment-variables": 0.5,
    "github-environment": 0.25,
    "immutable-subjects": 0.25,
}


def _weight(features: set[str]) -> float:
    return sum(WEIGHTS.get(f, 1) for f in features)


def is_front_door(path: Path) -> bool:
    """Whether a config has a load balancer or autoscaling: test_front_door.py
    runs those (each needs its own preparation: an issued certificate, a wait
    for ACM, two subnets in two zones) and checks what they add."""
    config = json.loads(path.read_text())
    ingress = str(config.get("ingress") or "").strip().lower().replace("-", "_")
    return ingress == "load_balancer" or any(
        config.get(k) not in (None, "") for k in ("min_count", "max_count", "cpu_target_percent")
    )


def select_fixtures(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(configs to run through every phase, configs to run through setup.sh only).

    Configs with a load balancer or autoscaling are left to test_front_door.py
    (see is_front_door), unless named in KEYLESS_EMULATOR_FIXTURES.

    By default: the plainest config, then greedily the configs adding the most
    (weighted) uncovered options, up to KEYLESS_EMULATOR_MAX (2) full runs; then,
    while some option is still uncovered, up to KEYLESS_EMULATOR_SETUP_ONLY_MAX (2)
    more configs through the first setup.sh only (a third of the cost).
    Each AWS CLI v1 call costs about half a second of CPU (mostly its imports)
    and a full run makes about 100: these defaults keep the whole suite under
    two minutes on two cores.
    KEYLESS_EMULATOR_FIXTURES=all runs every config fully; a comma-separated list
    of names runs those fully."""
    wanted = os.environ.get("KEYLESS_EMULATOR_FIXTURES", "")
    if wanted and wanted != "all":
        names = {n.strip() for n in wanted.split(",")}
        chosen = [p for p in paths if p.stem in names]
        if len(chosen) != len(names):
            raise ValueError(f"KEYLESS_EMULATOR_FIXTURES names unknown fixtures: {sorted(names - {p.stem for p in chosen})}")
        return chosen, []
    paths = [p for p in paths if not is_front_door(p)]
    if wanted == "all":
        return paths, []
    if not paths:
        return [], []
    features = {p: _features(p) for p in paths}

    def grow(chosen, covered, limit):
        picked = []
        while len(picked) < limit:
            best = max(
                (p for p in paths if p not in chosen and p not in picked),
                key=lambda p: (_weight(features[p] - covered), -len(features[p]), p.name),
                default=None,
            )
            if best is None or not features[best] - covered:
                break
            picked.append(best)
            covered |= features[best]
        return picked

    # Start with the plainest config (the defaults path), then cover the rest.
    full = [min(paths, key=lambda p: (len(features[p]), p.name))]
    covered = set(features[full[0]])
    full += grow(full, covered, int(os.environ.get("KEYLESS_EMULATOR_MAX", "2")) - 1)
    setup_only = grow(full, covered, int(os.environ.get("KEYLESS_EMULATOR_SETUP_ONLY_MAX", "2")))
    return full, setup_only


def uncovered_features(all_paths: list[Path], chosen: list[Path]) -> list[str]:
    every = set().union(*(_features(p) for p in all_paths))
    covered = set().union(*(_features(p) for p in chosen))
    return sorted(every - covered)



# ---------------------------------------------------------------- one scenario

# (phase, script, arguments, from the bundle root?, must succeed?)
PHASES = (
    ("setup", "infra/setup.sh", (), True, True),
    ("setup-again", "infra/setup.sh", (), False, True),
    # No terminal and no --yes: teardown must refuse and delete nothing.
    ("teardown-unconfirmed", "infra/teardown.sh", (), False, False),
    ("teardown", "infra/teardown.sh", ("--yes",), False, True),
    ("teardown-again", "infra/teardown.sh", ("--yes",), False, True),
    # Only for the first config (it costs about ten CLI calls): the opt-in deletion.
    ("teardown-oidc", "infra/teardown.sh", ("--yes", "--delete-oidc-provider"), False, True),
)
PHASE_NAMES = tuple(p[0] for p in PHASES)


def _ids(value) -> list[str]:
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    return list(value or [])


def prepare_account(server: MotoServer, fixture: Path, workdir: Path) -> tuple[Path, dict]:
    """Resets the emulator and creates what a config expects to exist already.

    A config that names its own subnets or security groups expects them in the
    account (setup.sh checks them). moto cannot create a resource with a chosen
    id, so the scratch copy of the config returned here names the ones just
    created in their place: a subnet of a new VPC for each subnet listed, and a
    security group (in that VPC, else in the default VPC) for each group listed.
    Returns (config file to generate from, {original id: emulator id})."""
    server.reset()
    config = json.loads(fixture.read_text())
    subnets, groups = _ids(config.get("subnets")), _ids(config.get("security_groups"))
    if not subnets and not groups:
        return fixture, {}
    account = re.sub(r"\D", "", str(config["account_id"]))
    region = str(config["region"]).strip().lower()
    acct = Account(server, account, region, workdir / "prepare")
    ec2 = acct.client("ec2")
    replaced = {}
    if subnets:
        vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        for i, old in enumerate(subnets):
            new = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.77.{i}.0/24", AvailabilityZone=zones[i % len(zones)])
            replaced[old] = new["Subnet"]["SubnetId"]
    else:
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for i, old in enumerate(groups):
        new = ec2.create_security_group(GroupName=f"existing-{i}", Description="made by the test", VpcId=vpc)
        replaced[old] = new["GroupId"]
    if subnets:
        config["subnets"] = [replaced[s] for s in subnets]
    if groups:
        config["security_groups"] = [replaced[g] for g in groups]
    copy = workdir / fixture.name
    copy.write_text(json.dumps(config, indent=2))
    return copy, replaced


def run_scenario(
    server: MotoServer,
    bundle,
    workdir: Path,
    *,
    delete_oidc_provider: bool = False,
    setup_only: bool = False,
) -> dict:
    """setup.sh twice, then teardown.sh (see PHASES), in the emulator account
    prepare_account() made, recording
    each run's output and API calls and the account's state after it.

    The first setup runs from the bundle root as the README says (`bash
    infra/setup.sh`); the others from an unrelated folder, so a script that
    depends on the working directory fails."""

    config = bundle.config
    acct = Account(server, config["account_id"], config["region"], workdir)
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    result = {
        "name": bundle.name,
        "account": acct.account_id,
        "region": acct.region,
        "decoy_region": acct.decoy_region,
        "baseline": inventory(acct),
        "decoy_baseline": inventory(acct, acct.decoy_region),
        "runs": {},
    }
    for phase, script, args, from_root, must_succeed in PHASES:
        if phase == "teardown-oidc" and not delete_oidc_provider:
            continue
        if setup_only and phase != "setup":
            break
        cwd = bundle.root if from_root else elsewhere
        started = time.monotonic()
        try:
            proc, calls = acct.run_script(bundle.path(script), args, cwd=cwd, call_log=workdir / f"{phase}.jsonl")
            run_info = {
                "returncode": proc.returncode,
                "stdout": proc.stdout,
                "stderr": proc.stderr,
                "calls": calls,
            }
        except subprocess.TimeoutExpired as e:
            run_info = {"returncode": "timeout", "stdout": str(e.stdout), "stderr": str(e.stderr), "calls": read_calls(workdir / f"{phase}.jsonl")}
        run_info["command"] = " ".join(["bash", script, *args])
        run_info["seconds"] = round(time.monotonic() - started, 1)
        run_info["cwd"] = str(cwd)
        if phase.startswith("setup"):
            # In detail after the runs that create; names only after the others
            # (to spare emulator calls: the suite has a time budget).
            run_info["state"] = snapshot(acct)
            run_info["inventory"] = run_info["state"]["inventory"]
            run_info["decoy_inventory"] = inventory(acct, acct.decoy_region)
        else:
            run_info["inventory"] = inventory(acct)
        result["runs"][phase] = run_info
        if must_succeed and run_info["returncode"] != 0:
            break
    return result


# ---------------------------------------------------------------- all scenarios


class EmulatorJob:
    """Every selected scenario, run in a background thread while the static tests
    run (conftest.py starts it; the emulator tests wait for it). Two moto servers,
    one per core; each scenario takes whichever is free. The servers are stopped
    in the thread's `finally`, and stop() (the session fixture's teardown) waits
    for that, cancelling the scenarios not started yet."""

    def __init__(self, *, root: Path, full: list[Path], setup_only: list[Path], generate):
        self.root = root
        self.full = list(full)
        self.setup_only = list(setup_only)
        self.generate = generate  # (fixture config path, out dir) -> Bundle
        self.results: dict[str, tuple] = {}
        self.cancelled = threading.Event()
        self.servers: list[MotoServer] = []
        self.thread = threading.Thread(target=self._main, name="emulator", daemon=False)
        self.started = time.monotonic()
        self.seconds: float | None = None

    def start(self) -> None:
        self.thread.start()

    def wait(self) -> dict[str, tuple]:
        self.thread.join()
        return self.results

    def stop(self) -> None:
        self.cancelled.set()
        self.thread.join()
        for server in self.servers:  # already stopped unless the thread died early
            server.stop()

    def _work(self, fixture: Path, idle: "queue.Queue[MotoServer]") -> None:
        if self.cancelled.is_set():
            self.results[fixture.stem] = (None, {"error": "cancelled"})
            return
        server = idle.get()
        workdir = self.root / f"work-{fixture.stem}"
        workdir.mkdir()
        bundle = None
        try:
            config, _ = prepare_account(server, fixture, workdir)
            bundle = self.generate(config, self.root / f"bundle-{fixture.stem}")
            bundle.name = fixture.stem
            result = run_scenario(
                server,
                bundle,
                workdir,
                delete_oidc_provider=fixture == self.full[0],
                setup_only=fixture in self.setup_only,
            )
            self.results[fixture.stem] = (bundle, result)
        except BaseException:  # noqa: BLE001 - reported by every test of this config
            self.results[fixture.stem] = (bundle, {"error": traceback.format_exc()})
        finally:
            idle.put(server)

    def _main(self) -> None:
        fixtures = self.full + self.setup_only
        workers = min(2, len(fixtures))
        idle: queue.Queue = queue.Queue()
        try:
            for i in range(workers):
                server = MotoServer(self.root / f"moto-{i}.log")
                self.servers.append(server)
                server.start()
                idle.put(server)
            # Full runs first (the longest), each on whichever server is free.
            with ThreadPoolExecutor(workers) as pool:
                for f in [pool.submit(self._work, fixture, idle) for fixture in fixtures]:
                    f.result()
        except BaseException:  # noqa: BLE001
            error = traceback.format_exc()
            for fixture in fixtures:
                self.results.setdefault(fixture.stem, (None, {"error": error}))
        finally:
            for server in self.servers:
                server.stop()
            self.seconds = round(time.monotonic() - self.started, 1)

    def times(self) -> dict[str, list]:
        return {
            name: [(phase, r["seconds"], len(r["calls"])) for phase, r in result.get("runs", {}).items()]
            for name, (_, result) in self.results.items()
        }
