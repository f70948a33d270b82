"""Fixtures of the validator suite.

`bundle` is parametrised over every fixture config (crates/keyless-core/tests/fixtures/
*.json): for each one the real CLI (`keyless generate`) writes the bundle into a
temporary folder, once per test module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import REPO, Bundle, fixture_paths, run

FIXTURES = fixture_paths()
EMULATOR_TIMES = pytest.StashKey[dict]()


def pytest_configure(config):
    if not FIXTURES:
        raise pytest.UsageError(
            "no fixture configs found in crates/keyless-core/tests/fixtures/*.json: "
            "the validator suite would check nothing"
        )


def pytest_report_header(config):
    from emulator import select_fixtures, uncovered_features

    full, setup_only = select_fixtures(FIXTURES)
    lines = [
        f"keyless fixtures ({len(FIXTURES)}): " + ", ".join(p.stem for p in FIXTURES),
        "AWS emulator, setup+teardown twice: " + ", ".join(p.stem for p in full),
    ]
    if setup_only:
        lines.append("AWS emulator, setup only: " + ", ".join(p.stem for p in setup_only))
    missed = uncovered_features(FIXTURES, full + setup_only)
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


@pytest.fixture(scope="module", params=FIXTURES, ids=[p.stem for p in FIXTURES])
def bundle(request, keyless_bin, tmp_path_factory) -> Bundle:
    fixture: Path = request.param
    out = tmp_path_factory.mktemp(f"bundle-{fixture.stem}")
    return generate(keyless_bin, fixture, out)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    times = config.stash.get(EMULATOR_TIMES, None)
    if not times:
        return
    terminalreporter.section("AWS emulator runs (seconds, AWS CLI calls)")
    for name, phases in sorted(times.items()):
        terminalreporter.line(
            f"{name}: " + ", ".join(f"{phase} {secs}s/{calls}" for phase, secs, calls in phases)
        )
