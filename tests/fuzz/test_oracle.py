"""The oracle: what a generated request's answer must be — and the correct answers it must not flag.

Each case is a request schemathesis (or the state machine) produces, with the expectation the
documents and the errata positions give it. The "open" cases are the known false alarms: answers
a faithful server may give that a naive "positive data must be accepted / negative data must be
rejected" would report.
"""

from __future__ import annotations

import pytest

from conformance.fuzz.oracle import CLIENT_ERRORS, OK, OK_OR_CLIENT_ERROR, expect
from conformance.fuzz.stateful.model import Model, PlaylistModel, key

CAT = ["music.A83EB907-0100-11DB-89CA-0019B92A3933", "music.873FB507-0100-11DB-89CA-0019B92A3933"]
MINTED = "music.9BB2C5C5-455C-4C15-827C-F9BFD759A458"
MINTED_LOWER = "music.9bb2c5c5-455c-4c15-827c-f9bfd759a458"
PID = "music.playlist.72d0fb33-8027-00fe-746f-abe4d8374ad1"
GONE = "music.playlist.00000000-8027-00fe-746f-abe4d8374ad1"
E1, E2, E3 = "music.AQQf1", "music.AQQf2", "music.AQQf3"
COLL = "music.AQQfCollection1"


@pytest.fixture
def pool() -> Model:
    m = Model(catalog=list(CAT), collection=None, absent={key(CAT[0])})
    m.minted |= {key(MINTED), key(MINTED_LOWER)}
    m.playlists[key(PID)] = PlaylistModel(PID, "p", False, [E1, E2, E3])
    m.in_collection[key(CAT[1])] = COLL
    m.deleted_playlists.append(GONE)
    return m


def ex(pool: Model, op: str, body=None, query=None, path=None, has_body=True):
    return expect(op, body, query or {}, {"namespace": "music", **(path or {})}, pool, has_body=has_body)


# ---- must succeed ---------------------------------------------------------------------------------------
def test_valid_add_of_an_absent_catalog_track_must_succeed(pool: Model) -> None:
    e = ex(pool, "collection_add", {"TrackIds": [CAT[0]]})
    assert (e.kind, e.requirement, e.statuses, e.outcomes) == ("ok", "ERR-OK-200", OK, ["ok"])


def test_partial_failure_is_http_200(pool: Model) -> None:
    e = ex(pool, "collection_add", {"TrackIds": [CAT[0], MINTED_LOWER]})
    assert (e.requirement, e.statuses, e.outcomes) == ("PARTIAL-200", OK, ["ok", "fail"])


def test_adding_a_track_already_there_is_open_e17(pool: Model) -> None:
    e = ex(pool, "collection_add", {"TrackIds": [CAT[1]]})
    assert e.outcomes == ["?"] and e.kind == "open"


def test_a_repeat_in_one_batch_is_open_e14(pool: Model) -> None:
    e = ex(pool, "collection_add", {"TrackIds": [CAT[0], CAT[0].lower()]})
    assert e.outcomes == ["ok", "?"] and e.statuses == OK


def test_all_items_failing_makes_200_a_should_e12(pool: Model) -> None:
    e = ex(pool, "collection_delete", {"TrackIds": [MINTED]})
    assert e.kind == "open" and e.statuses is None
    assert e.should is not None and e.should.requirement == "PARTIAL-ALL-200"


def test_update_whose_items_all_fail_is_still_200_e06(pool: Model) -> None:
    e = ex(pool, "playlist_update", {"Id": PID, "TrackActions": [{"Id": MINTED, "Action": "Delete"}]})
    assert (e.requirement, e.statuses) == ("PUPD-INVALID-ITEM", OK)


def test_valid_move_must_succeed(pool: Model) -> None:
    body = {"Id": PID, "InsertBeforeTrackId": E1, "TrackActions": [{"Id": E3, "Action": "Move"}]}
    e = ex(pool, "playlist_update", body)
    assert (e.requirement, e.statuses, e.move) == ("REORDER-RESPONSE", OK, True)


