"""The IDs a generated request may name, and what the run knows about each.

A generated request must never touch data the run did not create (the suite may be pointed at a
real account). So every ID a generated request carries is drawn here, from:

* the catalog IDs the run was given (``--catalog``, or the emulator's built-in catalog): adding
  them creates data the run then owns;
* what this test itself created: playlists, the playlist-track entries added to them, and the
  collection IDs that ``add`` returned (the run's ``cleanup.Registry`` notes them as answers come
  back through the client);
* fresh random GUIDs ("minted"), which name nothing anywhere, in upper or lower case (E13), the
  form the documents use for their own invalid IDs.

The pool remembers which is which, so that :mod:`.oracle` can say what the answer must be: a
minted ID fails, a playlist this test deleted is unknown, a catalog ID is added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from conformance import judging
from conformance.ids import guid_playlist_id, guid_track_id, key

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.fuzz.transport import Sent
    from conformance.ownership import Ownership

Draw = Callable[[Any], Any]
MINTED_CHOICE = 4
# One ID is two draws (each draw carries Hypothesis's bookkeeping, and a body may name a hundred
# IDs): a small integer holding, from its low end, the choice (0..4), the case of a minted GUID
# and an index into what is owned; then the GUID, a draw of its own: packed into a wider integer
# its bits come out mostly zero (Hypothesis favours small values), so minted IDs would repeat and
# have no letters for either case (E13; tests/fuzz/test_rewrite.py pins their variety).
_INDEX_SPAN = 2**20
_PICK = st.integers(0, (MINTED_CHOICE + 1) * _INDEX_SPAN * 2 - 1)
_GUID = st.uuids(version=4)


def _track_form(guid: str, upper: bool) -> str:
    return guid_track_id(guid, upper=upper)


def _playlist_form(guid: str, upper: bool) -> str:
    return guid_playlist_id(guid)


class IdPool:
    """The IDs one generated test may use (see the module docstring)."""

    def __init__(
        self,
        catalog_ids: Sequence[str],
        registry: Ownership,
        user: str = "user",
        *,
        can_delete_tracks: bool = True,
    ) -> None:
        if not catalog_ids:
            raise ValueError("the generated tests need at least one catalog track ID")
        self.catalog_ids = list(catalog_ids)
        self._catalog = {key(i) for i in catalog_ids}
        self.registry = registry
        self.user = user
        # Without a snapshot of the user's collection (no browse), a collection Id that an add
        # returned may be a track the user already had (E17): then no collection Id is ever deleted.
        self.can_delete_tracks = can_delete_tracks
        # What existed before this test (made by earlier tests, or by the user): never named.
        self._foreign_playlists = {key(p) for p in registry.playlists(user)}
        self._foreign_tracks = set(registry.tracks(user))
        self.minted: set[str] = set()
        self.entries: dict[str, list[str]] = {}  # playlist key -> playlist-track Ids this test saw added
        # Catalog IDs known not to be in the collection (E17: adding one that is there is open).
        self.absent: set[str] = set()
        self._in_collection: dict[str, str] = {}  # catalog key -> collection Id, as answers said
        # ID -> (sequence number, the request whose answer returned it): what a replay must redo first.
        self._origins: dict[str, tuple[int, Any]] = {}
        self._seq = 0

    # ---- what the run owns ----------------------------------------------------------------------
    def playlists(self) -> list[str]:
        """Playlists this test created and has not deleted (as the registry saw the answers)."""
        return [p for p in self.registry.playlists(self.user) if key(p) not in self._foreign_playlists]

    def collection_ids(self) -> list[str]:
        """Collection IDs this test's adds returned and it has not deleted (and may delete)."""
        if not self.can_delete_tracks:
            return []
        return [t for t in self.registry.tracks(self.user) if t not in self._foreign_tracks]

    def entries_of(self, playlist_id: str) -> list[str]:
        return list(self.entries.get(key(playlist_id), ()))

    # ---- what an ID is ----------------------------------------------------------------------------
    def is_catalog(self, value: Any) -> bool:
        return isinstance(value, str) and key(value) in self._catalog

    def is_minted(self, value: Any) -> bool:
        return isinstance(value, str) and key(value) in self.minted

    def owns_playlist(self, value: Any) -> bool:
        return isinstance(value, str) and key(value) in {key(p) for p in self.playlists()}

    def owns_collection_id(self, value: Any) -> bool:
        return isinstance(value, str) and value in set(self.collection_ids())

    def is_entry_of(self, playlist_id: str, value: Any) -> bool:
        return isinstance(value, str) and value in self.entries.get(key(playlist_id), ())

    def known_absent(self, value: Any) -> bool:
        """A catalog ID the pool knows is not in the collection (so adding it must succeed)."""
        return isinstance(value, str) and key(value) in self.absent

    def settle(self, client: Client) -> None:
        """Learn which catalog IDs of the pool are absent from the collection, making them so.

        Each is added (a track the user already had comes back with its existing Id, E17, and is
        left alone: the registry knows it from its snapshot) and what the run added is deleted
        again; only those deletions that succeeded count as known absences.
        """
        if not self.can_delete_tracks:
            return
        r = client.collection_add(self.catalog_ids)
        self.observe("collection_add", {"TrackIds": self.catalog_ids}, r.status, r.body)
        created = set(self.registry.tracks(self.user))  # the registry leaves out what the user had
        mine = [cid for cid in self._in_collection.values() if cid in created]
        if mine:
            body = {"TrackIds": mine}
            self.observe("collection_delete", body, *_answer(client.collection_delete(mine)))

    # ---- drawing IDs ------------------------------------------------------------------------------------
    # Every draw has the same shape whatever the pool holds (a choice, an index, a GUID, a case):
    # Hypothesis replays and shrinks examples by their draws, and a shape that followed the pool's
    # contents would differ between runs of the same example.
    def _draw(self, draw: Draw, owned: Sequence[str], minted: Callable[[str, bool], str]) -> str:
        pick, guid = draw(_PICK), draw(_GUID)
        pick, choice = divmod(pick, MINTED_CHOICE + 1)  # 0..3: owned (when there is any), 4: minted
        index, upper = divmod(pick, 2)  # the low end varies most: small values are frequent
        if owned and choice < MINTED_CHOICE:
            return owned[index % len(owned)]
        return self._mint(minted(str(guid), bool(upper)))

    def _mint(self, text: str) -> str:
        self.minted.add(key(text))
        return text

    def minted_track(self, draw: Draw) -> str:
        """A random GUID track ID, ``music.<GUID>``, upper or lower case: in no catalog."""
        return self._draw(draw, (), _track_form)

    def track_to_add(self, draw: Draw) -> str:
        """A catalog ID (usually) or a minted one: what an Add names."""
        return self._draw(draw, self.catalog_ids, _track_form)

    def collection_id(self, draw: Draw) -> str:
        """A collection ID this test owns (when it has one) or a minted one: what a delete names."""
        return self._draw(draw, self.collection_ids(), _track_form)

    def playlist_id(self, draw: Draw) -> str:
        """A playlist this test owns (when it has one) or a minted one."""
        return self._draw(draw, self.playlists(), _playlist_form)

    def entry(self, draw: Draw, playlist_id: str | None) -> str:
        """A playlist-track Id of ``playlist_id`` this test saw added, or a minted one."""
        return self._draw(draw, self.entries_of(playlist_id) if playlist_id else (), _track_form)

    # ---- learning from answers ----------------------------------------------------------------------
    def observe(self, operation: str, body: Any, status: int, answer: Any) -> None:
        """Keep ``entries`` and what is in the collection in step with what the answers said."""
        if status != 200 or not isinstance(answer, dict):
            return
        if operation in ("collection_add", "collection_delete"):
            self._observe_collection(operation, body, answer)
            return
        result = answer.get("PlaylistActionResult")
        if operation == "playlist_delete" and isinstance(body, dict) and isinstance(body.get("Id"), str):
            self.entries.pop(key(body["Id"]), None)
            return
        if operation not in ("playlist_create", "playlist_update") or not isinstance(result, dict):
            return
        pid = result.get("Id")
        if operation == "playlist_update" and isinstance(body, dict) and isinstance(body.get("Id"), str):
            pid = body["Id"]
        if not isinstance(pid, str):
            return
        entries = self.entries.setdefault(key(pid), [])
        actions = body.get("TrackActions") if isinstance(body, dict) else None
        results = result.get("TrackActionResults")
        if not isinstance(actions, list) or not isinstance(results, list):
            return
        per_item = [a for a in actions if isinstance(a, dict) and not _is_move(a.get("Action"))]
        if not all(isinstance(a.get("Id"), str) for a in per_item):
            return
        matched = judging.match_results([a["Id"] for a in per_item], results).by_entry  # E27: by InputId
        for action, res in zip(per_item, matched, strict=True):
            if not isinstance(res, dict) or res.get("Error") or not isinstance(action, dict):
                continue
            verb = str(action.get("Action", "")).lower()
            if verb == "add" and isinstance(res.get("Id"), str):
                entries.append(res["Id"])
            elif verb in ("delete", "remove") and action.get("Id") in entries:
                entries.remove(action["Id"])

    def _observe_collection(self, operation: str, body: Any, answer: dict[str, Any]) -> None:
        ids = body.get("TrackIds") if isinstance(body, dict) else None
        results = answer.get("TrackActionResults")
        if (
            not isinstance(ids, list)
            or not isinstance(results, list)
            or not all(isinstance(i, str) for i in ids)
        ):
            return
        for sent, res in zip(ids, judging.match_results(ids, results).by_entry, strict=True):  # E27
            if not isinstance(sent, str) or not isinstance(res, dict) or res.get("Error"):
                continue
            if operation == "collection_add" and isinstance(res.get("Id"), str) and self.is_catalog(sent):
                self._in_collection[key(sent)] = res["Id"]
                self.absent.discard(key(sent))
            elif operation == "collection_delete":
                for cat, cid in list(self._in_collection.items()):
                    if cid == sent:
                        del self._in_collection[cat]
                        self.absent.add(cat)

    # ---- replay ---------------------------------------------------------------------------------------
    def note_origin(self, sent: Sent, answer: Any) -> None:
        """Remember that ``sent``'s answer returned the IDs in it (for replay scripts)."""
        self._seq += 1
        for value in _ids_in(answer):
            self._origins.setdefault(value, (self._seq, sent))

    def origins(self, sents: Iterable[Sent]) -> list[Sent]:
        """The earlier requests that created what ``sents`` name (and what those name), oldest first."""
        chosen: list[Any] = list(sents)
        found: dict[int, Any] = {}
        while True:
            named: set[str] = set()
            for sent in chosen:
                named.update(_strings(sent.body))
            paths = [sent.path for sent in chosen]
            new = {
                seq: origin
                for value, (seq, origin) in self._origins.items()
                if seq not in found
                and not any(origin is c for c in chosen)
                and (value in named or any(value in p for p in paths))
            }
            if not new:
                return [found[k] for k in sorted(found)]
            found.update(new)
            chosen += list(new.values())

    def forget(self, playlist_ids: Iterable[str]) -> None:
        for pid in playlist_ids:
            self.entries.pop(key(pid), None)


def _answer(response: Any) -> tuple[int, Any]:
    return response.status, response.body


def _ids_in(answer: Any) -> Iterator[str]:
    if isinstance(answer, dict):
        for k, v in answer.items():
            if k == "Id" and isinstance(v, str):
                yield v
            else:
                yield from _ids_in(v)
    elif isinstance(answer, list):
        for v in answer:
            yield from _ids_in(v)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _is_move(action: Any) -> bool:
    return isinstance(action, str) and action.lower() == "move"
