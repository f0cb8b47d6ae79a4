"""The five edit operations: what each does to a user's data and what it answers.

Every function here runs inside one ``Store.run`` transaction and returns ``(status, body)``, the
body being the response object as a dict (member names as in the documents). Raising ``ApiError``
rejects the whole request and rolls everything back.

Behaviour follows the documents and the errata positions (docs/errata.md):

* Batches hold at most ``LIMITS.batch_max`` entries, counted with duplicates (E14); more is 400
  COLLECTION_INVALID_OPERATION and nothing changes. The same limit applies to the TrackActions of
  create and update (E08).
* Results come one per entry, in request order; any failed item makes the answer a partial failure:
  HTTP 200 with a top-level COLLECTION_SOME_OPERATIONS_FAILED, also when every item failed (E12).
* InputId echoes the input, GUID-form IDs in canonical upper case (E13).
* Adding a track already in the collection succeeds with its existing collection Id (E14, E17);
  delete takes only collection IDs (E16); the same collection Id deleted twice in one batch fails
  the second time (E14).
* Playlist and collection are independent (E20): adding to a playlist does not add to the
  collection, and deleting from the collection leaves playlists alone.
* Reorder (E07): only Move actions, each a distinct track of the playlist, target in the playlist
  and not itself moved; else 400 COLLECTION_INVALID_PLAYLIST_REORDER. The moved tracks end up
  contiguous, in the listed order, right before the target (or at the end when it is absent).

Where a variant (``variants.py``) follows another reading, its flag check sits at the place of the
default behaviour it changes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, TypeVar

from conformance import ids as id_forms
from conformance.contract import LIMITS
from conformance.emulator.catalog import Catalog
from conformance.emulator.errors import (
    MSG_ALREADY_IN_COLLECTION,
    MSG_ALREADY_IN_PLAYLIST,
    MSG_BATCH_LIMIT,
    MSG_INVALID_CONTENT_ID,
    ApiError,
    ErrorWriter,
)
from conformance.emulator.faults import FaultSwitch
from conformance.emulator.ids import canonical_playlist_id, new_collection_id, new_playlist_id
from conformance.emulator.payloads import PlaylistAction, TrackAction, TrackActionRequest
from conformance.emulator.store import PlaylistOrder
from conformance.emulator.variants import VariantSet

Result = tuple[int, dict[str, Any]]
Entry = TypeVar("Entry")  # one entry of a batch: a track ID or a TrackAction


def _reordered(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The variant results-reordered (E27): failures first, each group in reverse request order;
    results with the same InputId keep their request order among themselves, so that a client
    matching the k-th result of an InputId to the k-th entry of that ID still can."""
    slots = sorted(reversed(range(len(results))), key=lambda i: "Error" not in results[i])
    same_id: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        same_id.setdefault(r["InputId"], []).append(r)
    taken: dict[str, int] = {}
    out = []
    for i in slots:
        input_id = results[i]["InputId"]
        out.append(same_id[input_id][taken.get(input_id, 0)])
        taken[input_id] = taken.get(input_id, 0) + 1
    return out


