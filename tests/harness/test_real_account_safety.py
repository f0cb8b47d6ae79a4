"""The suite on a real account: whatever goes wrong midway, the user's own data stays exactly as
it was, and what the run created is removed, or listed for ``groove-conformance cleanup``.

An emulator is seeded with what two users already had: collection tracks (among them catalog
tracks the suite will try to add too), a playlist with tracks in a given order and an empty one.
The whole suite then runs against it as a foreign target (``--target``, ``--catalog``), in a
subprocess, and something goes wrong midway:

* a fault is switched on at the Nth request, as a server that breaks under load would;
* the run is interrupted (SIGINT, as Ctrl-C; SIGKILL, as a CI job killed) while the target is
  answering an add or a create, so the item exists on the server but the run never hears of it.

The proof reads the emulator's SQLite database directly (every row of every table): afterwards it
must equal the seeded database exactly, which says both that nothing of the users was touched and
that nothing of the run was left.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.client import Client, ClientConfig
from conformance.emulator import EmulatorConfig, builtin_catalog
from conformance.emulator.app import build_app
from conformance.emulator.server import RunningEmulator, serve_in_thread
from conformance.journal import read_journal
from conformance.profiles import GROOVE_2016

USER = "safety-alice-token-4e1d"
OTHER = "safety-bob-token-9a7c"
TABLES = ("collection", "playlists", "playlist_tracks")
RUN_TIMEOUT_S = 300
GATE_TIMEOUT_S = 120
FAULT_AT = 1000  # of about 2,200 requests in a quick run


@dataclass
class Gate:
    """Holds the answer to the Nth request matching ``method path-suffix`` until released: the
    server has done the work, the client has not heard of it."""

    method: str
    suffix: str
    nth: int
    seen: int = 0
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class Midway:
    """ASGI wrapper around the emulator: counts requests, runs ``at_request`` on the Nth, and
    holds a gated answer (see :class:`Gate`)."""

    def __init__(self, app: Any, at: int | None = None, action: Callable[[], None] | None = None) -> None:
        self.app, self.at, self.action = app, at, action
        self.requests = 0
        self.gate: Gate | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests += 1
        if self.action is not None and self.requests == self.at:
            self.action()
        gate = self.gate
        if gate and scope["method"] == gate.method and scope["path"].endswith(gate.suffix):
            gate.seen += 1
            if gate.seen == gate.nth:
                loop = asyncio.get_running_loop()

                async def held_send(message: dict) -> None:
                    if message["type"] == "http.response.start":
                        gate.reached.set()
                        await loop.run_in_executor(None, gate.release.wait, GATE_TIMEOUT_S)
                    await send(message)

                await self.app(scope, receive, held_send)
                return
        await self.app(scope, receive, send)


@dataclass
class Account:
    """A seeded emulator: its URL, database, the wrapper, and the database as seeded."""

    url: str
    db: Path
    midway: Midway
    emulator: RunningEmulator
    catalog_file: Path
    before: dict[str, list[tuple]]

    def switch_fault(self, name: str | None) -> None:
        self.emulator.app.state.emulator.faults.switch(name)


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}  # noqa: S608
    finally:
        conn.close()


def seed(url: str, token: str, catalog: list[str], start: int) -> None:
    """What a user had: 20 tracks (for alice, the documented IDs the suite uses first), a playlist
    of 10 in a deliberate order and an empty one."""
    client = Client(ClientConfig(url, GROOVE_2016), token)
    try:
        tracks = catalog[start : start + 20]
        assert client.collection_add(tracks).status == 200
        mix = [{"Id": t, "Action": "Add"} for t in reversed(catalog[start + 3 : start + 13])]
        assert client.playlist_create({"Name": "Road trip \u266b", "TrackActions": mix}).status == 200
        assert client.playlist_create({"Name": "empty on purpose"}).status == 200
    finally:
        client.close()


@pytest.fixture
def account(tmp_path: Path) -> Iterator[Account]:
    db = tmp_path / "account.sqlite3"
    config = EmulatorConfig(users={"alice": USER, "bob": OTHER}, db_path=str(db))
    app = build_app(config)
    midway = Midway(app)
    url, server, thread, sock = serve_in_thread(midway)
    emulator = RunningEmulator(url, config, app, server, thread, sock)
    try:
        catalog = builtin_catalog()
        seed(url, USER, catalog, 0)
        seed(url, OTHER, catalog, 40)
        catalog_file = tmp_path / "catalog.txt"
        catalog_file.write_text("\n".join(catalog) + "\n")
        yield Account(url, db, midway, emulator, catalog_file, dump(db))
    finally:
        if midway.gate is not None:
            midway.gate.release.set()
        emulator.stop()


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}
    env.update(
        GROOVE_USER_TOKEN=USER, GROOVE_OTHER_USER_TOKEN=OTHER, GROOVE_STATE_DIR=str(tmp_path / "state")
    )
    return env


def suite_args(account: Account, tmp_path: Path) -> list[str]:
    return [
        sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider", "-q",
        "--target", account.url, "--catalog", str(account.catalog_file), "--conformance-level", "quick",
        "--report-dir", str(tmp_path / "report"),
    ]  # fmt: skip


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=tmp_path,
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


def run_suite(account: Account, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run(suite_args(account, tmp_path), tmp_path)


def cleanup_command(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([str(Path(sys.executable).with_name("groove-conformance")), "cleanup", *args], tmp_path)


def journals(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "state").glob("journal-*.jsonl"))


def added_rows(account: Account) -> dict[str, list[tuple]]:
    after = dump(account.db)
    return {t: sorted(set(after[t]) - set(account.before[t])) for t in TABLES}


def assert_users_data_untouched(account: Account) -> None:
    """Every seeded row is still there, unchanged (order positions and names included)."""
    after = dump(account.db)
    for table in TABLES:
        missing = set(account.before[table]) - set(after[table])
        assert not missing, f"{table}: rows of the users' own data changed or gone: {sorted(missing)[:5]}"


def assert_exactly_as_seeded(account: Account) -> None:
    assert_users_data_untouched(account)
    added = added_rows(account)
    assert not any(added.values()), f"left by the run: { {t: len(r) for t, r in added.items()} }"


def assert_no_credential(tmp_path: Path, *outputs: str) -> None:
    text = "".join(outputs) + "".join(
        p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".sqlite3"
    )
    assert USER not in text and OTHER not in text


# A fault switched on midway; the run fails on requirements and still cleans up after itself.
MIDWAY_FAULTS = {
    # The server refuses a batch but adds part of it: the run never hears of those tracks.
    "batch-limit-partial": "a refused batch still adds",
    # Results name other InputIds: the run cannot match its deletes' answers to its tracks.
    "inputid-altered": "answers the run cannot match",
}


@pytest.mark.parametrize("fault", MIDWAY_FAULTS)
def test_fault_midway_leaves_the_account_as_it_was(fault, account, tmp_path):
    account.midway.at, account.midway.action = FAULT_AT, lambda: account.switch_fault(fault)
    proc = run_suite(account, tmp_path)
    assert account.midway.requests > FAULT_AT, "the fault was never switched on"
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "cleanup: removed" in proc.stdout and "left in place" not in proc.stdout, proc.stdout[-2000:]
    assert_exactly_as_seeded(account)
    assert journals(tmp_path) == []
    assert_no_credential(tmp_path, proc.stdout, proc.stderr)


def test_deletes_that_do_nothing_are_reported_and_cleaned_up_later(account, tmp_path):
    """From midway on, deletes answer success and remove nothing. The run must not call its
    tracks removed: it lists them, keeps its journal, and ``cleanup`` removes them once the
    server is fixed."""
    account.midway.at = FAULT_AT
    account.midway.action = lambda: account.switch_fault("delete-removes-nothing")
    proc = run_suite(account, tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "left in place" in proc.stdout and "groove-conformance cleanup" in proc.stdout
    assert_users_data_untouched(account)
    left = {row[1] for row in added_rows(account)["collection"]}
    assert left, "the fault should have left tracks behind"
    listed = {x.id for j in journals(tmp_path) for x in read_journal(j) if x.kind == "track"}
    assert left <= listed, f"tracks on the target that no journal lists: {sorted(left - listed)[:5]}"

    dry = cleanup_command(tmp_path, "--dry-run")
    assert dry.returncode == 1 and all(cid in dry.stdout for cid in left), dry.stdout[-2000:]
    assert_users_data_untouched(account)

    account.switch_fault(None)  # the server is fixed
    done = cleanup_command(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert_exactly_as_seeded(account)
    assert journals(tmp_path) == []
    assert_no_credential(tmp_path, proc.stdout, proc.stderr, dry.stdout, done.stdout)


# Ctrl-C as a terminal delivers it: the run starts with SIGINT's default handler even when this
# process inherited SIGINT ignored (a job started in the background of a non-interactive shell
# ignores it, and so would every process it starts), which would make the run finish normally.
AS_FROM_A_TERMINAL = (
    "import signal, sys, pytest; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.exit(pytest.main(sys.argv[1:]))"
)


def interrupt(account: Account, tmp_path: Path, gate: Gate, sig: int) -> tuple[int, str, str]:
    """Start the suite, and when the gated request has been served but not answered, signal it."""
    account.midway.gate = gate
    python, _, _, *args = suite_args(account, tmp_path)  # python -m pytest ARGS
    proc = subprocess.Popen(
        [python, "-c", AS_FROM_A_TERMINAL, *args],
        cwd=tmp_path,
        env=env_for(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if not gate.reached.wait(GATE_TIMEOUT_S):
            proc.kill()
            pytest.fail(f"the run never sent {gate.method} {gate.suffix} #{gate.nth}: {proc.communicate()}")
        proc.send_signal(sig)
        gate.release.set()
        out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, out, err


def test_ctrl_c_while_a_create_is_answered_cleans_up_everything(account, tmp_path):
    gate = Gate("POST", "/collection/playlists/create", nth=40)
    code, out, err = interrupt(account, tmp_path, gate, signal.SIGINT)
    assert code == pytest.ExitCode.INTERRUPTED, out[-3000:] + err[-2000:]
    assert "cleanup: removed" in out, out[-2000:]
    assert "Traceback" not in err
    assert_exactly_as_seeded(account)  # the unanswered create included: found by its name
    assert journals(tmp_path) == []
    assert_no_credential(tmp_path, out, err)


def test_killed_while_an_add_is_answered_then_cleanup_removes_the_rest(account, tmp_path):
    gate = Gate("POST", "/collection/add", nth=60)
    code, out, err = interrupt(account, tmp_path, gate, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert_users_data_untouched(account)
    assert any(added_rows(account).values()), "a killed run leaves its data: nothing to prove otherwise"
    [journal] = journals(tmp_path)
    pending = [x for x in read_journal(journal) if x.kind == "catalog"]
    assert pending, "the add in flight must be journaled as pending"

    dry = cleanup_command(tmp_path, "--dry-run")
    assert dry.returncode == 1 and "pending add" in dry.stdout, dry.stdout[-2000:]
    assert_users_data_untouched(account)

    done = cleanup_command(tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert_exactly_as_seeded(account)
    assert journals(tmp_path) == []
    assert_no_credential(tmp_path, out, err, dry.stdout, done.stdout)
