"""The suite-wide error-envelope net (``conformance/suite/helpers/envelope.py``) on canned exchanges.

The whole-suite runs prove it catches a server without the envelope (fault ``error-envelope-bare``);
these pin down each rule on its own, and that answers without an error are left alone.
"""

from __future__ import annotations

import json

import pytest

from conformance import xml_codec
from conformance.profiles import GROOVE_2016, XBOX_2013
from conformance.records import Exchange
from conformance.suite.helpers import envelope


def exchange(status: int, body: object, ctype: str = "application/json") -> Exchange:
    text = body if isinstance(body, str) else json.dumps(body)
    return Exchange(
        "POST",
        "http://127.0.0.1:1/1/content/music/collection/add",
        {},
        None,
        status,
        {"content-type": ctype},
        text,
        1.0,
    )


def verdicts(*exchanges: Exchange, profile=GROOVE_2016) -> dict[str, bool]:
    return {c.requirement: c.passed for c in envelope.checks(exchanges, profile)}


ERROR = {"ErrorCode": "COLLECTION_INVALID_ID", "Description": "Invalid collection id for this operation"}


def test_success_without_errors_is_not_judged():
    assert verdicts(exchange(200, {"TrackActionResults": [{"InputId": "music.X", "Id": "music.Y"}]})) == {}


def test_documented_error_passes_every_rule():
    assert verdicts(
        exchange(
            400,
            {
                "Error": {
                    **ERROR,
                    "ErrorCode": "COLLECTION_INVALID_OPERATION",
                    "Description": "This operation is not supported",
                }
            },
        )
    ) == {"ERR-ENVELOPE": True, "ERR-FIELDS": True, "ERR-CODE-KNOWN": True, "ERR-STATUS": True}


def test_bare_error_object_fails_the_envelope():
    assert verdicts(exchange(400, ERROR))["ERR-ENVELOPE"] is False


@pytest.mark.parametrize("body", ["", "not json", "[]"])
def test_unreadable_or_empty_4xx_fails_the_envelope(body):
    assert verdicts(exchange(401, body))["ERR-ENVELOPE"] is False


def test_missing_description_and_unknown_code():
    v = verdicts(exchange(400, {"Error": {"ErrorCode": "NOT_A_CODE"}}))
    assert v["ERR-FIELDS"] is False and v["ERR-CODE-KNOWN"] is False


def test_per_item_errors_are_judged_and_hyphens_are_documented():
    body = {
        "Error": {
            "ErrorCode": "COLLECTION-SOME-OPERATIONS-FAILED",
            "Description": "Some of the operations failed",
        },
        "TrackActionResults": [{"InputId": "music.X", "Error": {"ErrorCode": "COLLECTION_INVALID_ID"}}],
    }
    v = verdicts(exchange(200, body))
    assert v == {"ERR-FIELDS": False, "ERR-CODE-KNOWN": True, "ERR-STATUS": True}


def test_status_other_than_the_default_is_an_advisory_finding():
    v = verdicts(
        exchange(
            400,
            {
                "Error": {
                    "ErrorCode": "COLLECTION_NO_RESULT",
                    "Description": "No result in the user's collection",
                }
            },
        )
    )
    assert v["ERR-STATUS"] is False and v["ERR-ENVELOPE"] is True


@pytest.mark.parametrize("answer_profile", [GROOVE_2016, XBOX_2013])
def test_xml_error_in_either_documented_namespace_is_read(answer_profile):
    xml = xml_codec.encode("TrackActionResponse", {"Error": ERROR}, answer_profile).decode()
    v = verdicts(exchange(400, xml, "application/xml"), profile=GROOVE_2016)
    assert v["ERR-ENVELOPE"] is True and v["ERR-FIELDS"] is True
