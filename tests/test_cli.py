"""The labcheck command as a learner meets it: verdicts, JSON, exit codes, bad input, broken environments."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from checker.ways_in.cli import main
from checker.exercises import BY_ID, COURSE

from .conftest import solve
from .fakes import DelayingProxy, FakeEngine, OlderApiProxy

LABCHECK = [sys.executable, "-m", "checker"]


def labcheck(*args, env=None, timeout=60, wrapper=()):
    done = subprocess.run([*wrapper, *LABCHECK, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def no_traceback(*streams):
    return all("Traceback" not in s for s in streams)


# ---------------------------------------------------------------- verdicts and JSON

@pytest.mark.engine
def test_grading_a_fresh_exercise_says_what_is_missing_and_exits_1(fresh):
    code, out, err = labcheck("ex1")
    assert code == 1
    assert "NOT YET" in out and "There is no container named lab-scratch" in out and "next:" in out


@pytest.mark.engine
def test_grading_a_solved_exercise_exits_0(fresh):
    solve(fresh, BY_ID["ex1"])
    code, out, err = labcheck("ex1")
    assert code == 0 and "PASSED" in out


@pytest.mark.engine
def test_json_report_follows_the_documented_schema(fresh):
    code, out, _ = labcheck("ex3", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["exercise"] == "ex3" and report["passed"] is False
    assert {"name", "passed", "message", "found", "expected", "next_step"} <= set(report["checks"][0])
    assert [c["passed"] for c in report["checks"]][:1] == [False]


@pytest.mark.engine
def test_progress_table_records_verdicts(fresh):
    solve(fresh, BY_ID["ex1"])
    assert labcheck("ex1")[0] == 0
    assert labcheck("ex2")[0] == 1
    code, out, _ = labcheck("--json")
    status = {row["exercise"]: row["status"] for row in json.loads(out)["exercises"]}
    assert code == 0 and status["ex1"] == "passed" and status["ex2"] == "not yet"
    assert len(status) == len(COURSE)
    code, out, _ = labcheck()
    assert code == 0 and "passed" in out and "never checked" in out


def test_list_json_names_every_exercise_with_its_lab():
    code, out, _ = labcheck("list", "--json")
    rows = json.loads(out)["exercises"]
    assert code == 0 and [r["exercise"] for r in rows] == [e.id for e in COURSE]
    assert all(r["lab"].endswith(".ipynb") for r in rows)


def test_hints_escalate_one_at_a_time_and_stop_at_the_last(tmp_path, monkeypatch):
    monkeypatch.setenv("LABCHECK_HOME", str(tmp_path))
    hints = BY_ID["ex1"].hints
    shown = [labcheck("hint", "ex1")[1] for _ in range(len(hints) + 1)]
    for i, hint in enumerate(hints):
        assert f"Hint {i + 1} of {len(hints)}" in shown[i]
    assert f"Hint {len(hints)} of {len(hints)}" in shown[-1]


@pytest.mark.engine
def test_solve_show_prints_the_reference_solution_without_running_it(fresh):
    code, out, _ = labcheck("solve", "ex1", "--show")
    assert code == 0 and "docker run --name lab-scratch" in out
    assert fresh.api.containers(all=True, filters={"name": "^/lab-scratch$"}) == []


@pytest.mark.engine
def test_reset_needs_a_terminal_or_yes(fresh):
    solve(fresh, BY_ID["ex1"])
    code, _, err = labcheck("reset", "ex1")
    assert code == 2 and "--yes" in err
    assert fresh.api.containers(all=True, filters={"name": "^/lab-scratch$"})
    code, out, _ = labcheck("reset", "ex1", "--yes")
    assert code == 0 and "container lab-scratch" in out
    assert fresh.api.containers(all=True, filters={"name": "^/lab-scratch$"}) == []


# ---------------------------------------------------------------- bad input: exit 2, no traceback

@pytest.mark.parametrize("args", [
    ["ex99"], ["../../etc/passwd"], ["ex1;rm -rf /"], ["hint", "ex0"], ["reset", "../lab-notes", "--yes"],
    ["ex1", "--bogus"], ["reset"], ["reset", "ex1", "--all"], ["solve"], ["\x1b[31mred"],
])
def test_bad_input_is_a_usage_error_with_a_clear_message(args):
    code, out, err = labcheck(*args)
    assert code == 2, (out, err)
    assert err.strip() and no_traceback(out, err)
    assert "\x1b[31m" not in err


def test_unknown_exercise_lists_the_real_ones():
    code, _, err = labcheck("ex99")
    assert code == 2 and "ex99" in err and "ex1" in err and "labcheck list" in err


def test_corrupt_progress_database_is_kept_aside_and_replaced(tmp_path):
    (tmp_path / "progress.sqlite").write_bytes(b"this is not a database" * 100)
    code, out, err = labcheck("--json", env={"LABCHECK_HOME": str(tmp_path)})
    assert code == 0 and no_traceback(out, err)
    assert "kept it as" in err
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("progress.sqlite.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


def test_in_process_main_returns_exit_codes():
    assert main(["list"]) == 0
    assert main(["nonsense"]) == 2


# ---------------------------------------------------------------- environment problems: exit 3

def test_unreachable_engine_is_exit_3_with_advice(tmp_path):
    code, out, err = labcheck("ex1", env={"DOCKER_HOST": f"unix://{tmp_path}/nothing.sock"})
    assert code == 3 and "Cannot reach the Docker Engine" in err and "Start Docker" in err
    assert no_traceback(out, err)


def test_permission_denied_on_the_socket_is_exit_3(tmp_path):
    path = tmp_path / "locked.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()
    os.chmod(path, 0)
    try:
        # As root, drop the capabilities that bypass file permissions, as a normal user would lack them.
        drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
        code, out, err = labcheck("ex1", env={"DOCKER_HOST": f"unix://{path}"}, wrapper=drop)
    finally:
        listener.close()
    assert code == 3 and "Permission denied" in err and "docker group" in err
    assert no_traceback(out, err)


def test_engine_too_old_is_exit_3(tmp_path):
    path = str(tmp_path / "old-engine.sock")
    with FakeEngine(path, api_version="1.41"):
        code, out, err = labcheck("ex1", env={"DOCKER_HOST": f"unix://{path}"})
    assert code == 3 and "1.41" in err and "1.42" in err and "Upgrade" in err
    assert no_traceback(out, err)


def test_an_engine_older_than_the_lessons_need_gets_one_line_that_says_so():
    from checker.engine.connect import lessons_need_newer

    line = lessons_need_newer("1.44", "25.0.5")
    assert "Docker Engine 25.0.5 (API 1.44) grades the labs" in line and "Docker Engine 26 (API 1.45)" in line
    assert "\n" not in line
    assert lessons_need_newer("1.45", "26.1.5") == "" and lessons_need_newer("1.51", "28.3.0") == ""


@pytest.mark.engine
def test_doctor_warns_in_one_line_when_the_engine_is_older_than_the_lessons_need(client, tmp_path):
    """Engine 23-25 (API 1.42-1.44) grade the labs, so doctor passes, with one warning line naming Engine 26."""
    real = client.version()["ApiVersion"]
    path = str(tmp_path / "engine-25.sock")
    with OlderApiProxy(path, "/var/run/docker.sock", real=real, api_version="1.44"):
        code, out, err = labcheck("doctor", env={"DOCKER_HOST": f"unix://{path}"})
    assert code == 0, out + err
    warned = [line for line in out.splitlines() if "the lessons need Docker Engine 26" in line]
    assert len(warned) == 1 and "API 1.44" in warned[0] and "grades the labs" in warned[0], out
    assert warned[0].lstrip().startswith("!"), out
    assert no_traceback(out, err)


@pytest.mark.engine
def test_slow_engine_hits_the_timeout(client, tmp_path):
    path = str(tmp_path / "slow.sock")
    with DelayingProxy(path, "/var/run/docker.sock", delay=5):
        code, out, err = labcheck("ex1", env={"DOCKER_HOST": f"unix://{path}", "LABCHECK_TIMEOUT": "1"})
    assert code == 3 and "did not answer within 1 s" in err
    assert no_traceback(out, err)


@pytest.mark.engine
def test_doctor_reports_engine_compose_and_endpoint(client):
    code, out, err = labcheck("doctor")
    assert code == 0, out + err
    assert "Docker Engine" in out and "Compose" in out and "endpoint" in out
    assert "the lessons need 1.45, Engine 26, or newer" in out     # this engine speaks 1.45 or newer


@pytest.mark.engine
def test_docker_context_is_honoured(client, tmp_path):
    """A context pointing nowhere is used (and reported) when DOCKER_HOST is unset."""
    config = tmp_path / "docker-config"
    meta = config / "contexts" / "meta"
    import hashlib
    name = "course-test-broken"
    digest = hashlib.sha256(name.encode()).hexdigest()
    (meta / digest).mkdir(parents=True)
    (meta / digest / "meta.json").write_text(json.dumps(
        {"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": f"unix://{tmp_path}/ctx.sock",
                                                                "SkipTLSVerify": False}}}))
    (config / "config.json").write_text(json.dumps({"currentContext": name}))
    env = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": ""}
    code, out, err = labcheck("ex1", env=env)
    assert code == 3 and f"{tmp_path}/ctx.sock" in err and f"context {name}" in err


@pytest.fixture(scope="module")
def old_engine():
    """Debian bookworm's own Docker Engine 20.10 (API 1.41), on a socket of its own."""
    if os.geteuid() != 0:
        pytest.skip("starting a second engine needs root (make test runs as root in CI)")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(["bash", str(root / "tools" / "engine.sh"), "old"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    yield done.stdout.strip().splitlines()[-1]
    subprocess.run(["bash", str(root / "tools" / "engine.sh"), "stop-old"], capture_output=True, timeout=60)


@pytest.mark.engine
@pytest.mark.isolated
def test_real_engine_20_10_is_refused_as_too_old_by_every_command(old_engine):
    env = {"DOCKER_HOST": f"unix://{old_engine}"}
    for args in (["ex1"], ["grade", "--all"], ["reset", "--all", "--yes"], ["doctor"]):
        code, out, err = labcheck(*args, env=env)
        assert code == 3, (args, out, err)
        assert "1.41" in out + err and "Docker Engine 23" in out + err and no_traceback(out, err)


def test_notebook_check_cell_explains_problems_instead_of_raising(monkeypatch, tmp_path):
    import checker
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    result = checker.check("ex1")
    assert isinstance(result, checker.Notice) and "Cannot reach the Docker Engine" in result
    assert "There is no exercise 'ex99'" in checker.check("ex99")
    assert "There is no exercise" in checker.reset("ex1", "../x")


@pytest.mark.engine
def test_watch_regrades_on_engine_events_until_the_exercise_passes(fresh):
    watcher = subprocess.Popen([*LABCHECK, "watch", "ex1", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ})
    try:
        first = json.loads(watcher.stdout.readline())
        assert first["exercise"] == "ex1" and first["passed"] is False and first["event"] is None
        solve(fresh, BY_ID["ex1"])
        code = watcher.wait(timeout=60)
        verdicts = [json.loads(line) for line in watcher.stdout.read().splitlines()]
    finally:
        if watcher.poll() is None:
            watcher.kill()
    assert code == 0 and verdicts[-1]["passed"] is True
    assert verdicts[-1]["event"]["type"] == "container" and verdicts[-1]["graded_at_ns"] > verdicts[-1]["event"]["time_nano"]
