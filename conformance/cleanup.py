"""What a run created on a target, and how it is removed at the end of the run.

The suite may be pointed at a real account, so it keeps three promises:

* everything it creates is recognisable: playlists are named ``conformance-<runid>-...``;
* everything it creates is removed at the end of the session, also after failures and
  interrupts (the plugin calls :meth:`Registry.cleanup` from a session finaliser and again,
  idempotently, from ``pytest_sessionfinish``);
* it never deletes or changes what it did not create: when the target can be browsed, the
  user's playlists and tracks are read before the first test, and the client refuses any
  update or delete that names one of them (:meth:`Registry.guard`); a track that ``add``
  answers with an Id the user already had is never removed.

A target under test is by definition not yet right, so the cleanup does not take its answers on
trust. A batch the target refuses is retried in halves. Catalog IDs sent in an add whose answer
did not account for them (a 400 that still added some, a broken connection, an interrupt) are
*pending*: they are added again, and what that answers is deleted unless the user had it. When
the target can be browsed, the end state is read back: what the run created and is still listed
is deleted once more, and whatever is still there then is reported, never called removed.

Without browse, the run cannot tell a track it added from one the user already had (adding a
track already in the collection succeeds with the existing Id, E17), so such tracks are left in
place and listed as *unverified*. Against a foreign target everything is also written to a
journal (``conformance.journal``) so that what an interrupted run left behind can be removed
later with ``groove-conformance cleanup`` (``conformance.cleanup_command``).
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance import judging
from conformance.ids import utf16_units
from conformance.journal import Journal, digest, item_key

RUN_NAME_PREFIX = "conformance-"
RUN_NAME_RE = re.compile(r"^conformance-([0-9a-f]{8})-")
MAX_BROWSE_PAGES = 400  # 10,000 items at 25 per page: a guard against a target that never ends a list
STILL_LISTED = "the target still lists it after answering its delete"
UNVERIFIED = "unverified: the target has no browse endpoint to tell it from a track the user already had"


def new_run_id() -> str:
    """Eight hex digits: short enough for names, random enough never to meet a user's playlist."""
    return secrets.token_hex(4)


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
    """Per user: what this run created, the adds not yet accounted for, and what existed before."""

    def __init__(self, run_id: str, *, journal: Journal | None = None) -> None:
        self.run_id = run_id
        self.prefix = f"{RUN_NAME_PREFIX}{run_id}-"
        self.journal = journal
        self._names = itertools.count(1)
        self._playlists: dict[str, dict[str, str]] = {}  # user -> key -> id
        self._tracks: dict[str, dict[str, tuple[str, bool]]] = {}  # user -> id -> (id, verified)
        self._pending: dict[str, dict[str, str]] = {}  # user -> key -> catalog ID of an unanswered add
        self._ever: dict[tuple[str, str], dict[str, str]] = {}  # (user, kind) -> key -> id, all created
        self._before_playlists: dict[str, set[str]] = {}  # user -> keys (only when browsed)
        self._before_tracks: dict[str, set[str]] = {}
        self._before_digests: dict[str, set[str]] = {}  # user -> digests (from a journal's snapshot)
        self._why: dict[tuple[str, str, str], str] = {}  # (user, kind, key) -> why it is still there
        self._removed_now: set[tuple[str, str, str]] = set()  # (user, kind, key) removed by cleanup()
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

        head = base if utf16_units(base) < length else ""
        out = head
        while utf16_units(out) + utf16_units(fill) <= length:
            out += fill
        while utf16_units(out) < length:
            out += "x"
        return out

    # ---- before the first test -------------------------------------------------------
    def snapshot(self, user: str, client: Any) -> bool:
        """Read ``user``'s playlists and tracks (browse); False when they cannot be read."""
        playlists = listed_keys(client, "playlist")
        keys = listed_keys(client, "track")
        if playlists is None or keys is None:
            return False
        self._before_playlists[user] = playlists
        self._before_tracks[user] = keys
        if self.journal:
            self.journal.snapshot(user, keys)
        return True

    def restore_snapshot(self, user: str, digests: set[str]) -> None:
        """What a journal's snapshot says the user had (``groove-conformance cleanup``)."""
        self._before_digests[user] = set(digests)

    def browsable(self, user: str) -> bool:
        """Whether ``user``'s data was read before the run (so the run can tell its own from theirs)."""
        return user in self._before_tracks or user in self._before_digests

    def preexisting(self, item_id: str) -> bool:
        """True when any user had ``item_id`` before the run (as far as browse could tell)."""
        k = item_key(item_id)
        if any(k in s for s in self._before_playlists.values()) or any(
            k in s for s in self._before_tracks.values()
        ):
            return True
        return bool(self._before_digests) and any(digest(item_id) in s for s in self._before_digests.values())

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

    def sending(self, user: str, operation: str, body: Any) -> None:
        """Before an add goes out: its catalog IDs are pending until an answer accounts for them.

        Only where the user's data was read first: elsewhere a re-add could not tell the run's
        track from the user's, so it would settle nothing.
        """
        if operation != "collection_add" or not self.browsable(user) or not isinstance(body, dict):
            return
        ids = [i for i in _list(body.get("TrackIds")) if isinstance(i, str) and i]
        pending = self._pending.setdefault(user, {})
        for i in ids:
            pending[item_key(i)] = i
        if self.journal:
            self.journal.catalog("adding", user, list(dict.fromkeys(ids)))

    def observe(self, user: str, operation: str, body: Any, response: Any) -> None:
        """Note what an answer says was created or removed."""
        data = getattr(response, "body", None)
        if not isinstance(data, dict):
            return
        ok = 200 <= response.status < 300
        if operation == "collection_add":
            answered = []
            for result in _list(data.get("TrackActionResults")):
                if not isinstance(result, dict):
                    continue
                # Whatever the status: a result with an Id says the track is there now.
                if isinstance(result.get("Id"), str) and not result.get("Error"):
                    self._add_track(user, result["Id"])
                if isinstance(result.get("InputId"), str):
                    answered.append(result["InputId"])
            self._answered(user, answered)
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

    # ---- bookkeeping (each change journaled) -----------------------------------------------
    def _answered(self, user: str, catalog_ids: list[str]) -> None:
        pending = self._pending.get(user, {})
        settled = [i for i in catalog_ids if pending.pop(item_key(i), None) is not None]
        if self.journal:
            self.journal.catalog("answered", user, settled)

    def _add_playlist(self, user: str, pid: str) -> None:
        if self.preexisting(pid):
            return
        self._playlists.setdefault(user, {})[item_key(pid)] = pid
        self._ever.setdefault((user, "playlist"), {})[item_key(pid)] = pid
        if self.journal:
            self.journal.write("created", user, "playlist", pid)

    def _forget_playlist(self, user: str, pid: str) -> None:
        if self._playlists.get(user, {}).pop(item_key(pid), None) is not None and self.journal:
            self.journal.write("removed", user, "playlist", pid)

    def _add_track(self, user: str, cid: str, verified: bool | None = None) -> None:
        if self.preexisting(cid) or cid in self._tracks.get(user, {}):
            return
        verified = self.browsable(user) if verified is None else verified
        self._tracks.setdefault(user, {})[cid] = (cid, verified)
        self._ever.setdefault((user, "track"), {})[item_key(cid)] = cid
        if self.journal:
            self.journal.write("created", user, "track", cid, verified)

    def _forget_track(self, user: str, cid: str) -> None:
        if self._tracks.get(user, {}).pop(cid, None) is not None and self.journal:
            self.journal.write("removed", user, "track", cid)

    def playlists(self, user: str = "user") -> list[str]:
        return list(self._playlists.get(user, {}).values())

    def tracks(self, user: str = "user") -> list[str]:
        return [cid for cid, _ in self._tracks.get(user, {}).values()]

    def pending_adds(self, user: str = "user") -> list[str]:
        return list(self._pending.get(user, {}).values())

    def pending(self) -> int:
        return sum(len(v) for d in (self._playlists, self._tracks, self._pending) for v in d.values())

    # ---- at the end --------------------------------------------------------------------
    def cleanup(self, clients: Mapping[str, Any], *, sweep: bool = True) -> CleanupResult:
        """Remove what the run created, as each user; idempotent. Never raises for the target's sake.

        ``sweep`` also deletes playlists named with this run's prefix that no answer reported.
        """
        from conformance.client import TransportError

        result = CleanupResult()
        self._removed_now = set()
        users = (
            set(self._playlists) | set(self._tracks) | set(self._pending) | (set(clients) if sweep else set())
        )
        for user in sorted(users):
            client = clients.get(user)
            if client is None:
                self._blame(user, "no credential for this user")
                continue
            try:
                self._remove_playlists(user, client)
                if sweep and user in self._before_playlists:
                    self._sweep(user, client)
                self._settle_pending(user, client)
                self._remove_tracks(user, client)
                if self.browsable(user):
                    self._verify(user, client)
            except TransportError as exc:
                self._blame(user, str(exc))
        result.left = self._left()
        result.removed_playlists = sum(1 for _, kind, _ in self._removed_now if kind == "playlist")
        result.removed_tracks = sum(1 for _, kind, _ in self._removed_now if kind == "track")
        self.cleaned = True
        if self.journal and result.clean:
            self.journal.discard()
        return result

    def _blame(self, user: str, why: str) -> None:
        for kind, items in (
            ("playlist", self._playlists.get(user, {})),
            ("track", {item_key(c): c for c in self._tracks.get(user, {})}),
            ("catalog", self._pending.get(user, {})),
        ):
            for k in items:
                self._why.setdefault((user, kind, k), why)

    def _left(self) -> list[tuple[str, str, str, str]]:
        left = []
        for user, items in sorted(self._playlists.items()):
            for k, pid in items.items():
                left.append((user, "playlist", pid, self._why.get((user, "playlist", k), "not removed")))
        for user, tracks in sorted(self._tracks.items()):
            for cid, verified in tracks.values():
                why = self._why.get((user, "track", item_key(cid))) or (
                    "not removed" if verified else UNVERIFIED
                )
                left.append((user, "track", cid, why))
        for user, pending in sorted(self._pending.items()):
            for k, tid in pending.items():
                why = self._why.get(
                    (user, "catalog", k), "an add of this catalog ID was never answered for it"
                )
                left.append((user, "catalog", tid, why))
        return left

    def _remove_playlists(self, user: str, client: Any) -> None:
        for pid in self.playlists(user):
            r = client.playlist_delete({"Id": pid}, guard=False)
            if (200 <= r.status < 300 and not r.error) or r.status == 404:
                self._forget_playlist(user, pid)  # 404: already gone (a test deleted it)
                if r.status != 404:
                    self._removed_now.add((user, "playlist", item_key(pid)))
            else:
                self._why[(user, "playlist", item_key(pid))] = f"delete answered HTTP {r.status}"

    def _remove_tracks(self, user: str, client: Any) -> None:
        ids = [cid for cid, verified in self._tracks.get(user, {}).values() if verified]
        self._delete_tracks(user, client, ids)

    def _delete_tracks(self, user: str, client: Any, ids: list[str]) -> None:
        for batch, r in _batched(ids, lambda b: client.collection_delete(b, guard=False)):
            results = _list((r.body or {}).get("TrackActionResults")) if 200 <= r.status < 300 else []
            done = {x.get("InputId") for x in results if isinstance(x, dict) and not x.get("Error")}
            gone = {x.get("InputId") for x in results if isinstance(x, dict) and x.get("Error")}
            for cid in batch:
                if cid in done or cid in gone:  # an Error here means it is not (or no longer) there
                    self._forget_track(user, cid)
                    if cid in done:
                        self._removed_now.add((user, "track", item_key(cid)))
                else:
                    self._why[(user, "track", item_key(cid))] = f"delete answered HTTP {r.status}"

    def _sweep(self, user: str, client: Any) -> None:
        """Playlists named with this run's prefix that the registry missed (an unreadable answer,
        a create in flight when the run was interrupted)."""
        items = browse_all(client, "playlists", "Playlists") or []
        for item in items:
            pid, name = item.get("Id"), item.get("Name")
            if not (isinstance(pid, str) and isinstance(name, str) and name.startswith(self.prefix)):
                continue
            if item_key(pid) in self._before_playlists.get(user, set()):
                continue
            r = client.playlist_delete({"Id": pid}, guard=False)
            if 200 <= r.status < 300 and not r.error:
                self._forget_playlist(user, pid)
                self._removed_now.add((user, "playlist", item_key(pid)))
            else:
                self._add_playlist(user, pid)
                self._why[(user, "playlist", item_key(pid))] = f"delete answered HTTP {r.status}"

    def _settle_pending(self, user: str, client: Any) -> None:
        """Add the pending catalog IDs again: the answer names the track each one is (E17), so
        what the unanswered add created is registered (and then deleted), and what the user
        already had is recognised and left alone."""
        ids = self.pending_adds(user)
        for batch, r in _batched(ids, lambda b: client.collection_add(b, guard=False)):
            if 200 <= r.status < 300 and isinstance(r.body, dict):
                for x in _list(r.body.get("TrackActionResults")):
                    if isinstance(x, dict) and isinstance(x.get("Id"), str) and not x.get("Error"):
                        self._add_track(user, x["Id"])
                self._answered(user, batch)
            elif 400 <= r.status < 500:  # one ID, refused: nothing was added for it
                self._answered(user, batch)
            else:
                for tid in batch:
                    self._why[(user, "catalog", item_key(tid))] = f"adding it again answered HTTP {r.status}"

    def _verify(self, user: str, client: Any) -> None:
        """Read the end state back: delete again what the run created and is still listed. Then
        browse is the truth: what is gone is forgotten, what is still listed is left, with the
        reason, and is not counted as removed."""
        for kind, browse_type, member in (
            ("track", "tracks", "Tracks"),
            ("playlist", "playlists", "Playlists"),
        ):
            ever = self._ever.get((user, kind), {})
            listed = _listed(client, browse_type, member) if ever else None
            if listed is None:
                continue
            stale = [item_id for k, item_id in ever.items() if k in listed]
            if stale:
                for item_id in stale:
                    self._track_again(user, kind, item_id)
                if kind == "track":
                    self._delete_tracks(user, client, stale)
                else:
                    self._remove_playlists(user, client)
                listed = _listed(client, browse_type, member)
                if listed is None:
                    continue
            for k, item_id in ever.items():
                if k in listed:
                    self._track_again(user, kind, item_id)
                    self._why[(user, kind, k)] = STILL_LISTED
                    self._removed_now.discard((user, kind, k))
                elif kind == "track":
                    self._forget_track(user, item_id)
                else:
                    self._forget_playlist(user, item_id)

    def _track_again(self, user: str, kind: str, item_id: str) -> None:
        """Hold ``item_id`` as the run's again (it is still on the target)."""
        if kind == "track":
            if item_id not in self._tracks.get(user, {}):
                self._tracks.setdefault(user, {})[item_id] = (item_id, True)
                if self.journal:
                    self.journal.write("created", user, "track", item_id)
        elif item_key(item_id) not in self._playlists.get(user, {}):
            self._playlists.setdefault(user, {})[item_key(item_id)] = item_id
            if self.journal:
                self.journal.write("created", user, "playlist", item_id)


