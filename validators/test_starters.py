"""The container starters (keyless.json "starter"), for every fixture that has one:

- hadolint (pinned in requirements.lock), at its default rules and failure
  threshold, finds nothing in the Dockerfile: not even an info;
- the Dockerfile's base images are pinned to a version, it ends as a non-root
  user, and its default PORT is the config's container port;
- the minimal app starts natively where its runtime is on this machine (Node
  and Python are; Go and BusyBox are reported as skipped when absent), on a free
  port given as PORT the way the task definition gives it, answers JSON on its
  health route and on /, and passes the task definition's own health check
  command (run on this machine against it);
- the task definition sets PORT and the health check, and the workflow builds
  the repository's root, where the Dockerfile is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES, generate
from support import TASK_DEFINITION, run, tool

STARTER_FIXTURES = [p for p in FIXTURES if json.loads(p.read_text()).get("starter")]

# The command that runs each minimal app on this machine, when its runtime is here.
RUNTIMES = {
    "node": lambda root: ["node", "server.js"] if shutil.which("node") else None,
    "python": lambda root: [sys.executable, "app.py"],
    "go": lambda root: ["go", "run", "."] if shutil.which("go") else None,
    "static": lambda root: (
        ["busybox", "httpd", "-f", "-p", os.environ["PORT"], "-h", "public"] if shutil.which("busybox") else None
    ),
}


def test_every_starter_has_a_fixture():
    starters = {json.loads(p.read_text())["starter"] for p in STARTER_FIXTURES}
    assert starters == set(RUNTIMES), starters


@pytest.fixture(scope="module", params=STARTER_FIXTURES, ids=[p.stem for p in STARTER_FIXTURES])
def starter(request, keyless_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"starter-{request.param.stem}")
    return generate(keyless_bin, request.param, out)


def test_hadolint_finds_nothing(starter):
    lint = run([tool("hadolint"), "--no-color", starter.path("Dockerfile")])
    assert lint.returncode == 0 and lint.stdout.strip() == "", lint.stdout + lint.stderr


def test_the_image_is_pinned_non_root_and_listens_on_the_port(starter):
    dockerfile = starter.text("Dockerfile")
    images = re.findall(r"^FROM (?:--platform=\S+ )?(\S+)", dockerfile, re.M)
    assert images, dockerfile
    for image in images:
        name, _, tag = image.partition(":")
        assert re.fullmatch(r"\d+(\.\d+)+(-[a-z0-9.]+)*", tag), f"{image} is not pinned to a version"
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}, "the image runs as a non-root user"
    port = starter.config["container_port"]
    assert re.search(rf"^ENV .*\bPORT={port}\b", dockerfile, re.M), dockerfile
    assert f"EXPOSE {port}" in dockerfile
    platforms = re.findall(r"--platform=(\S+)", dockerfile)
    assert set(platforms) <= {"$BUILDPLATFORM"} and not re.search(r"linux/(amd64|arm64)|amd64|arm64|aarch64", dockerfile), (
        "the architecture is the workflow's buildx platforms, not the Dockerfile's"
    )


def test_the_task_definition_sets_the_port_and_a_health_check_the_image_can_run(starter):
    container = starter.json(TASK_DEFINITION)["containerDefinitions"][0]
    port = str(starter.config["container_port"])
    assert {"name": "PORT", "value": port} in container["environment"]
    command = container["healthCheck"]["command"]
    assert command[0] == "CMD-SHELL" and f"localhost:{port}" in command[1]
    if starter.config["starter"] in ("go", "static"):
        assert command[1].startswith("wget "), "BusyBox has wget, not curl"
    step = next(s for s in starter.workflow()["jobs"]["deploy"]["steps"] if "docker/build-push-action" in s.get("uses", ""))
    assert step["with"]["context"] == "."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status, response.headers.get("content-type", ""), response.read()


def test_the_minimal_app_answers_its_health_route(starter):
    kind = starter.config["starter"]
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    os.environ["PORT"] = str(port)
    try:
        command = RUNTIMES[kind](starter.root)
    finally:
        del os.environ["PORT"]
    if command is None:
        pytest.skip(f"no {kind} runtime on this machine")
    # Listens on 127.0.0.1 and 0.0.0.0 alike; stopped below whatever happens.
    app = subprocess.Popen(command, cwd=starter.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        health = "/" if kind == "static" else "/health"
        deadline = time.monotonic() + 20
        while True:
            try:
                status, content_type, body = get(f"http://127.0.0.1:{port}{health}")
                break
            except OSError:
                assert app.poll() is None, app.stdout.read().decode()
                assert time.monotonic() < deadline, "the app never answered"
                time.sleep(0.1)
        assert status == 200
        if kind != "static":
            assert content_type.startswith("application/json")
            assert json.loads(body) == {"status": "ok"}
            status, _, body = get(f"http://127.0.0.1:{port}/hello")
            assert json.loads(body)["app"] == starter.config["app_name"]
        # The task definition's own health check, pointed at this port.
        check = starter.json(TASK_DEFINITION)["containerDefinitions"][0]["healthCheck"]["command"][1]
        check = check.replace(f"localhost:{starter.config['container_port']}", f"127.0.0.1:{port}")
        if kind == "python":
            check = check.replace("python -c", f"{sys.executable} -c", 1)
        result = run(["sh", "-c", check], timeout=30)
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        os.killpg(app.pid, 15)
        app.communicate(timeout=10)
