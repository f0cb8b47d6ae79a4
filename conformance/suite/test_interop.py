"""What real clients send (spec notes section 7, RFC 9110 as it cites; E22): advisory checks.

The public official .NET client, which talked to the live service, builds paths from enum names
(``collection/Add``, ``Collection/Tracks/browse``), sends browse parameters in lower case
(``maxitems``, ``page``, ``orderby``), carries the developer token as ``accessToken=Bearer {token}``
also beside ``Authorization: Bearer`` in the newer edition, and ``X-Client-Name`` /
``X-Client-Version`` on every call. HTTP makes the scheme and media types case-insensitive and lets
media types carry parameters. A server such clients can use accepts all of it; the pages show none
of it, so every requirement here is a SHOULD (IOP-*, and XML-NS-EITHER for the add page's own XML
example, E22): a target that refuses these shapes gets advisory findings, never a failed run.

Each check varies ONE thing of a request the documents describe, so a finding names what was
refused, and every such request carries the X-Client headers and no null member, as the client's
do. A browse is judged against its documented twin (the same request as the pages spell it): the
same status and ErrorCode and, when 200, the same items. An edit (a fresh valid body on data the
test created, through ``Subject``) must be answered 200 with the documented body.

The interop requests go through a client with a transcript of its own (``shaped``): they are
outside the documents, so the envelope rules the suite applies to every answer it sees (ERR-*,
MUST, ``helpers/envelope.py``) do not judge how a target refuses them. They join the test's
transcript at teardown, for the report. Preconditions go through the usual client.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from conformance import __version__, contract
from conformance.client import raw_auth
from conformance.plugin import item_state
from conformance.profiles import GROOVE_2016, XBOX_2013
from conformance.records import Exchange
from conformance.suite.helpers import expect, xmlread
from conformance.suite.helpers.builders import add_tracks
from conformance.suite.helpers.subjects import BROWSES, EDITS, OPERATIONS, Subject

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator
    from conformance.verify import Verify


CLIENT_HEADERS = {"X-Client-Name": "groove-conformance", "X-Client-Version": __version__}
# the browse types the client's ItemType enum names (spec notes section 7)
ENUM_TYPES = ("tracks", "playlists", "albums", "artists")


@pytest.fixture
def shaped(client: Client, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The test user's client for the interop requests: its exchanges skip the envelope checks
    and are added to the test's transcript when the test is over."""
    own: list[Exchange] = []
    yield client.derive(transcript=own)
    state = item_state(request.node)
    if state is not None:
        state.exchanges.extend(own)


def enum_path(client: Client, op: str, kind: str = "tracks") -> str:
    """The path the official client builds for ``op``: the documented path with the segments it
    fills from enum names capitalised (TrackActionType / PlaylistActionType of an edit; the
    ContentSource ``Collection`` and the ItemType of a browse)."""
    template = contract.OPERATIONS[op][1].replace("{namespace}", client.config.namespace)
    if op == "collection_browse":
        return template.replace("/collection/{type}/", f"/Collection/{kind.capitalize()}/")
    head, _, action = template.rpartition("/")
    return f"{head}/{action.capitalize()}"


def send(client: Client, subject: Subject, path: str | None = None, **opts: Any) -> Any:
    """``subject``'s request (a fresh valid body for an edit), at ``path`` when given, with the
    client's X-Client headers and ``opts``; recorded as ``subject.op`` for the run's cleanup."""
    headers = {**CLIENT_HEADERS, **opts.pop("headers", {})}
    if path is None:
        return _documented(client, subject, headers=headers, **opts)
    method = contract.OPERATIONS[subject.op][0].upper()
    if subject.op in BROWSES:
        return client.request(method, path, operation=subject.op, headers=headers, **opts)
    body = opts.pop("body", None) or subject.body()
    return client.request(
        method,
        path,
        body=body,
        type_name=contract.request_schema(subject.op),
        operation=subject.op,
        headers=headers,
        **opts,
    )


def _documented(client: Client, subject: Subject, **opts: Any) -> Any:
    """``subject``'s request at its documented path, through ``client``."""
    if subject.op == "collection_browse":
        return client.operation(subject.op, path_params={"type": "tracks"}, **opts)
    if subject.op == "playlist_tracks_browse":
        assert subject.playlist is not None
        return client.operation(subject.op, path_params={"id": subject.playlist.id}, **opts)
    body = opts.pop("body", None) or subject.body()
    return client.operation(subject.op, body=body, **opts)


