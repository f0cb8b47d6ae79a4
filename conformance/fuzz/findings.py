"""Checks of many generated examples gathered into the few ``verify`` records a report can show.

A generated test makes thousands of checks. Recording each would bury the report, so per
requirement the test keeps: how many checks held, the first advisory failure (SHOULD/MAY, which
does not stop the test) and the blocking one (a MUST, or anything under ``--strict``). A blocking
failure is raised as :class:`Violation` inside the Hypothesis example, so that Hypothesis shrinks
the example to a minimal one; what reaches the record is that minimal failure, with the script
that replays it. At the end :meth:`Tally.record` writes it all through the test's ``verify``, so
the plugin judges and reports generated tests exactly like the scenario files.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.catalogue import blocks
from conformance.judging import Finding

if TYPE_CHECKING:
    from conformance.verify import Verify

REPLAY_HEADING = "Replay (Python; tokens come from $GROOVE_USER_TOKEN etc.):"


class Violation(AssertionError):
    """Blocking findings of one example (raised inside it, so that Hypothesis shrinks it)."""

    def __init__(self, findings: list[Finding], where: str, replay: str = "") -> None:
        self.findings = findings
        self.where = where
        self.replay = replay
        first = findings[0]
        super().__init__(
            f"{first.requirement}: {first.message} ({where}); expected {first.expected}, got {first.actual}"
        )


def violation_in(exc: BaseException) -> Violation | None:
    """The Violation an exception is or holds (Hypothesis wraps flaky ones in a group)."""
    if isinstance(exc, Violation):
        return exc
    for inner in getattr(exc, "exceptions", ()) or ():
        found = violation_in(inner)
        if found is not None:
            return found
    cause = exc.__cause__ or exc.__context__
    return violation_in(cause) if cause is not None and cause is not exc else None


def _is_hypothesis_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("hypothesis")


@dataclass
class Tally:
    """What one generated test found, per requirement (see the module docstring)."""

    verify: Verify
    what: str  # "generated requests" / "state-machine steps": the unit the pass counts count
    passes: Counter = field(default_factory=Counter)
    advisory: dict[str, tuple[Finding, str]] = field(default_factory=dict)
    examples: int = 0
    # Shrinking replays the failing example many times against the target; past this many seconds
    # after the first failure the examples stop sending requests and the smallest failure seen so
    # far is reported (Hypothesis then calls the run "flaky": the failure did not come back).
    shrink_budget_s: float = 10.0  # the effort level's (``Effort.shrink_budget_s``)
    first_failure_at: float | None = None
    best: Violation | None = None
    size: int = 0  # requests of the best failure

    def raise_blocking(self, blocking: list[Finding], where: str, replay: str, size: int) -> None:
        violation = Violation(blocking, where, replay)
        if self.first_failure_at is None:
            self.first_failure_at = time.monotonic()
        if self.best is None or size < self.size:
            self.best, self.size = violation, size
        raise violation

    def exhausted(self) -> bool:
        """Whether the shrinking budget is spent: examples should then do nothing."""
        return (
            self.first_failure_at is not None
            and time.monotonic() - self.first_failure_at > self.shrink_budget_s
        )

    def outcome(self, exc: BaseException) -> Violation:
        """The Violation to report for what a Hypothesis run raised; re-raise anything else.

        Normally what Hypothesis raises at the end is the shrunk failure. When the budget stopped
        the shrinking, or the target's answers depended on earlier examples so that Hypothesis
        could not replay a failure, the smallest failure seen is reported instead.
        """
        found = violation_in(exc)
        if self.best is not None and (self.exhausted() or found is None) and _is_hypothesis_error(exc):
            return self.best
        if found is None:
            if self.best is not None:
                return self.best
            raise exc
        return found

    def blocking(self, finding: Finding) -> bool:
        return blocks(self.verify.level(finding.requirement), self.verify.strict)

    def add(self, findings: Iterable[Finding], where: str, replay: Any = None) -> list[Finding]:
        """Count ``findings``; keep the first advisory failure per requirement; return the blocking ones.

        ``replay`` is a callable giving the replay script (rendered only when needed).
        """
        blocking: list[Finding] = []
        for f in findings:
            if f.passed:
                self.passes[f.requirement] += 1
            elif self.blocking(f):
                blocking.append(f)
            elif f.requirement not in self.advisory:
                self.advisory[f.requirement] = (
                    f,
                    f"{where}\n{REPLAY_HEADING}\n{replay()}" if replay else where,
                )
        return blocking

    def record(self, final: Violation | None, note: str = "") -> None:
        """Write the tally through ``verify``: failures first, then one passing check per requirement."""
        failed: set[str] = set()
        if final is not None:
            for n, f in enumerate(final.findings):
                failed.add(f.requirement)
                message = f"{f.message} [{f.check}] at {final.where}"
                if final.replay:  # once, with the first finding: the same requests show them all
                    message += f"\n{REPLAY_HEADING}\n{final.replay}" if n == 0 else " (replay: see above)"
                self.verify.that(f.requirement, False, message, expected=f.expected, actual=f.actual)
        for req, (f, where) in self.advisory.items():
            failed.add(req)
            self.verify.that(
                req, False, f"{f.message} [{f.check}] at {where}", expected=f.expected, actual=f.actual
            )
        suffix = f"; {note}" if note else ""
        for req, n in sorted(self.passes.items()):
            if req not in failed:
                self.verify.that(
                    req, True, f"held in {n} check{'s' if n != 1 else ''} over {self.what}{suffix}"
                )
