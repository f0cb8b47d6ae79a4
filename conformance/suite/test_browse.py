"""Browsing: the collection by type, a playlist's tracks, paging with maxItems, page and continuation tokens.

The paging rules (json-paginatedlist.md, the browse pages, E18) are checked on both lists that page:
the collection's tracks and a playlist's tracks. Neither is assumed to hold only what the test added:
a test adds more than a page's worth and checks page sizes, tokens and that following the tokens
lists every item once. maxItems sizes the page of the request that carries it (BROWSE-MAXITEMS); a
continuation carries the token alone, so a continued page is held to the maximum (BROWSE-CONTINUED-MAX)
and keeping the first page's size is a SHOULD (BROWSE-MAXITEMS-CONTINUED, E18). A playlist's order
is judged only against itself: the same at every page size as in a first full read (BROWSE-PL-ORDER,
E24), never against the order of a create's answer (E27). A type the user has nothing of may be
answered 404 COLLECTION_NO_RESULT (E30). Without a browse endpoint there is nothing to check here:
the tests skip.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging, readback
from conformance.contract import BROWSE_MEMBERS, BROWSE_TYPES, LIMITS
from conformance.ids import unknown_playlist_id
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import add_tracks, make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator
    from conformance.verify import Verify


PAGE_MAX = LIMITS.browse_max_items
MORE_THAN_A_PAGE = PAGE_MAX + 5


@pytest.fixture
def browsable(capabilities: Capabilities) -> Any:
    capabilities.require_browse()
    return capabilities


@pytest.mark.requirement(
    "BROWSE-TYPES", "BROWSE-EMPTY-200", "BROWSE-TRACKS", "BROWSE-PLAYLISTS", "BROWSE-NO-TRACKS", "ID-PREFIX"
)
@pytest.mark.parametrize("kind", BROWSE_TYPES)
def test_browse_each_type(kind, client, catalog, created, browsable, verify):
    # the test gives the user a track and a playlist; of the other types the user may have nothing
    made_one = kind in ("tracks", "playlists")
    if kind == "tracks":
        add_tracks(client, catalog, 1)
    if kind == "playlists":
        make_playlist(client, created, catalog, "browse-type", 1)
    r = client.collection_browse(kind)
    if not made_one and r.status == 404:
        # E30: "No result in the user's collection" is a reading for a type the user has none of
        verify.that(
            "BROWSE-TYPES",
            readback.is_no_result(r),
            f"a 404 for {kind} the user may have none of carries ErrorCode {judging.NO_RESULT}",
            expected=f"200, or 404 {judging.NO_RESULT}",
            actual=f"404 ({judging.code_of(r)})",
        )
        verify.schema("BROWSE-TYPES", r, "ErrorResponse")
        if readback.is_no_result(r):
            verify.that(
                "BROWSE-EMPTY-200",
                False,
                f"a browse of {kind} the user has none of is answered 200 with an empty list",
                expected=200,
                actual=f"404 {judging.code_of(r)}",
            )
        return
    expect.ok(verify, "BROWSE-TYPES", r, "collection_browse")
    page = (r.body or {}).get(BROWSE_MEMBERS[kind])
    items = page.get("Items") if isinstance(page, dict) else None
    if r.status == 200 and not made_one and not items:
        verify.that(
            "BROWSE-EMPTY-200",
            True,
            f"a browse of {kind} the user has none of is answered 200 with an empty (or absent) list",
            actual=page,
        )
    if kind == "tracks":
        verify.that(
            "BROWSE-TRACKS",
            isinstance(items, list) and items,
            "Tracks is a paginated list with Items",
            actual=page,
        )
    if kind == "playlists":
        verify.that(
            "BROWSE-PLAYLISTS",
            isinstance(items, list)
            and items
            and all(isinstance(i.get("Id"), str) and isinstance(i.get("Name"), str) for i in items),
            "Playlists.Items each carry an Id and a Name",
            actual=page,
        )
        verify.that(
            "BROWSE-NO-TRACKS",
            all(i.get("Tracks") is None for i in items or []),
            "a playlists browse carries no Tracks lists",
            actual=[i.get("Tracks") for i in items or []][:3],
        )
    ids = [i.get("Id") for i in items or [] if isinstance(i, dict)]
    if ids:
        verify.that(
            "ID-PREFIX",
            all(isinstance(i, str) and i.startswith("music.") for i in ids),
            "every browsed Id starts with 'music.'",
            actual=ids[:5],
        )


class Listing:
    """One list that pages: the collection's tracks, or the tracks of a playlist made for the test."""

    def __init__(
        self,
        source: str,
        client: Client,
        catalog: TrackAllocator,
        created: Ownership,
        capabilities: Capabilities,
        n: int,
    ) -> None:
        self.source, self.client = source, client
        self.op = "collection_browse" if source == "collection-tracks" else "playlist_tracks_browse"
        if source == "collection-tracks":
            self.ours = add_tracks(client, catalog, n)
            self.playlist_id = None
        else:
            capabilities.require_tracks_browse()
            made = make_playlist(client, created, catalog, "browse-paging", n)
            # the Ids the create answered (a set: their order is no statement about the playlist's)
            self.ours, self.playlist_id = made.answered, made.id

    def fetch(self, **paging: Any) -> Any:
        if self.playlist_id is None:
            return self.client.collection_browse("tracks", **paging)
        return self.client.playlist_tracks_browse(self.playlist_id, **paging)

    def page(self, r: Any) -> dict[str, Any]:
        body = r.body if isinstance(r.body, dict) else {}
        if self.playlist_id is None:
            return body.get("Tracks") or {}
        items = (body.get("Playlists") or {}).get("Items") or [{}]
        return items[0].get("Tracks") or {}

    def walk(
        self,
        verify: Verify,
        first_reqs: str | tuple[str, ...],
        max_items: int | None,
        continued_req: str | None = None,
    ) -> list[tuple[list[str], str | None]] | None:
        """Every page, following the tokens (the first request with ``max_items``): (Ids, token) per page.

        The first answer is judged (200 and a ContentResponse) under each of ``first_reqs``, the
        answers to continuation requests under ``continued_req`` (by default the first of those).
        None when an answer was not that (already recorded): the walk says nothing more then."""
        firsts = (first_reqs,) if isinstance(first_reqs, str) else first_reqs
        pages: list[tuple[list[str], str | None]] = []
        token = None
        for _ in range(readback.MAX_PAGES):
            r = self.fetch(max_items=max_items if token is None else None, continuation_token=token)
            reqs = firsts if token is None else (continued_req or firsts[0],)
            if not all([expect.ok(verify, req, r, self.op) for req in reqs]):
                return None
            page = self.page(r)
            token = page.get("ContinuationToken") or None
            pages.append(([i.get("Id") for i in page.get("Items") or [] if isinstance(i, dict)], token))
            if not token:
                return pages
        raise readback.ReadbackError(f"the list did not end within {readback.MAX_PAGES} pages")