def _items(r: Any, member: str) -> list[Any] | None:
    """The Ids of the items of a collection browse answer's list ``member``."""
    page = r.body.get(member) if isinstance(r.body, dict) else None
    if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
        return None
    return [i.get("Id") if isinstance(i, dict) else i for i in page["Items"]]


def served_as(verify: Verify, req: str, r: Any, op: str, twin: Any = None, member: str | None = None) -> bool:
    """``r`` is served as the documented request is: an edit 200 with the documented body; a
    browse as its documented ``twin`` (same status and ErrorCode; when 200, the documented body and,
    with ``member``, the same items)."""
    if twin is None:
        return expect.ok(verify, req, r, op)
    same = verify.equal(
        req, r.status, twin.status, f"the status of the documented request (HTTP {twin.status})"
    )
    verify.equal(req, r.error_code, twin.error_code, "the ErrorCode of the documented request")
    if r.status == 200 and twin.status == 200:
        expect.body(verify, req, r, op)
        if member is not None:
            verify.equal(req, _items(r, member), _items(twin, member), f"the {member} items")
    return same


def _subject(
    op: str,
    client: Client,
    catalog: TrackAllocator,
    created: Ownership,
    capabilities: Capabilities,
    label: str,
) -> Subject:
    subject = Subject(op, client, catalog, created, capabilities, label=label)
    if op in BROWSES:  # something to list (E30: a type the user has none of may be a 404)
        add_tracks(client, catalog, 1)
    return subject


# --- IOP-PATH-CASE ----------------------------------------------------------------------------------
def _path_cases() -> list[Any]:
    out = [pytest.param(op, None, id=op) for op in EDITS]
    out += [pytest.param("collection_browse", kind, id=f"collection_browse-{kind}") for kind in ENUM_TYPES]
    return out


@pytest.mark.requirement("IOP-PATH-CASE")
@pytest.mark.parametrize(("op", "kind"), _path_cases())
def test_enum_cased_paths(op, kind, client, shaped, catalog, created, capabilities, verify):
    subject = _subject(op, client, catalog, created, capabilities, f"iop-path-{op}")
    if op == "collection_browse":
        twin = client.operation(op, path_params={"type": kind}, headers=CLIENT_HEADERS)
        r = send(shaped, subject, enum_path(client, op, kind))
        served_as(verify, "IOP-PATH-CASE", r, op, twin, contract.BROWSE_MEMBERS[kind])
    else:
        r = send(shaped, subject, enum_path(client, op))
        served_as(verify, "IOP-PATH-CASE", r, op)


# --- IOP-QUERY-CASE ---------------------------------------------------------------------------------
# (documented names, values): each sent again with the names in lower case, as the client sends them
PAGING = {
    "maxitems": {"maxItems": 2},
    "maxitems-page": {"maxItems": 1, "page": 1},
    "maxitems-orderby": {"maxItems": 3, "orderBy": "TrackTitle"},
}


@pytest.mark.requirement("IOP-QUERY-CASE")
@pytest.mark.parametrize("names", list(PAGING))
def test_lower_case_browse_parameters(names, client, shaped, catalog, created, capabilities, verify):
    capabilities.require_browse()
    add_tracks(client, catalog, 4)  # more than any page below: every parameter shows
    documented = PAGING[names]
    twin = client.operation("collection_browse", path_params={"type": "tracks"}, query=documented)
    lower = {k.lower(): v for k, v in documented.items()}
    r = shaped.operation(
        "collection_browse", path_params={"type": "tracks"}, query=lower, headers=CLIENT_HEADERS
    )
    served_as(verify, "IOP-QUERY-CASE", r, "collection_browse", twin, "Tracks")
    if twin.status == 200:
        verify.equal(
            "IOP-QUERY-CASE",
            len(_items(r, "Tracks") or []),
            documented["maxItems"],
            f"maxitems={documented['maxItems']} sizes the page",
        )


# --- IOP-SCHEME-CASE --------------------------------------------------------------------------------
def _scheme_cased(profile: Any, user_token: str, case: str) -> str:
    scheme, _, rest = profile.auth_headers(user_token)["Authorization"].partition(" ")
    return f"{getattr(scheme, case)()} {rest}"


