"""The conformance suite run for real, in subprocesses: embedded emulator, foreign target, down target.

These are the end-to-end proofs of the harness (that the whole suite passes against the embedded
reference emulator, given tokens that then show nowhere, is ``tests/suite/test_faithful.py``'s run,
shared with the other whole-suite tests): a target that is down stops the run with one line
and a non-zero status; pytest-xdist workers' records are merged into one report; a run against a
foreign target leaves the data that was there before exactly as it was and removes what it made;
``groove-conformance run`` prints its summary.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.client import Client, ClientConfig
from conformance.emulator import EmulatorConfig, start_in_thread
from conformance.ownership import browse_all
from conformance.plugin import EXIT_TARGET_UNAVAILABLE
from conformance.profiles import GROOVE_2016

USER = "harness-user-token-7d2e9a"
OTHER = "harness-other-token-1b8c44"
RUN_TIMEOUT_S = 600


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}
    env["GROOVE_STATE_DIR"] = str(tmp_path / "state")
    env.update(extra)
    return env


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=tmp_path,
        env=env_for(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


def pytest_suite(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider", *args]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_down_target_stops_the_run_with_one_line(tmp_path):
    target = f"http://127.0.0.1:{closed_port()}"
    proc = run(pytest_suite("--target", target), tmp_path, GROOVE_USER_TOKEN=USER)
    output = proc.stdout + proc.stderr
    assert proc.returncode == EXIT_TARGET_UNAVAILABLE != 0
    lines = [line for line in output.splitlines() if "cannot run the suite" in line]
    assert len(lines) == 1 and f"target unreachable: cannot connect to {target}" in lines[0]
    assert "Traceback" not in output and "FAILED" not in output and "passed" not in output
    assert USER not in output


def test_missing_token_for_a_foreign_target_is_one_line(tmp_path):
    proc = run(pytest_suite("-q"), tmp_path, GROOVE_TARGET="http://127.0.0.1:9")
    assert proc.returncode == EXIT_TARGET_UNAVAILABLE
    assert "--target needs a user token: --user-token or GROOVE_USER_TOKEN" in proc.stdout + proc.stderr


def test_xdist_workers_records_are_merged(tmp_path):
    out = tmp_path / "report"
    proc = run(pytest_suite("-q", "-n", "2", "-k", "smoke", "--report-dir", str(out)), tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    nodeids = {t["nodeid"] for r in report["requirements"] for t in r["tests"]}
    assert report["summary"]["tests"]["total"] == len(nodeids) >= 3
    assert {n.split("::")[0].rsplit("/", 1)[-1] for n in nodeids} >= {
        "test_smoke_add.py",
        "test_smoke_auth.py",
        "test_smoke_playlist.py",
    }


@pytest.fixture
def seeded_target():
    """An emulator holding data the user had before the run: one playlist, one collection track."""
    emu = start_in_thread(EmulatorConfig(users={"alice": USER, "bob": OTHER}))
    client = Client(ClientConfig(emu.url, GROOVE_2016), USER)
    try:
        playlist = client.playlist_create({"Name": "my own playlist"}).body["PlaylistActionResult"]["Id"]
        track = client.collection_add(["music.A83EB907-0100-11DB-89CA-0019B92A3933"]).body[
            "TrackActionResults"
        ][0]["Id"]
        yield emu, client, playlist, track
    finally:
        client.close()
        emu.stop()


def test_foreign_target_keeps_existing_data_and_removes_its_own(tmp_path, seeded_target):
    emu, client, playlist, track = seeded_target
    proc = run(
        pytest_suite("-q", "--target", emu.url, "-k", "smoke or playlist", "--conformance-level", "quick"),
        tmp_path,
        GROOVE_USER_TOKEN=USER,
        GROOVE_OTHER_USER_TOKEN=OTHER,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "cleanup: removed" in proc.stdout
    playlists = browse_all(client, "playlists")
    tracks = browse_all(client, "tracks")
    assert [(p["Id"], p["Name"]) for p in playlists] == [(playlist, "my own playlist")]
    assert [t["Id"] for t in tracks] == [track]
    assert not list((tmp_path / "state").glob("journal-*"))  # everything removed: no journal left


def test_groove_conformance_run_prints_a_summary(tmp_path):
    cli = Path(sys.executable).with_name("groove-conformance")
    proc = run([str(cli), "run", "--report-dir", "rep", "--", "-k", "smoke"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    out = proc.stdout
    assert "requirements" in out and "  MUST " in out and "by operation" in out and "collection_add" in out
    assert "report: rep/report.html" in out and (tmp_path / "rep" / "report.json").is_file()
