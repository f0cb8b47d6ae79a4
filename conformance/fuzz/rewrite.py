"""Make a schemathesis case safe to send: only the run's own IDs, the profile's auth, JSON only.

Schemathesis generates arbitrary strings where the contract has IDs, and its own credentials for
the security schemes. Sent as they are, the strings would mostly name nothing, and on a real
account one might name the user's data. So, after each case is drawn and before it is sent:

* every ID (``TrackIds`` items, ``TrackActions[].Id``, ``InsertBeforeTrackId``, a playlist ``Id``,
  the ``id`` path parameter of tracks browse) that is a string is replaced by one drawn from the
  :class:`~.pool.IdPool`: the run's catalog, what this test created, or a minted random GUID —
  unless it already is one of those (an OpenAPI link filled it from an earlier answer). Values
  that are not strings (negative data: wrong types) are kept: they name nothing;
* generated credentials are dropped (every header, and the query parameters of the contract's
  security schemes, ``contract.credential_parameters``: ``accessToken``): the client adds
  the profile's own, from ``conformance.profiles``, the one place that knows them;
* ``contentType=xml`` is dropped: generated bodies and answers are JSON (see the package docstring);
* ``IsReadOnly`` and ``CollectionStateToken`` are dropped: the suite never sends them (E04; a random
  state token could make a real service refuse the request as a concurrent update);
* a playlist ``Name`` long enough to carry it starts with the run's prefix
  (``conformance-<run>-``), so that an interrupted run's playlists are recognisable, and characters
  that XML 1.0 cannot carry (control characters, U+FFFE...) become ``?``: a service that also
  speaks XML may refuse such a name, which the documents neither allow nor forbid. Its length in
  code points is kept, so a name over the limit stays over it.

Draws go through Hypothesis (``draw``), so they are part of the example: shrunk with it, and the
same on every derandomized run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from requests.structures import CaseInsensitiveDict

from conformance import contract
from conformance.fuzz.oracle import NOT_XML_CHAR
from conformance.fuzz.pool import IdPool

if TYPE_CHECKING:
    from schemathesis import Case

Draw = Callable[[Any], Any]

NEVER_SENT = ("IsReadOnly", "CollectionStateToken")


def rewrite_case(case: Case, operation: str, pool: IdPool, draw: Draw, name_prefix: str) -> None:
    """Rewrite ``case`` in place (see the module docstring)."""
    case.headers = CaseInsensitiveDict()
    credentials = contract.credential_parameters().get("query", ())
    query = {
        k: v
        for k, v in dict(case.query or {}).items()
        if k not in credentials and not (k == "contentType" and v == "xml")
    }
    if query != (case.query or {}):
        case.query = query
    if operation == "playlist_tracks_browse":
        pid = case.path_parameters.get("id")
        if isinstance(pid, str) and pid and not pool.owns_playlist(pid):
            case.path_parameters = {**case.path_parameters, "id": pool.playlist_id(draw)}
    body = case.body
    if isinstance(body, dict):
        new = rewrite_body(operation, body, pool, draw, name_prefix)
        if new != body:
            case.body = new


def rewrite_body(operation: str, body: dict[str, Any], pool: IdPool, draw: Draw, name_prefix: str) -> dict:
    """A copy of a JSON object body with its IDs drawn from ``pool``."""
    out = {k: v for k, v in body.items() if k not in NEVER_SENT}
    if operation in ("collection_add", "collection_delete"):
        ids = out.get("TrackIds")
        if isinstance(ids, list):
            if operation == "collection_add":
                pick, keep = pool.track_to_add, pool.is_catalog
            else:
                pick, keep = pool.collection_id, pool.owns_collection_id
            out["TrackIds"] = [pick(draw) if isinstance(i, str) and not keep(i) else i for i in ids]
        return out
    playlist: str | None = None
    if isinstance(out.get("Id"), str) and operation in ("playlist_update", "playlist_delete"):
        playlist = out["Id"] if pool.owns_playlist(out["Id"]) else pool.playlist_id(draw)
        out["Id"] = playlist
    if isinstance(out.get("Name"), str):
        out["Name"] = with_prefix(NOT_XML_CHAR.sub("?", out["Name"]), name_prefix)
    actions = out.get("TrackActions")
    if isinstance(actions, list):
        out["TrackActions"] = [_rewrite_action(operation, a, playlist, pool, draw) for a in actions]
    target = out.get("InsertBeforeTrackId")
    if isinstance(target, str) and not (playlist and pool.is_entry_of(playlist, target)):
        out["InsertBeforeTrackId"] = pool.entry(draw, playlist if operation == "playlist_update" else None)
    return out


def _rewrite_action(operation: str, action: Any, playlist: str | None, pool: IdPool, draw: Draw) -> Any:
    if not isinstance(action, dict) or not isinstance(action.get("Id"), str):
        return action
    verb = action.get("Action")
    adds = operation != "playlist_update" or (isinstance(verb, str) and verb.lower() == "add")
    current = action["Id"]
    if pool.is_catalog(current) if adds else bool(playlist) and pool.is_entry_of(playlist, current):
        return action
    new_id = pool.track_to_add(draw) if adds else pool.entry(draw, playlist)
    return {**action, "Id": new_id}


def with_prefix(name: str, prefix: str) -> str:
    """``name`` with its head replaced by ``prefix`` when it is long enough, same length in code points."""
    if len(name) <= len(prefix):
        return name
    return prefix + name[len(prefix) :]
