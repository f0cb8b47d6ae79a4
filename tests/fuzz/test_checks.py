"""The custom checks: registered once, tagged with catalogue requirements, and able to fail.

Checks that never fail prove nothing, so each one here is shown a faulty answer (built as the
client builds answers) and must report it under its requirement, and shown a correct one and must
not.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis.checks

from conformance import catalogue, contract
from conformance.client import Response
from conformance.fuzz import checks, oracle
from conformance.fuzz.checks import CUSTOM, Call, all_requirements, judge_answer
from conformance.fuzz.oracle import expect
from conformance.fuzz.stateful import machine
from conformance.fuzz.stateful.model import Model
from conformance.fuzz.transport import Sent
from conformance.records import Exchange

GENERATED = Path(checks.__file__).resolve().parent
CAT = "music.A83EB907-0100-11DB-89CA-0019B92A3933"
MINTED = "music.9BB2C5C5-455C-4C15-827C-F9BFD759A458"


def test_custom_checks_are_registered_once_under_their_names() -> None:
    registered = schemathesis.checks.CHECKS.get_all_names()
    assert CUSTOM and all(name.startswith("groove_") for name in CUSTOM)
    assert all(registered.count(name) == 1 for name in CUSTOM)
    importlib.reload(checks)  # a second import must not register them again
    assert all(schemathesis.checks.CHECKS.get_all_names().count(name) == 1 for name in CUSTOM)


def test_every_requirement_the_generated_tests_record_is_in_the_catalogue() -> None:
    known = catalogue.load_catalogue()
    declared = {r for reqs in CUSTOM.values() for r in reqs} | set(oracle.REQUIREMENTS)
    declared |= set(machine.REQUIREMENTS)
    for op in contract.OPERATIONS:
        declared |= set(all_requirements(op))
    assert sorted(declared - set(known)) == []


@pytest.mark.parametrize(
    ("module", "allowed"), [(oracle, oracle.REQUIREMENTS), (machine, machine.REQUIREMENTS)]
)
def test_requirement_literals_are_declared(module: Any, allowed: Any) -> None:
    """A requirement written in the code but not declared would be a usage error at run time."""
    text = Path(module.__file__).read_text(encoding="utf-8")
    areas = "|".join(catalogue.AREAS)
    ids = set(re.findall(rf'"((?:{areas})-[A-Z0-9]+(?:-[A-Z0-9]+)?)"', text))
    assert sorted(ids - set(allowed) - set(checks.AUTH_MISSING.values())) == []


def test_a_custom_check_outside_a_generated_test_skips() -> None:
    fn = schemathesis.checks.CHECKS.get_one("groove_error_envelope")
    assert fn(None, None, None) is True


# ---- each check fails on a faulty answer ---------------------------------------------------------------
def answer(status: int, body: Any) -> Response:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = httpx.Headers({"content-type": "application/json"})
    ex = Exchange("POST", "http://t/x", {}, None, status, {}, raw.decode(), 1.0)
    return Response(status, headers, raw, "json" if raw else None, body, None, None, "http://t/x", 1.0, ex)


def judge(operation: str, request: Any, status: int, body: Any) -> dict[str, bool]:
    pool = Model(catalog=[CAT], collection=None, absent={CAT.upper()})
    pool.minted.add(MINTED.upper())
    exp = expect(operation, request, {}, {"namespace": "music"}, pool)
    sent = Sent(operation, "POST", "/x", body=request)
    call = Call(operation, None, sent, answer(status, body), exp, True, None, [0])  # type: ignore[arg-type]
    out: dict[str, bool] = {}
    for f in judge_answer(call):
        out[f.requirement] = out.get(f.requirement, True) and f.passed
    return out


ADD = {"TrackIds": [CAT, MINTED]}
ITEM_ERR = {"ErrorCode": "COLLECTION_INVALID_ID", "Description": "Invalid collection id for this operation"}
TOP_ERR = {"ErrorCode": "COLLECTION_SOME_OPERATIONS_FAILED", "Description": "Some of the operations failed"}
GOOD = {
    "TrackActionResults": [{"InputId": CAT, "Id": "music.AQQf1"}, {"InputId": MINTED, "Error": ITEM_ERR}],
    "Error": TOP_ERR,
}


def test_a_correct_partial_failure_passes_every_check() -> None:
    verdicts = judge("collection_add", ADD, 200, GOOD)
    assert verdicts and all(verdicts.values()), {k: v for k, v in verdicts.items() if not v}
    for req in (
        "PARTIAL-200",
        "PARTIAL-TOP-ERROR",
        "BATCH-ONE-RESULT",
        "ID-INPUTID-EXACT",
        "ADD-RESULT-ID",
        "ADD-FAILED-NOID",
        "ADD-INVALID-ID",
        "ADD-OK",
        "ERR-CODE-KNOWN",
        "ERR-FIELDS",
    ):
        assert req in verdicts


def test_results_in_another_order_are_matched_by_input_id() -> None:
    """E27: only the order is off; every check of a result's content judges the result of its entry."""
    reordered = {"TrackActionResults": GOOD["TrackActionResults"][::-1], "Error": TOP_ERR}
    verdicts = judge("collection_add", ADD, 200, reordered)
    assert verdicts.pop("BATCH-ORDER") is False
    assert verdicts and all(verdicts.values()), {k: v for k, v in verdicts.items() if not v}
    assert {"BATCH-ONE-RESULT", "ADD-RESULT-ID", "ADD-INVALID-ID", "ID-INPUTID-EXACT"} <= set(verdicts)


