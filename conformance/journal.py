"""The journal of a run against a foreign target: what it created, so that a later process can
remove what an interrupted run left behind (``groove-conformance cleanup``).

One JSON line per event, appended and closed at once (a killed run loses at most the line being
written). No credential is ever written. The events:

* ``created`` / ``removed``: a playlist or collection track (by the Id the target answered);
* ``adding`` / ``answered``: catalog track IDs sent in a collection add, and those the answer
  accounted for. An add whose answer never came (the run was killed while it was in flight, the
  connection broke) or did not say what became of each ID may still have added tracks; the
  catalog IDs stay *pending* and cleanup settles them by adding them again (the answer then names
  the track's Id, E17) and deleting what it answers, unless the user had that track before;
* ``snapshot``: which collection Ids the user had before the run, as short SHA-256 digests (enough
  to recognise one, not to list the user's collection), read by browse; without it nothing the
  journal cannot prove to be the run's own is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conformance.ids import key

JOURNAL_VERSION = 2


def state_dir() -> Path:
    """Where journals live: ``$GROOVE_STATE_DIR``, else ``$XDG_STATE_HOME/groove-conformance``."""
    if os.environ.get("GROOVE_STATE_DIR"):
        return Path(os.environ["GROOVE_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "groove-conformance"


def journal_path(run_id: str, worker: str | None = None) -> Path:
    return state_dir() / f"journal-{run_id}{'-' + worker if worker else ''}.jsonl"


def digest(value: str) -> str:
    """The short digest a snapshot keeps of one Id."""
    return hashlib.sha256(key(value).encode("utf-8")).hexdigest()[:16]


class Journal:
    """Append-only JSON lines of one run (one worker)."""

    def __init__(self, path: Path, *, target: str, profile: str, run_id: str) -> None:
        self.path = path
        self.header = {"v": JOURNAL_VERSION, "target": target, "profile": profile, "run": run_id}

    def _append(self, line: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {**self.header, **line, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def write(self, event: str, user: str, kind: str, item_id: str, verified: bool = True) -> None:
        """A playlist or track ``created`` or ``removed``."""
        self._append({"event": event, "user": user, "kind": kind, "id": item_id, "verified": verified})

    def catalog(self, event: str, user: str, ids: list[str]) -> None:
        """Catalog IDs ``adding`` (about to be sent in an add) or ``answered`` (accounted for)."""
        if ids:
            self._append({"event": event, "user": user, "kind": "catalog", "ids": ids})

    def snapshot(self, user: str, ids: Iterable[str]) -> None:
        self._append({"event": "snapshot", "user": user, "tracks": sorted({digest(i) for i in ids})})

    def discard(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


@dataclass
class Leftover:
    """One item a journal says was created and not removed (``kind`` "catalog": a pending add)."""

    target: str
    profile: str
    run: str
    user: str
    kind: str  # "playlist", "track" or "catalog"
    id: str
    verified: bool
    journal: Path


@dataclass
class JournalState:
    """What one journal says is still on the target, and what its users had before the run."""

    leftovers: list[Leftover] = field(default_factory=list)
    snapshots: dict[str, set[str]] = field(default_factory=dict)  # user -> digests


def read_state(path: Path) -> JournalState:
    """Replay a journal; a malformed line is skipped."""
    alive: dict[tuple[str, str, str], Leftover] = {}
    state = JournalState()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ev = json.loads(line)
            event, user = ev["event"], ev["user"]
            if event == "snapshot":
                state.snapshots[user] = set(ev["tracks"])
                continue
            named = ev["ids"] if ev["kind"] == "catalog" else [ev["id"]]
            for item_id in named:
                slot = (user, ev["kind"], key(item_id))
                if event in ("created", "adding"):
                    alive[slot] = Leftover(
                        ev["target"],
                        ev["profile"],
                        ev["run"],
                        user,
                        ev["kind"],
                        item_id,
                        bool(ev.get("verified", True)),
                        path,
                    )
                elif event in ("removed", "answered"):
                    alive.pop(slot, None)
        except (ValueError, KeyError, TypeError):
            continue
    for item in alive.values():
        if item.kind == "catalog":
            item.verified = item.user in state.snapshots
    state.leftovers = list(alive.values())
    return state


def read_journal(path: Path) -> list[Leftover]:
    """Items created and not removed (and pending adds), in creation order."""
    return read_state(path).leftovers


def outstanding(paths: Iterable[Path]) -> list[Leftover]:
    out: list[Leftover] = []
    for p in paths:
        if p.exists():
            out.extend(read_journal(p))
    return out