SOURCES = ["collection-tracks", "playlist-tracks"]


def _paging_cases() -> list[Any]:
    out = []
    # maxItems=1 only on a playlist: the collection may hold any number of tracks already
    for s in SOURCES:
        for m in (None, 1, 7, PAGE_MAX):
            if s == "collection-tracks" and m == 1:
                continue
            reqs = ["BROWSE-DEFAULT-25"] if m is None else ["BROWSE-MAXITEMS", "BROWSE-MAXITEMS-CONTINUED"]
            if m == PAGE_MAX:
                reqs.append("BROWSE-MAXITEMS-25")
            if s == "playlist-tracks":
                reqs.append("BROWSE-PL-ORDER")
            out.append(pytest.param(s, m, id=f"{s}-{m or 'default'}", marks=pytest.mark.requirement(*reqs)))
    return out


def _sized(verify: Verify, req: str, where: str, ids: list[str], token: Any, size: int) -> None:
    """A page holds exactly ``size`` items when a token follows it, at most ``size`` when it is the last."""
    if token:
        verify.equal(req, len(ids), size, f"{where} (a token follows) holds exactly {size} items")
    else:
        verify.that(req, len(ids) <= size, f"{where} (the last) holds at most {size} items", actual=len(ids))


@pytest.mark.requirement("BROWSE-TOKEN", "BROWSE-TOKEN-END", "BROWSE-CONTINUE", "BROWSE-CONTINUED-MAX")
@pytest.mark.parametrize(("source", "max_items"), _paging_cases())
def test_paging_with_continuation_tokens(source, max_items, client, catalog, created, browsable, verify):
    listing = Listing(source, client, catalog, created, browsable, MORE_THAN_A_PAGE if max_items != 1 else 3)
    # the playlist's order, from a first full read (default page size, readback.py)
    reference = readback.playlist_track_ids(client, listing.playlist_id) if listing.playlist_id else None
    if max_items is None:
        first_reqs: tuple[str, ...] = ("BROWSE-DEFAULT-25",)
    elif max_items == PAGE_MAX:
        first_reqs = ("BROWSE-MAXITEMS", "BROWSE-MAXITEMS-25")
    else:
        first_reqs = ("BROWSE-MAXITEMS",)
    with client.steady():  # on a target shared with other xdist workers, nothing shifts the pages
        pages = listing.walk(verify, first_reqs, max_items, continued_req="BROWSE-CONTINUE")
    if pages is None:
        return  # an answer that is not a page is recorded; page sizes and tokens cannot be judged
    everything = [i for ids, _ in pages for i in ids]
    at_least = len(listing.ours)  # the list holds at least what the test added (exactly, for a playlist)
    seen = 0
    for k, (ids, token) in enumerate(pages):
        seen += len(ids)
        where = f"page {k + 1}"
        if k == 0 and max_items is None:
            _sized(verify, "BROWSE-DEFAULT-25", where, ids, token, PAGE_MAX)
        elif k == 0:
            # maxItems sizes the page of the request that carries it
            _sized(verify, "BROWSE-MAXITEMS", where, ids, token, max_items)
            if max_items == PAGE_MAX and at_least > PAGE_MAX:
                verify.equal("BROWSE-MAXITEMS-25", len(ids), PAGE_MAX, f"{where} of maxItems=25 is full")
        else:
            # A continuation carries the token alone (json-paginatedlist.md: "remove all the other
            # optional API parameters"); no page says whether its pages keep the first page's size
            # or the default (E18): held to the maximum, and not empty since a token preceded it.
            verify.that(
                "BROWSE-CONTINUED-MAX",
                0 < len(ids) <= PAGE_MAX,
                f"{where} (a continuation: a token preceded it) holds 1 to {PAGE_MAX} items",
                actual=len(ids),
            )
            if max_items is None:  # the default, 25, under either reading
                _sized(verify, "BROWSE-DEFAULT-25", where, ids, token, PAGE_MAX)
            else:
                kept = f"{where} (maxItems={max_items} kept)"
                _sized(verify, "BROWSE-MAXITEMS-CONTINUED", kept, ids, token, max_items)
        if seen < at_least:
            verify.that(
                "BROWSE-TOKEN",
                bool(token),
                f"page {k + 1}: {seen} of at least {at_least} items listed, "
                "so it carries a ContinuationToken",
                actual=token,
            )
        if k > 0:
            verify.that(
                "BROWSE-TOKEN-END",
                len(ids) > 0,
                f"page {k + 1} is not empty (the page before it was not the last one)",
                actual=ids,
            )
        if listing.playlist_id is not None and seen >= at_least:
            verify.that(
                "BROWSE-TOKEN-END",
                not token,
                f"page {k + 1} ends the playlist's {at_least} tracks: no ContinuationToken",
                actual=token,
            )
    verify.that(
        "BROWSE-TOKEN-END",
        bool(pages) and not pages[-1][1],
        "the walk ends on a page without a token",
        actual=f"{len(pages)} pages",
    )
    verify.equal(
        "BROWSE-CONTINUE", len(everything), len(set(everything)), "no item listed twice across pages"
    )
    missing = [i for i in listing.ours if i not in everything]
    verify.that("BROWSE-CONTINUE", not missing, "following the tokens lists every item", actual=missing[:5])
    if reference is not None:
        verify.equal(
            "BROWSE-PL-ORDER",
            everything,
            reference,
            f"the playlist's tracks across pages of maxItems={max_items or 'default'}, "
            "in the order of a first full read",
        )


