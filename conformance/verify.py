"""``verify``: how a conformance test states what it checks, one requirement at a time.

Each call records a :class:`~conformance.records.CheckResult` for one requirement and returns
whether it held; it never stops the test, so one exchange can be judged on every requirement it
bears on. At the end of the test the plugin fails it when a check of a ``MUST`` requirement (or,
under ``--strict``, of any level) failed, with a summary of expected vs actual; a failed
``SHOULD``/``MAY`` check otherwise stays an advisory finding in the report.

A check may only name a requirement the test's ``@pytest.mark.requirement`` lists: the marker
is what the report, the coverage count and a reader rely on to know what a test is about.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any

from conformance.records import CheckResult

_SHOWN = 300  # characters of a value shown in expected / actual


class VerifyUsageError(Exception):
    """A test used ``verify`` wrongly (a requirement not in its marker, an unknown schema)."""


def show(value: Any) -> str:
    """A short, stable rendering of a value for expected / actual."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def normalise_code(code: str) -> str:
    """E01: ``COLLECTION-INVALID-ID`` and ``COLLECTION_INVALID_ID`` are the same documented code."""
    return code.replace("-", "_")


def blocks(level: str, strict: bool) -> bool:
    """Whether a failed check of ``level`` fails the test (MUST always; the rest under --strict)."""
    return strict or level not in ("SHOULD", "MAY")


class Verify:
    """The ``verify`` fixture of one test."""

    def __init__(
        self,
        requirements: Iterable[str],
        checks: list[CheckResult],
        *,
        level_of: Callable[[str], str],
        strict: bool = False,
    ) -> None:
        self.requirements = tuple(requirements)
        self.checks = checks
        self._level_of = level_of
        self.strict = strict

    # ---- the primitive -----------------------------------------------------------------
    def that(self, req: str, cond: Any, message: str, expected: Any = None, actual: Any = None) -> bool:
        """Record that ``cond`` holds (or not) for requirement ``req``."""
        if req not in self.requirements:
            raise VerifyUsageError(
                f"verify names {req}, which this test's @pytest.mark.requirement does not list "
                f"({', '.join(self.requirements) or 'none'}); add it to the marker"
            )
        ok = bool(cond)
        self.checks.append(
            CheckResult(
                requirement=req,
                passed=ok,
                message=message,
                expected=None if expected is None else show(expected),
                actual=None if actual is None else show(actual),
            )
        )
        return ok

    # ---- helpers -------------------------------------------------------------------------
    def equal(self, req: str, actual: Any, expected: Any, message: str = "value") -> bool:
        return self.that(req, actual == expected, message, expected=expected, actual=actual)

    def status(self, req: str, response: Any, expected: int | Collection[int]) -> bool:
        """The HTTP status is ``expected`` (an int, or any of a collection/range of ints)."""
        allowed = {expected} if isinstance(expected, int) else set(expected)
        shown = str(expected) if isinstance(expected, int) else _describe_statuses(allowed)
        actual = response.status
        detail = _status_detail(response)
        return self.that(req, actual in allowed, "HTTP status", expected=shown, actual=f"{actual}{detail}")

    def error_code(
        self, req: str, response_or_error: Any, code: str | Collection[str], *, exact: bool = False
    ) -> bool:
        """The ErrorCode is ``code`` (or one of several).

        By default the comparison treats ``-`` and ``_`` alike (E01: the documents print both
        spellings of the same code); ``exact=True`` compares the spelling itself, for the
        requirement that asks for the underscore form.
        """
        wanted = [code] if isinstance(code, str) else list(code)
        error, where = _error_of(response_or_error)
        shown = " or ".join(wanted)
        if error is None:
            return self.that(req, False, f"ErrorCode ({where})", expected=shown, actual="no Error object")
        actual = error.get("ErrorCode")
        if not isinstance(actual, str):
            return self.that(req, False, f"ErrorCode ({where})", expected=shown, actual=actual)
        if exact:
            ok = actual in wanted
        else:
            ok = normalise_code(actual) in {normalise_code(w) for w in wanted}
        return self.that(
            req,
            ok,
            f"ErrorCode ({where})" + (" spelled exactly" if exact else ""),
            expected=shown,
            actual=actual,
        )

    def schema(self, req: str, response_or_body: Any, schema_name: str) -> bool:
        """The body validates against ``schemas/<schema_name>.json``."""
        from conformance import contract

        if hasattr(response_or_body, "parse_error") and hasattr(response_or_body, "body"):
            if response_or_body.parse_error or response_or_body.body is None:
                reason = response_or_body.parse_error or "empty body"
                return self.that(
                    req,
                    False,
                    f"body is a {schema_name}",
                    expected=f"a {schema_name}",
                    actual=f"unreadable body: {reason}",
                )
            body = response_or_body.body
        else:
            body = response_or_body
        try:
            problems = contract.validate(schema_name, body)
        except LookupError as exc:
            raise VerifyUsageError(str(exc)) from None
        return self.that(
            req,
            not problems,
            f"body is a {schema_name}",
            expected=f"a valid {schema_name}",
            actual="valid" if not problems else "; ".join(problems[:5]),
        )

    # ---- what the plugin reads -----------------------------------------------------------
    def level(self, req: str) -> str:
        return self._level_of(req)

    def blocking_failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and blocks(self._level_of(c.requirement), self.strict)]

    def advisory_failures(self) -> list[CheckResult]:
        return [
            c for c in self.checks if not c.passed and not blocks(self._level_of(c.requirement), self.strict)
        ]

    def summary(self) -> str:
        """The readable failure text: one line per failed check, expected vs actual."""
        failed = self.blocking_failures()
        lines = [f"{len(failed)} failed check{'s' if len(failed) != 1 else ''}:"]
        for c in failed:
            lines.append(f"  {c.requirement} [{self._level_of(c.requirement)}] {c.message}")
            if c.expected is not None or c.actual is not None:
                lines.append(f"      expected: {c.expected}")
                lines.append(f"      actual:   {c.actual}")
        advisory = self.advisory_failures()
        if advisory:
            lines.append(
                f"(and {len(advisory)} advisory: "
                + ", ".join(sorted({c.requirement for c in advisory}))
                + ")"
            )
        return "\n".join(lines)


def _describe_statuses(allowed: set[int]) -> str:
    ordered = sorted(allowed)
    if len(ordered) > 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}..{ordered[-1]}"
    return " or ".join(str(s) for s in ordered)


def _status_detail(response: Any) -> str:
    code = getattr(response, "error_code", None)
    if code:
        return f" ({code})"
    if getattr(response, "redirect_refused", None):
        return f" (redirect to {response.redirect_refused}, not followed)"
    return ""


def _error_of(value: Any) -> tuple[dict[str, Any] | None, str]:
    """The Error object a value carries, and where it was found (for the message)."""
    body = value.body if hasattr(value, "parse_error") and hasattr(value, "body") else value
    if isinstance(body, dict):
        if "ErrorCode" in body:
            return body, "Error"
        err = body.get("Error")
        if isinstance(err, dict):
            return err, "top-level Error"
    return None, "top-level Error"
