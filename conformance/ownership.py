"""Ownership: what the run may change on a target, because it created it.

The suite may be pointed at a real account, so everything it changes must be provably its own.
This module holds what that takes while the run is going on:

* the *names* it gives what it creates: playlists are named ``conformance-<runid>-...``, so they
  are recognisable (and found by a sweep) even when no answer reported their Id; a pytest-xdist
  worker sharing a foreign target with the others adds its own tag (``conformance-<runid>-gw1-...``),
  so that each worker tells its playlists from the other workers' (its sweep takes only its own,
  and ``conformance.readback`` keeps only its own);
* the *snapshot* of what the user had before the first test, read by browse (or, for
  ``groove-conformance cleanup``, the digests a journal kept of it);
* the *guard*: the client refuses any update or delete that names something from the snapshot
  (:meth:`Ownership.guard`), and a track that ``add`` answers with an Id the user already had is
  never counted as the run's;
* *observing* what the client sent and what the answers say was created or removed, journaled as it
  happens when the run has a journal (``conformance.journal``).

Why it is apart from the removal (``conformance.cleanup``): the client needs it on every request
(through the :class:`~conformance.client.Ledger` protocol it defines, so it imports nothing of this
module), the removal only once at the end. IDs are filed under ``ids.key`` (ignoring case: playlist
and GUID IDs are case-insensitive, E13, E15; for protection the cautious match is the wider one).
"""

from __future__ import annotations

import itertools
import re
import secrets
from typing import Any

from conformance import judging
from conformance.client import Client, GuardError, Response
from conformance.contract import BROWSE_MEMBERS
from conformance.ids import key, utf16_units
from conformance.journal import Journal, Leftover, digest

RUN_NAME_PREFIX = "conformance-"
RUN_NAME_RE = re.compile(r"^conformance-([0-9a-f]{8})-")
MAX_BROWSE_PAGES = 400  # 10,000 items at 25 per page: a guard against a target that never ends a list


def new_run_id() -> str:
    """Eight hex digits: short enough for names, random enough never to meet a user's playlist."""
    return secrets.token_hex(4)


