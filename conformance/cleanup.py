"""What a run created on a target, how it is removed, and ``groove-conformance cleanup``.

The suite may be pointed at a real account, so it keeps three promises:

* everything it creates is recognisable: playlists are named ``conformance-<runid>-...``;
* everything it creates is removed at the end of the session, also after failures and
  interrupts (the plugin calls :meth:`Registry.cleanup` from a session finaliser and again,
  idempotently, from ``pytest_sessionfinish``);
* it never deletes or changes what it did not create: when the target can be browsed, the
  user's playlists and tracks are read before the first test, and the client refuses any
  update or delete that names one of them (:meth:`Registry.guard`); a track that ``add``
  answers with an Id the user already had is never removed.

Without browse, the run cannot tell a track it added from one the user already had (adding a
track already in the collection succeeds with the existing Id, E17), so such tracks are left in
place and listed as *unverified*. Against a foreign target every creation and removal is also
written to a journal (JSON lines, never a credential) under the state directory, so that what an
interrupted run left behind can be removed later with ``groove-conformance cleanup``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import secrets
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUN_NAME_PREFIX = "conformance-"
RUN_NAME_RE = re.compile(r"^conformance-([0-9a-f]{8})-")
MAX_BROWSE_PAGES = 400  # 10,000 items at 25 per page: a guard against a target that never ends a list
JOURNAL_VERSION = 1


def new_run_id() -> str:
    """Eight hex digits: short enough for names, random enough never to meet a user's playlist."""
    return secrets.token_hex(4)