def test_delete_with_wellformed_other_members_must_succeed(pool: Model) -> None:
    e = ex(pool, "playlist_delete", {"Id": PID, "Name": "ignored", "IsPublished": True})
    assert (e.requirement, e.statuses) == ("PDEL-OK", OK)


# ---- must be rejected --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "body", "req", "statuses"),
    [
        ("collection_add", {"TrackIds": "x"}, "ERR-BODY", {400}),
        ("collection_add", {"TrackIds": [CAT[0]] * 101}, "ADD-LIMIT-DUPS", {400}),
        ("collection_add", {"TrackIds": [f"music.{i:08d}" for i in range(101)]}, "ADD-LIMIT-101", {400}),
        ("playlist_create", {"IsPublished": True}, "NAME-MISSING", {400}),
        ("playlist_create", {"Name": ""}, "NAME-EMPTY", {400}),
        ("playlist_create", {"Name": "x" * 257}, "NAME-OVER", {400}),
        ("playlist_create", {"Name": 5}, "ERR-BODY", {400}),
        (
            "playlist_create",
            {"Name": "n", "TrackActions": [{"Id": CAT[0], "Action": "Add"}] * 101},
            "PCRE-LIMIT-101",
            {400},
        ),
        ("playlist_update", {"Name": "n"}, "PUPD-ID-REQUIRED", CLIENT_ERRORS),
        ("playlist_update", {"Id": GONE, "Name": "n"}, "PUPD-UNKNOWN", CLIENT_ERRORS),
        ("playlist_delete", {}, "PDEL-ID-REQUIRED", CLIENT_ERRORS),
        ("playlist_delete", {"Id": GONE}, "PDEL-UNKNOWN", CLIENT_ERRORS),
    ],
)
def test_rejections(pool: Model, op: str, body: dict, req: str, statuses: set[int]) -> None:
    e = ex(pool, op, body)
    assert (e.kind, e.requirement, e.statuses) == ("reject", req, frozenset(statuses))


def test_a_mixed_reorder_must_report_an_error_not_be_refused(pool: Model) -> None:
    """E07(a): the per-item reading answers 200 with the Moves failed; a 4xx is the other reading."""
    body = {"Id": PID, "TrackActions": [{"Id": E1, "Action": "Move"}, {"Id": CAT[0], "Action": "Add"}]}
    e = ex(pool, "playlist_update", body)
    assert (e.kind, e.requirement, e.top_error_if_200) == ("error-reported", "REORDER-MIXED", True)
    assert e.statuses == frozenset({200}) | CLIENT_ERRORS


@pytest.mark.parametrize(
    ("op", "body", "req", "should"),
    [
        ("playlist_update", {"Id": PID, "Name": ""}, "NAME-EMPTY-UPDATE", "NAME-EMPTY-REFUSED"),
        ("collection_add", {"TrackIds": [CAT[0], 5]}, None, "ERR-BODY-COERCE"),
    ],
)
def test_readings_left_open_keep_their_should(
    pool: Model, op: str, body: dict, req: str | None, should: str
) -> None:
    """E10: an empty Name on update may mean "no new name"; a number in TrackIds may be read as its text."""
    e = ex(pool, op, body)
    assert e.kind != "reject" and e.requirement == req
    assert e.should is not None and e.should.requirement == should


def test_no_body_is_refused_or_read_as_an_empty_request(pool: Model) -> None:
    """E10: on add and collection delete an empty body may read as a request without TrackIds."""
    e = ex(pool, "collection_add", None, has_body=False)
    assert (e.kind, e.requirement, e.statuses) == (
        "applied-or-rejected",
        "ERR-BODY-EMPTY",
        OK | CLIENT_ERRORS,
    )
    e = ex(pool, "playlist_create", None, has_body=False)
    assert (e.kind, e.requirement, e.statuses) == ("reject", "ERR-BODY-EMPTY", CLIENT_ERRORS)


def test_maxitems_over_25_is_rejected(pool: Model) -> None:
    e = ex(pool, "collection_browse", query={"maxItems": "42"}, path={"type": "tracks"})
    assert (e.requirement, e.statuses) == ("BROWSE-MAXITEMS-OVER", frozenset({400}))


