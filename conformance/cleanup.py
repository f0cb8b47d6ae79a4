"""Removal: the end-of-run cleanup of what the run created on a target.

The plugin calls :meth:`Registry.cleanup` from a session finaliser and again, idempotently, from
``pytest_sessionfinish``, so what the run created is removed also after failures and interrupts.
What counts as the run's own, and what the user had before, is the ledger's business
(``conformance.ownership``); :class:`Registry` is that ledger plus its removal.

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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from conformance.client import Client, Response, TransportError
from conformance.contract import LIMITS
from conformance.ids import key
from conformance.journal import Journal
from conformance.ownership import BROWSE_OF, Ownership, as_list, browse_all

STILL_LISTED = "the target still lists it after answering its delete"
UNVERIFIED = "unverified: the target has no browse endpoint to tell it from a track the user already had"


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


class Registry(Ownership):
    """The run's ledger of what it owns (:class:`~conformance.ownership.Ownership`) and its removal."""

    def __init__(self, run_id: str, *, journal: Journal | None = None, tag: str | None = None) -> None:
        super().__init__(run_id, journal=journal, tag=tag)
        self._why: dict[tuple[str, str, str], str] = {}  # (user, kind, key) -> why it is still there
        self._removed_now: set[tuple[str, str, str]] = set()  # (user, kind, key) removed by cleanup()
        self._removed_early: set[tuple[str, str, str]] = set()  # removed by remove_since()
        self._clock = itertools.count(1)
        self._born: dict[tuple[str, str, str], int] = {}  # (user, kind, key) -> tick it was created
        self._holding = 0
        self.cleaned = False

    # ---- after each test ---------------------------------------------------------------
    def mark(self) -> int:
        """A point in the run: :meth:`remove_since` removes what was created after it."""
        return next(self._clock)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """What is created inside is kept to the end of the run (a fixture wider than one test)."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _born_now(self, user: str, kind: str, item_id: str) -> None:
        # 0: created while holding, never removed by remove_since
        self._born[(user, kind, key(item_id))] = 0 if self._holding else next(self._clock)

    def _add_playlist(self, user: str, pid: str) -> None:
        known = key(pid) in self._playlists.get(user, {})
        super()._add_playlist(user, pid)
        if not known and key(pid) in self._playlists.get(user, {}):
            self._born_now(user, "playlist", pid)

    def _add_track(self, user: str, cid: str, verified: bool | None = None) -> None:
        known = cid in self._tracks.get(user, {})
        super()._add_track(user, cid, verified)
        if not known and cid in self._tracks.get(user, {}):
            self._born_now(user, "track", cid)

    def remove_since(self, mark: int, clients: Mapping[str, Client]) -> None:
        """Remove what was created after ``mark`` (one test's own data), in as few requests as the
        documented batch size allows; never raises for the target's sake.

        Why: every read-back reads a list whole, 25 items a page, so what earlier tests left in
        the collection would be paged through again by every later read-back. Only what a test
        made outside :meth:`holding` goes; whatever this cannot remove stays in the ledger for
        :meth:`cleanup`, which also reads the end state back (nothing here is trusted unread).
        """
        for user, client in sorted(clients.items()):
            playlists = [
                pid
                for k, pid in self._playlists.get(user, {}).items()
                if self._born.get((user, "playlist", k), 0) >= mark
            ]
            tracks = [
                cid
                for cid, verified in self._tracks.get(user, {}).values()
                if verified and self._born.get((user, "track", key(cid)), 0) >= mark
            ]
            counted = set(self._removed_now)  # cleanup()'s count; what is removed here goes early
            try:
                self._remove_playlists(user, client, playlists)
                self._delete_tracks(user, client, tracks)
            except TransportError:
                pass  # left to cleanup(), which says why if it cannot remove it either
            finally:
                self._removed_early |= self._removed_now - counted
                self._removed_now = counted

    # ---- at the end --------------------------------------------------------------------
    def cleanup(self, clients: Mapping[str, Client], *, sweep: bool = True) -> CleanupResult:
        """Remove what the run created, as each user; idempotent. Never raises for the target's sake.

        ``sweep`` also deletes playlists named with this run's prefix that no answer reported.
        """
        result = CleanupResult()
        self._removed_now = set(self._removed_early)  # what the tests' own removals already did
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
            ("track", {key(c): c for c in self._tracks.get(user, {})}),
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
                why = self._why.get((user, "track", key(cid))) or ("not removed" if verified else UNVERIFIED)
                left.append((user, "track", cid, why))
        for user, pending in sorted(self._pending.items()):
            for k, tid in pending.items():
                why = self._why.get(
                    (user, "catalog", k), "an add of this catalog ID was never answered for it"
                )
                left.append((user, "catalog", tid, why))
        return left

    def _remove_playlists(self, user: str, client: Client, pids: list[str] | None = None) -> None:
        """Delete ``pids`` (default: every playlist the run holds for ``user``)."""
        for pid in self.playlists(user) if pids is None else pids:
            r = client.playlist_delete({"Id": pid}, guard=False)
            if (200 <= r.status < 300 and not r.error) or r.status == 404:
                self._forget_playlist(user, pid)  # 404: already gone (a test deleted it)
                if r.status != 404:
                    self._removed_now.add((user, "playlist", key(pid)))
            else:
                self._why[(user, "playlist", key(pid))] = f"delete answered HTTP {r.status}"

    def _remove_tracks(self, user: str, client: Client) -> None:
        ids = [cid for cid, verified in self._tracks.get(user, {}).values() if verified]
        self._delete_tracks(user, client, ids)

    def _delete_tracks(self, user: str, client: Client, ids: list[str]) -> None:
        for batch, r in _batched(ids, lambda b: client.collection_delete(b, guard=False)):
            results = as_list((r.body or {}).get("TrackActionResults")) if 200 <= r.status < 300 else []
            done = {x.get("InputId") for x in results if isinstance(x, dict) and not x.get("Error")}
            gone = {x.get("InputId") for x in results if isinstance(x, dict) and x.get("Error")}
            for cid in batch:
                if cid in done or cid in gone:  # an Error here means it is not (or no longer) there
                    self._forget_track(user, cid)
                    if cid in done:
                        self._removed_now.add((user, "track", key(cid)))
                else:
                    self._why[(user, "track", key(cid))] = f"delete answered HTTP {r.status}"

    def _sweep(self, user: str, client: Client) -> None:
        """Playlists named with this run's prefix that the registry missed (an unreadable answer,
        a create in flight when the run was interrupted)."""
        items = browse_all(client, "playlists") or []
        for item in items:
            pid, name = item.get("Id"), item.get("Name")
            if not (isinstance(pid, str) and isinstance(name, str) and name.startswith(self.prefix)):
                continue
            if key(pid) in self._before_playlists.get(user, set()):
                continue
            r = client.playlist_delete({"Id": pid}, guard=False)
            if 200 <= r.status < 300 and not r.error:
                self._forget_playlist(user, pid)
                self._removed_now.add((user, "playlist", key(pid)))
            else:
                self._add_playlist(user, pid)
                self._why[(user, "playlist", key(pid))] = f"delete answered HTTP {r.status}"

    def _settle_pending(self, user: str, client: Client) -> None:
        """Add the pending catalog IDs again: the answer names the track each one is (E17), so
        what the unanswered add created is registered (and then deleted), and what the user
        already had is recognised and left alone."""
        ids = self.pending_adds(user)
        for batch, r in _batched(ids, lambda b: client.collection_add(b, guard=False)):
            if 200 <= r.status < 300 and isinstance(r.body, dict):
                for x in as_list(r.body.get("TrackActionResults")):
                    if isinstance(x, dict) and isinstance(x.get("Id"), str) and not x.get("Error"):
                        self._add_track(user, x["Id"])
                self._answered(user, batch)
            elif 400 <= r.status < 500:  # one ID, refused: nothing was added for it
                self._answered(user, batch)
            else:
                for tid in batch:
                    self._why[(user, "catalog", key(tid))] = f"adding it again answered HTTP {r.status}"

    def _verify(self, user: str, client: Client) -> None:
        """Read the end state back: delete again what the run created and is still listed. Then
        browse is the truth: what is gone is forgotten, what is still listed is left, with the
        reason, and is not counted as removed."""
        for kind in ("track", "playlist"):
            ever = self._ever.get((user, kind), {})
            listed = _listed(client, BROWSE_OF[kind]) if ever else None
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
                listed = _listed(client, BROWSE_OF[kind])
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


def _batched(
    ids: list[str], send: Callable[[list[str]], Response], limit: int | None = None
) -> Iterator[tuple[list[str], Response]]:
    """Send ``ids`` in batches of the documented size; a batch the target refuses is sent again
    in halves (a target may count its limit differently or choke on one entry). At most
    ``2 * len(ids)`` requests."""
    if limit is None:
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


def _listed(client: Client, browse_type: str) -> set[str] | None:
    items = browse_all(client, browse_type)
    if items is None:
        return None
    return {key(i["Id"]) for i in items if isinstance(i.get("Id"), str)}
