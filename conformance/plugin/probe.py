"""The capability probe: is the target there, does it take the tokens, can it be browsed?

Run once per pytest process before the first suite test (``Harness.start``). What it finds is
``Capabilities`` (the report shows it; tests skip on what is missing); when the target cannot be
used at all it raises ``StartError`` with the one line the user sees, and the run stops as a
usage error (nothing tested, no report).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging
from conformance.client import NONE, Client, TransportError
from conformance.ids import unknown_playlist_id
from conformance.plugin.options import OPTION_BY_FLAG

if TYPE_CHECKING:
    from conformance.client import Response
    from conformance.profiles import Profile


@dataclass
class Capabilities:
    """What the probe found out about the target."""

    reachable: bool = False
    browse: bool = False  # GET .../collection/{type}/browse answers
    playlist_tracks_browse: bool = False  # GET .../{id}/collection/playlist/tracks/browse exists
    snapshot: bool = False  # the users' existing data was read (protected from the run)
    other_user: bool = False
    notes: list[str] = field(default_factory=list)

    def require_browse(self) -> None:
        if not self.browse:
            pytest.skip("target has no browse endpoint")

    def require_tracks_browse(self) -> None:
        if not self.playlist_tracks_browse:
            pytest.skip("target has no playlist tracks browse endpoint")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class StartError(Exception):
    """The run cannot start; the message is the one line the user sees."""


USER_TOKEN = OPTION_BY_FLAG["--user-token"].where
OTHER_USER_TOKEN = OPTION_BY_FLAG["--other-user-token"].where
DEVELOPER_TOKEN = OPTION_BY_FLAG["--developer-token"].where


def probe(client: Client, other: Client | None = None) -> Capabilities:
    """Is the target there, does it take the token, can it be browsed? Raises StartError when not.

    A target that answers but is not a Groove API at all (another web server, a wrong port) is
    stopped here too, on evidence that every Groove server gives, however wrong it is otherwise:
    an ``Error`` envelope, a JSON or XML object in a 2xx answer, or a request refused for want of
    a token. Only when no probe got any of these is the target declared foreign (``_foreign``);
    the further probes are sent only then, so a target that answers like the API on the first
    request sees no more of them than before.
    """
    caps = Capabilities()
    base = client.config.base_url
    try:
        r = client.collection_browse("playlists", max_items=1, guard=False)
    except TransportError as exc:
        raise StartError(f"target unreachable: {exc}") from None
    caps.reachable = True
    _refused(r, "user token", USER_TOKEN, client.profile)
    caps.browse = (r.status == 200 and isinstance(r.body, dict)) or judging.is_no_result(r)  # E30
    if not caps.browse:
        answers = [("GET .../collection/playlists/browse", r)]
        caps.notes.append(f"collection browse answered HTTP {r.status}")
        # The token still has to be checked, by a request that changes nothing: an add of no
        # tracks (E10: nothing changed; E19: authentication comes first).
        r = _quietly(client.collection_add, [])
        _refused(r, "user token", USER_TOKEN, client.profile)
        answers.append(("POST .../collection/add", r))
        if r.status in (404, 405) and r.error is None:
            raise StartError(
                f"{base} does not serve the collection API (POST .../collection/add answered "
                f"HTTP {r.status}); is --target the server's root URL?"
            )
        if not any(_answers_like_the_api(a) for _, a in answers):
            # The same add without the user's credential: a Groove server refuses it (401/403),
            # whatever it answered with one.
            anon = client.derive(user_token=None, default_auth=NONE, transcript=None)
            r = _quietly(anon.collection_add, [])
            answers.append(("the same without a token", r))
            if not (r.status in (401, 403) or _answers_like_the_api(r)):
                raise StartError(_foreign(base, answers))
    else:
        fake = unknown_playlist_id()
        t = _quietly(client.playlist_tracks_browse, fake, max_items=1)
        caps.playlist_tracks_browse = t.status == 200 or t.error is not None
    if other is not None:
        r = (
            _quietly(other.collection_browse, "playlists", max_items=1)
            if caps.browse
            else _quietly(other.collection_add, [])
        )
        _refused(r, "second user's token", OTHER_USER_TOKEN, client.profile)
        caps.other_user = True
    return caps


def _answers_like_the_api(r: Response) -> bool:
    """An answer only a Groove API gives: an Error envelope, or a JSON/XML object in a 2xx answer
    (XML counts only in the API's namespace: the decoder refuses any other). An answer cut at the
    size cap proves nothing either way, so it counts too: the suite runs and says what it saw."""
    return r.error is not None or (200 <= r.status < 300 and isinstance(r.body, dict)) or r.truncated


def _foreign(base: str, answers: list[tuple[str, Response]]) -> str:
    def shown(r: Response) -> str:
        kind = (r.content_type.split(";", 1)[0].strip() or "no Content-Type") if r.raw else "empty body"
        if r.redirect_refused:
            kind += ", a redirect to another origin (not followed)"
        return f"HTTP {r.status} {kind}"

    seen = "; ".join(f"{what}: {shown(r)}" for what, r in answers)
    return (
        f"{base} does not answer like a Groove API ({seen}: no Error envelope, no JSON or XML result, "
        "nothing refused for want of a token); is --target the server's root URL?"
    )


def _quietly(call: Callable[..., Response], *args: object, **kwargs: object) -> Response:
    try:
        return call(*args, guard=False, **kwargs)
    except TransportError as exc:
        raise StartError(f"the target stopped answering during the capability probe: {exc}") from None


def _refused(r: Response, what: str, where: str, profile: Profile) -> None:
    if r.status not in (401, 403):
        return
    code = f" {r.error_code}" if r.error_code else ""
    hint = where
    if profile.needs_developer_token and r.error_code and r.error_code.startswith("ACCESS_TOKEN"):
        what, hint = "developer token", DEVELOPER_TOKEN
    raise StartError(f"the target refused the {what} (HTTP {r.status}{code}); check {hint}")
