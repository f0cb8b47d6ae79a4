"""Reading state back through the browse operations: what a scenario's writes really did.

Every list is read whole, page after page, by following ``ContinuationToken`` as the paginated
list page says (same URL, the token, no other optional parameter), so that a check never depends
on what happens to fit on the first page — and never assumes the collection holds only what the
run added: callers look for the IDs they know, or compare before/after.

A read-back answer that is not HTTP 200 with a valid ContentResponse is a precondition that did not
hold (:class:`ReadbackError`): the scenario stops there and the test fails with that reason.

On a target without the browse endpoints the read-back half of a scenario is skipped with
:func:`need_browse` / :func:`need_tracks_browse`, after its wire-level checks have been recorded.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import contract

MAX_PAGES = 400  # 10,000 items at 25 a page: a bound against a list that never ends


class ReadbackError(AssertionError):
    """Reading state back failed: the scenario cannot judge the effect of its request."""


def _skip_rest(verify: Any, reason: str) -> None:
    # A wire-level check that already failed must fail the test, not vanish into a skip.
    if verify.blocking_failures():
        pytest.fail(verify.summary(), pytrace=False)
    pytest.skip(reason)


def need_browse(verify: Any, capabilities: Any, what: str = "the effect") -> None:
    """Continue only when the collection can be browsed; else skip the rest with the reason."""
    if not capabilities.browse:
        _skip_rest(verify, f"target has no browse endpoint: {what} cannot be read back")


def need_tracks_browse(verify: Any, capabilities: Any, what: str = "the playlist's tracks") -> None:
    """Continue only when a playlist's tracks can be browsed; else skip the rest with the reason."""
    if not capabilities.playlist_tracks_browse:
        _skip_rest(verify, f"target has no playlist tracks browse endpoint: {what} cannot be read back")


def require_operation(capabilities: Any, operation: str) -> None:
    """Skip a test about ``operation`` itself when the target does not have it (the browses)."""
    if operation == "collection_browse":
        capabilities.require_browse()
    elif operation == "playlist_tracks_browse":
        capabilities.require_tracks_browse()


def _page(r: Any, what: str) -> dict[str, Any]:
    if r.status != 200 or not isinstance(r.body, dict):
        raise ReadbackError(f"read-back of {what} failed: HTTP {r.status} {r!r}")
    problems = contract.validate("ContentResponse", r.body)
    if problems:
        raise ReadbackError(
            f"read-back of {what}: the answer is not a ContentResponse: {'; '.join(problems[:3])}"
        )
    return r.body


def _follow(fetch: Any, extract: Any, what: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        paginated = extract(_page(fetch(token), what))
        if paginated is None:
            return items
        items.extend(i for i in paginated.get("Items") or [] if isinstance(i, dict))
        token = paginated.get("ContinuationToken")
        if not token:
            return items
        if token in seen:
            raise ReadbackError(f"read-back of {what}: the continuation token {token!r} came back twice")
        seen.add(token)
    raise ReadbackError(f"read-back of {what}: more than {MAX_PAGES} pages")


def collection_items(client: Any, kind: str = "tracks") -> list[dict[str, Any]]:
    """Every item of a collection browse of ``kind`` (tracks, playlists, ...)."""
    member = {
        "tracks": "Tracks",
        "playlists": "Playlists",
        "albums": "Albums",
        "artists": "Artists",
        "playlistsforyou": "Playlists",
    }[kind]
    return _follow(
        lambda token: client.collection_browse(kind, continuation_token=token),
        lambda body: body.get(member),
        f"the collection's {kind}",
    )


def collection_track_ids(client: Any) -> list[str]:
    """The Ids of every track in the user's collection, in browse order."""
    return [i["Id"] for i in collection_items(client, "tracks") if isinstance(i.get("Id"), str)]


def playlists(client: Any) -> dict[str, dict[str, Any]]:
    """The user's playlists by Id (upper-cased key: playlist Ids are not case sensitive, E15)."""
    return {i["Id"].upper(): i for i in collection_items(client, "playlists") if isinstance(i.get("Id"), str)}


def playlist(client: Any, playlist_id: str) -> dict[str, Any] | None:
    """The playlists-browse item of ``playlist_id``, or None when it is not listed."""
    return playlists(client).get(playlist_id.upper())


def playlist_names(client: Any) -> list[str | None]:
    return [i.get("Name") for i in collection_items(client, "playlists")]


def playlist_tracks(client: Any, playlist_id: str) -> list[dict[str, Any]]:
    """Every track of a playlist, in playlist order (tracks browse, followed across pages)."""

    def tracks_of(body: dict[str, Any]) -> dict[str, Any] | None:
        items = (body.get("Playlists") or {}).get("Items") or []
        if not items or not isinstance(items[0], dict):
            raise ReadbackError(f"read-back of playlist {playlist_id}: no Playlists.Items[0] in the answer")
        return items[0].get("Tracks") or {"Items": []}

    return _follow(
        lambda token: client.playlist_tracks_browse(playlist_id, continuation_token=token),
        tracks_of,
        f"the tracks of playlist {playlist_id}",
    )


def playlist_track_ids(client: Any, playlist_id: str) -> list[str]:
    return [t["Id"] for t in playlist_tracks(client, playlist_id) if isinstance(t.get("Id"), str)]
