"""Browsing: a user's collection by type, and the tracks of one playlist in playlist order.

Paging (uri-browse-user-collection-playlist.md, uri-browse-sub-items.md, json-paginatedlist.md;
erratum E18):

* ``maxItems`` is a 32-bit integer in 1..25, default 25; anything else is 400 INVALID_INPUT_PARAMETER
  ("Parameter maxItems must have a value of at most 25" for too large, as the page shows).
* ``page`` (default 0) skips ``page * maxItems`` items; negative or non-integer is 400.
* When more items remain the list carries a ``ContinuationToken``; calling the same URL with it
  (other optional parameters removed, though a ``maxItems`` next to it is tolerated) yields the next
  items. The token is opaque: an HMAC-signed record of (user, list, offset, page size, order) under
  a secret kept in the database, so a token survives a restart but is bound to its user and list:
  a forged, altered, foreign or other-list token is 400 CONTINUATION_TOKEN_INVALID_ERROR. Without
  ``maxItems`` the continued pages keep the first page's size (variant
  ``continued-page-default-size``: the default 25).
* ``orderBy``: the values the browse page shows (ArtistName for artists, AlbumTitle for albums,
  TrackTitle for tracks); any other value for a type, or any value for playlists and playlist
  tracks (whose order is their own), is 400 INCOMPATIBLE_INPUT_PARAMETERS ("Invalid ordering for
  this content", as the page shows).
* Every list carries ``TotalItemCount``.

The emulator holds no album or artist metadata, so ``albums``, ``artists`` and ``playlistsforyou``
are empty lists (valid, paged like the others).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from conformance.contract import BROWSE_MEMBERS, BROWSE_TYPES, LIMITS
from conformance.emulator.catalog import Catalog
from conformance.emulator.errors import ApiError
from conformance.emulator.faults import FaultSwitch
from conformance.emulator.variants import VariantSet

# The orderBy values the browse page shows per type (ArtistName for artists, AlbumTitle for
# albums, TrackTitle for tracks): the only ones this emulator accepts, a choice of its own (the
# page says only that an incompatible one is a 400). Every other type orders itself.
ORDERINGS: dict[str, frozenset[str]] = {
    "albums": frozenset({"AlbumTitle"}),
    "artists": frozenset({"ArtistName"}),
    "tracks": frozenset({"TrackTitle"}),
}
_INT32_MAX = 2**31 - 1
_INT = re.compile(r"^[+-]?[0-9]{1,10}$")


@dataclass(frozen=True)
class Page:
    offset: int
    size: int
    order: str | None


@dataclass(frozen=True)
class PageRequest:
    """What the query parameters alone say (checked without knowing the user)."""

    size: int | None  # maxItems, when given
    token: str | None
    order: str | None
    number: int  # page


class Tokens:
    """Continuation tokens: signed, opaque, bound to a user and a list."""

    def __init__(self, secret: str):
        self._key = bytes.fromhex(secret)

    def make(self, user: str, list_key: str, offset: int, size: int, order: str | None) -> str:
        payload = json.dumps([user, list_key, offset, size, order], separators=(",", ":")).encode()
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac + payload).decode("ascii").rstrip("=")

    def read(self, token: str, user: str, list_key: str) -> Page:
        invalid = ApiError("CONTINUATION_TOKEN_INVALID_ERROR", "The continuation token is not valid here")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            raise invalid from None
        mac, payload = raw[:16], raw[16:]
        expected = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        if len(mac) != 16 or not hmac.compare_digest(mac, expected):
            raise invalid
        try:
            tok_user, tok_list, offset, size, order = json.loads(payload)
        except ValueError:
            raise invalid from None
        if tok_user != user or tok_list != list_key:
            raise invalid
        return Page(offset, size, order)


def _int_param(raw: str, name: str) -> int:
    text = raw.strip()
    if not _INT.match(text):
        raise ApiError("INVALID_INPUT_PARAMETER", f"Parameter {name} must be a 32-bit integer")
    value = int(text)
    if not -_INT32_MAX - 1 <= value <= _INT32_MAX:
        raise ApiError("INVALID_INPUT_PARAMETER", f"Parameter {name} must be a 32-bit integer")
    return value


def _list(kind: str) -> tuple[str, frozenset[str]]:
    """(response member, allowed orderBy values) of a browse type; 400 for an unknown one."""
    if kind not in BROWSE_MEMBERS:
        raise ApiError(
            "INVALID_INPUT_PARAMETER",
            f"Unsupported browse type; expected one of {', '.join(BROWSE_TYPES)}",
        )
    return BROWSE_MEMBERS[kind], ORDERINGS.get(kind, frozenset())


@dataclass
class Browser:
    """The two browse operations over one emulator's catalog, switched faults and variants."""

    catalog: Catalog
    faults: FaultSwitch
    variants: VariantSet
    tokens: Tokens

    def check_query(self, params: dict[str, str], kind: str | None) -> PageRequest:
        """Check what needs no user: the browse type (``kind``; None for playlist tracks) and the
        paging parameters. The token itself can only be checked for a user (``page``)."""
        orders = _list(kind)[1] if kind is not None else frozenset()
        return self._request(params, orders)

    def page(self, params: dict[str, str], user: str, list_key: str, orders: frozenset[str]) -> Page:
        """The page a browse request asks for (query parameters already reduced to single values)."""
        req = self._request(params, orders)
        if req.token is not None:
            page = self.tokens.read(req.token, user, list_key)
            default = LIMITS.browse_default_items
            continued = default if self.variants.on("continued-page-default-size") else page.size
            return Page(page.offset, req.size or continued, page.order)
        size = req.size or LIMITS.browse_default_items
        return Page(req.number * size, size, req.order)

    def _request(self, params: dict[str, str], orders: frozenset[str]) -> PageRequest:
        size = None
        if "maxItems" in params:
            size = _int_param(params["maxItems"], "maxItems")
            most = LIMITS.browse_max_items
            limit = most - 1 if self.faults.on("maxitems-25-refused") else most
            if size > limit and not self.faults.on("browse-maxitems-unbounded"):
                raise ApiError(
                    "INVALID_INPUT_PARAMETER", f"Parameter maxItems must have a value of at most {most}"
                )
            if size < LIMITS.browse_min_items:
                raise ApiError(
                    "INVALID_INPUT_PARAMETER",
                    f"Parameter maxItems must have a value of at least {LIMITS.browse_min_items}",
                )
        token = params.get("continuationToken")
        if token is not None:  # page and orderBy next to a token are ignored (E18)
            return PageRequest(size, token, None, 0)
        order = params.get("orderBy")
        if order is not None and order not in orders:
            raise ApiError("INCOMPATIBLE_INPUT_PARAMETERS", "Invalid ordering for this content")
        number = _int_param(params["page"], "page") if "page" in params else 0
        if number < 0:
            raise ApiError("INVALID_INPUT_PARAMETER", "Parameter page must not be negative")
        return PageRequest(size, None, order, number)

    def _paginated(
        self, items: list[dict[str, Any]], total: int, page: Page, user: str, list_key: str
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"Items": items}
        more = page.offset + len(items) < total
        if (more or (len(items) == page.size and self.faults.on("token-on-full-last-page"))) and items:
            out["ContinuationToken"] = self.tokens.make(
                user, list_key, page.offset + len(items), page.size, page.order
            )
        out["TotalItemCount"] = total
        return out

    def collection(
        self, conn: sqlite3.Connection, user: str, kind: str, params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        member, orders = _list(kind)
        list_key = f"collection/{kind}"
        page = self.page(params, user, list_key, orders)
        items: list[dict[str, Any]] = []
        total = 0
        if kind == "tracks":
            total = conn.execute("SELECT COUNT(*) FROM collection WHERE user = ?", (user,)).fetchone()[0]
            order_sql = "track, seq" if page.order == "TrackTitle" else "seq"
            rows = conn.execute(
                f"SELECT id, track FROM collection WHERE user = ? ORDER BY {order_sql} LIMIT ? OFFSET ?",
                (user, page.size, page.offset),
            ).fetchall()
            items = [self._track(row[0], row[1]) for row in rows]
        elif kind == "playlists":
            total = conn.execute("SELECT COUNT(*) FROM playlists WHERE user = ?", (user,)).fetchone()[0]
            rows = conn.execute(
                "SELECT id, name, published, track_count FROM playlists WHERE user = ? ORDER BY seq "
                "LIMIT ? OFFSET ?",
                (user, page.size, page.offset),
            ).fetchall()
            items = [self._playlist(*row) for row in rows]
        if total == 0 and self.variants.on("empty-browse-404"):  # E30: nothing of this type
            raise ApiError("COLLECTION_NO_RESULT", f"The user's collection has no {kind}")
        return 200, {member: self._paginated(items, total, page, user, list_key)}

    def playlist_tracks(
        self, conn: sqlite3.Connection, user: str, playlist: tuple[str, str, bool], params: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        playlist_id, name, published = playlist
        list_key = f"playlist/{playlist_id}"
        page = self.page(params, user, list_key, frozenset())
        count = conn.execute("SELECT track_count FROM playlists WHERE id = ?", (playlist_id,)).fetchone()[0]
        total = conn.execute(
            "SELECT COUNT(*) FROM playlist_tracks WHERE playlist = ?", (playlist_id,)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT id, track FROM playlist_tracks WHERE playlist = ? ORDER BY pos LIMIT ? OFFSET ?",
            (playlist_id, page.size, page.offset),
        ).fetchall()
        item = self._playlist(playlist_id, name, published, count)
        item["Tracks"] = self._paginated([self._track(r[0], r[1]) for r in rows], total, page, user, list_key)
        return 200, {"Playlists": {"Items": [item]}}

    def _track(self, item_id: str, track: str) -> dict[str, Any]:
        return {"Id": item_id, "Name": self.catalog.track_name(track), "Source": "Collection"}

    @staticmethod
    def _playlist(playlist_id: str, name: str, published: int, count: int) -> dict[str, Any]:
        return {
            "Id": playlist_id,
            "Name": name,
            "IsPublished": bool(published),
            "TrackCount": count,
            "UserIsOwner": True,
            "Source": "Collection",
        }
