"""The lock of xdist workers sharing one foreign target (``conformance.worker_lock``).

Another process stands in for the other worker: it asks for the lock without waiting
(``LOCK_NB``) and says whether it got it, so that no test depends on timing. The client half (a
change waits on the gate, a read does not) runs against canned answers (respx).
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import respx

from conformance import worker_lock
from conformance.client import Client, ClientConfig
from conformance.profiles import GROOVE_2016

pytestmark = pytest.mark.skipif(worker_lock.fcntl is None, reason="fcntl locks are POSIX")

RUN = "0badcafe"
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, (fcntl.LOCK_EX if sys.argv[2] == "ex" else fcntl.LOCK_SH) | fcntl.LOCK_NB)
except BlockingIOError:
    print("blocked")
else:
    print("got it")
"""


def other_worker_asks(mode: str) -> str:
    """What another process gets when it asks for the lock ("sh": a change, "ex": a paged read)."""
    path = str(worker_lock.lock_path(RUN))
    cmd = [sys.executable, "-c", PROBE, path, mode]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.fixture
def lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GROOVE_STATE_DIR", str(tmp_path / "state"))
    held = worker_lock.WorkerLock(RUN)
    yield held
    held.close()


def test_a_paged_read_keeps_every_other_worker_out(lock) -> None:
    with lock.steady():
        assert other_worker_asks("sh") == "blocked"  # no change lands inside the read
        assert other_worker_asks("ex") == "blocked"
    assert other_worker_asks("sh") == "got it"


def test_changes_of_several_workers_run_side_by_side_but_not_inside_a_read(lock) -> None:
    with lock.changing():
        assert other_worker_asks("sh") == "got it"  # another worker's change goes ahead
        assert other_worker_asks("ex") == "blocked"  # another worker's paged read waits


def test_a_change_inside_this_workers_own_read_neither_waits_nor_lets_others_in(lock) -> None:
    with lock.steady():
        with lock.steady():  # re-entrant
            with lock.changing():
                assert other_worker_asks("sh") == "blocked"  # still held exclusively
        assert other_worker_asks("sh") == "blocked"
    assert other_worker_asks("ex") == "got it"


def test_the_first_worker_takes_the_snapshot_and_the_others_read_it(lock) -> None:
    taken: list[str] = []

    def take(who: str):
        def snap():
            taken.append(who)
            return {"user": ({"music.p1"}, {"music.t1", "music.t2"})}

        return snap

    first = lock.first_snapshot(take("first"))
    second = worker_lock.WorkerLock(RUN)
    try:
        again = second.first_snapshot(take("second"))
    finally:
        second.close()
    assert taken == ["first"]
    assert first == again == {"user": ({"music.p1"}, {"music.t1", "music.t2"})}
    worker_lock.remove_files(RUN)
    assert not worker_lock.lock_path(RUN).exists() and not worker_lock.snapshot_path(RUN).exists()


def test_a_snapshot_that_could_not_be_taken_is_none_for_every_worker(lock) -> None:
    assert lock.first_snapshot(lambda: None) is None
    assert lock.first_snapshot(lambda: {"user": (set(), set())}) is None  # the saved answer stands


class Gate:
    """A ChangeGate that writes down what it was asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    @contextmanager
    def changing(self):
        self.calls.append("changing")
        yield

    @contextmanager
    def steady(self):
        self.calls.append("steady")
        yield


def test_the_client_passes_changes_through_the_gate_and_reads_not() -> None:
    gate = Gate()
    client = Client(ClientConfig("http://target.test", GROOVE_2016, gate=gate), "user-token")
    with respx.mock(base_url="http://target.test") as mock:
        mock.post("/1/content/music/collection/add").respond(200, json={"TrackActionResults": []})
        mock.get("/1/content/music/collection/tracks/browse").respond(200, json={"Tracks": {"Items": []}})
        client.collection_browse("tracks")
        assert gate.calls == []
        client.collection_add(["music.A"])
        assert gate.calls == ["changing"]
        with client.steady():
            pass
        assert gate.calls == ["changing", "steady"]
    plain = Client(ClientConfig("http://target.test", GROOVE_2016), "user-token")
    with plain.steady():  # no gate: nothing to wait for
        pass


def test_a_collection_read_back_pages_inside_steady() -> None:
    from conformance import readback

    gate = Gate()
    client = Client(ClientConfig("http://target.test", GROOVE_2016, gate=gate), "user-token")
    with respx.mock(base_url="http://target.test") as mock:
        mock.get("/1/content/music/collection/tracks/browse").respond(
            200, json={"Tracks": {"Items": [{"Id": "music.T1", "Name": "t"}]}}
        )
        assert readback.collection_track_ids(client) == ["music.T1"]
    assert gate.calls == ["steady"]
