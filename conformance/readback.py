"""Reading the target's state back through the browse operations: what a test's writes really did.

A library module, shared by the scenario files of ``conformance/suite`` and the state machine of
``conformance/fuzz/stateful``: its one concern is the read-back (whole lists, the read-back errors,
the E30 and E15 leniencies below); what the read-back state must be is judged by the callers,
through :mod:`conformance.judging`.

Every list is read whole, page after page, by following ``ContinuationToken`` as the paginated
list page says (same URL, the token, no other optional parameter), so that a check never depends
on what happens to fit on the first page — and never assumes the collection holds only what the
run added: callers look for the IDs they know, or compare before/after.

A read-back answer that is not HTTP 200 with a valid ContentResponse is a precondition that did not
hold (:class:`ReadbackError`): the scenario stops there and the test fails with that reason. One
exception (E30): a collection browse answered 404 ``COLLECTION_NO_RESULT`` ("No result in the
user's collection", compared after E01) is read as an empty list, since a server may answer a type
the user has nothing of that way; whether it should is BROWSE-EMPTY-200's, judged in
``test_browse.py``. A playlist's tracks browse gets no such leniency: there that answer names an
unknown playlist.

A playlist is looked up in a playlists browse by Id first and, when that Id is not listed, by the
unique run-generated Name it carries (E15: a server may list a playlist under another accepted form
of its Id); :func:`playlist` takes the names to try.

pytest-xdist workers running against one foreign target share its user's collection and playlists,
and each one's whole-list checks (before/after a request, the state machine's model) would see
what the others add and remove meanwhile: a false alarm. A browse item need not name the catalog
ID it was added as (``OtherIds`` is optional; the emulator lists a fresh collection ID), and
another worker learns its item's Id only when the answer arrives, so what is the *others'* cannot
be told; what is *this worker's* can. So a worker's harness gives this module its view
(:class:`Shared`, through :func:`share`) and every list read here keeps only what the worker can
tell is its own or was there before the run. Without xdist, or against the embedded emulator (a
server per worker), nothing is left out.

On a target without the browse endpoints the read-back half of a scenario is skipped with
:func:`need_browse` / :func:`need_tracks_browse`, after its wire-level checks have been recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from conformance import contract, judging
from conformance.client import Client, Response
from conformance.ids import key

if TYPE_CHECKING:
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities
    from conformance.verify import Verify

MAX_PAGES = 400  # 10,000 items at 25 a page: a bound against a list that never ends


class ReadbackError(AssertionError):
    """Reading state back failed: the scenario cannot judge the effect of its request."""


def _skip_rest(verify: Verify, reason: str) -> None:
    # A wire-level check that already failed must fail the test, not vanish into a skip.
    if verify.blocking_failures():
        pytest.fail(verify.summary(), pytrace=False)
    pytest.skip(reason)


def need_browse(verify: Verify, capabilities: Capabilities, what: str = "the effect") -> None:
    """Continue only when the collection can be browsed; else skip the rest with the reason."""
    if not capabilities.browse:
        _skip_rest(verify, f"target has no browse endpoint: {what} cannot be read back")


def need_tracks_browse(
    verify: Verify, capabilities: Capabilities, what: str = "the playlist's tracks"
) -> None:
    """Continue only when a playlist's tracks can be browsed; else skip the rest with the reason."""
    if not capabilities.playlist_tracks_browse:
        _skip_rest(verify, f"target has no playlist tracks browse endpoint: {what} cannot be read back")


def require_operation(capabilities: Capabilities, operation: str) -> None:
    """Skip a test about ``operation`` itself when the target does not have it (the browses)."""
    if operation == "collection_browse":
        capabilities.require_browse()
    elif operation == "playlist_tracks_browse":
        capabilities.require_tracks_browse()


is_no_result = judging.is_no_result


def _page(r: Response, what: str) -> dict[str, Any]:
    if r.status != 200 or not isinstance(r.body, dict):
        raise ReadbackError(f"read-back of {what} failed: HTTP {r.status} {r!r}")
    problems = contract.validate("ContentResponse", r.body)
    if problems:
        raise ReadbackError(
            f"read-back of {what}: the answer is not a ContentResponse: {'; '.join(problems[:3])}"
        )
    return r.body