def test_several_reasons_accept_any_of_their_statuses_and_drop_the_code(pool: Model) -> None:
    e = ex(pool, "playlist_update", {"Id": GONE, "Name": ""})
    assert e.statuses == CLIENT_ERRORS and e.should is None


def test_the_code_is_only_expected_when_nothing_else_is_wrong(pool: Model) -> None:
    e = ex(pool, "collection_add", {"TrackIds": [CAT[0]] * 101}, path={"namespace": "video"})
    assert e.kind == "reject" and e.should is None


# ---- open: the known false alarms -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "body"),
    [
        # E09: 129 characters outside the BMP are 258 UTF-16 units: valid JSON Schema, refused by .NET.
        ("playlist_create", {"Name": "\U0001f3b5" * 129}),
        # E10: unknown members are ignored by DataContract readers (or refused by strict ones).
        ("collection_add", {"TrackIds": [CAT[0]], "Extra": 1}),
        # DataContract reads null as absent.
        ("playlist_update", {"Id": PID, "Name": None}),
        # E05: an Id on create is ignored.
        ("playlist_create", {"Name": "n", "Id": PID}),
        # E03: lower-case actions are a SHOULD, other verbs unspecified.
        ("playlist_update", {"Id": PID, "TrackActions": [{"Id": CAT[0], "Action": "add"}]}),
        # E10: empty TrackIds: 200 with no results or 400.
        ("collection_add", {"TrackIds": []}),
        # Text XML cannot carry.
        ("playlist_create", {"Name": "a\x01b"}),
        # "all other metadata will be ignored" — unless a malformed member is read first.
        ("playlist_delete", {"Id": PID, "TrackActions": [{"": None}]}),
    ],
)
def test_open_answers_are_not_judged_on_status(pool: Model, op: str, body: dict) -> None:
    e = ex(pool, op, body)
    assert e.requirement is None or e.statuses in (frozenset({200, 400}),)


def test_astral_name_is_a_should(pool: Model) -> None:
    e = ex(pool, "playlist_create", {"Name": "\U0001f3b5" * 129})
    assert e.should is not None and (e.should.requirement, e.should.status) == ("NAME-ASTRAL-OVER", 400)


def test_128_astral_characters_must_be_accepted(pool: Model) -> None:
    e = ex(pool, "playlist_create", {"Name": "\U0001f3b5" * 128})
    assert (e.kind, e.statuses) == ("ok", OK)


def test_random_move_ids_may_be_refused_e07b(pool: Model) -> None:
    body = {"Id": PID, "TrackActions": [{"Id": MINTED, "Action": "Move"}]}
    e = ex(pool, "playlist_update", body)
    assert (e.kind, e.requirement, e.top_error_if_200) == ("error-reported", "REORDER-BAD-MOVED", True)
    body = {"Id": PID, "InsertBeforeTrackId": MINTED, "TrackActions": [{"Id": E1, "Action": "Move"}]}
    assert ex(pool, "playlist_update", body).requirement == "REORDER-BAD-TARGET"


def test_over_limit_update_and_delete_may_apply_in_full(pool: Model) -> None:
    e = ex(pool, "playlist_update", {"Id": PID, "TrackActions": [{"Id": CAT[0], "Action": "Add"}] * 101})
    assert (e.kind, e.requirement, e.statuses) == (
        "applied-or-rejected",
        "PUPD-LIMIT-101",
        OK_OR_CLIENT_ERROR,
    )
    e = ex(pool, "collection_delete", {"TrackIds": [COLL] * 101})
    assert (e.requirement, e.statuses) == ("CDEL-LIMIT-101", OK_OR_CLIENT_ERROR)


def test_browse_parameters_the_contract_cannot_judge_are_open(pool: Model) -> None:
    for query in ({"orderBy": "x"}, {"continuationToken": "abc"}, {"page": "-1"}, {"page": str(2**31)}):
        assert ex(pool, "collection_browse", query=query, path={"type": "tracks"}).requirement is None
    assert ex(pool, "collection_browse", path={"type": "tracks"}).statuses == OK | {404}  # E30
