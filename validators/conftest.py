"""Fixtures of the validator suite.

`bundle` is parametrised over every fixture config (crates/keyless-core/tests/fixtures/
*.json): for each one the real CLI (`keyless generate`) writes the bundle into a
temporary folder, once per test module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emulator import EmulatorJob, select_fixtures, uncovered_features
from support import REPO, Bundle, fixture_paths, run

FIXTURES = fixture_paths()
# Which configs the AWS emulator runs (see emulator.select_fixtures).
FULL, SETUP_ONLY = select_fixtures(FIXTURES)
EMULATOR_FIXTURES = FULL + SETUP_ONLY
EMULATOR_JOB = pytest.StashKey[EmulatorJob]()
# Tables other emulator modules print at the end of the session: (title, lines).
RUN_TABLES = pytest.StashKey[list]()


def pytest_configure(config):
    if not FIXTURES:
        raise pytest.UsageError(
            "no fixture configs found in crates/keyless-core/tests/fixtures/*.json: "
            "the validator suite would check nothing"
        )


def pytest_report_header(config):
    lines = [
        f"keyless fixtures ({len(FIXTURES)}): " + ", ".join(p.stem for p in FIXTURES),
        "AWS emulator, setup+teardown twice: " + ", ".join(p.stem for p in FULL),
    ]
    if SETUP_ONLY:
        lines.append("AWS emulator, setup only: " + ", ".join(p.stem for p in SETUP_ONLY))
    missed = uncovered_features(FIXTURES, EMULATOR_FIXTURES)
    if missed:
        lines.append("options no emulator run exercises: " + ", ".join(missed))
    return lines


@pytest.fixture(scope="session")
def keyless_bin() -> Path:
    path = Path(os.environ.get("KEYLESS_BIN", REPO / "target" / "debug" / "keyless"))
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: build it with "
            "`cargo build --locked -p keyless-core --bin keyless` (validators/run does)"
        )
    return path


def generate(keyless_bin: Path, fixture: Path, out: Path) -> Bundle:
    result = run([keyless_bin, "generate", "--config", fixture, "--out", out])
    if result.returncode != 0:
        pytest.fail(
            f"keyless generate --config {fixture.name} failed ({result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )
    return Bundle(name=fixture.stem, fixture=fixture, root=out)


def pytest_collection_modifyitems(session, config, items):
    """The emulator tests last: their scenarios run in the background meanwhile."""
    items.sort(key=lambda item: item.get_closest_marker("emulator") is not None)


@pytest.fixture(scope="session", autouse=True)
def emulator_job(request, tmp_path_factory):
    """Starts every AWS emulator scenario in the background when the session
    starts, if any emulator test was selected; stops it (and the moto servers)
    at the end of the session, whatever happened."""
    # Only the tests that read its results need it (test_ownership.py runs its own server).
    if not any("emulator_runs" in getattr(item, "fixturenames", ()) for item in request.session.items):
        yield None
        return
    keyless = request.getfixturevalue("keyless_bin")
    job = EmulatorJob(
        root=tmp_path_factory.mktemp("emulator"),
        full=FULL,
        setup_only=SETUP_ONLY,
        generate=lambda config, out: generate(keyless, config, out),
    )
    request.config.stash[EMULATOR_JOB] = job
    job.start()
    try:
        yield job
    finally:
        job.stop()


@pytest.fixture(scope="module", params=FIXTURES, ids=[p.stem for p in FIXTURES])
def bundle(request, keyless_bin, tmp_path_factory) -> Bundle:
    fixture: Path = request.param
    out = tmp_path_factory.mktemp(f"bundle-{fixture.stem}")
    return generate(keyless_bin, fixture, out)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    job = config.stash.get(EMULATOR_JOB, None)
    if job is not None:
        terminalreporter.section(f"AWS emulator runs (seconds, AWS CLI calls; {job.seconds}s in all)")
        for name, phases in sorted(job.times().items()):
            terminalreporter.line(
                f"{name}: " + ", ".join(f"{phase} {secs}s/{calls}" for phase, secs, calls in phases)
            )
    for title, lines in config.stash.get(RUN_TABLES, []):
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.line(line)