def state_dir() -> Path:
    """Where journals live: ``$GROOVE_STATE_DIR``, else ``$XDG_STATE_HOME/groove-conformance``."""
    if os.environ.get("GROOVE_STATE_DIR"):
        return Path(os.environ["GROOVE_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "groove-conformance"


def _key(value: str) -> str:
    # Playlist and GUID IDs are case-insensitive (E13, E15); for protection a case-insensitive
    # match is the cautious one.
    return value.upper()


# --- journal -------------------------------------------------------------------------------
class Journal:
    """Append-only JSON lines: created / removed events of one run (one worker)."""

    def __init__(self, path: Path, *, target: str, profile: str, run_id: str) -> None:
        self.path = path
        self.header = {"v": JOURNAL_VERSION, "target": target, "profile": profile, "run": run_id}

    def write(self, event: str, user: str, kind: str, item_id: str, verified: bool = True) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            **self.header,
            "event": event,
            "user": user,
            "kind": kind,
            "id": item_id,
            "verified": verified,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def discard(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


@dataclass
class Leftover:
    """One item a journal says was created and not removed."""

    target: str
    profile: str
    run: str
    user: str
    kind: str  # "playlist" or "track"
    id: str
    verified: bool
    journal: Path


def read_journal(path: Path) -> list[Leftover]:
    """Items created and not removed, in creation order; a malformed line is skipped."""
    alive: dict[tuple[str, str, str], Leftover] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ev = json.loads(line)
            key = (ev["user"], ev["kind"], ev["id"])
            if ev["event"] == "created":
                alive[key] = Leftover(
                    ev["target"],
                    ev["profile"],
                    ev["run"],
                    ev["user"],
                    ev["kind"],
                    ev["id"],
                    bool(ev.get("verified", True)),
                    path,
                )
            elif ev["event"] == "removed":
                alive.pop(key, None)
        except (ValueError, KeyError, TypeError):
            continue
    return list(alive.values())


# --- the registry --------------------------------------------------------------------------
@dataclass
class CleanupResult:
    removed_playlists: int = 0
    removed_tracks: int = 0
    left: list[tuple[str, str, str, str]] = field(default_factory=list)  # (user, kind, id, why)

    @property
    def clean(self) -> bool:
        return not self.left

    def line(self) -> str:
        text = (
            f"removed {self.removed_playlists} playlist(s) and {self.removed_tracks} collection track(s) "
            "created by this run"
        )
        if self.left:
            text += f"; {len(self.left)} item(s) left in place"
        return text


class Registry:
    """Per user: the playlists and collection tracks this run created, and what existed before."""

    def __init__(self, run_id: str, *, journal: Journal | None = None) -> None:
        self.run_id = run_id
        self.prefix = f"{RUN_NAME_PREFIX}{run_id}-"
        self.journal = journal
        self._names = itertools.count(1)
        self._playlists: dict[str, dict[str, str]] = {}  # user -> key -> id
        self._tracks: dict[str, dict[str, tuple[str, bool]]] = {}  # user -> id -> (id, verified)
        self._before_playlists: dict[str, set[str]] = {}  # user -> keys (only when browsed)
        self._before_tracks: dict[str, set[str]] = {}
        self.cleaned = False

    # ---- names ---------------------------------------------------------------------
    def name(self, label: str = "playlist", *, length: int | None = None, fill: str = "x") -> str:
        """A fresh playlist name carrying the run prefix.

        With ``length`` the name is exactly that many UTF-16 code units (the unit of E09), the
        rest filled with ``fill``; a length shorter than the prefix gives ``fill`` alone (the
        playlist is still found and removed through the Id that create returns).
        """
        base = f"{self.prefix}{label}-{next(self._names)}"
        if length is None:
            return base

        def units(s: str) -> int:
            return len(s.encode("utf-16-le")) // 2

        head = base if units(base) < length else ""
        out = head
        while units(out) + units(fill) <= length:
            out += fill
        while units(out) < length:
            out += "x"
        return out

    # ---- before the first test -------------------------------------------------------
    def snapshot(self, user: str, client: Any) -> bool:
        """Read ``user``'s playlists and tracks (browse); False when they cannot be read."""
        playlists = browse_all(client, "playlists", "Playlists")
        tracks = browse_all(client, "tracks", "Tracks")
        if playlists is None or tracks is None:
            return False
        self._before_playlists[user] = {_key(i["Id"]) for i in playlists if isinstance(i.get("Id"), str)}
        keys: set[str] = set()
        for item in tracks:
            if isinstance(item.get("Id"), str):
                keys.add(_key(item["Id"]))
            other = item.get("OtherIds")
            if isinstance(other, dict):
                keys.update(_key(v) for v in other.values() if isinstance(v, str))
        self._before_tracks[user] = keys
        return True

    def preexisting(self, item_id: str) -> bool:
        """True when any user had ``item_id`` before the run (as far as browse could tell)."""
        k = _key(item_id)
        return any(k in s for s in self._before_playlists.values()) or any(
            k in s for s in self._before_tracks.values()
        )

    # ---- while tests run ---------------------------------------------------------------
    def guard(self, user: str, operation: str, body: Any) -> None:
        """Refuse an update or delete that names data the user had before the run."""
        from conformance.client import GuardError

        if not isinstance(body, dict):
            return
        named: list[str] = []
        if operation in ("playlist_update", "playlist_delete") and isinstance(body.get("Id"), str):
            named.append(body["Id"])
        if operation == "collection_delete" and isinstance(body.get("TrackIds"), list):
            named.extend(i for i in body["TrackIds"] if isinstance(i, str))
        for item_id in named:
            if self.preexisting(item_id):
                raise GuardError(
                    f"refusing {operation} of {item_id}: it existed before this run, and the suite "
                    "never changes data it did not create"
                )

    def observe(self, user: str, operation: str, body: Any, response: Any) -> None:
        """Note what an answer says was created or removed."""
        data = getattr(response, "body", None)
        if not isinstance(data, dict):
            return
        ok = 200 <= response.status < 300
        if operation == "collection_add" and ok:
            for result in _list(data.get("TrackActionResults")):
                if isinstance(result, dict) and isinstance(result.get("Id"), str) and not result.get("Error"):
                    self._add_track(user, result["Id"])
        elif operation == "collection_delete" and ok:
            for result in _list(data.get("TrackActionResults")):
                if (
                    isinstance(result, dict)
                    and isinstance(result.get("InputId"), str)
                    and not result.get("Error")
                ):
                    self._forget_track(user, result["InputId"])
        elif operation == "playlist_create":
            result = data.get("PlaylistActionResult")
            if isinstance(result, dict) and isinstance(result.get("Id"), str):
                self._add_playlist(user, result["Id"])
        elif operation == "playlist_delete" and ok and not data.get("Error") and isinstance(body, dict):
            if isinstance(body.get("Id"), str):
                self._forget_playlist(user, body["Id"])

    def _add_playlist(self, user: str, pid: str) -> None:
        if self.preexisting(pid):
            return
        self._playlists.setdefault(user, {})[_key(pid)] = pid
        if self.journal:
            self.journal.write("created", user, "playlist", pid)

    def _forget_playlist(self, user: str, pid: str) -> None:
        if self._playlists.get(user, {}).pop(_key(pid), None) is not None and self.journal:
            self.journal.write("removed", user, "playlist", pid)

    def _add_track(self, user: str, cid: str) -> None:
        if self.preexisting(cid):
            return
        verified = user in self._before_tracks
        self._tracks.setdefault(user, {})[cid] = (cid, verified)
        if self.journal:
            self.journal.write("created", user, "track", cid, verified)

    def _forget_track(self, user: str, cid: str) -> None:
        if self._tracks.get(user, {}).pop(cid, None) is not None and self.journal:
            self.journal.write("removed", user, "track", cid)

    def playlists(self, user: str = "user") -> list[str]:
        return list(self._playlists.get(user, {}).values())

    def tracks(self, user: str = "user") -> list[str]:
        return [cid for cid, _ in self._tracks.get(user, {}).values()]

    def pending(self) -> int:
        return sum(len(v) for v in self._playlists.values()) + sum(len(v) for v in self._tracks.values())

    # ---- at the end --------------------------------------------------------------------
    def cleanup(self, clients: Mapping[str, Any], *, sweep: bool = True) -> CleanupResult:
        """Remove what the run created, as each user; idempotent. Never raises for the target's sake."""
        from conformance.client import TransportError

        result = CleanupResult()
        users = set(self._playlists) | set(self._tracks) | (set(clients) if sweep else set())
        for user in sorted(users):
            client = clients.get(user)
            if client is None:
                for pid in self.playlists(user):
                    result.left.append((user, "playlist", pid, "no credential for this user"))
                for cid in self.tracks(user):
                    result.left.append((user, "track", cid, "no credential for this user"))
                continue
            try:
                result.removed_playlists += self._remove_playlists(user, client, result)
                result.removed_tracks += self._remove_tracks(user, client, result)
                if sweep and user in self._before_playlists:
                    result.removed_playlists += self._sweep(user, client, result)
            except TransportError as exc:
                for pid in self.playlists(user):
                    result.left.append((user, "playlist", pid, str(exc)))
                for cid in self.tracks(user):
                    result.left.append((user, "track", cid, str(exc)))
        self.cleaned = True
        if self.journal and result.clean:
            self.journal.discard()
        return result

    def _remove_playlists(self, user: str, client: Any, result: CleanupResult) -> int:
        removed = 0
        for pid in self.playlists(user):
            r = client.playlist_delete({"Id": pid}, guard=False)
            if (200 <= r.status < 300 and not r.error) or r.status == 404:
                self._forget_playlist(user, pid)  # 404: already gone (a test deleted it)
                removed += r.status != 404
            else:
                result.left.append((user, "playlist", pid, f"delete answered HTTP {r.status}"))
        return removed

    def _remove_tracks(self, user: str, client: Any, result: CleanupResult) -> int:
        from conformance.contract import LIMITS

        removed = 0
        entries = list(self._tracks.get(user, {}).values())
        for cid, verified in entries:
            if not verified:
                result.left.append(
                    (
                        user,
                        "track",
                        cid,
                        "unverified: the target has no browse endpoint to tell it "
                        "from a track the user already had",
                    )
                )
        ids = [cid for cid, verified in entries if verified]
        for start in range(0, len(ids), LIMITS.batch_max):
            batch = ids[start : start + LIMITS.batch_max]
            r = client.collection_delete(batch, guard=False)
            results = _list((r.body or {}).get("TrackActionResults")) if 200 <= r.status < 300 else []
            done = {x.get("InputId") for x in results if isinstance(x, dict) and not x.get("Error")}
            gone = {x.get("InputId") for x in results if isinstance(x, dict) and x.get("Error")}
            for cid in batch:
                if cid in done or cid in gone:  # an Error here means it is not (or no longer) there
                    self._forget_track(user, cid)
                    removed += cid in done
                else:
                    result.left.append((user, "track", cid, f"delete answered HTTP {r.status}"))
        return removed

    def _sweep(self, user: str, client: Any, result: CleanupResult) -> int:
        """Playlists named with this run's prefix that the registry missed (e.g. an unreadable answer)."""
        items = browse_all(client, "playlists", "Playlists") or []
        removed = 0
        for item in items:
            pid, name = item.get("Id"), item.get("Name")
            if not (isinstance(pid, str) and isinstance(name, str) and name.startswith(self.prefix)):
                continue
            if _key(pid) in self._before_playlists.get(user, set()):
                continue
            r = client.playlist_delete({"Id": pid}, guard=False)
            if 200 <= r.status < 300 and not r.error:
                removed += 1
            else:
                result.left.append((user, "playlist", pid, f"delete answered HTTP {r.status}"))
        return removed


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def browse_all(client: Any, browse_type: str, member: str) -> list[dict] | None:
    """Every item of a collection browse, following continuation tokens; None when browse fails."""
    items: list[dict] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_BROWSE_PAGES):
        r = client.collection_browse(browse_type, continuation_token=token)
        if r.status != 200 or not isinstance(r.body, dict):
            return None
        page = r.body.get(member)
        if page is None:
            return items
        if not isinstance(page, dict):
            return None
        items.extend(i for i in _list(page.get("Items")) if isinstance(i, dict))
        token = page.get("ContinuationToken")
        if not isinstance(token, str) or not token or token in seen:
            return items
        seen.add(token)
    return items


# --- groove-conformance cleanup ------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Remove what interrupted runs left on a target: the items their journals list, "
        "and (with --sweep) playlists named conformance-<runid>-... . Tokens come from the "
        "options or from GROOVE_USER_TOKEN, GROOVE_OTHER_USER_TOKEN, GROOVE_DEVELOPER_TOKEN."
    )
    parser.add_argument(
        "--target", help="base URL of the target (default: GROOVE_TARGET, else every journal's)"
    )
    parser.add_argument(
        "--profile",
        choices=("groove-2016", "xbox-2013"),
        help="dialect (default: GROOVE_PROFILE, else the journal's)",
    )
    parser.add_argument("--user-token", help="user token (prefer GROOVE_USER_TOKEN)")
    parser.add_argument("--other-user-token", help="second user's token (prefer GROOVE_OTHER_USER_TOKEN)")
    parser.add_argument(
        "--developer-token", help="developer token, xbox-2013 (prefer GROOVE_DEVELOPER_TOKEN)"
    )
    parser.add_argument(
        "--journal",
        action="append",
        type=Path,
        default=None,
        help="journal file(s) to process (default: every journal in the state directory)",
    )
    parser.add_argument("--run", help="only this run ID (the <runid> of conformance-<runid>-...)")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="also delete playlists named conformance-<runid>-... found by browsing",
    )
    parser.add_argument(
        "--tracks",
        action="store_true",
        help="also delete unverified collection tracks (added on a target without browse)",
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")


def main(args: argparse.Namespace) -> int:
    from conformance.client import Client, ClientConfig, TransportError
    from conformance.profiles import get_profile

    env = os.environ
    tokens = {
        "user": args.user_token or env.get("GROOVE_USER_TOKEN"),
        "other": args.other_user_token or env.get("GROOVE_OTHER_USER_TOKEN"),
    }
    developer = args.developer_token or env.get("GROOVE_DEVELOPER_TOKEN")
    target = args.target or env.get("GROOVE_TARGET")
    journals = args.journal if args.journal else sorted(state_dir().glob("journal-*.jsonl"))
    leftovers: list[Leftover] = []
    for path in journals:
        if not path.exists():
            print(f"groove-conformance cleanup: no journal {path}", file=sys.stderr)
            return 4
        leftovers.extend(read_journal(path))
    if target:
        leftovers = [x for x in leftovers if x.target.rstrip("/") == target.rstrip("/")]
    if args.run:
        leftovers = [x for x in leftovers if x.run == args.run]
    targets = sorted({x.target for x in leftovers} | ({target} if target and args.sweep else set()))
    if not targets:
        print(
            "groove-conformance cleanup: nothing to clean up (no journal lists a leftover"
            + (f" for {target}" if target else "")
            + ")"
        )
        return 0
    remaining = 0
    for tgt in targets:
        mine = [x for x in leftovers if x.target == tgt]
        profile_name = (
            args.profile or env.get("GROOVE_PROFILE") or (mine[0].profile if mine else "groove-2016")
        )
        profile = get_profile(profile_name)
        config = ClientConfig(
            base_url=tgt,
            profile=profile,
            developer_token=developer,
            secrets=tuple(t for t in (*tokens.values(), developer) if t),
        )
        clients = {user: Client(config, tok, user_label=user) for user, tok in tokens.items() if tok}
        print(f"{tgt} ({profile.name}): {len(mine)} leftover item(s) in journals")
        for item in mine:
            print(
                f"  {item.kind:8} {item.id}  (run {item.run}, {item.user}"
                f"{'' if item.verified else ', unverified'})"
            )
        if args.dry_run:
            remaining += len(mine)
            continue
        by_run: dict[tuple[str, Path], list[Leftover]] = {}
        for item in mine:
            by_run.setdefault((item.run, item.journal), []).append(item)
        try:
            for (run, path), items in by_run.items():
                registry = Registry(run, journal=Journal(path, target=tgt, profile=profile.name, run_id=run))
                for item in items:
                    if item.kind == "playlist":
                        registry._playlists.setdefault(item.user, {})[_key(item.id)] = item.id
                    elif item.verified or args.tracks:
                        registry._tracks.setdefault(item.user, {})[item.id] = (item.id, True)
                result = registry.cleanup(clients, sweep=False)
                skipped = sum(1 for x in items if x.kind == "track" and not x.verified and not args.tracks)
                print(
                    f"  run {run}: {result.line()}"
                    + (f"; {skipped} unverified track(s) kept (use --tracks)" if skipped else "")
                )
                for user, kind, item_id, why in result.left:
                    print(f"    left {kind} {item_id} ({user}): {why}")
                remaining += len(result.left) + skipped
            if args.sweep:
                remaining += _sweep_target(clients, args.run)
        except TransportError as exc:
            print(f"  cannot reach {tgt}: {exc}", file=sys.stderr)
            return 1
    return 0 if remaining == 0 else 1


def _sweep_target(clients: Mapping[str, Any], run: str | None) -> int:
    """Delete playlists whose names carry a run prefix (of ``run`` only, when given)."""
    left = 0
    for user, client in clients.items():
        items = browse_all(client, "playlists", "Playlists")
        if items is None:
            print(f"  sweep ({user}): the target has no usable browse endpoint; nothing swept")
            continue
        for item in items:
            name, pid = item.get("Name"), item.get("Id")
            m = RUN_NAME_RE.match(name) if isinstance(name, str) else None
            if not m or not isinstance(pid, str) or (run and m.group(1) != run):
                continue
            r = client.playlist_delete({"Id": pid}, guard=False)
            ok = 200 <= r.status < 300 and not r.error
            left += not ok
            print(
                f"  sweep ({user}): {'deleted' if ok else f'could not delete (HTTP {r.status})'} "
                f"{pid} {name!r}"
            )
    return left


def journal_path(run_id: str, worker: str | None = None) -> Path:
    return state_dir() / f"journal-{run_id}{'-' + worker if worker else ''}.jsonl"


def outstanding(paths: Iterable[Path]) -> list[Leftover]:
    out: list[Leftover] = []
    for p in paths:
        if p.exists():
            out.extend(read_journal(p))
    return out
