"""Batch sizes: 0, 1, 99 and 100 entries handled, 101 and far over rejected whole, duplicates counted.

The limit of 100 is stated for add, delete and create (000-002) and, by the erratum positions, judged
for update (E08) and delete (E21) as "never applied in part"; the entries are counted with repeats
(E14). Every case runs for each operation that takes a batch: collection add and delete (TrackIds),
playlist create and update (TrackActions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging, readback
from conformance.contract import LIMITS
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import add_tracks, make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator


LIMIT = LIMITS.batch_max
OPS = ("collection_add", "collection_delete", "playlist_create", "playlist_update")
LIMIT_100 = {
    "collection_add": "ADD-LIMIT-100",
    "collection_delete": "CDEL-LIMIT-100",
    "playlist_create": "PCRE-LIMIT-100",
    "playlist_update": "PUPD-LIMIT-100",
}
READBACK = {
    "collection_add": "ADD-READBACK",
    "collection_delete": "CDEL-READBACK",
    "playlist_create": "PCRE-TRACKS-READBACK",
    "playlist_update": "PUPD-ADD",
}
# op -> (the rule for 101 entries, its other half: the read-back of an add, else the SHOULD code)
OVER = {
    "collection_add": ("ADD-LIMIT-101", "ADD-LIMIT-ATOMIC"),
    "collection_delete": ("CDEL-LIMIT-101", "CDEL-LIMIT-CODE"),
    "playlist_create": ("PCRE-LIMIT-101", "PCRE-LIMIT-CODE"),
    "playlist_update": ("PUPD-LIMIT-101", "PUPD-LIMIT-CODE"),
}


class Batch:
    """One batch request of ``op`` with ``n`` entries, its preconditions and its read-back."""

    def __init__(
        self, op: str, client: Client, catalog: TrackAllocator, created: Ownership, capabilities: Capabilities
    ) -> None:
        self.op = op
        self.client = client
        self.catalog = catalog
        self.created = created
        self.capabilities = capabilities
        self.playlist = None
        self.name: str | None = None

    def entries(self, n: int, *, distinct: int | None = None) -> list[str]:
        """``n`` valid entries (collection Ids for delete, catalog IDs otherwise); with ``distinct``
        only that many different ones, repeated in turn (a far-over batch needs no more)."""
        k = min(n, distinct or n)
        if self.op == "collection_delete":
            base: list[str] = []
            while len(base) < k:
                base += add_tracks(self.client, self.catalog, min(LIMIT, k - len(base)))
        else:
            base = self.catalog.take(k)
        return [base[i % k] for i in range(n)]

    def prepare(self) -> None:
        if self.op == "playlist_update":
            self.playlist = make_playlist(self.client, self.created, self.catalog, "batch-update", 1)

    def send(self, entries: list[str]) -> Any:
        actions = [{"Id": e, "Action": "Add"} for e in entries]
        if self.op == "collection_add":
            return self.client.collection_add(entries)
        if self.op == "collection_delete":
            return self.client.collection_delete(entries)
        if self.op == "playlist_create":
            self.name = self.created.name("batch-create")
            return self.client.playlist_create({"Name": self.name, "TrackActions": actions})
        assert self.playlist is not None
        self.name = self.created.name("batch-update-renamed")
        return self.client.playlist_update(
            {"Id": self.playlist.id, "Name": self.name, "TrackActions": actions}
        )

    # --- read-back -----------------------------------------------------------------------------
    def state(self) -> Any:
        """What the batch could change: the collection's Ids, the playlists, or one playlist."""
        if self.op in ("collection_add", "collection_delete"):
            return sorted(readback.collection_track_ids(self.client))
        if self.op == "playlist_create":
            return sorted(readback.playlists(self.client))
        assert self.playlist is not None
        # by Id, else by the unique names it has had (E15: a browse may list another form of its Id)
        item = readback.playlist(self.client, self.playlist.id, self.name, self.playlist.name) or {}
        tracks = (
            readback.playlist_track_ids(self.client, self.playlist.id)
            if self.capabilities.playlist_tracks_browse
            else None
        )
        return (item.get("Name"), tracks)


def _within(sizes: tuple[int, ...]) -> list[Any]:
    cases = []
    for op in OPS:
        for n in sizes:
            reqs = ["BATCH-ONE-RESULT", "BATCH-ORDER", "BATCH-ITEM-OK", READBACK[op]] + (
                [LIMIT_100[op]] if n == LIMIT else []
            )
            cases.append(pytest.param(op, n, id=f"{op}-{n}", marks=pytest.mark.requirement(*reqs)))
    return cases


