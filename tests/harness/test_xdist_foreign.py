"""pytest-xdist workers sharing ONE foreign target: no false alarm, nothing of the run left.

Against the embedded emulator every worker has a server of its own; against ``--target URL`` all
workers share one user's collection and playlists. Each takes its own share of the catalog, but
the checks that compare whole lists read back before and after a request (``Subject.state``, the
state machine's collection and playlists) would see what the other worker adds and removes
meanwhile. This runs the suite with ``-n 2`` against an emulator started apart, holding data the
user had before the run, and asserts: exit 0, no failed requirement, and the accounts hold exactly
what they held before.

Only the files whose checks compare whole lists, and the state machine, at the quick level: the
test joins CI, whose budget is tight.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import conformance.suite
from conformance.client import Client, ClientConfig
from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_process
from conformance.ownership import browse_all
from conformance.profiles import GROOVE_2016

USER = "xdist-user-token-5c1f0e"
OTHER = "xdist-other-token-93ab27"
RUN_TIMEOUT_S = 300
# The scenario files that compare whole lists, and the state machine.
FILES = (
    "test_auth_rejection.py",
    "test_error_envelope.py",
    "test_batch_limits.py",
    "test_playlists.py",
    "test_collection.py",
    "test_state_machine.py",
)


def held(client: Client) -> tuple[list[tuple[str, str]], list[str]]:
    """What the account holds: its playlists (Id, Name) and its collection track Ids, sorted."""
    playlists = sorted((p["Id"], p.get("Name")) for p in browse_all(client, "playlists") or [])
    tracks = sorted(t["Id"] for t in browse_all(client, "tracks") or [])
    return playlists, tracks


@pytest.fixture
def shared_target():
    """An emulator in a process of its own (a foreign target), both users holding data of theirs."""
    emu = start_in_process(EmulatorConfig(users={"user": USER, "other": OTHER}))
    clients = [Client(ClientConfig(emu.url, GROOVE_2016), token) for token in (USER, OTHER)]
    try:
        for n, client in enumerate(clients):
            client.playlist_create({"Name": f"their own playlist {n}"})
            client.collection_add([builtin_catalog()[n]])
        yield emu.url, clients
    finally:
        for client in clients:
            client.close()
        emu.stop()


def test_two_workers_on_one_foreign_target(tmp_path: Path, shared_target) -> None:
    url, clients = shared_target
    before = [held(c) for c in clients]
    catalog = tmp_path / "catalog.txt"
    catalog.write_text("\n".join(builtin_catalog()) + "\n", encoding="utf-8")
    out = tmp_path / "report"
    suite = Path(conformance.suite.__file__).parent
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2"]
    cmd += [str(suite / f) for f in FILES]
    cmd += ["--conformance-level", "quick", "--report-dir", str(out)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}
    env |= {
        "GROOVE_STATE_DIR": str(tmp_path / "state"),
        "GROOVE_TARGET": url,
        "GROOVE_USER_TOKEN": USER,
        "GROOVE_OTHER_USER_TOKEN": OTHER,
        "GROOVE_CATALOG": str(catalog),
    }
    proc = subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    failed = [r["id"] for r in report["requirements"] if r["verdict"] == "failed"]
    assert not failed and report["summary"]["tests"]["failed"] == 0
    assert report["embedded"] is False
    assert [r["verdict"] for r in report["requirements"]].count("passed") > 0
    assert [held(c) for c in clients] == before
    assert not list((tmp_path / "state").glob("journal-*"))  # every worker removed all it made
