"""The embedded target runs in a process of its own, gets its credentials on a pipe, and leaves none behind.

Each check talks to a real child process: the plugin's own (through pytester), one started here,
and one whose parent is killed with SIGKILL. Process ends are awaited on a pidfd (``select`` with a
deadline), never with sleeps.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import textwrap

import httpx
import pytest

from conformance.client import Client, ClientConfig
from conformance.emulator import EmulatorConfig, start_in_process
from conformance.plugin import EMBEDDED_MODE_VAR
from conformance.profiles import get_profile
from tests.harness.test_plugin import clean_env  # noqa: F401 - the same clean GROOVE_* environment

pytest_plugins = ["pytester"]

TOKEN = "recognisable-user-token-9d2e"
DEADLINE_S = 20.0


def gone(pid: int, timeout: float = DEADLINE_S) -> bool:
    """True once process ``pid`` has exited (at once if it no longer exists), within ``timeout``."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
        return bool(readable)
    finally:
        os.close(fd)


PROBE = """
import json, os
from conformance.plugin import harness_of

def test_where(request, client, tmp_path_factory):
    emulator = harness_of(request.config).emulator
    assert client.playlist_create({"Name": "where"}).status == 200
    out = {"server_pid": emulator.pid, "pytest_pid": os.getpid(), "url": emulator.url}
    with open(os.environ["PROBE_OUT"], "w") as f:
        json.dump(out, f)
"""


def run_probe(pytester, tmp_path) -> dict:
    out = tmp_path / "probe.json"
    pytester.makepyfile(test_probe=PROBE)
    os.environ["PROBE_OUT"] = str(out)
    try:
        # In a process of its own: an in-process run would drop, when it ends, every module first
        # imported during it (pytester restores sys.modules), and the checks below use them.
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--user-token", TOKEN)
    finally:
        del os.environ["PROBE_OUT"]
    result.assert_outcomes(passed=1)
    return json.loads(out.read_text())


def test_the_embedded_emulator_runs_in_another_process_and_is_gone_after_the_session(pytester, tmp_path):
    seen = run_probe(pytester, tmp_path)
    assert seen["server_pid"] != seen["pytest_pid"]
    assert gone(seen["server_pid"], timeout=0)  # stopped and reaped by the session's end
    with pytest.raises(httpx.ConnectError):
        httpx.get(seen["url"], timeout=5)


def test_the_thread_switch_keeps_the_old_in_process_server(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv(EMBEDDED_MODE_VAR, "thread")
    seen = run_probe(pytester, tmp_path)
    assert seen["server_pid"] == seen["pytest_pid"]


def test_credentials_travel_on_stdin_not_on_the_command_line():
    developer = "recognisable-developer-token-77aa"
    config = EmulatorConfig(profile="xbox-2013", users={"user": TOKEN}, developer_token=developer)
    with start_in_process(config) as emulator:
        assert emulator.pid != os.getpid()
        with open(f"/proc/{emulator.pid}/cmdline", "rb") as f:
            cmdline = f.read().decode()
        with open(f"/proc/{emulator.pid}/environ", "rb") as f:
            environ = f.read().decode()
        for secret in (TOKEN, developer):
            assert secret not in cmdline and secret not in environ
        cfg = ClientConfig(base_url=emulator.url, profile=get_profile("xbox-2013"), developer_token=developer)
        with httpx.Client() as http:  # the tokens reached the child: it accepts them
            assert Client(cfg, TOKEN, http=http).playlist_create({"Name": "piped"}).status == 200
    assert gone(emulator.pid, timeout=0)
    assert emulator.internal_errors == 0


def test_the_child_stops_when_its_parent_dies():
    script = textwrap.dedent(
        """
        import os, signal
        from conformance.emulator import EmulatorConfig, start_in_process
        em = start_in_process(EmulatorConfig(users={"user": "t" * 24}))
        print(em.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup at all: only the closed pipe tells the child
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    out, _ = parent.communicate(timeout=60)
    assert parent.returncode == -9
    child = int(out.split()[0])
    assert child != parent.pid
    assert gone(child), "the emulator process outlived its parent"


def test_the_benchmark_record_keeps_every_request_and_no_credential(tmp_path):
    record = tmp_path / "requests.jsonl"
    config = EmulatorConfig(users={"user": TOKEN})
    with start_in_process(config, record=str(record)) as emulator, httpx.Client() as http:
        cfg = ClientConfig(base_url=emulator.url, profile=get_profile("groove-2016"))
        for name in ("one", "two"):
            assert Client(cfg, TOKEN, http=http).playlist_create({"Name": name}).status == 200
    text = record.read_text()
    assert TOKEN not in text
    sent = [json.loads(line) for line in text.splitlines()]
    assert [json.loads(x["body"])["Name"] for x in sent] == ["one", "two"]
    assert all(x["method"] == "POST" and x["path"].endswith("/playlists/create") for x in sent)


# Seen by a plugin of the run: the emulator's process when the collection ends (before the
# harness starts), and the one the tests use; written down at each step.
EARLY = """
import json, os
import pytest
from conformance.plugin import harness_of

seen = {}

def _write():
    with open(os.environ["PROBE_OUT"], "w") as f:
        json.dump(seen, f)

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    pending = harness_of(config)._pending
    seen["early_pid"] = pending._proc.pid if pending is not None else None
    _write()

def pytest_runtest_teardown(item):
    seen["used_pid"] = harness_of(item.config).emulator.pid
    _write()
"""


def run_early(pytester, tmp_path, monkeypatch, selection: str) -> tuple[pytest.RunResult, dict]:
    out = tmp_path / "early.json"
    pytester.makepyfile(early_probe=EARLY)
    monkeypatch.setenv("PROBE_OUT", str(out))
    args = ["--pyargs", "conformance.suite", "-k", selection, "-p", "early_probe", "-p", "no:cacheprovider"]
    result = pytester.runpytest_subprocess(*args, "--report-dir", str(tmp_path / "report"))
    return result, json.loads(out.read_text())


def test_the_emulator_process_starts_while_the_suite_is_collected(pytester, tmp_path, monkeypatch):
    result, seen = run_early(pytester, tmp_path, monkeypatch, "test_smoke_auth")
    assert result.ret == 0, result.stdout.str()[-2000:]
    assert seen["early_pid"] is not None and seen["early_pid"] == seen["used_pid"]
    assert gone(seen["used_pid"], timeout=0)


def test_an_early_emulator_that_no_test_needs_is_stopped(pytester, tmp_path, monkeypatch):
    result, seen = run_early(pytester, tmp_path, monkeypatch, "no_such_test_zz")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert seen["early_pid"] is not None and "used_pid" not in seen
    assert gone(seen["early_pid"], timeout=0)
