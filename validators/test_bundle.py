"""The bundle as a whole, for every fixture config: all nine files (and a starter's) are there, each
parses for the program that reads it, and keyless.json regenerates the same bytes."""

import json

import pytest

from conftest import generate
from support import BUNDLE_FILES, STARTER_FILES, SETUP_SH, TEARDOWN_SH, WORKFLOW, load_workflow, need, run, tool


def test_bundle_has_every_file(bundle):
    starter = STARTER_FILES.get(bundle.config.get("starter"), ())
    assert sorted(BUNDLE_FILES + starter) == bundle.files()


@pytest.mark.parametrize("rel", [f for f in BUNDLE_FILES if f.endswith(".json")])
def test_json_files_parse(bundle, rel):
    need(bundle, rel)
    text = bundle.text(rel)
    assert isinstance(json.loads(text), dict)
    assert text.endswith("\n") and "\t" not in text


def test_workflow_is_yaml(bundle):
    need(bundle, WORKFLOW)
    data = load_workflow(bundle.text(WORKFLOW))
    assert {"on", "jobs", "permissions"} <= set(data)


@pytest.mark.parametrize("rel", [SETUP_SH, TEARDOWN_SH])
def test_scripts_parse_and_pass_shellcheck(bundle, rel):
    need(bundle, rel)
    syntax = run(["bash", "-n", bundle.path(rel)])
    assert syntax.returncode == 0, syntax.stderr
    # shellcheck at its default severity (style included): the scripts are read
    # and run by users, every warning is worth fixing.
    lint = run([tool("shellcheck"), "--shell=bash", "--color=never", bundle.path(rel)])
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_keyless_json_regenerates_the_same_bundle(bundle, keyless_bin, tmp_path):
    again = generate(keyless_bin, bundle.path("keyless.json"), tmp_path / "again")
    assert again.files() == bundle.files()
    for rel in bundle.files():
        assert again.text(rel) == bundle.text(rel), f"{rel} differs when regenerated"


def test_keyless_json_keeps_every_field_of_the_input(bundle):
    """The normalised config is what the other checks read their expectations
    from: a field of the input that it drops would go unchecked (and unregenerated)."""
    given = json.loads(bundle.fixture.read_text())
    dropped = sorted(set(given) - set(bundle.config))
    assert dropped == [], f"keyless.json drops {dropped}"
