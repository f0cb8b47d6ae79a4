"""What the pytest-xdist workers of one run share on one foreign target: a lock, and one snapshot.

Against ``--target URL`` with ``-n N`` every worker talks to the same user's collection at the same
time. Two things then go wrong that no filtering of lists can repair:

* **A paged read is not one read.** A continuation token may be an offset (the emulator's is, and
  nothing in json-paginatedlist.md says otherwise), so when another worker deletes items while this
  one pages through the collection, the later pages shift and an item of this worker's is never
  listed: a read-back then reports a track it just added as missing (it did, in CI). So a worker
  holds the lock *exclusively* while it pages through a collection list (:meth:`WorkerLock.steady`),
  and every request that may change data takes it *shared* (:meth:`WorkerLock.changing`): changes of
  all workers run side by side, but none lands in the middle of another worker's paged read.
* **What the user had before the run** is read by the first worker to start (under the exclusive
  lock) and written next to the lock; the others take that snapshot instead of reading their own,
  which could already hold a faster worker's first playlists and tracks and count them as the
  user's (``first_snapshot``).

The files live in the journal directory (``journal.state_dir``), named after the run, and the
controller removes them when the run ends (``plugin.xdist``). ``fcntl.flock`` locks belong to an
open file and go with the process, so a killed worker never leaves the others waiting. Not on
POSIX (no ``fcntl``): :func:`open_lock` gives None and the workers run unlocked, as before.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

from conformance.journal import state_dir

# user -> (playlist keys, track keys) the user had before the run, as ``ids.key``s
Snapshot = dict[str, tuple[set[str], set[str]]]


def lock_path(run_id: str) -> Path:
    return state_dir() / f"workers-{run_id}.lock"


def snapshot_path(run_id: str) -> Path:
    return state_dir() / f"workers-{run_id}.snapshot.json"


def remove_files(run_id: str) -> None:
    """The run's lock and snapshot files (the controller, once every worker is down)."""
    for path in (lock_path(run_id), snapshot_path(run_id)):
        path.unlink(missing_ok=True)


class WorkerLock:
    """One worker's handle on the run's lock file (a ``client.ChangeGate``)."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        path = lock_path(run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._depth = 0  # nested steady() sections of this process

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    @contextmanager
    def steady(self) -> Iterator[None]:
        """No other worker changes anything until the block ends (re-entrant)."""
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    @contextmanager
    def changing(self) -> Iterator[None]:
        """A request that may change data: never inside another worker's ``steady`` block. Within
        this process's own ``steady`` block it needs nothing more (and must not wait on itself)."""
        if self._depth:
            yield
            return
        fcntl.flock(self._fd, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def first_snapshot(self, take: Callable[[], Snapshot | None]) -> Snapshot | None:
        """The snapshot of the run's first worker: ``take`` it when this worker is the first (and
        save it for the others), else read the saved one. None when it could not be taken."""
        path = snapshot_path(self.run_id)
        with self.steady():
            if path.is_file():
                saved = json.loads(path.read_text(encoding="utf-8"))
                if saved is None:
                    return None
                return {user: (set(p), set(t)) for user, (p, t) in saved.items()}
            snap = take()
            data = None if snap is None else {u: [sorted(p), sorted(t)] for u, (p, t) in snap.items()}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.chmod(tmp, 0o600)
            tmp.replace(path)
            return snap


def open_lock(run_id: str) -> WorkerLock | None:
    """This worker's handle on the run's lock; None where ``fcntl`` is missing."""
    return WorkerLock(run_id) if fcntl is not None else None