def _follow(
    fetch: Callable[[str | None], Response],
    extract: Callable[[dict[str, Any]], dict[str, Any] | None],
    what: str,
    *,
    empty_404: bool = False,
) -> list[dict[str, Any]]:
    """Every item of a list, page after page; ``empty_404``: a first answer 404 COLLECTION_NO_RESULT
    is the empty list (E30)."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        r = fetch(token)
        if empty_404 and token is None and is_no_result(r):
            return items
        paginated = extract(_page(r, what))
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


@dataclass(frozen=True)
class Shared:
    """This xdist worker's view of a target the run's other workers use at the same time.

    A list item is kept when this worker can tell it is its own or was there before the run:
    a track whose ``Id`` or an ``OtherIds`` value is a catalog ID of this worker's share
    (``share_keys``, ``ids.key`` form), or that the ledger created or found before the run; a
    playlist named with this worker's prefix or with a Name it sent, or that the ledger created
    or found before the run. Everything else may be another worker's, caught between its create
    and the answer that would name it, so it is left out: no other worker's data reaches a
    whole-list check (a miss is better than a false alarm). Other browse types are not filtered.
    """

    share_keys: frozenset[str]
    own_prefix: str
    ledger: Ownership

    def keeps(self, kind: str, item: dict[str, Any]) -> bool:
        if kind == "playlists":
            name = item.get("Name")
            if isinstance(name, str) and (name.startswith(self.own_prefix) or self.ledger.sent_name(name)):
                return True
            ids = [item.get("Id")]
        elif kind == "tracks":
            other = item.get("OtherIds")
            ids = [item.get("Id"), *(other.values() if isinstance(other, dict) else ())]
            if any(isinstance(i, str) and key(i) in self.share_keys for i in ids):
                return True
        else:
            return True
        made = kind.removesuffix("s")
        return any(
            isinstance(i, str) and (self.ledger.made(made, i) or self.ledger.preexisting(i)) for i in ids
        )


# One pytest process is one worker with one harness, which sets this when it starts and clears
# it when it stops: the read-backs of every test of the process leave out the same things.
_shared: Shared | None = None


def share(view: Shared | None) -> None:
    """Read every list from now on through ``view`` (None: whole, as the target lists it)."""
    global _shared
    _shared = view


def collection_items(client: Client, kind: str = "tracks") -> list[dict[str, Any]]:
    """Every item of a collection browse of ``kind`` (tracks, playlists, ...); on a target shared
    with other xdist workers, only what this worker can tell is not theirs (:func:`share`)."""
    member = contract.BROWSE_MEMBERS[kind]
    with client.steady():  # no other worker's change shifts the pages meanwhile (worker_lock)
        items = _follow(
            lambda token: client.collection_browse(kind, continuation_token=token),
            lambda body: body.get(member),
            f"the collection's {kind}",
            empty_404=True,
        )
    view = _shared
    return items if view is None else [i for i in items if view.keeps(kind, i)]


def collection_track_ids(client: Client) -> list[str]:
    """The Ids of every track in the user's collection, in browse order."""
    return [i["Id"] for i in collection_items(client, "tracks") if isinstance(i.get("Id"), str)]


def playlists(client: Client) -> dict[str, dict[str, Any]]:
    """The user's playlists by Id (upper-cased key: playlist Ids are not case sensitive, E15)."""
    return {i["Id"].upper(): i for i in collection_items(client, "playlists") if isinstance(i.get("Id"), str)}


def find_playlist(
    listed: dict[str, dict[str, Any]], playlist_id: str, *names: str | None
) -> dict[str, Any] | None:
    """The item of ``playlist_id`` in ``listed`` (as :func:`playlists` returns it), or None.

    By Id first; when that Id is not listed, by Name (E15): the first of ``names`` that exactly
    one listed playlist carries. The names are the run-generated, unique ones the test sent (the
    one the playlist should have now first, then the ones it had before), so the item found is
    the test's own playlist whatever form of its Id the browse lists.
    """
    item = listed.get(playlist_id.upper())
    if item is not None:
        return item
    for name in names:
        if not name:
            continue
        named = [i for i in listed.values() if i.get("Name") == name]
        if len(named) == 1:
            return named[0]
    return None


def playlist(client: Client, playlist_id: str, *names: str | None) -> dict[str, Any] | None:
    """The playlists-browse item of ``playlist_id`` (by Id, else by one of ``names``), or None."""
    return find_playlist(playlists(client), playlist_id, *names)


def playlist_names(client: Client) -> list[str | None]:
    return [i.get("Name") for i in collection_items(client, "playlists")]


@dataclass
class PlaylistRead:
    """A playlist's tracks browse read whole: its tracks, and ``Playlists.Items[0]`` of each page
    (without Tracks), where TrackCount and IsPublished are reported."""

    tracks: list[dict[str, Any]] = field(default_factory=list)
    heads: list[dict[str, Any]] = field(default_factory=list)

    @property
    def track_ids(self) -> list[str]:
        return [t["Id"] for t in self.tracks if isinstance(t.get("Id"), str)]


def playlist_read(client: Client, playlist_id: str) -> PlaylistRead:
    """The tracks browse of a playlist, followed across pages (tracks in playlist order)."""
    read = PlaylistRead()

    def tracks_of(body: dict[str, Any]) -> dict[str, Any] | None:
        items = (body.get("Playlists") or {}).get("Items") or []
        if not items or not isinstance(items[0], dict):
            raise ReadbackError(f"read-back of playlist {playlist_id}: no Playlists.Items[0] in the answer")
        read.heads.append({k: v for k, v in items[0].items() if k != "Tracks"})
        return items[0].get("Tracks") or {"Items": []}

    read.tracks = _follow(
        lambda token: client.playlist_tracks_browse(playlist_id, continuation_token=token),
        tracks_of,
        f"the tracks of playlist {playlist_id}",
    )
    return read


def playlist_tracks(client: Client, playlist_id: str) -> list[dict[str, Any]]:
    """Every track of a playlist, in playlist order (tracks browse, followed across pages)."""
    return playlist_read(client, playlist_id).tracks


def playlist_track_ids(client: Client, playlist_id: str) -> list[str]:
    return playlist_read(client, playlist_id).track_ids
