"""A small synthetic run for the report tests: a fake catalogue and records covering every verdict.

The tokens below are recognisable on purpose: the credential tests search every output for them.
They sit both where the client should already have redacted them (Authorization, accessToken)
and where it might not have (message text, a response body echoing a header, an option value).
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.records import CheckResult, Exchange, RunInfo, TestRecord

USER_TOKEN = "usr-TOKEN-4f1c9e7a2b"
DEV_TOKEN = "dev-TOKEN-8d3b6a0c5e"
USERHASH = "2718281828"
TOKENS = (USER_TOKEN, DEV_TOKEN)


@dataclass(frozen=True)
class FakeSource:
    file: str
    heading: str
    quote: str


@dataclass(frozen=True)
class FakeRequirement:
    id: str
    level: str
    operations: tuple[str, ...]
    statement: str
    source: FakeSource
    profiles: tuple[str, ...] = ()
    readback: bool = False
    erratum: str | None = None


def _req(
    rid: str,
    level: str,
    ops: tuple[str, ...],
    statement: str,
    erratum: str | None = None,
    profiles: tuple[str, ...] = (),
) -> FakeRequirement:
    return FakeRequirement(
        rid,
        level,
        ops,
        statement,
        FakeSource("seeds/000_49ef52240da7cdbc.txt", "Add tracks", f"quote for {rid}"),
        profiles=profiles,
        erratum=erratum,
    )


def fake_catalogue() -> dict[str, FakeRequirement]:
    reqs = [
        _req("ADD-LIMIT-101", "MUST", ("collection_add",), "A batch of 101 track IDs is rejected with 400."),
        _req(
            "ERR-ENVELOPE", "MUST", ("collection_add", "playlist_create"), "Errors come in an ErrorResponse."
        ),
        _req("ERR-CODE-UNDERSCORE", "SHOULD", ("collection_add",), "Error codes use underscores.", "E01"),
        _req("PCRE-NAME-256", "MUST", ("playlist_create",), "A 256-character name is accepted.", "E09"),
        _req(
            "PCRE-NAME-ASTRAL", "SHOULD", ("playlist_create",), "129 astral characters are rejected.", "E09"
        ),
        _req("BROWSE-MAXITEMS", "MUST", ("collection_browse",), "maxItems 26 is rejected with 400."),
        _req("REORDER-END", "MUST", ("playlist_update",), "Moved tracks without a target go to the end."),
        _req("AUTH-XBL", "MUST", (), "XBL3.0 headers are accepted.", profiles=("xbox-2013",)),
        _req("AUTH-MISSING", "MUST", (), "A missing header is refused with 401."),
    ]
    return {r.id: r for r in reqs}


def _exchange(
    status: int = 400,
    body: str = '{"Error":{"ErrorCode":"COLLECTION_INVALID_OPERATION"}}',
    auth: str = "Bearer [REDACTED]",
    url_extra: str = "",
) -> Exchange:
    return Exchange(
        method="POST",
        url="http://127.0.0.1:8123/1/content/music/collection/add?contentType=json" + url_extra,
        request_headers={
            "Authorization": auth,
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        request_body='{"TrackIds":["music.A83EB907-0100-11DB-89CA-0019B92A3933"]}',
        status=status,
        response_headers={"Content-Type": "application/json"},
        response_body=body,
        elapsed_ms=12.5,
    )


def fake_records(leaky: bool = False) -> list[TestRecord]:
    """Records giving every verdict.  ``leaky`` puts raw tokens where a careless client would."""
    auth = f"Bearer {USER_TOKEN}" if leaky else "Bearer [REDACTED]"
    url_extra = f"&accessToken=Bearer+{DEV_TOKEN}" if leaky else ""
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>]]>\x00'
    return [
        TestRecord(
            "conformance/suite/test_add.py::test_add_101_rejected",
            ["ADD-LIMIT-101", "ERR-ENVELOPE"],
            "failed",
            0.21,
            "check failed",
            checks=[
                CheckResult("ADD-LIMIT-101", False, "status was 200, expected 400", "400", "200"),
                CheckResult("ERR-ENVELOPE", True, "ErrorResponse valid"),
            ],
            exchanges=[
                _exchange(
                    200,
                    '{"TrackActionResults":[]}'
                    + (f" echo Authorization: Bearer {USER_TOKEN} " if leaky else " ")
                    + hostile,
                    auth,
                    url_extra,
                )
            ],
        ),
        TestRecord(
            "conformance/suite/test_add.py::test_error_code_spelling",
            ["ERR-CODE-UNDERSCORE"],
            "passed",
            0.05,
            checks=[
                CheckResult(
                    "ERR-CODE-UNDERSCORE",
                    False,
                    "ErrorCode uses hyphens",
                    "COLLECTION_INVALID_ID",
                    "COLLECTION-INVALID-ID",
                )
            ],
            exchanges=[_exchange(200, '{"ErrorCode":"COLLECTION-INVALID-ID"}', auth, url_extra)],
        ),
        TestRecord(
            "conformance/suite/test_names.py::test_name_256",
            ["PCRE-NAME-256", "ERR-ENVELOPE"],
            "passed",
            0.1,
            checks=[CheckResult("PCRE-NAME-256", True, "created")],
        ),
        TestRecord(
            "conformance/suite/test_names.py::test_astral_129",
            ["PCRE-NAME-ASTRAL"],
            "failed",
            0.1,
            f"AssertionError: precondition: playlist list readable (token {USER_TOKEN})"
            if leaky
            else "AssertionError: precondition: playlist list readable",
            exchanges=[_exchange(500, "Internal error", auth, url_extra)],
        ),
        TestRecord(
            "conformance/suite/test_browse.py::test_maxitems_26",
            ["BROWSE-MAXITEMS"],
            "skipped",
            0.0,
            "the target has no browse endpoint",
        ),
        TestRecord(
            "conformance/suite/test_reorder.py::test_move_to_end",
            ["REORDER-END"],
            "error",
            0.3,
            "fixture 'playlist' failed: ConnectError",
        ),
    ]


def fake_run(leaky: bool = False, profile: str = "groove-2016") -> RunInfo:
    target = (
        f"https://alice:{USER_TOKEN}@groove.example/api?accessToken={DEV_TOKEN}"
        if leaky
        else "https://groove.example/api"
    )
    return RunInfo(
        tool_version="0.1.0",
        target=target,
        embedded=False,
        profile=profile,
        options={
            "strict": False,
            "workers": 2,
            "user_token": USER_TOKEN,
            "developer-token": DEV_TOKEN,
            "nested": {
                "Authorization": f"Bearer {USER_TOKEN}",
                "note": f"uses {USER_TOKEN}" if leaky else "x",
            },
        },
        started_at="2024-05-01T10:00:00Z",
        finished_at="2024-05-01T10:01:30Z",
        capabilities={"browse": False, "second_user": True},
    )