class Ownership:
    """Per user: what this run created, the adds not yet accounted for, and what existed before.

    It implements the client's :class:`~conformance.client.Ledger`: the client asks it before an
    update or delete (``guard``) and tells it what it sent and what the answer said
    (``sending``, ``observe``). The end-of-run removal (``conformance.cleanup.Registry``) extends it.
    """

    def __init__(self, run_id: str, *, journal: Journal | None = None, tag: str | None = None) -> None:
        """``tag``: the xdist worker (``gw1``) when workers share one target, carried by every name."""
        self.run_id = run_id
        # every name of this process; every worker's name matches RUN_NAME_RE (the run's sweep)
        self.prefix = f"{RUN_NAME_PREFIX}{run_id}-{tag}-" if tag else f"{RUN_NAME_PREFIX}{run_id}-"
        self.journal = journal
        self._names = itertools.count(1)
        self._playlists: dict[str, dict[str, str]] = {}  # user -> key -> id
        self._tracks: dict[str, dict[str, tuple[str, bool]]] = {}  # user -> id -> (id, verified)
        self._pending: dict[str, dict[str, str]] = {}  # user -> key -> catalog ID of an unanswered add
        self._ever: dict[tuple[str, str], dict[str, str]] = {}  # (user, kind) -> key -> id, all created
        self._before_playlists: dict[str, set[str]] = {}  # user -> keys (only when browsed)
        self._before_tracks: dict[str, set[str]] = {}
        self._before_digests: dict[str, set[str]] = {}  # user -> digests (from a journal's snapshot)
        self._sent_names: set[str] = set()  # every playlist Name a create or update body carried

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

    def sent_name(self, name: str) -> bool:
        """Whether a playlist create or update of this process carried ``name`` (whatever made it)."""
        return name in self._sent_names

    # ---- before the first test -------------------------------------------------------
    def snapshot(self, user: str, client: Client) -> bool:
        """Read ``user``'s playlists and tracks (browse); False when they cannot be read."""
        playlists = listed_keys(client, "playlist")
        keys = listed_keys(client, "track")
        if playlists is None or keys is None:
            return False
        self.adopt_snapshot(user, playlists, keys)
        return True

    def adopt_snapshot(self, user: str, playlists: set[str], tracks: set[str]) -> None:
        """What ``user`` had before the run (keys), read here or by the run's first xdist worker
        on a target the workers share (``worker_lock.first_snapshot``)."""
        self._before_playlists[user] = set(playlists)
        self._before_tracks[user] = set(tracks)
        if self.journal:
            self.journal.snapshot(user, tracks)

    def before(self, user: str) -> tuple[set[str], set[str]] | None:
        """``user``'s playlist and track keys before the run, when they were read."""
        if user not in self._before_tracks:
            return None
        return set(self._before_playlists.get(user, set())), set(self._before_tracks[user])

    def restore_snapshot(self, user: str, digests: set[str]) -> None:
        """What a journal's snapshot says the user had (``groove-conformance cleanup``)."""
        self._before_digests[user] = set(digests)

    def restore_leftover(self, item: Leftover, *, unverified_too: bool = False) -> None:
        """Hold what a journal lists as the run's own, as the run's ledger held it (not journaled
        again: the journal already says so). ``groove-conformance cleanup`` rebuilds a run this way.
        """
        k = key(item.id)
        if item.kind == "playlist":
            self._playlists.setdefault(item.user, {})[k] = item.id
            self._ever.setdefault((item.user, "playlist"), {})[k] = item.id
        elif item.kind == "catalog":
            if item.verified:  # without a snapshot a re-add could not tell the run's track from theirs
                self._pending.setdefault(item.user, {})[k] = item.id
        elif item.verified or unverified_too:
            self._tracks.setdefault(item.user, {})[item.id] = (item.id, True)
            self._ever.setdefault((item.user, "track"), {})[k] = item.id

    def browsable(self, user: str) -> bool:
        """Whether ``user``'s data was read before the run (so the run can tell its own from theirs)."""
        return user in self._before_tracks or user in self._before_digests

    def made(self, kind: str, item_id: str) -> bool:
        """Whether this process ever created ``item_id`` ("playlist" or "track"), for any user."""
        k = key(item_id)
        return any(k in ids for (_, kind_of), ids in self._ever.items() if kind_of == kind)

    def preexisting(self, item_id: str) -> bool:
        """True when any user had ``item_id`` before the run (as far as browse could tell)."""
        k = key(item_id)
        if any(k in s for s in self._before_playlists.values()) or any(
            k in s for s in self._before_tracks.values()
        ):
            return True
        return bool(self._before_digests) and any(digest(item_id) in s for s in self._before_digests.values())

    # ---- while tests run ---------------------------------------------------------------
    def guard(self, user: str, operation: str, body: Any) -> None:
        """Refuse an update or delete that names data the user had before the run."""
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
        track from the user's, so it would settle nothing. A playlist Name is kept (``sent_name``).
        """
        if operation in ("playlist_create", "playlist_update") and isinstance(body, dict):
            if isinstance(body.get("Name"), str):
                self._sent_names.add(body["Name"])
        if operation != "collection_add" or not self.browsable(user) or not isinstance(body, dict):
            return
        ids = [i for i in as_list(body.get("TrackIds")) if isinstance(i, str) and i]
        pending = self._pending.setdefault(user, {})
        for i in ids:
            pending[key(i)] = i
        if self.journal:
            self.journal.catalog("adding", user, list(dict.fromkeys(ids)))

    def observe(self, user: str, operation: str, body: Any, response: Response) -> None:
        """Note what an answer says was created or removed."""
        data = response.body
        if not isinstance(data, dict):
            return
        ok = 200 <= response.status < 300
        if operation == "collection_add":
            answered = []
            for result in as_list(data.get("TrackActionResults")):
                if not isinstance(result, dict):
                    continue
                # Whatever the status: a result with an Id says the track is there now.
                if isinstance(result.get("Id"), str) and not result.get("Error"):
                    self._add_track(user, result["Id"])
                if isinstance(result.get("InputId"), str):
                    answered.append(result["InputId"])
            self._answered(user, answered)
        elif operation == "collection_delete" and ok:
            for result in as_list(data.get("TrackActionResults")):
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
        settled = [i for i in catalog_ids if pending.pop(key(i), None) is not None]
        if self.journal:
            self.journal.catalog("answered", user, settled)

    def _add_playlist(self, user: str, pid: str) -> None:
        if self.preexisting(pid):
            return
        self._playlists.setdefault(user, {})[key(pid)] = pid
        self._ever.setdefault((user, "playlist"), {})[key(pid)] = pid
        if self.journal:
            self.journal.write("created", user, "playlist", pid)

    def _forget_playlist(self, user: str, pid: str) -> None:
        if self._playlists.get(user, {}).pop(key(pid), None) is not None and self.journal:
            self.journal.write("removed", user, "playlist", pid)

    def _add_track(self, user: str, cid: str, verified: bool | None = None) -> None:
        if self.preexisting(cid) or cid in self._tracks.get(user, {}):
            return
        verified = self.browsable(user) if verified is None else verified
        self._tracks.setdefault(user, {})[cid] = (cid, verified)
        self._ever.setdefault((user, "track"), {})[key(cid)] = cid
        if self.journal:
            self.journal.write("created", user, "track", cid, verified)

    def _forget_track(self, user: str, cid: str) -> None:
        if self._tracks.get(user, {}).pop(cid, None) is not None and self.journal:
            self.journal.write("removed", user, "track", cid)

    def _track_again(self, user: str, kind: str, item_id: str) -> None:
        """Hold ``item_id`` as the run's again (it is still on the target)."""
        if kind == "track":
            if item_id not in self._tracks.get(user, {}):
                self._tracks.setdefault(user, {})[item_id] = (item_id, True)
                if self.journal:
                    self.journal.write("created", user, "track", item_id)
        elif key(item_id) not in self._playlists.get(user, {}):
            self._playlists.setdefault(user, {})[key(item_id)] = item_id
            if self.journal:
                self.journal.write("created", user, "playlist", item_id)


    def playlists(self, user: str = "user") -> list[str]:
        return list(self._playlists.get(user, {}).values())

    def tracks(self, user: str = "user") -> list[str]:
        return [cid for cid, _ in self._tracks.get(user, {}).values()]

    def pending_adds(self, user: str = "user") -> list[str]:
        return list(self._pending.get(user, {}).values())

    def pending(self) -> int:
        return sum(len(v) for d in (self._playlists, self._tracks, self._pending) for v in d.values())


