"""The same answers, judged through the scenario path (``verify`` and the scenario helpers) and through
the generated path (the custom checks the schemathesis tests and the state machine run), reach the
same verdict on every requirement both paths judge.

Each answer is one a legitimate server may give under one reading of the documents (hyphenated codes,
E01; results in another order, E27; duplicates, E14) or one that breaks a rule every reading shares.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from conformance import judging
from conformance.client import Response
from conformance.fuzz.checks import Call, judge_answer
from conformance.fuzz.oracle import expect as expectation
from conformance.fuzz.stateful.model import Model
from conformance.fuzz.transport import Sent
from conformance.records import CheckResult, Exchange
from conformance.suite.helpers import expect
from conformance.verify import Verify

CAT = "music.A83EB907-0100-11DB-89CA-0019B92A3933"
CAT2 = "music.9941BE07-0100-11DB-89CA-0019B92A3933"
MINTED = "music.E8AEDB01-23D6-4659-9916-2349BE9F9C26"


def answer(status: int, body: Any) -> Response:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = httpx.Headers({"content-type": "application/json"})
    ex = Exchange("POST", "http://t/x", {}, None, status, {}, raw.decode(), 1.0)
    return Response(status, headers, raw, "json" if raw else None, body, None, None, "http://t/x", 1.0, ex)


def verdicts_of(checks: list[CheckResult] | list[judging.Finding]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for c in checks:
        req = c.requirement
        out[req] = out.get(req, True) and c.passed
    return out


def generated(request: dict[str, Any], r: Response) -> dict[str, bool]:
    pool = Model(catalog=[CAT, CAT2], collection=None, absent={CAT.upper(), CAT2.upper()})
    pool.minted.add(MINTED.upper())
    exp = expectation("collection_add", request, {}, {"namespace": "music"}, pool)
    call = Call(
        "collection_add", None, Sent("collection_add", "POST", "/x", body=request), r, exp, True, None, [0]
    )  # type: ignore[arg-type]
    return verdicts_of(judge_answer(call))


def scenario(entries: list[str], r: Response, outcomes: str) -> dict[str, bool]:
    """What the scenario files judge of an add answer (test_partial_failures' steps)."""
    checks: list[CheckResult] = []
    allowed = [
        "BATCH-ONE-RESULT",
        "BATCH-DUPLICATES",
        judging.ORDER,
        "ID-INPUTID-EXACT",
        "ADD-INVALID-ID",
        "PARTIAL-TOP-ERROR",
        "PARTIAL-NO-ERROR",
    ]
    verify = Verify(allowed, checks, level_of=lambda _req: "MUST")
    dups = len(set(entries)) < len(entries)
    got = expect.one_result_per_input(verify, "BATCH-DUPLICATES" if dups else "BATCH-ONE-RESULT", r, entries)
    expect.input_ids_echoed(verify, "ID-INPUTID-EXACT", got, entries)
    for kind, result in zip(outcomes, got, strict=True):
        if kind == "I" and result:
            verify.error_code("ADD-INVALID-ID", expect.item_error(result) or {}, judging.INVALID_ID)
    if "I" in outcomes:
        verify.error_code("PARTIAL-TOP-ERROR", r, judging.SOME_FAILED)
    return verdicts_of(checks)


def ok(tid: str, n: int = 1) -> dict[str, Any]:
    return {"InputId": tid, "Id": f"music.AQQf{n:030d}"}


def bad(tid: str, code: str = "COLLECTION_INVALID_ID") -> dict[str, Any]:
    return {
        "InputId": tid,
        "Error": {"ErrorCode": code, "Description": "Invalid collection id for this operation"},
    }


TOP = {"ErrorCode": "COLLECTION_SOME_OPERATIONS_FAILED", "Description": "Some of the operations failed"}
TOP_HYPHENS = {
    "ErrorCode": "COLLECTION-SOME-OPERATIONS-FAILED",
    "Description": "Some of the operations failed",
}

CASES = {
    # name: (entries, outcome pattern, answer body, requirements expected to fail)
    "in-order": ([CAT, MINTED], "VI", {"TrackActionResults": [ok(CAT), bad(MINTED)], "Error": TOP}, set()),
    "reordered": (
        [CAT, MINTED],
        "VI",
        {"TrackActionResults": [bad(MINTED), ok(CAT)], "Error": TOP},
        {judging.ORDER},
    ),
    "hyphenated-codes": (
        [CAT, MINTED],
        "VI",
        {"TrackActionResults": [ok(CAT), bad(MINTED, "COLLECTION-INVALID-ID")], "Error": TOP_HYPHENS},
        set(),
    ),
    "inputid-lower-case": (
        [CAT, MINTED],
        "VI",
        {"TrackActionResults": [ok(CAT.lower()), bad(MINTED)], "Error": TOP},
        {"ID-INPUTID-EXACT"},
    ),
    "one-result-missing": (
        [CAT, MINTED],
        "VI",
        {"TrackActionResults": [ok(CAT)], "Error": TOP},
        {"BATCH-ONE-RESULT"},
    ),
    "wrong-code": (
        [CAT, MINTED],
        "VI",
        {"TrackActionResults": [ok(CAT), bad(MINTED, "INVALID_INPUT_PARAMETER")], "Error": TOP},
        {"ADD-INVALID-ID"},
    ),
    "duplicates-reordered": (
        [CAT, MINTED, CAT],
        "VIV",
        {"TrackActionResults": [ok(CAT), ok(CAT, 1), bad(MINTED)], "Error": TOP},
        {judging.ORDER},
    ),
    "duplicates-one-short": (
        [CAT, MINTED, CAT],
        "VIV",
        {"TrackActionResults": [ok(CAT), bad(MINTED), bad(MINTED)], "Error": TOP},
        {"BATCH-DUPLICATES"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_scenario_and_generated_paths_agree(name: str) -> None:
    entries, pattern, body, failing = CASES[name]
    r = answer(200, body)
    by_scenario = scenario(entries, r, pattern)
    by_generated = generated({"TrackIds": entries}, r)
    shared = set(by_scenario) & set(by_generated)
    assert (
        "ID-INPUTID-EXACT" in shared and judging.ORDER in shared or "one-short" in name or "missing" in name
    )
    assert set(by_scenario) & {"BATCH-ONE-RESULT", "BATCH-DUPLICATES"} <= shared, (by_scenario, by_generated)
    assert {req: by_scenario[req] for req in shared} == {req: by_generated[req] for req in shared}
    assert {req for req in shared if not by_scenario[req]} == failing & shared
    assert failing <= set(by_scenario), f"the case must show {failing}"


@pytest.mark.parametrize(
    ("status", "code", "held"),
    [
        (401, "INVALID_AUTHORIZATION_HEADER", True),
        (401, "INVALID-AUTHORIZATION-HEADER", True),  # E01: as the 2016 pages print it
        (401, "ACCESS_TOKEN_INVALID", False),
        (400, "INVALID_INPUT_PARAMETER", False),
    ],
)
def test_missing_authentication_judged_alike_everywhere(status: int, code: str, held: bool) -> None:
    """The scenario files, the generated probe and the state machine all call ``judging.auth_refused``;
    E01 applies there once, so a hyphenated code holds on every path."""
    r = answer(
        status, {"Error": {"ErrorCode": code, "Description": "Missing or invalid authorization header"}}
    )
    findings = judging.auth_refused("AUTH-MISSING-ADD", r)
    checks: list[CheckResult] = []
    Verify(["AUTH-MISSING-ADD"], checks, level_of=lambda _r: "MUST").record_all(findings)
    assert all(c.passed for c in checks) is held
    assert all(f.passed for f in findings) is held