@pytest.mark.parametrize(("op", "n"), _within((1, LIMIT - 1, LIMIT)))
def test_batch_within_limit(op, n, client, catalog, created, capabilities, verify):
    batch = Batch(op, client, catalog, created, capabilities)
    batch.prepare()
    entries = batch.entries(n)
    r = batch.send(entries)
    main = LIMIT_100[op] if n == LIMIT else "BATCH-ONE-RESULT"
    expect.ok(verify, main, r, op)
    got = expect.one_result_per_input(verify, "BATCH-ONE-RESULT", r, entries)
    if n == LIMIT:
        verify.equal(main, len(got), LIMIT, "results of a batch of exactly 100")
    verify.that(
        "BATCH-ITEM-OK",
        all(expect.item_error(x) is None for x in got),
        "no result of a valid entry carries an Error",
        actual=[x for x in got if expect.item_error(x) is not None][:3],
    )

    req = READBACK[op]
    if op in ("collection_add", "collection_delete"):
        readback.need_browse(verify, capabilities, "the collection")
        listed = set(readback.collection_track_ids(client))
        if op == "collection_add":
            added = [x.get("Id") for x in got]
            verify.that(
                req,
                all(a in listed for a in added),
                "a tracks browse lists every Id the add returned",
                actual=[a for a in added if a not in listed][:5],
            )
        else:
            verify.that(
                req,
                not listed & set(entries),
                "no deleted Id is listed any more",
                actual=sorted(listed & set(entries))[:5],
            )
    else:
        readback.need_tracks_browse(verify, capabilities)
        pid = batch.playlist.id if batch.playlist else expect.playlist_result(r).get("Id")
        listed = readback.playlist_track_ids(client, pid)
        added = [x.get("Id") for x in got]
        if op == "playlist_update":
            expected = sorted(batch.playlist.entries + added)
        else:
            expected = sorted(added)
        verify.equal(
            req, sorted(listed), expected, "the playlist holds exactly its tracks and the added ones"
        )


@pytest.mark.requirement("BATCH-EMPTY")
@pytest.mark.parametrize("op", ["collection_add", "collection_delete"])
@pytest.mark.parametrize("form", ["empty-list", "missing"])
def test_empty_batch(op, form, client, capabilities, verify):
    before = sorted(readback.collection_track_ids(client)) if capabilities.browse else None
    body = {"TrackIds": []} if form == "empty-list" else {}
    r = client.operation(op, body=body)
    verify.status("BATCH-EMPTY", r, (200, 400))
    expect.body(verify, "BATCH-EMPTY", r, op)
    if r.status == 200:
        verify.equal("BATCH-EMPTY", len(expect.results(r) or []), 0, "results of an empty batch")
    readback.need_browse(verify, capabilities, "the collection")
    verify.equal(
        "BATCH-EMPTY",
        sorted(readback.collection_track_ids(client)),
        before,
        "the collection after an empty batch",
    )


def _over() -> list[Any]:
    cases = []
    for op in OPS:
        rule, other = OVER[op]
        for n in (LIMIT + 1, 1000):
            cases.append(pytest.param(op, n, id=f"{op}-{n}", marks=pytest.mark.requirement(rule, other)))
    return cases


@pytest.mark.parametrize(("op", "n"), _over())
def test_batch_over_limit(op, n, client, catalog, created, capabilities, verify):
    rule, other = OVER[op]
    batch = Batch(op, client, catalog, created, capabilities)
    batch.prepare()
    entries = batch.entries(n, distinct=LIMIT + 1)
    before = batch.state() if capabilities.browse else None
    r = batch.send(entries)

    if op == "collection_add":
        expect.rejected(verify, rule, r, op, 400, code="COLLECTION_INVALID_OPERATION")
        readback.need_browse(verify, capabilities, "the collection")
        verify.equal(other, batch.state(), before, "the collection's track Ids after the rejected add")
        return
    if op == "playlist_create":
        expect.rejected(verify, rule, r, op, 400, code="COLLECTION_INVALID_OPERATION", code_req=other)
        readback.need_browse(verify, capabilities, "the playlists")
        after = readback.playlists(client)
        verify.equal(rule, sorted(after), before, "the playlists after the rejected create")
        verify.that(
            rule,
            batch.name not in [p.get("Name") for p in after.values()],
            "no playlist with the sent name exists",
            actual=batch.name,
        )
        return
    # delete (E21) and update (E08): applied in full, or rejected with nothing changed.
    applied = r.status == 200
    verify.status(rule, r, (200, *range(400, 500)))
    expect.body(verify, rule, r, op)
    verify.status(other, r, 400)
    verify.error_code(other, r, "COLLECTION_INVALID_OPERATION")
    if applied:
        verify.equal(rule, len(expect.results(r) or []), n, "results of a batch applied in full")
    if op == "collection_delete":
        readback.need_browse(verify, capabilities, "the collection")
        listed = set(readback.collection_track_ids(client))
        remaining = [e for e in dict.fromkeys(entries) if e in listed]
        if applied:
            verify.that(rule, not remaining, "applied in full: every named Id is gone", actual=remaining[:5])
        else:
            verify.equal(rule, sorted(listed), before, "rejected: the collection's track Ids are unchanged")
        return
    readback.need_tracks_browse(verify, capabilities)
    name, tracks = batch.state()
    if applied:
        # E31: an Add of a track the playlist already holds (the 1000-entry batch repeats 101 IDs)
        # may make a second entry, fail or do nothing. So: every distinct ID was added (one of its
        # results succeeded), and the playlist gained exactly the entries the successes named.
        got = judging.match_results(entries, expect.results(r)).by_entry
        added = {e for e, x in zip(entries, got, strict=True) if x and expect.item_error(x) is None}
        missing = [e for e in dict.fromkeys(entries) if e not in added]
        verify.that(rule, not missing, "applied in full: every distinct ID was added", actual=missing[:5])
        new = {x["Id"] for x in got if x and expect.item_error(x) is None and isinstance(x.get("Id"), str)}
        verify.equal(
            rule,
            sorted(tracks),
            sorted([*before[1], *new]),
            "applied in full: the playlist holds its tracks and an entry per Id the successful Adds answered",
        )
        verify.equal(rule, name, batch.name, "applied in full: the name sent")
    else:
        verify.equal(rule, (name, tracks), before, "rejected: the playlist's name and tracks are unchanged")


