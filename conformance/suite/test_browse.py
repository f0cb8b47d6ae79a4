"""Browsing: the collection by type, a playlist's tracks, paging with maxItems, page and continuation tokens.

The paging rules (json-paginatedlist.md, the browse pages, E18) are checked on both lists that page:
the collection's tracks and a playlist's tracks. Neither is assumed to hold only what the test added:
a test adds more than a page's worth and checks page sizes, tokens and that following the tokens
lists every item once. Without a browse endpoint there is nothing to check here: the tests skip.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.contract import LIMITS
from conformance.suite.helpers import expect, readback
from conformance.suite.helpers.builders import add_tracks, make_playlist

PAGE_MAX = LIMITS.browse_max_items
MORE_THAN_A_PAGE = PAGE_MAX + 5
TYPES = ("albums", "artists", "playlists", "playlistsforyou", "tracks")
MEMBER = {
    "albums": "Albums",
    "artists": "Artists",
    "playlists": "Playlists",
    "playlistsforyou": "Playlists",
    "tracks": "Tracks",
}


@pytest.fixture
def browsable(capabilities: Any) -> Any:
    capabilities.require_browse()
    return capabilities


@pytest.mark.requirement("BROWSE-TYPES", "BROWSE-TRACKS", "BROWSE-PLAYLISTS", "BROWSE-NO-TRACKS", "ID-PREFIX")
@pytest.mark.parametrize("kind", TYPES)
def test_browse_each_type(kind, client, catalog, created, browsable, verify):
    if kind == "tracks":
        add_tracks(client, catalog, 1)
    if kind == "playlists":
        make_playlist(client, created, catalog, "browse-type", 1)
    r = client.collection_browse(kind)
    expect.ok(verify, "BROWSE-TYPES", r, "collection_browse")
    page = (r.body or {}).get(MEMBER[kind])
    items = page.get("Items") if isinstance(page, dict) else None
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
        self, source: str, client: Any, catalog: Any, created: Any, capabilities: Any, n: int
    ) -> None:
        self.source, self.client = source, client
        self.op = "collection_browse" if source == "collection-tracks" else "playlist_tracks_browse"
        if source == "collection-tracks":
            self.ours = add_tracks(client, catalog, n)
            self.playlist_id = None
        else:
            capabilities.require_tracks_browse()
            made = make_playlist(client, created, catalog, "browse-paging", n)
            self.ours, self.playlist_id = made.entries, made.id

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

    def walk(self, verify: Any, req: str, max_items: int | None) -> list[tuple[list[str], str | None]]:
        """Every page, following the tokens (the first request with ``max_items``): (Ids, token) per page."""
        pages: list[tuple[list[str], str | None]] = []
        token = None
        for _ in range(readback.MAX_PAGES):
            r = self.fetch(max_items=max_items if token is None else None, continuation_token=token)
            if not expect.ok(verify, req, r, self.op):
                return pages
            page = self.page(r)
            token = page.get("ContinuationToken") or None
            pages.append(([i.get("Id") for i in page.get("Items") or [] if isinstance(i, dict)], token))
            if not token:
                return pages
        raise readback.ReadbackError(f"the list did not end within {readback.MAX_PAGES} pages")


SOURCES = ["collection-tracks", "playlist-tracks"]


@pytest.mark.requirement(
    "BROWSE-DEFAULT-25",
    "BROWSE-TOKEN",
    "BROWSE-TOKEN-END",
    "BROWSE-CONTINUE",
    "BROWSE-MAXITEMS",
    "BROWSE-PL-ORDER",
)
@pytest.mark.parametrize(
    ("source", "max_items"),
    # maxItems=1 only on a playlist: the collection may hold any number of tracks already
    [
        pytest.param(s, m, id=f"{s}-{m or 'default'}")
        for s in SOURCES
        for m in (None, 1, 7, PAGE_MAX)
        if not (s == "collection-tracks" and m == 1)
    ],
)
def test_paging_with_continuation_tokens(source, max_items, client, catalog, created, browsable, verify):
    listing = Listing(source, client, catalog, created, browsable, MORE_THAN_A_PAGE if max_items != 1 else 3)
    req = "BROWSE-DEFAULT-25" if max_items is None else "BROWSE-MAXITEMS"
    size = max_items or PAGE_MAX
    pages = listing.walk(verify, req, max_items)
    everything = [i for ids, _ in pages for i in ids]
    at_least = len(listing.ours)  # the list holds at least what the test added (exactly, for a playlist)
    seen = 0
    for k, (ids, token) in enumerate(pages):
        seen += len(ids)
        # maxItems sizes the first page. A continuation carries the token alone (json-paginatedlist.md:
        # "remove all the other optional API parameters"), and no page says whether its pages keep the
        # first page's size or the default (E18): a continued page is only held to the maximum.
        limit = size if k == 0 else PAGE_MAX
        if token and k == 0:
            verify.equal(req, len(ids), size, f"page 1 (a token follows) holds exactly {size} items")
        elif token:
            verify.that(
                req,
                0 < len(ids) <= PAGE_MAX,
                f"page {k + 1} (a continuation; a token follows) holds 1 to {PAGE_MAX} items",
                actual=len(ids),
            )
        else:
            verify.that(req, len(ids) <= limit, f"the last page holds at most {limit} items", actual=len(ids))
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
    if listing.playlist_id is not None:
        verify.equal(
            "BROWSE-PL-ORDER",
            everything,
            listing.ours,
            "the playlist's tracks in playlist order, across pages",
        )


@pytest.mark.requirement("BROWSE-PAGE")
@pytest.mark.parametrize("source", SOURCES)
def test_page_parameter_skips_pages(source, client, catalog, created, browsable, verify):
    listing = Listing(source, client, catalog, created, browsable, 12)
    size = 5
    full = [i for ids, _ in listing.walk(verify, "BROWSE-PAGE", size) for i in ids]
    for number in (0, 1, 2):
        r = listing.fetch(max_items=size, page=number)
        expect.ok(verify, "BROWSE-PAGE", r, listing.op)
        got = [i.get("Id") for i in listing.page(r).get("Items") or []]
        verify.equal(
            "BROWSE-PAGE",
            got,
            full[number * size : (number + 1) * size],
            f"page={number}&maxItems={size} holds items {number * size + 1}..",
        )
    r = listing.fetch(max_items=size)
    first = [i.get("Id") for i in listing.page(r).get("Items") or []]
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


@pytest.mark.requirement("BROWSE-PL-TRACKS", "BROWSE-TRACKCOUNT", "ID-PLAYLIST-USABLE")
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
        str(item.get("Id", "")).upper() == made.id.upper(),
        "Playlists.Items[0] is the playlist",
        expected=made.id,
        actual=item.get("Id"),
    )
    tracks = [t.get("Id") for t in (item.get("Tracks") or {}).get("Items") or []]
    verify.equal("BROWSE-PL-TRACKS", sorted(tracks), sorted(made.entries), "its tracks in Tracks.Items")
    verify.equal("BROWSE-TRACKCOUNT", item.get("TrackCount"), 3, "TrackCount in the tracks browse")
    listed = client.collection_browse("playlists")
    entry = next(
        (
            p
            for p in ((listed.body or {}).get("Playlists") or {}).get("Items") or []
            if str(p.get("Id", "")).upper() == made.id.upper()
        ),
        None,
    )
    if entry is not None:
        verify.equal("BROWSE-TRACKCOUNT", entry.get("TrackCount"), 3, "TrackCount in the playlists browse")


@pytest.mark.requirement("BROWSE-PL-UNKNOWN", "PUPD-UNKNOWN-CODE")
def test_browse_an_unknown_playlist(client, browsable, verify):
    browsable.require_tracks_browse()
    r = client.playlist_tracks_browse(f"music.playlist.{uuid.uuid4()}")
    expect.rejected(
        verify,
        "BROWSE-PL-UNKNOWN",
        r,
        "playlist_tracks_browse",
        code="COLLECTION_NO_RESULT",
        code_req="PUPD-UNKNOWN-CODE",
        code_status=404,
    )
