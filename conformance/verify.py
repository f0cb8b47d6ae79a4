"""``verify``: how a conformance test states what it checks, one requirement at a time.

Each call records a :class:`~conformance.records.CheckResult` for one requirement and returns
whether it held; it never stops the test, so one exchange can be judged on every requirement it
bears on. At the end of the test the plugin fails it when a check of a ``MUST`` requirement (or,
under ``--strict``, of any level) failed, with a summary of expected vs actual; a failed
``SHOULD``/``MAY`` check otherwise stays an advisory finding in the report.

A check may only name a requirement the test's ``@pytest.mark.requirement`` lists: the marker
is what the report, the coverage count and a reader rely on to know what a test is about.

The judgements themselves (status, ErrorCode after E01, schema, results matched by InputId) are
:mod:`conformance.judging`'s; ``verify`` records what they find, exactly as the generated checks
and the state machine do, so that every path reaches the same verdict on the same answer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from conformance import judging
from conformance.catalogue import blocks
from conformance.judging import Answer, Finding, show
from conformance.records import CheckResult, Exchange

__all__ = ["LevelOf", "Verify", "VerifyUsageError", "blocks", "operation_of", "show"]


class LevelOf(Protocol):
    """How ``Verify`` learns the level (MUST, SHOULD, MAY) of a requirement ID.

    A callback rather than the catalogue itself, so that a test of ``Verify`` can give levels of its
    own; the plugin gives ``conformance.plugin.level_of``.
    """

    def __call__(self, req_id: str, /) -> str: ...


class VerifyUsageError(Exception):
    """A test used ``verify`` wrongly (a requirement not in its marker, an unknown schema)."""


def operation_of(exchange: Exchange) -> str | None:
    """The operationId of a logged request, matched on its path's tail (the target's base URL
    may carry a path of its own before the contract's ``/1/...``)."""
    from conformance.client import operation_for

    path = urlsplit(exchange.url).path
    for i, char in enumerate(path):
        if char == "/" and (op := operation_for(exchange.method, path[i:])):
            return op
    return None


class Verify:
    """The ``verify`` fixture of one test.

    ``transcript`` is the test's request log (the list its clients append to): each check is
    tied to the operation of the request sent last before it, the one it judges, so that the
    report counts it under that operation and no other.
    """

    def __init__(
        self,
        requirements: Iterable[str],
        checks: list[CheckResult],
        *,
        level_of: LevelOf,
        strict: bool = False,
        transcript: Sequence[Exchange] | None = None,
    ) -> None:
        self.requirements = tuple(requirements)
        self.checks = checks
        self._level_of = level_of
        self.strict = strict
        self._transcript = transcript

    # ---- the primitive -----------------------------------------------------------------
    def that(
        self, req: str, cond: object, message: str, expected: object = None, actual: object = None
    ) -> bool:
        """Record that ``cond`` holds (or not) for requirement ``req``."""
        return self.record(Finding(req, bool(cond), message, expected, actual))

    def record(self, finding: Finding) -> bool:
        """Record one judgement of :mod:`conformance.judging` (or of the test itself)."""
        req = finding.requirement
        if req not in self.requirements:
            raise VerifyUsageError(
                f"verify names {req}, which this test's @pytest.mark.requirement does not list "
                f"({', '.join(self.requirements) or 'none'}); add it to the marker"
            )
        self.checks.append(
            CheckResult(
                requirement=req,
                passed=finding.passed,
                message=finding.message,
                expected=None if finding.expected is None else show(finding.expected),
                actual=None if finding.actual is None else show(finding.actual),
                operation=operation_of(self._transcript[-1]) if self._transcript else None,
            )
        )
        return finding.passed

    def record_all(self, findings: Iterable[Finding]) -> bool:
        """Record every finding; whether all held."""
        return all([self.record(f) for f in findings])

    # ---- helpers: each a judgement of conformance.judging, recorded ------------------------
    def equal(self, req: str, actual: object, expected: object, message: str = "value") -> bool:
        return self.that(req, actual == expected, message, expected=expected, actual=actual)

    def status(self, req: str, response: Answer, expected: int | Collection[int]) -> bool:
        """The HTTP status is ``expected`` (an int, or any of a collection/range of ints)."""
        return self.record(judging.status(req, response, expected))

    def error_code(
        self, req: str, response_or_error: object, code: str | Collection[str], *, exact: bool = False
    ) -> bool:
        """The ErrorCode is ``code`` (or one of several), compared as E01 says unless ``exact``."""
        return self.record(judging.error_code(req, response_or_error, code, exact=exact))

    def schema(self, req: str, response_or_body: object, schema_name: str) -> bool:
        """The body validates against ``schemas/<schema_name>.json``."""
        try:
            finding = judging.schema(req, response_or_body, schema_name)
        except LookupError as exc:
            raise VerifyUsageError(str(exc)) from None
        return self.record(finding)

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