@pytest.mark.requirement("IOP-SCHEME-CASE")
@pytest.mark.parametrize("op", OPERATIONS)
@pytest.mark.parametrize("case", ["lower", "upper"])
def test_scheme_in_another_letter_case(
    op, case, client, shaped, catalog, created, capabilities, profile, verify
):
    if case == "upper" and op not in ("collection_add", "collection_browse"):
        pytest.skip("the upper-case scheme is checked on one edit and one browse")
    subject = _subject(op, client, catalog, created, capabilities, f"iop-scheme-{op}")
    header = _scheme_cased(profile, client._user_token, case)
    twin = _documented(client, subject, headers=CLIENT_HEADERS) if op in BROWSES else None
    r = send(shaped, subject, auth=raw_auth(("Authorization", header)))
    served_as(verify, "IOP-SCHEME-CASE", r, op, twin)


# --- IOP-ATOKEN-BESIDE ------------------------------------------------------------------------------
@pytest.mark.requirement("IOP-ATOKEN-BESIDE")
@pytest.mark.parametrize("op", OPERATIONS)
def test_access_token_beside_bearer(op, client, shaped, catalog, created, capabilities, profile, verify):
    if profile.name != GROOVE_2016.name:
        pytest.skip(f"{XBOX_2013.name} requires the accessToken (AUTH-ATOKEN)")
    subject = _subject(op, client, catalog, created, capabilities, f"iop-atoken-{op}")
    # the run's developer token when it has one, else one made up: the 2016 pages give it no role
    token = client.config.developer_token or f"interop-{secrets.token_hex(8)}"
    twin = _documented(client, subject, headers=CLIENT_HEADERS) if op in BROWSES else None
    r = send(shaped, subject, access_token=f"Bearer {token}")
    served_as(verify, "IOP-ATOKEN-BESIDE", r, op, twin)


# --- IOP-MEDIA-PARAMS -------------------------------------------------------------------------------
CONTENT_TYPES = ("application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8")
ACCEPTS = ("application/xml; q=0.9", "Application/XML")


@pytest.mark.requirement("IOP-MEDIA-PARAMS")
@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_json_body_media_type_with_parameters(
    content_type, client, shaped, catalog, created, capabilities, verify
):
    subject = _subject("collection_add", client, catalog, created, capabilities, "iop-media")
    r = send(shaped, subject, content_type=content_type)
    served_as(verify, "IOP-MEDIA-PARAMS", r, "collection_add")


@pytest.mark.requirement("IOP-MEDIA-PARAMS")
def test_xml_body_media_type_with_parameters(client, shaped, catalog, created, capabilities, profile, verify):
    subject = _subject("collection_add", client, catalog, created, capabilities, "iop-media-xml")
    dialect = xmlread.request_dialect(client, profile, catalog)  # E22: the answers' dialect
    body = subject.body()
    opts = {
        **xmlread.xml_body("collection_add", body, dialect),
        "content_type": "application/xml; charset=utf-8",
    }
    r = send(shaped, subject, body=body, accept="application/json", **opts)
    served_as(verify, "IOP-MEDIA-PARAMS", r, "collection_add")


@pytest.mark.requirement("IOP-MEDIA-PARAMS")
@pytest.mark.parametrize("op", ["collection_add", "collection_browse"])
@pytest.mark.parametrize("accept", ACCEPTS)
def test_accept_with_parameters(op, accept, client, shaped, catalog, created, capabilities, verify):
    subject = _subject(op, client, catalog, created, capabilities, "iop-accept")
    r = send(shaped, subject, accept=accept)
    verify.status("IOP-MEDIA-PARAMS", r, 200)
    verify.equal("IOP-MEDIA-PARAMS", r.format, "xml", f"the answer's format for Accept: {accept}")


# --- XML-NS-EITHER ----------------------------------------------------------------------------------
@pytest.mark.requirement("XML-NS-EITHER")
@pytest.mark.parametrize("op", ["collection_add", "playlist_create"])
@pytest.mark.parametrize("dialect", [GROOVE_2016.name, XBOX_2013.name])
def test_xml_request_in_either_namespace(
    op, dialect, client, shaped, catalog, created, capabilities, profile, verify
):
    if profile.name != GROOVE_2016.name:
        pytest.skip(f"{XBOX_2013.name} documents one namespace (XML-NS-XBOX)")
    written = GROOVE_2016 if dialect == GROOVE_2016.name else XBOX_2013
    subject = _subject(op, client, catalog, created, capabilities, "iop-xml-ns")
    body = subject.body()
    r = send(shaped, subject, body=body, accept="application/json", **xmlread.xml_body(op, body, written))
    served_as(verify, "XML-NS-EITHER", r, op)
    verify.that(
        "XML-NS-EITHER",
        r.error is None,
        f"an XML {op} in {written.xml_namespace} has its effect",
        actual=r.error,
    )