@pytest.mark.parametrize(
    ("n", "max_items"),
    [
        pytest.param(
            PAGE_MAX, None, id="25-tracks-default", marks=pytest.mark.requirement("BROWSE-DEFAULT-25")
        ),
        pytest.param(5, 5, id="5-tracks-max-items-5", marks=pytest.mark.requirement("BROWSE-MAXITEMS")),
    ],
)
@pytest.mark.requirement("BROWSE-TOKEN-END")
def test_exactly_full_last_page(n, max_items, client, catalog, created, browsable, verify):
    """A list of exactly one full page is that one page, without a token (json-paginatedlist.md)."""
    browsable.require_tracks_browse()
    made = make_playlist(client, created, catalog, "browse-full-page", n)
    size_req = "BROWSE-DEFAULT-25" if max_items is None else "BROWSE-MAXITEMS"
    r = client.playlist_tracks_browse(made.id, max_items=max_items)
    answered = [expect.ok(verify, req, r, "playlist_tracks_browse") for req in (size_req, "BROWSE-TOKEN-END")]
    if not all(answered):
        return
    items = (r.body.get("Playlists") or {}).get("Items") or [{}]
    page = (items[0] if isinstance(items[0], dict) else {}).get("Tracks") or {}
    ids = [i.get("Id") for i in page.get("Items") or [] if isinstance(i, dict)]
    # fewer would leave more to list, which only a page of exactly the size may do
    verify.equal(size_req, len(ids), n, f"the one page of a playlist of {n} tracks holds all {n}")
    verify.that(
        "BROWSE-TOKEN-END",
        not page.get("ContinuationToken"),
        f"a playlist of exactly {n} tracks browsed with maxItems={max_items or 'absent'} "
        "is one page without a ContinuationToken",
        actual=page.get("ContinuationToken"),
    )
    verify.equal(
        "BROWSE-TOKEN-END", sorted(ids), sorted(made.answered), "that page lists the playlist's tracks"
    )


