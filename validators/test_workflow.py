"""deploy.yml, for every fixture config: actionlint and zizmor report nothing, and
every action is pinned to the commit of the version domain.md §4 names."""

import pytest

import checks_workflow
from support import ACTIONS_DATA, PERMISSIONS_POLICY, TASK_DEFINITION, WORKFLOW, need


@pytest.fixture(scope="module")
def workflow(bundle):
    need(bundle, WORKFLOW)
    return bundle.path(WORKFLOW)


def test_actionlint_reports_nothing(workflow):
    assert checks_workflow.actionlint(workflow) == []


def test_zizmor_offline_reports_nothing(workflow):
    assert checks_workflow.zizmor(workflow) == []


def test_zizmor_ignores_carry_a_reason(workflow):
    assert checks_workflow.zizmor_ignores_without_reason(workflow.read_text()) == []


def test_actions_pinned_to_the_documented_commits_with_valid_inputs(workflow):
    if not (ACTIONS_DATA / "index.json").is_file():
        pytest.fail(f"{ACTIONS_DATA}/index.json is missing")
    assert checks_workflow.pinned_actions(workflow.read_text()) == []


def test_workflow_names_what_the_other_files_define(workflow, bundle):
    """The names the deploy job uses are the ones the task definition, the
    policies and setup.sh create (domain.md §5: "Could not find container
    definition with matching name", CannotPullContainerError ... platform)."""
    need(bundle, TASK_DEFINITION, PERMISSIONS_POLICY)
    assert checks_workflow.consistency(bundle) == []