@dataclass
class Operations:
    """The five edit operations over one emulator's catalog, switched faults and variants."""

    catalog: Catalog
    faults: FaultSwitch
    variants: VariantSet
    errors: ErrorWriter

    # ----------------------------------------------------------------- shared rules
    def _echo(self, input_id: str, canonical: str | None = None) -> str:
        """InputId for an input ID (E13); ``canonical`` when the caller has it already."""
        if self.faults.on("inputid-altered"):
            return input_id.lower()
        if self.variants.on("inputid-as-sent"):
            return input_id
        return canonical if canonical is not None else id_forms.canonical(input_id)

    def _batch(self, items: list[Entry], what: str) -> tuple[list[Entry], ApiError | None]:
        """Apply the batch limit: the entries to process and an error to raise after processing them.

        Faithfully, an over-limit batch raises here, before anything is touched. The
        ``batch-limit-partial`` / ``update-limit-partial`` faults process the first
        ``LIMITS.batch_max`` entries and raise afterwards with the changes kept.
        """
        limit = LIMITS.batch_max - 1 if self.faults.on("batch-limit-off-by-one") else LIMITS.batch_max
        unlimited = (
            self.faults.on("batch-limit-ignored")
            or (what == "collection_delete" and self.variants.on("no-delete-limit"))
            or (what == "playlist_update" and self.variants.on("no-update-limit"))
        )
        if len(items) <= limit or unlimited:
            return items, None
        err = ApiError("COLLECTION_INVALID_OPERATION", MSG_BATCH_LIMIT.format(limit=LIMITS.batch_max))
        partial = (what == "collection_add" and self.faults.on("batch-limit-partial")) or (
            what == "playlist_update" and self.faults.on("update-limit-partial")
        )
        if partial:
            err.keep_changes = True
            return items[: LIMITS.batch_max], err
        raise err

    def _finish(self, results: list[dict[str, Any]], body: dict[str, Any], *, update: bool = False) -> Result:
        """Order the results, add the top-level Error of a partial failure, choose the status (E12).

        ``results`` is the list the body holds: it is reordered in place.
        """
        failed = any("Error" in r for r in results)
        all_failed = bool(results) and all("Error" in r for r in results)
        if self.variants.on("results-reordered"):
            results[:] = _reordered(results)
        if len(results) >= 2 and self.faults.on("results-unmatched"):
            results[-1] = dict(results[0])
        status = 200
        if (failed and not self.faults.on("partial-no-top-error")) or (
            results and self.faults.on("top-error-on-success")
        ):
            body["Error"] = self.errors.error("COLLECTION_SOME_OPERATIONS_FAILED")
        if (failed and self.faults.on("partial-failure-400")) or (
            all_failed and not update and self.variants.on("all-failed-400")  # E12: 003 answers an update 200
        ):
            status = 400
        return status, body

    def _check_name(self, name: str | None, required: bool) -> None:
        if name is None:
            if required:
                raise ApiError("COLLECTION_INVALID_PLAYLIST_INFO", "A playlist needs a Name")
            return
        length = len(name) if self.variants.on("code-points") else id_forms.utf16_units(name)
        empty = length < LIMITS.name_min or (self.variants.on("blank-name-empty") and not name.strip())
        if empty and not self.faults.on("empty-name-accepted"):
            raise ApiError("COLLECTION_INVALID_PLAYLIST_INFO", "Playlist names cannot be empty")
        if length > LIMITS.name_max and not self.faults.on("name-length-unchecked"):
            raise ApiError(
                "INVALID_INPUT_PARAMETER", f"Playlist names are restricted to {LIMITS.name_max} characters"
            )

    # ----------------------------------------------------------------- collection
    def _collect(self, conn: sqlite3.Connection, user: str, tracks: list[str]) -> list[tuple[str, bool]]:
        """Put ``tracks`` (canonical catalog IDs, in order) into the user's collection.

        Per track: its collection Id and whether it was there already (earlier in ``tracks`` counts).
        A track already in the collection keeps its Id (E17). One look-up and one insert per call,
        not per track: a batch of 100 stays cheap.
        """
        known = sorted(set(tracks))
        owned: dict[str, str] = {}
        if known:
            marks = ",".join("?" * len(known))
            owned = dict(
                conn.execute(
                    f"SELECT track, id FROM collection WHERE user = ? AND track IN ({marks})", [user, *known]
                )
            )
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM collection WHERE user = ?", (user,)).fetchone()[
            0
        ]
        inserts = []
        out = []
        for track in tracks:
            repeat = track in owned
            if not repeat:
                seq += 1
                owned[track] = new_collection_id()
                inserts.append((user, owned[track], track, seq))
            out.append((owned[track], repeat))
        conn.executemany("INSERT INTO collection (user, id, track, seq) VALUES (?, ?, ?, ?)", inserts)
        return out

    def collection_add(self, conn: sqlite3.Connection, user: str, req: TrackActionRequest) -> Result:
        ids, deferred = self._batch(req.track_ids, "collection_add")
        tracks = [id_forms.canonical(i) for i in ids]
        collected = iter(self._collect(conn, user, [t for t in tracks if self.catalog.has_canonical(t)]))
        results = []
        for input_id, track in zip(ids, tracks, strict=True):
            result: dict[str, Any] = {"InputId": self._echo(input_id, track)}
            if not self.catalog.has_canonical(track):
                result["Error"] = self.errors.item("COLLECTION_INVALID_ID", MSG_INVALID_CONTENT_ID)
            else:
                collection_id, repeat = next(collected)
                if repeat and self.variants.on("repeat-add-fails"):
                    result["Error"] = self.errors.item("COLLECTION_INVALID_ID", MSG_ALREADY_IN_COLLECTION)
                else:
                    result["Id"] = collection_id
            results.append(result)
        if deferred:
            raise deferred
        return self._finish(results, {"TrackActionResults": results})

    def collection_delete(self, conn: sqlite3.Connection, user: str, req: TrackActionRequest) -> Result:
        ids, _ = self._batch(req.track_ids, "collection_delete")
        results = []
        for input_id in ids:
            result: dict[str, Any] = {"InputId": self._echo(input_id)}
            found = conn.execute(
                "SELECT id FROM collection WHERE user = ? AND id = ?", (user, input_id)
            ).fetchone()
            if found is None and self.variants.on("delete-by-catalog-id"):
                found = conn.execute(
                    "SELECT id FROM collection WHERE user = ? AND track = ?",
                    (user, id_forms.canonical(input_id)),
                ).fetchone()
            if found is None:
                if (
                    self.variants.on("foreign-ids-403")
                    and conn.execute("SELECT 1 FROM collection WHERE id = ?", (input_id,)).fetchone()
                ):
                    raise ApiError("UNAUTHORIZED_API_METHOD", "This collection ID belongs to another user")
                result["Error"] = self.errors.item("COLLECTION_INVALID_ID")
            elif not self.faults.on("delete-removes-nothing"):
                conn.execute("DELETE FROM collection WHERE user = ? AND id = ?", (user, found[0]))
            results.append(result)
        return self._finish(results, {"TrackActionResults": results})

    # ----------------------------------------------------------------- playlists
    def _find_playlist(
        self, conn: sqlite3.Connection, user: str, playlist_id: str | None, any_user: bool = False
    ) -> tuple[str, str, bool]:
        """(stored id, name, published) of the user's playlist; 404 for unknown or another user's."""
        if not playlist_id:
            raise ApiError("MISSING_INPUT_PARAMETER", "The playlist Id is required")
        stored = canonical_playlist_id(playlist_id)
        if stored != playlist_id and self.variants.on("playlist-id-case-sensitive"):
            stored = None
        row = None
        if stored is not None:
            if any_user:
                row = conn.execute(
                    "SELECT id, name, published FROM playlists WHERE id = ?", (stored,)
                ).fetchone()
            else:
                row = conn.execute(
                    "SELECT id, name, published FROM playlists WHERE id = ? AND user = ?", (stored, user)
                ).fetchone()
        if row is None:
            if (
                stored is not None
                and self.variants.on("foreign-ids-403")
                and conn.execute("SELECT 1 FROM playlists WHERE id = ?", (stored,)).fetchone()
            ):
                raise ApiError("UNAUTHORIZED_API_METHOD", "This playlist belongs to another user")
            code = (
                "INVALID_INPUT_PARAMETER"
                if self.variants.on("unknown-playlist-400")
                else "COLLECTION_NO_RESULT"
            )
            raise ApiError(code, "No playlist with this Id in the user's collection")
        return row[0], row[1], bool(row[2])

    def playlist_create(self, conn: sqlite3.Connection, user: str, pa: PlaylistAction) -> Result:
        self._check_name(pa.name, required=True)
        actions, _ = self._batch(pa.track_actions or [], "playlist_create")
        playlist_id = new_playlist_id()  # an Id in the request is ignored (E05)
        published = (
            pa.is_published if pa.is_published is not None else self.variants.on("published-by-default")
        )
        if self.faults.on("ispublished-ignored-on-create"):
            published = False
        seq = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM playlists WHERE user = ?", (user,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO playlists (id, user, name, published, seq) VALUES (?, ?, ?, ?, ?)",
            (playlist_id, user, pa.name, int(published), seq),
        )
        result: dict[str, Any] = {"Id": playlist_id, "Name": pa.name, "IsPublished": published}
        results = self._apply_track_actions(conn, user, playlist_id, actions, pa.insert_before)
        if pa.track_actions is not None and results is not None:
            result["TrackActionResults"] = results
        return self._finish(results or [], {"PlaylistActionResult": result})

    def playlist_update(self, conn: sqlite3.Connection, user: str, pa: PlaylistAction) -> Result:
        if not pa.id:
            raise ApiError("MISSING_INPUT_PARAMETER", "The playlist Id is required")
        playlist_id, _name, _published = self._find_playlist(
            conn, user, pa.id, any_user=self.faults.on("cross-user-update")
        )
        self._check_name(pa.name, required=False)
        actions, deferred = self._batch(pa.track_actions or [], "playlist_update")
        result: dict[str, Any] = {"Id": playlist_id}
        if pa.name is not None:
            conn.execute("UPDATE playlists SET name = ? WHERE id = ?", (pa.name, playlist_id))
            result["Name"] = pa.name
        if pa.is_published is not None:
            conn.execute(
                "UPDATE playlists SET published = ? WHERE id = ?", (int(pa.is_published), playlist_id)
            )
            result["IsPublished"] = pa.is_published
        results = self._apply_track_actions(conn, user, playlist_id, actions, pa.insert_before)
        if deferred:
            raise deferred
        if results is not None and pa.track_actions is not None:
            result["TrackActionResults"] = results
        return self._finish(results or [], {"PlaylistActionResult": result}, update=True)

    def playlist_delete(self, conn: sqlite3.Connection, user: str, pa: PlaylistAction) -> Result:
        # "all other metadata will be ignored" (uri-delete-playlist.md): only Id is read.
        playlist_id, _name, _published = self._find_playlist(conn, user, pa.id)
        if pa.track_actions and self.variants.on("delete-with-actions-refused"):
            raise ApiError("INVALID_INPUT_PARAMETER", "A playlist delete takes no TrackActions")
        conn.execute("DELETE FROM playlist_tracks WHERE playlist = ?", (playlist_id,))
        conn.execute("DELETE FROM playlists WHERE id = ?", (playlist_id,))
        return 200, {"PlaylistActionResult": {"Id": playlist_id}}

    # ----------------------------------------------------------------- playlist tracks
    def _apply_track_actions(
        self,
        conn: sqlite3.Connection,
        user: str,
        playlist_id: str,
        actions: list[TrackAction],
        insert_before: str | None,
    ) -> list[dict[str, Any]] | None:
        """Apply Add/Delete actions (results in order) or one reorder (no per-item results: None).

        InsertBeforeTrackId is read only by a reorder; with Add/Delete it is ignored and added
        tracks go to the end (a silence; README "Choices on silences"; E24).
        """
        moves = [a for a in actions if a.action == "Move"]
        others = [a for a in actions if a.action != "Move"]
        if moves and others and not self.faults.on("reorder-mixed-accepted"):
            raise ApiError(
                "COLLECTION_INVALID_PLAYLIST_REORDER",
                "A reorder can only contain Move actions (it cannot be mixed with Add and Delete)",
            )
        order = PlaylistOrder(conn, playlist_id)
        results: list[dict[str, Any]] | None = None
        if others:
            results = [self._playlist_action(conn, user, order, a) for a in others]
            delta = sum(
                1 if a.action == "Add" else -1
                for a, r in zip(others, results, strict=True)
                if "Error" not in r
            )
            created = (
                conn.execute(
                    "SELECT COUNT(*) FROM playlist_tracks WHERE playlist = ?", (playlist_id,)
                ).fetchone()[0]
                == delta
            )  # this request made every track it holds: a create
            if created or not self.faults.on("trackcount-stale"):
                conn.execute(
                    "UPDATE playlists SET track_count = track_count + ? WHERE id = ?", (delta, playlist_id)
                )
            added = [r["Id"] for a, r in zip(others, results, strict=True) if a.action == "Add" and "Id" in r]
            if added and self.variants.on("added-at-top"):
                top = order.first_except(added)  # the track that now stands first, if any
                if top is not None:
                    order.move(added, top)
        if moves:
            self._reorder(order, [a.id for a in moves], insert_before)
        return results

    def _playlist_action(
        self, conn: sqlite3.Connection, user: str, order: PlaylistOrder, action: TrackAction
    ) -> dict[str, Any]:
        result: dict[str, Any] = {"InputId": self._echo(action.id)}
        if action.action == "Add":
            track = id_forms.canonical(action.id)
            if not self.catalog.has_canonical(track):
                result["Error"] = self.errors.item("COLLECTION_INVALID_ID", MSG_INVALID_CONTENT_ID)
            elif self.variants.on("playlist-repeat-add-fails") and order.holds_track(track):
                result["Error"] = self.errors.item("COLLECTION_INVALID_ID", MSG_ALREADY_IN_PLAYLIST)
            else:  # E31: a track already in the playlist gets a second entry
                track_id = new_collection_id()
                conn.execute(
                    "INSERT INTO playlist_tracks (playlist, id, track, pos) VALUES (?, ?, ?, ?)",
                    (order.playlist, track_id, track, order.next_pos()),
                )
                result["Id"] = track_id
                if self.variants.on("playlist-adds-to-collection"):
                    self._collect(conn, user, [track])
        else:  # Delete takes playlist-track IDs (003)
            cur = conn.execute(
                "DELETE FROM playlist_tracks WHERE playlist = ? AND id = ?", (order.playlist, action.id)
            )
            if cur.rowcount == 0:
                result["Error"] = self.errors.item("COLLECTION_INVALID_ID")
        return result

    def _reorder(self, order: PlaylistOrder, moved: list[str], before: str | None) -> None:
        def invalid(message: str) -> ApiError:
            return ApiError("COLLECTION_INVALID_PLAYLIST_REORDER", message)

        if len(set(moved)) != len(moved):
            raise invalid("A track is listed more than once in the Move actions")
        for track_id in moved:
            if order.pos_of(track_id) is None:
                raise invalid("A moved track is not in the playlist")
        if before is not None:
            if before in moved:
                raise invalid("InsertBeforeTrackId names a track that is itself moved")
            if order.pos_of(before) is None:
                raise invalid("InsertBeforeTrackId is not a track of the playlist")
        if self.faults.on("reorder-ignored"):
            return
        if self.variants.on("reorder-original-order"):  # E07 (d): the order they stood in
            moved = sorted(moved, key=lambda t: order.pos_of(t) or 0)
        order.move(moved, None if self.faults.on("reorder-appends") else before)