@pytest.mark.requirement("BROWSE-PAGE")
@pytest.mark.parametrize("source", SOURCES)
def test_page_parameter_skips_pages(source, client, catalog, created, browsable, verify):
    listing = Listing(source, client, catalog, created, browsable, 12)
    size = 5
    with client.steady():  # the walk and the pages read one list (no other xdist worker changes it)
        walked = listing.walk(verify, "BROWSE-PAGE", size)
        if walked is None:
            return
        answers = [listing.fetch(max_items=size, page=number) for number in (0, 1, 2)]
        unpaged = listing.fetch(max_items=size)
    full = [i for ids, _ in walked for i in ids]
    for number, r in enumerate(answers):
        expect.ok(verify, "BROWSE-PAGE", r, listing.op)
        got = [i.get("Id") for i in listing.page(r).get("Items") or []]
        verify.equal(
            "BROWSE-PAGE",
            got,
            full[number * size : (number + 1) * size],
            f"page={number}&maxItems={size} holds items {number * size + 1}..",
        )
    first = [i.get("Id") for i in listing.page(unpaged).get("Items") or []]
    verify.equal("BROWSE-PAGE", first, full[:size], "without page, the first page")


@pytest.mark.requirement("BROWSE-MAXITEMS-OVER", "BROWSE-MAXITEMS-CODE")
@pytest.mark.parametrize("max_items", [PAGE_MAX + 1, 42])
@pytest.mark.parametrize("source", SOURCES)
def test_max_items_over_25_refused(source, max_items, client, catalog, created, browsable, verify):
    listing = Listing(source, client, catalog, created, browsable, 1)
    r = listing.fetch(max_items=max_items)
    expect.rejected(
        verify,
        "BROWSE-MAXITEMS-OVER",
        r,
        listing.op,
        400,
        code="INVALID_INPUT_PARAMETER",
        code_req="BROWSE-MAXITEMS-CODE",
    )


@pytest.mark.requirement("BROWSE-BAD-TOKEN")
@pytest.mark.parametrize("source", SOURCES)
def test_unknown_continuation_token(source, client, catalog, created, browsable, verify):
    listing = Listing(source, client, catalog, created, browsable, 1)
    r = listing.fetch(continuation_token=uuid.uuid4().hex)
    expect.rejected(verify, "BROWSE-BAD-TOKEN", r, listing.op, 400, code="CONTINUATION_TOKEN_INVALID_ERROR")


@pytest.mark.requirement("BROWSE-ORDERBY", "BROWSE-ORDERBY-CODE")
def test_incompatible_order_by(client, browsable, verify):
    r = client.operation(
        "collection_browse", path_params={"type": "artists"}, query={"orderBy": "AlbumTitle"}
    )
    expect.rejected(
        verify,
        "BROWSE-ORDERBY",
        r,
        "collection_browse",
        400,
        code="INCOMPATIBLE_INPUT_PARAMETERS",
        code_req="BROWSE-ORDERBY-CODE",
    )