def _batched(
    ids: list[str], send: Callable[[list[str]], Any], limit: int | None = None
) -> Iterator[tuple[list[str], Any]]:
    """Send ``ids`` in batches of the documented size; a batch the target refuses is sent again
    in halves (a target may count its limit differently or choke on one entry). At most
    ``2 * len(ids)`` requests."""
    if limit is None:
        from conformance.contract import LIMITS

        limit = LIMITS.batch_max
    stack = [ids[i : i + limit] for i in range(0, len(ids), limit)][::-1]
    while stack:
        batch = stack.pop()
        r = send(batch)
        if not 200 <= r.status < 300 and len(batch) > 1:
            half = len(batch) // 2
            stack += [batch[half:], batch[:half]]
            continue
        yield batch, r


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _listed(client: Any, browse_type: str, member: str) -> set[str] | None:
    items = browse_all(client, browse_type, member)
    if items is None:
        return None
    return {item_key(i["Id"]) for i in items if isinstance(i.get("Id"), str)}


def listed_keys(client: Any, kind: str) -> set[str] | None:
    """What browse lists of ``kind`` ("playlist" or "track"), as ``item_key``s; None without browse.

    A track counts under its collection Id and under every catalog ID its ``OtherIds`` name, so
    that a catalog ID (of an add) is recognised as well as the Id the add answered.
    """
    browse_type, member = {"playlist": ("playlists", "Playlists"), "track": ("tracks", "Tracks")}[kind]
    items = browse_all(client, browse_type, member)
    if items is None:
        return None
    keys: set[str] = set()
    for item in items:
        if isinstance(item.get("Id"), str):
            keys.add(item_key(item["Id"]))
        other = item.get("OtherIds") if kind == "track" else None
        if isinstance(other, dict):
            keys.update(item_key(v) for v in other.values() if isinstance(v, str))
    return keys


def browse_all(client: Any, browse_type: str, member: str) -> list[dict] | None:
    """Every item of a collection browse, following continuation tokens; None when browse fails."""
    items: list[dict] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_BROWSE_PAGES):
        r = client.collection_browse(browse_type, continuation_token=token)
        if token is None and judging.is_no_result(r):
            return items  # E30: the user has none
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
