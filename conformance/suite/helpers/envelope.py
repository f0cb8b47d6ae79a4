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

from conformance import error_table
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


def error_objects(body: Any) -> list[tuple[str, Any]]:
    """(where, Error) for the top-level Error and every per-item Error of a body."""
    out: list[tuple[str, Any]] = []
    if not isinstance(body, dict):
        return out
    if body.get("Error") is not None:
        out.append(("Error", body["Error"]))
    lists = [("TrackActionResults", body.get("TrackActionResults"))]
    inner = body.get("PlaylistActionResult")
    if isinstance(inner, dict):
        lists.append(("PlaylistActionResult.TrackActionResults", inner.get("TrackActionResults")))
    for where, items in lists:
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and item.get("Error") is not None:
                    out.append((f"{where}[{i}].Error", item["Error"]))
    return out


def _fields_problem(err: Any) -> str | None:
    if not isinstance(err, dict):
        return f"not an object: {show(err)}"
    missing = [
        k for k in ("ErrorCode", "Description") if not (isinstance(err.get(k), str) and err[k].strip())
    ]
    return f"no non-empty {' and '.join(missing)}" if missing else None


def checks(exchanges: Iterable[Exchange], profile: Profile) -> list[CheckResult]:
    """The envelope checks of one test's exchanges (nothing when it saw no error)."""
    bad: dict[str, list[str]] = {"ERR-ENVELOPE": [], "ERR-FIELDS": [], "ERR-CODE-KNOWN": [], "ERR-STATUS": []}
    seen = {"ERR-ENVELOPE": 0, "ERR-FIELDS": 0, "ERR-CODE-KNOWN": 0, "ERR-STATUS": 0}
    for ex in exchanges:
        if ex.status is None or ex.truncated:
            continue
        where = f"{ex.method} {ex.url.split('?', 1)[0]} -> {ex.status}"
        body, problem = decoded(ex, profile)
        if 400 <= ex.status < 500:
            seen["ERR-ENVELOPE"] += 1
            top = body.get("Error") if isinstance(body, dict) else None
            if not isinstance(top, dict):
                why = problem or ("no body" if body is None else f"no top-level Error in {show(body)[:120]}")
                bad["ERR-ENVELOPE"].append(f"{where}: {why}")
        for path, err in error_objects(body):
            seen["ERR-FIELDS"] += 1
            fields = _fields_problem(err)
            if fields:
                bad["ERR-FIELDS"].append(f"{where} {path}: {fields}")
            code = err.get("ErrorCode") if isinstance(err, dict) else None
            if isinstance(code, str):
                seen["ERR-CODE-KNOWN"] += 1
                if not error_table.is_documented(code):
                    bad["ERR-CODE-KNOWN"].append(f"{where} {path}: {code!r} is not in the error table")
                if path == "Error":
                    seen["ERR-STATUS"] += 1
                    expected = error_table.default_status(code)
                    if expected is not None and expected != ex.status:
                        bad["ERR-STATUS"].append(f"{where}: {code} has default HTTP code {expected}")
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
