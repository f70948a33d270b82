""".aws/task-definition.json, for every fixture config: a valid ECS
RegisterTaskDefinition request per the AWS service model, and a valid Fargate task."""

import pytest

from checks_aws_model import fargate_rules, validate_request
from support import TASK_DEFINITION, need


@pytest.fixture(scope="module")
def task_definition(bundle):
    need(bundle, TASK_DEFINITION)
    return bundle.json(TASK_DEFINITION)


def test_is_a_valid_register_task_definition_request(task_definition):
    assert validate_request("ecs", "RegisterTaskDefinition", task_definition) == []


def test_follows_the_fargate_rules(task_definition, bundle):
    assert fargate_rules(task_definition, bundle.config, bundle.setting("region")) == []