def _track_counts(verify: Verify, step: str, client: Client, made: Any, read: Any = None) -> None:
    """Every TrackCount reported for ``made`` (each tracks-browse page's Playlists.Items[0], its item
    in a playlists browse) is present (SHOULD BROWSE-TRACKCOUNT) and, where present, the number of
    tracks its tracks browse lists (MUST BROWSE-TRACKCOUNT-LIVE)."""
    read = read if read is not None else readback.playlist_read(client, made.id)
    listed = len(read.tracks)
    reported = [(f"tracks browse page {k + 1}", head) for k, head in enumerate(read.heads)]
    item = readback.playlist(client, made.id, made.name)  # by Id, else by its Name (E15)
    if item is not None:
        reported.append(("playlists browse", item))
    for where, head in reported:
        count = head.get("TrackCount")
        verify.that(
            "BROWSE-TRACKCOUNT", count is not None, f"{step}: the {where} carries TrackCount", actual=head
        )
        if count is not None:
            verify.equal(
                "BROWSE-TRACKCOUNT-LIVE",
                count,
                listed,
                f"{step}: TrackCount in the {where} is the number of tracks the tracks browse lists",
            )


@pytest.mark.requirement(
    "BROWSE-PL-TRACKS",
    "BROWSE-TRACKCOUNT",
    "BROWSE-TRACKCOUNT-LIVE",
    "ID-PLAYLIST-USABLE",
    "ID-PLAYLIST-BROWSE",
)
def test_browse_a_playlists_tracks(client, catalog, created, browsable, verify):
    browsable.require_tracks_browse()
    made = make_playlist(client, created, catalog, "browse-tracks", 3)
    r = client.playlist_tracks_browse(made.id)
    expect.ok(verify, "BROWSE-PL-TRACKS", r, "playlist_tracks_browse")
    verify.status("ID-PLAYLIST-USABLE", r, 200)
    items = ((r.body or {}).get("Playlists") or {}).get("Items") or []
    item = items[0] if items and isinstance(items[0], dict) else {}
    verify.that(
        "BROWSE-PL-TRACKS",
        len(items) == 1 and isinstance(item.get("Tracks"), dict),
        "Playlists.Items[0] is the playlist, with its Tracks",
        actual=item or items,
    )
    # E15: a second accepted form of the Id may be listed; that it is the one sent is a SHOULD
    verify.that(
        "ID-PLAYLIST-BROWSE",
        str(item.get("Id", "")).upper() == made.id.upper(),
        "Playlists.Items[0] carries the Id sent",
        expected=made.id,
        actual=item.get("Id"),
    )
    tracks = [t.get("Id") for t in (item.get("Tracks") or {}).get("Items") or []]
    verify.equal("BROWSE-PL-TRACKS", sorted(tracks), sorted(made.answered), "its tracks in Tracks.Items")
    _track_counts(verify, "3 tracks", client, made)


@pytest.mark.requirement("BROWSE-TRACKCOUNT-LIVE", "BROWSE-TRACKCOUNT")
def test_track_count_follows_the_tracks(client, catalog, created, browsable, verify):
    """TrackCount is "the number of tracks currently in the playlist" (json-playlist.md): after a
    create, an update adding two (one of them invalid) and an update deleting one, every reported
    TrackCount is the number of tracks the playlist's tracks browse lists."""
    browsable.require_tracks_browse()
    made = make_playlist(client, created, catalog, "trackcount", 3)
    _track_counts(verify, "after a create with 3 tracks", client, made)
    client.playlist_update(
        {
            "Id": made.id,
            "TrackActions": [
                {"Id": catalog.take(1)[0], "Action": "Add"},
                {"Id": catalog.invalid(1)[0], "Action": "Add"},
            ],
        }
    )
    read = readback.playlist_read(client, made.id)
    _track_counts(verify, "after an update adding 2 tracks, 1 of them invalid", client, made, read)
    assert read.track_ids, f"precondition: playlist {made.id} lists no track to delete"
    client.playlist_update({"Id": made.id, "TrackActions": [{"Id": read.track_ids[0], "Action": "Delete"}]})
    _track_counts(verify, "after an update deleting 1 track", client, made)


@pytest.mark.requirement("BROWSE-PL-UNKNOWN", "PUPD-UNKNOWN-CODE")
def test_browse_an_unknown_playlist(client, browsable, verify):
    browsable.require_tracks_browse()
    r = client.playlist_tracks_browse(unknown_playlist_id())
    expect.rejected(
        verify,
        "BROWSE-PL-UNKNOWN",
        r,
        "playlist_tracks_browse",
        code="COLLECTION_NO_RESULT",
        code_req="PUPD-UNKNOWN-CODE",
        code_status=404,
    )