@pytest.mark.parametrize(
    ("status", "body", "requirement"),
    [
        (400, {"ErrorCode": "COLLECTION_INVALID_OPERATION", "Description": "x"}, "ERR-ENVELOPE"),
        (200, {**GOOD, "Error": None}, "PARTIAL-TOP-ERROR"),
        (200, {"TrackActionResults": GOOD["TrackActionResults"][::-1], "Error": TOP_ERR}, "BATCH-ORDER"),
        (
            200,
            {"TrackActionResults": [GOOD["TrackActionResults"][0]] * 2, "Error": TOP_ERR},
            "BATCH-ONE-RESULT",
        ),
        (
            200,
            {
                "TrackActionResults": [
                    {"InputId": CAT.lower(), "Id": "music.AQQf1"},
                    {"InputId": MINTED, "Error": ITEM_ERR},
                ],
                "Error": TOP_ERR,
            },
            "ID-INPUTID-EXACT",
        ),
        (
            200,
            {
                "TrackActionResults": [{"InputId": CAT}, {"InputId": MINTED, "Error": ITEM_ERR}],
                "Error": TOP_ERR,
            },
            "ADD-RESULT-ID",
        ),
        (
            200,
            {
                "TrackActionResults": [
                    {"InputId": CAT, "Id": "music.AQQf1"},
                    {"InputId": MINTED, "Id": "music.x", "Error": ITEM_ERR},
                ],
                "Error": TOP_ERR,
            },
            "ADD-FAILED-NOID",
        ),
        (
            200,
            {"TrackActionResults": [{"InputId": CAT, "Id": "music.AQQf1"}, {"InputId": MINTED}]},
            "ADD-INVALID-ID",
        ),
        (200, {**GOOD, "Error": {"ErrorCode": "SOMETHING_ELSE", "Description": "x"}}, "ERR-CODE-KNOWN"),
        (
            200,
            {
                "TrackActionResults": [
                    {"InputId": CAT, "Id": "AQQf1"},
                    {"InputId": MINTED, "Error": ITEM_ERR},
                ],
                "Error": TOP_ERR,
            },
            "ID-PREFIX",
        ),
        (400, {"Error": {"ErrorCode": "INVALID_INPUT_PARAMETER", "Description": "x"}}, "PARTIAL-200"),
    ],
)
def test_each_check_reports_a_faulty_answer(status: int, body: Any, requirement: str) -> None:
    verdicts = judge("collection_add", ADD, status, body)
    assert verdicts.get(requirement) is False, verdicts


def test_no_top_level_error_when_every_item_succeeded() -> None:
    request = {"TrackIds": [CAT]}
    ok = {"TrackActionResults": [{"InputId": CAT, "Id": "music.AQQf1"}]}
    assert judge("collection_add", request, 200, ok)["PARTIAL-NO-ERROR"] is True
    assert judge("collection_add", request, 200, {**ok, "Error": TOP_ERR})["PARTIAL-NO-ERROR"] is False
