"""``groove-conformance serve --db PATH`` keeps everything across a SIGKILL and a restart.

The server runs as a real subprocess (the CLI); it is killed with SIGKILL (no shutdown code runs)
and started again on the same database file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from .conftest import BASE, CATALOG

TOKEN = "durability-test-token"
STARTUP_TIMEOUT_S = 30


def serve(db: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    cmd = [
        sys.executable,
        "-m",
        "conformance.cli",
        "serve",
        "--port",
        "0",
        "--db",
        str(db),
        "--token",
        f"alice={TOKEN}",
        *extra,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found: list[str] = []
    done = threading.Event()

    def read_first_line() -> None:
        assert proc.stdout is not None
        found.append(proc.stdout.readline())
        done.set()

    threading.Thread(target=read_first_line, daemon=True).start()
    if not done.wait(STARTUP_TIMEOUT_S):
        proc.kill()
        pytest.fail("the emulator did not print its URL")
    m = re.search(r"listening on (http://\S+)", found[0])
    if not m:
        proc.kill()
        pytest.fail(f"unexpected first line: {found[0]!r}")
    return proc, m.group(1)


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def test_data_survives_sigkill_and_restart(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    proc, url = serve(db)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            added = [
                x["Id"]
                for x in c.post(f"{BASE}/add", json={"TrackIds": CATALOG[:30]}).json()["TrackActionResults"]
            ]
            r = c.post(
                f"{BASE}/playlists/create",
                json={
                    "Name": "kept",
                    "IsPublished": True,
                    "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[:5]],
                },
            )
            pid = r.json()["PlaylistActionResult"]["Id"]
            ids = [x["Id"] for x in r.json()["PlaylistActionResult"]["TrackActionResults"]]
            r = c.post(
                f"{BASE}/playlists/update",
                json={
                    "Id": pid,
                    "InsertBeforeTrackId": ids[0],
                    "TrackActions": [{"Id": ids[4], "Action": "Move"}],
                },
            )
            assert r.status_code == 200
            c.post(f"{BASE}/delete", json={"TrackIds": [added[0]]})
            token = c.get(f"{BASE}/tracks/browse", params={"maxItems": 10}).json()["Tracks"][
                "ContinuationToken"
            ]
    finally:
        kill(proc)

    proc, url = serve(db)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
            tracks = c.get(f"{BASE}/tracks/browse").json()["Tracks"]
            assert tracks["TotalItemCount"] == 29
            assert [t["Id"] for t in tracks["Items"]] == added[1:26]
            playlist = c.get(f"/1/content/{pid}/collection/playlist/tracks/browse").json()["Playlists"][
                "Items"
            ][0]
            assert (playlist["Name"], playlist["IsPublished"], playlist["TrackCount"]) == ("kept", True, 5)
            assert [t["Id"] for t in playlist["Tracks"]["Items"]] == [ids[4], *ids[:4]]
            later = c.get(f"{BASE}/tracks/browse", params={"continuationToken": token})
            assert later.status_code == 200  # tokens stay valid: their key is in the database
            assert [t["Id"] for t in later.json()["Tracks"]["Items"]] == added[
                11:21
            ]  # the page size travels in the token
    finally:
        kill(proc)


def test_cli_prints_generated_credentials(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--profile", "xbox-2013"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
    finally:
        kill(proc)
    text = "".join(lines)
    users = dict(re.findall(r"^  (\w+): (\S+)$", text, re.M))
    assert set(users) == {"alice", "bob"}
    developer = re.search(r"developer token \(accessToken=Bearer\+\.\.\.\): (\S+)", text)
    assert developer
    url = re.search(r"listening on (http://\S+)", text).group(1)  # type: ignore[union-attr]
    del url  # the server is gone; the point is that everything a client needs was printed
