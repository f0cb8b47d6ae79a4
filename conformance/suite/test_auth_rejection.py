"""Authentication: every way of not being the user is refused, on every operation, changing nothing.

For each of the seven operations (the five edits and the two browses) and each credential problem —
no Authorization header, an empty header, an empty token, a malformed header, a valid token in a
scheme no document names (Basic), an unknown token, and in xbox-2013 a missing or invalid
``accessToken`` — the answer is HTTP 401 with the documented code and an Error body (E19), and, read
back, nothing changed although the body was valid. Two readings E19 leaves open are SHOULDs: a valid
token in the other edition's form (a service may accept both, AUTH-OTHER-DIALECT) and two
Authorization headers (a server may use the first, AUTH-TWO-HEADERS). A valid credential in the
dialect's form is accepted (the control). A request that is both unauthenticated and invalid is
refused with an Error body and changes nothing, whichever check comes first (AUTH-REFUSED-INVALID);
that it gets the 401 of authentication, checked first, is AUTH-FIRST's (a SHOULD: the order of the
checks is not stated).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from conformance import error_table, judging, readback
from conformance.client import NONE, raw_auth, with_token
from conformance.contract import LIMITS
from conformance.profiles import GROOVE_2016, PROFILES, XBOX_2013, Profile, split_xbox_user_token
from conformance.suite.helpers import expect
from conformance.suite.helpers.subjects import OPERATIONS, Subject

if TYPE_CHECKING:
    from conformance.ownership import Ownership
    from conformance.plugin import TrackAllocator


BAD_HEADER = judging.BAD_AUTH_HEADER
MISSING = judging.AUTH_MISSING


def _token_part(profile: Profile, user_token: str) -> str:
    return split_xbox_user_token(user_token)[1] if profile is XBOX_2013 else user_token


def _other(profile: Profile) -> Profile:
    return next(p for p in PROFILES.values() if p.name != profile.name)


@dataclass(frozen=True)
class Variant:
    """One way of not being the user."""

    req: str | None  # the requirement; None: the operation's AUTH-MISSING-* one
    code_req: str  # the SHOULD requirement about the code or Description
    credential: Callable[[Profile, str], dict[str, Any]]  # (profile, user token) -> client options
    xbox_only: bool = False


def _header(value: Callable[[Profile, str], str]) -> Callable[[Profile, str], dict[str, Any]]:
    return lambda p, t: {"auth": raw_auth(("Authorization", value(p, t)))}


def _basic(p: Profile, t: str) -> str:
    return "Basic " + base64.b64encode(f"user:{_token_part(p, t)}".encode()).decode()


VARIANTS: dict[str, Variant] = {
    "no-header": Variant(None, "AUTH-DESCRIPTION", lambda p, t: {"auth": NONE}),
    "empty-header": Variant("AUTH-MALFORMED", "AUTH-DESCRIPTION", _header(lambda p, t: "")),
    "empty-token": Variant(
        "AUTH-MALFORMED",
        "AUTH-DESCRIPTION",
        _header(lambda p, t: "Bearer" if p is GROOVE_2016 else "XBL3.0 x=1234;"),
    ),
    "malformed": Variant(
        "AUTH-MALFORMED",
        "AUTH-DESCRIPTION",
        _header(
            lambda p, t: f"Bearer{_token_part(p, t)}" if p is GROOVE_2016 else f"XBL3.0 {_token_part(p, t)}"
        ),
    ),
    "basic-scheme": Variant("AUTH-WRONG-SCHEME", "AUTH-DESCRIPTION", _header(_basic)),
    "other-dialect-scheme": Variant(
        "AUTH-OTHER-DIALECT",
        "AUTH-DESCRIPTION",
        lambda p, t: {"auth": raw_auth(*_other(p).auth_headers(_token_part(p, t)).items())},
    ),
    "unknown-token": Variant(
        "AUTH-UNKNOWN-TOKEN",
        "AUTH-DESCRIPTION",
        lambda p, t: {"auth": with_token(f"unknown-{uuid.uuid4().hex}")},
    ),
    "two-headers": Variant(
        "AUTH-TWO-HEADERS",
        "AUTH-TWO-CODE",
        lambda p, t: {"auth": raw_auth(*p.auth_headers(t).items(), *p.auth_headers(t).items())},
    ),
    "no-access-token": Variant(
        "AUTH-ATOKEN-MISSING", "AUTH-ATOKEN-CODE", lambda p, t: {"access_token": None}, xbox_only=True
    ),
    "bad-access-token": Variant(
        "AUTH-ATOKEN-INVALID",
        "AUTH-ATOKEN-CODE",
        lambda p, t: {"access_token": f"Bearer {uuid.uuid4().hex}"},
        xbox_only=True,
    ),
}
CODE_OF = {"no-access-token": "ACCESS_TOKEN_MISSING", "bad-access-token": "ACCESS_TOKEN_INVALID"}
# Requirements whose statement is "401 INVALID_AUTHORIZATION_HEADER" itself (all MUST but
# AUTH-OTHER-DIALECT, a SHOULD: E19, a service may keep accepting the other edition's form). The
# others (two headers, accessToken) are 4xx/401 + Error with the exact status and code of their own.
CODE_IN_RULE = {
    "AUTH-MALFORMED",
    "AUTH-WRONG-SCHEME",
    "AUTH-OTHER-DIALECT",
    "AUTH-UNKNOWN-TOKEN",
    *MISSING.values(),
}


def _cases() -> list[Any]:
    out = []
    for op in OPERATIONS:
        for name, v in VARIANTS.items():
            reqs = [v.req or MISSING[op], v.code_req]
            out.append(pytest.param(op, name, id=f"{op}-{name}", marks=pytest.mark.requirement(*reqs)))
    return out


@pytest.mark.parametrize(("op", "variant"), _cases())
def test_bad_credential_is_refused(op, variant, client, catalog, created, capabilities, profile, verify):
    v = VARIANTS[variant]
    req, code_req = v.req or MISSING[op], v.code_req
    if v.xbox_only and profile.name != XBOX_2013.name:
        pytest.skip(f"{variant} applies to {XBOX_2013.name} only")
    subject = Subject(op, client, catalog, created, capabilities, label=f"auth-{variant}")
    body = subject.body()
    before = subject.state() if capabilities.browse and subject.changes() else None
    r = subject.send(body, **v.credential(profile, client._user_token))

    if req in CODE_IN_RULE:
        verify.record_all(judging.auth_refused(req, r, f"with {variant} credentials"))
        verify.schema(req, r, "ErrorResponse")
        description = (r.error or {}).get("Description")
        verify.that(
            code_req,
            isinstance(description, str) and error_table.same_description(description, BAD_HEADER),
            f"Description {error_table.description(BAD_HEADER)!r}",
            actual=description,
        )
    elif variant == "two-headers":  # E19: a SHOULD (AUTH-TWO-HEADERS), its 401 and code AUTH-TWO-CODE
        expect.rejected(verify, req, r, op, code=BAD_HEADER, code_req=code_req, code_status=401)
    else:  # accessToken missing / invalid (xbox-2013)
        expect.rejected(verify, req, r, op, 401, code=CODE_OF[variant], code_req=code_req)

    if not subject.changes():
        return
    readback.need_browse(verify, capabilities, "that nothing changed")
    verify.equal(req, subject.state(), before, f"what {op} could change, read back after the refused request")


CONTROL = [
    pytest.param(op, id=op, marks=pytest.mark.requirement("AUTH-BEARER", "AUTH-XBL", "AUTH-ATOKEN"))
    for op in OPERATIONS
]


@pytest.mark.parametrize("op", CONTROL)
def test_valid_credential_is_accepted(op, client, catalog, created, capabilities, profile, verify):
    r = Subject(op, client, catalog, created, capabilities, label="auth-control").send()
    reqs = ["AUTH-BEARER"] if profile.name == GROOVE_2016.name else ["AUTH-XBL", "AUTH-ATOKEN"]
    for req in reqs:
        expect.ok(verify, req, r, op)


REFUSED = "AUTH-REFUSED-INVALID"
# kind of invalid request -> the operations it is made for
INVALID: dict[str, tuple[str, ...]] = {
    "over-limit": ("collection_add", "collection_delete", "playlist_create", "playlist_update"),
    "malformed-body": (
        "collection_add",
        "collection_delete",
        "playlist_create",
        "playlist_update",
        "playlist_delete",
    ),
    "missing-id": ("playlist_update", "playlist_delete"),
    "bad-query": ("collection_browse", "playlist_tracks_browse"),
}


def _first_cases() -> list[Any]:
    return [
        pytest.param(op, kind, id=f"{op}-{kind}", marks=pytest.mark.requirement(REFUSED, "AUTH-FIRST"))
        for kind, ops in INVALID.items()
        for op in ops
    ]


def _invalid_request(
    subject: Subject,
    kind: str,
    catalog: TrackAllocator,
    created: Ownership,
) -> dict[str, Any]:
    """The options of ``subject``'s operation sent invalid in the way ``kind`` says.

    An over-limit batch holds one entry that would change the user's data were it applied (a valid
    catalog ID, an owned collection Id, the subject's own playlist), so that "changes nothing" is
    a claim the read-back can refute."""
    op = subject.op
    if kind == "over-limit":
        filler = catalog.invalid(LIMITS.batch_max)
        if op in ("collection_add", "collection_delete"):
            ids = (subject.body() or {})["TrackIds"] + filler  # a catalog ID / an owned collection Id
            return {"body": {"TrackIds": ids}}
        actions = [{"Id": i, "Action": "Add"} for i in catalog.take(1) + filler]
        body: dict[str, Any] = {"Name": created.name("auth-first"), "TrackActions": actions}
        if op == "playlist_update":
            assert subject.playlist is not None
            body["Id"] = subject.playlist.id
        return {"body": body}
    if kind == "malformed-body":
        return {"content": b'{"TrackIds": [', "content_type": "application/json"}
    if kind == "missing-id":
        return {"body": {"Name": created.name("auth-first")}}
    if op == "collection_browse":
        return {"path_params": {"type": "tracks"}, "query": {"maxItems": 42}}
    assert subject.playlist is not None
    return {"path_params": {"id": subject.playlist.id}, "query": {"maxItems": 42}}


@pytest.mark.parametrize(("op", "kind"), _first_cases())
def test_authentication_comes_before_validation(op, kind, client, catalog, created, capabilities, verify):
    """E19: an unauthenticated request that is invalid too is refused and changes nothing, under every
    reading (AUTH-REFUSED-INVALID: 4xx with an Error body, whichever check came first). That the
    refusal is the 401 of authentication, checked before validation, is AUTH-FIRST's: a SHOULD, since
    the order of the checks is not stated (000 shows the 401 for a valid body only)."""
    subject = Subject(op, client, catalog, created, capabilities, label=f"auth-first-{kind}")
    request = _invalid_request(subject, kind, catalog, created)
    before = subject.state() if capabilities.browse and subject.changes() else None
    r = client.operation(op, **request, auth=NONE)
    expect.rejected(verify, REFUSED, r, op)
    verify.record_all(judging.auth_refused("AUTH-FIRST", r, f"without credentials and with a {kind} request"))

    if not subject.changes():
        return
    readback.need_browse(verify, capabilities, "that nothing changed")
    verify.equal(
        REFUSED, subject.state(), before, f"what {op} could change, read back after the refused request"
    )
