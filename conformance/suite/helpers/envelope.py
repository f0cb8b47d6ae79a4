"""The error envelope of every answer a test saw: one place, applied to every suite test.

``conformance/suite/conftest.py`` calls :func:`checks` once per test, on the test's own transcript
(the exchanges its clients made), right after the test function returns. Judging each test's own
exchanges keeps this correct under pytest-xdist (no state shared between workers) and puts each
finding next to the request that caused it in the report.

Per test, one check per requirement, made only when the test saw something to judge:

* ERR-ENVELOPE (MUST): every 4xx answer has a body with a top-level Error object;
* ERR-FIELDS (MUST): every Error object (top-level or per item) has non-empty ErrorCode and Description;
* ERR-CODE-KNOWN (MUST): every ErrorCode is a code of the error table (either spelling, E01);
* ERR-STATUS (SHOULD): an answer's top-level Error code has the answer's status as its default code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conformance import judging
from conformance.client import decode_body
from conformance.profiles import PROFILES, Profile
from conformance.records import CheckResult, Exchange
from conformance.verify import show

SHOWN = 5  # offending answers quoted per check


def _header(exchange: Exchange, name: str) -> str:
    for key, value in exchange.response_headers.items():
        if key.lower() == name:
            return value
    return ""


def decoded(exchange: Exchange, profile: Profile) -> tuple[Any, str | None]:
    """The body of an answer (XML read in either documented namespace, E22), or why it is unreadable."""
    raw = (exchange.response_body or "").encode("utf-8")
    ctype = _header(exchange, "content-type")
    first = decode_body(raw, ctype, profile)
    if first.parse_error is None or first.format != "xml":
        return first.body, first.parse_error
    for other in PROFILES.values():
        if other.name != profile.name:
            again = decode_body(raw, ctype, other)
            if again.parse_error is None:
                return again.body, None
    return None, first.parse_error


def checks(exchanges: Iterable[Exchange], profile: Profile) -> list[CheckResult]:
    """The envelope checks of one test's exchanges (nothing when it saw no error)."""
    bad: dict[str, list[str]] = {"ERR-ENVELOPE": [], "ERR-FIELDS": [], "ERR-CODE-KNOWN": [], "ERR-STATUS": []}
    seen = dict.fromkeys(bad, 0)
    for ex in exchanges:
        if ex.status is None or ex.truncated:
            continue
        where = f"{ex.method} {ex.url.split('?', 1)[0]} -> {ex.status}"
        body, problem = decoded(ex, profile)
        for f in judging.error_rules(ex.status, body, parse_error=problem):
            if f.requirement not in bad:
                continue
            seen[f.requirement] += 1
            if not f.passed:
                bad[f.requirement].append(f"{where}: {f.message}: {show(f.actual)[:120]}")
    statements = {
        "ERR-ENVELOPE": "every 4xx answer of this test carries a top-level Error",
        "ERR-FIELDS": "every Error object of this test carries ErrorCode and Description",
        "ERR-CODE-KNOWN": "every ErrorCode of this test is a code of the error table",
        "ERR-STATUS": "every answer with a top-level Error has its code's default HTTP status",
    }
    out: list[CheckResult] = []
    for req, offenders in bad.items():
        if not seen[req]:
            continue
        out.append(
            CheckResult(
                requirement=req,
                passed=not offenders,
                message=f"{statements[req]} ({seen[req]} seen)",
                expected=None if not offenders else "none offending",
                actual=None
                if not offenders
                else "; ".join(offenders[:SHOWN])
                + (f" (and {len(offenders) - SHOWN} more)" if len(offenders) > SHOWN else ""),
            )
        )
    return out