@pytest.mark.requirement("ADD-LIMIT-DUPS", "ADD-LIMIT-ATOMIC")
def test_add_101_copies_of_one_id(client, catalog, capabilities, verify):
    (one,) = catalog.take(1)
    before = sorted(readback.collection_track_ids(client)) if capabilities.browse else None
    r = client.collection_add([one] * (LIMIT + 1))
    expect.rejected(verify, "ADD-LIMIT-DUPS", r, "collection_add", 400, code="COLLECTION_INVALID_OPERATION")
    readback.need_browse(verify, capabilities, "the collection")
    verify.equal(
        "ADD-LIMIT-ATOMIC",
        sorted(readback.collection_track_ids(client)),
        before,
        "the collection's track Ids after the rejected add",
    )


@pytest.mark.requirement("BATCH-DUPLICATES", "BATCH-ONE-RESULT", "BATCH-ORDER")
@pytest.mark.parametrize("shape", ["a-b-a", "100-copies"])
def test_add_with_repeated_ids(shape, client, catalog, verify):
    a, b = catalog.take(2)
    entries = [a, b, a] if shape == "a-b-a" else [a] * LIMIT
    r = client.collection_add(entries)
    expect.ok(verify, "BATCH-DUPLICATES", r, "collection_add")
    expect.one_result_per_input(verify, "BATCH-DUPLICATES", r, entries)


@pytest.mark.requirement("BATCH-DUPLICATES", "CDEL-GONE-ID", "BATCH-ORDER")
def test_delete_with_a_repeated_id(client, catalog, verify):
    (cid,) = add_tracks(client, catalog, 1)
    r = client.collection_delete([cid, cid])
    expect.ok(verify, "BATCH-DUPLICATES", r, "collection_delete")
    got = expect.one_result_per_input(verify, "BATCH-DUPLICATES", r, [cid, cid])
    if len(got) == 2:
        # the two results carry the same InputId: which is "the second" is not known (E27), so one
        # of them (whichever) deletes and the other fails
        failed = [x for x in got if expect.item_error(x) is not None]
        verify.that(
            "CDEL-GONE-ID",
            len(failed) == 1,
            "of two deletes of the same Id in one batch, one fails per item",
            actual=got,
        )
        if failed:
            verify.error_code("CDEL-GONE-ID", failed[0], "COLLECTION_INVALID_ID")


@pytest.mark.requirement("BATCH-ONE-RESULT", "PCRE-TRACK-ID", "BATCH-ORDER")
@pytest.mark.parametrize("op", ["playlist_create", "playlist_update"])
def test_track_actions_with_a_repeated_id(op, client, catalog, created, capabilities, verify):
    batch = Batch(op, client, catalog, created, capabilities)
    batch.prepare()
    a, b = catalog.take(2)
    entries = [a, b, a]
    r = batch.send(entries)
    expect.ok(verify, "BATCH-ONE-RESULT", r, op)
    got = expect.one_result_per_input(verify, "BATCH-ONE-RESULT", r, entries)
    # Whether the repeated Add makes a second entry, fails or does nothing is not stated (E31): only
    # the results that succeeded are judged.
    succeeded = [x for x in got if x and expect.item_error(x) is None]
    if succeeded:
        verify.that(
            "PCRE-TRACK-ID",
            all(expect.has_value(x, "Id") for x in succeeded),
            "every successful Add result carries the new playlist-track Id",
            actual=succeeded,
        )
