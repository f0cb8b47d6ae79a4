"""Authentication: every way of not being the user is refused, on every operation, changing nothing.

For each of the seven operations (the five edits and the two browses) and each credential problem —
no Authorization header, an empty header, an empty token, a malformed header, a valid token in a
wrong scheme (Basic, or the other dialect's form), an unknown token, two Authorization headers, and
in xbox-2013 a missing or invalid ``accessToken`` — the answer is HTTP 401 with the documented code
and an Error body (E19), and, read back, nothing changed although the body was valid. A valid
credential in the dialect's form is accepted (the control). Authentication also comes before any
validation: a request that is both unauthenticated and invalid gets 401.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conformance import error_table, judging
from conformance.client import NONE, raw_auth, with_token
from conformance.contract import LIMITS
from conformance.profiles import GROOVE_2016, PROFILES, XBOX_2013, Profile, split_xbox_user_token
from conformance.suite.helpers import expect, readback
from conformance.suite.helpers.subjects import OPERATIONS, Subject

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
        "AUTH-WRONG-SCHEME",
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
# Requirements whose code is a MUST of the rule itself (the others: 4xx/401 + Error, code SHOULD).
CODE_IS_MUST = {"AUTH-MALFORMED", "AUTH-WRONG-SCHEME", "AUTH-UNKNOWN-TOKEN", *MISSING.values()}


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

    if req in CODE_IS_MUST:
        verify.record_all(judging.auth_refused(req, r, f"with {variant} credentials"))
        verify.schema(req, r, "ErrorResponse")
        description = (r.error or {}).get("Description")
        verify.that(
            code_req,
            isinstance(description, str) and error_table.same_description(description, BAD_HEADER),
            f"Description {error_table.description(BAD_HEADER)!r}",
            actual=description,
        )
    elif variant == "two-headers":
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


def _first_cases() -> list[Any]:
    invalid = {
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
    return [
        pytest.param(op, kind, id=f"{op}-{kind}", marks=pytest.mark.requirement("AUTH-FIRST", MISSING[op]))
        for kind, ops in invalid.items()
        for op in ops
    ]


@pytest.mark.parametrize(("op", "kind"), _first_cases())
def test_authentication_comes_before_validation(op, kind, client, catalog, created, capabilities, verify):
    readback.require_operation(capabilities, op)
    over = LIMITS.batch_max + 1
    unknown_playlist = f"music.playlist.{uuid.uuid4()}"
    if kind == "over-limit":
        ids = catalog.invalid(over)
        actions = [{"Id": i, "Action": "Add"} for i in ids]
        body = {
            "collection_add": {"TrackIds": ids},
            "collection_delete": {"TrackIds": ids},
            "playlist_create": {"Name": created.name("auth-first"), "TrackActions": actions},
            "playlist_update": {"Id": unknown_playlist, "TrackActions": actions},
        }[op]
        r = client.operation(op, body=body, auth=NONE)
    elif kind == "malformed-body":
        r = client.operation(op, content=b'{"TrackIds": [', content_type="application/json", auth=NONE)
    elif kind == "missing-id":
        r = client.operation(op, body={"Name": created.name("auth-first")}, auth=NONE)
    elif op == "collection_browse":
        r = client.collection_browse("tracks", max_items=42, auth=NONE)
    else:
        r = client.playlist_tracks_browse(unknown_playlist, max_items=42, auth=NONE)
    # Every reading: refused (4xx with an Error body). Which check comes first is not stated (E19),
    # so the 401 and its code are AUTH-FIRST's, a SHOULD.
    expect.rejected(verify, MISSING[op], r, op)
    if verify.status("AUTH-FIRST", r, 401):
        verify.error_code("AUTH-FIRST", r, BAD_HEADER)