def as_list(value: Any) -> list:
    """``value`` when it is a list, else an empty one (a target's answer is not trusted to be)."""
    return value if isinstance(value, list) else []


# The kinds of thing a run creates, and the collection browse type that lists each.
BROWSE_OF: dict[str, str] = {"track": "tracks", "playlist": "playlists"}


def listed_keys(client: Client, kind: str) -> set[str] | None:
    """What browse lists of ``kind`` ("playlist" or "track"), as ``ids.key``s; None without browse.

    A track counts under its collection Id and under every catalog ID its ``OtherIds`` name, so
    that a catalog ID (of an add) is recognised as well as the Id the add answered.
    """
    items = browse_all(client, BROWSE_OF[kind])
    if items is None:
        return None
    keys: set[str] = set()
    for item in items:
        if isinstance(item.get("Id"), str):
            keys.add(key(item["Id"]))
        other = item.get("OtherIds") if kind == "track" else None
        if isinstance(other, dict):
            keys.update(key(v) for v in other.values() if isinstance(v, str))
    return keys


def browse_all(client: Client, browse_type: str) -> list[dict] | None:
    """Every item of a collection browse, following continuation tokens; None when browse fails.

    The member the answer lists them under is the contract's (``contract.BROWSE_MEMBERS``); no
    other xdist worker of the run changes anything while it pages (``Client.steady``)."""
    with client.steady():
        return _pages(client, browse_type, BROWSE_MEMBERS[browse_type])


def _pages(client: Client, browse_type: str, member: str) -> list[dict] | None:
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
        items.extend(i for i in as_list(page.get("Items")) if isinstance(i, dict))
        token = page.get("ContinuationToken")
        if not isinstance(token, str) or not token or token in seen:
            return items
        seen.add(token)
    return items
