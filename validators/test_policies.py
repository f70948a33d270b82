"""The deploy role's trust and permissions policies, for every fixture config:
parliament finds nothing beyond the documented exceptions, our domain.md §2–3
rules hold, the policies fit IAM's size quotas, and both are valid IAM API requests."""

import json

import pytest

from checks_aws_model import validate_request
from checks_policies import (
    parliament_findings,
    permissions_policy_rules,
    policy_size_limits,
    trust_policy_rules,
)
from support import (
    PERMISSIONS_POLICY,
    TASK_DEFINITION,
    TRUST_POLICY,
    WORKFLOW,
    deploy_job,
    expected_subjects,
    need,
    step_using,
    workflow_subject_inputs,
)


@pytest.fixture(scope="module")
def trust(bundle):
    need(bundle, TRUST_POLICY)
    return bundle.text(TRUST_POLICY)


@pytest.fixture(scope="module")
def permissions(bundle):
    need(bundle, PERMISSIONS_POLICY)
    return bundle.text(PERMISSIONS_POLICY)


def test_parliament_on_the_trust_policy(trust):
    assert parliament_findings(trust, "trust") == []


def test_parliament_on_the_permissions_policy(permissions):
    assert parliament_findings(permissions, "permissions") == []


def test_trust_policy_rules(trust, bundle):
    assert trust_policy_rules(json.loads(trust), bundle.config) == []


def test_trust_policy_admits_exactly_the_subject_the_workflow_presents(trust, bundle):
    need(bundle, WORKFLOW)
    environment, branch = workflow_subject_inputs(bundle.workflow())
    if not environment:
        assert branch is not None, "the workflow must trigger on pushes to exactly one branch"
    subjects = expected_subjects(bundle.config, environment=environment, branch=branch)
    assert trust_policy_rules(json.loads(trust), bundle.config, subjects=subjects) == []


def test_permissions_policy_rules(permissions, bundle):
    need(bundle, TASK_DEFINITION)
    td = bundle.json(TASK_DEFINITION)
    assert permissions_policy_rules(json.loads(permissions), bundle.config, task_definition=td) == []


def test_policies_fit_iam_size_quotas(trust, permissions):
    assert policy_size_limits(trust, permissions) == []


def test_policies_are_valid_iam_requests(trust, permissions, bundle):
    need(bundle, WORKFLOW)
    step = step_using(deploy_job(bundle.workflow()), "aws-actions/configure-aws-credentials")
    role_arn = step["with"]["role-to-assume"]
    role_name = role_arn.rsplit("/", 1)[-1]
    assert role_arn == f"arn:aws:iam::{bundle.config['account_id']}:role/{role_name}"
    assert validate_request(
        "iam", "CreateRole", {"RoleName": role_name, "AssumeRolePolicyDocument": trust}
    ) == []
    assert validate_request(
        "iam",
        "PutRolePolicy",
        {"RoleName": role_name, "PolicyName": "deploy", "PolicyDocument": permissions},
    ) == []
