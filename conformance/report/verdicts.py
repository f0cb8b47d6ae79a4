"""One verdict per requirement, from every test record that names it.

The rules are those of docs/architecture.md ("Verdicts").  A marker is a claim that a test checks
a requirement, not evidence that it holds: only checks (``CheckResult``) of that very requirement
count for it, and a failure outside the checks counts against the whole marker.

* ``failed``          a check of a MUST requirement failed (of any level under ``--strict``), or a
                      test naming it failed outside its checks (an ``assert``, an exception, an
                      error in setup or teardown): such a test counts against every requirement in
                      its marker, checked or not;
* ``advisory-failed`` only checks of a SHOULD (or MAY) requirement failed, without ``--strict``;
* ``passed``          at least one passing check of it, nothing against it;
* ``skipped``         no check of it, nothing against it, and at least one test naming it was
                      skipped (their reasons are kept);
* ``not-tested``      no check of it, nothing against it, no test of it skipped: no test names it,
                      or the tests that name it ran and made no check of it (``Judgement.unchecked``
                      lists them, and the report says so in a note).

A test that names a requirement, ran (passed, or failed only through failed checks of other
requirements) and made no check of it contributes nothing to its verdict, neither for nor against.
A check made before a test skipped still counts: it was made.

Requirements of another profile than the run's are not judged at all: ``build_report`` leaves
them out (report.json lists them under ``not_applicable``) and passes them here as
``not_applicable``, so that a test naming one cannot give it a verdict.

Per operation, the same rules are applied to the evidence of that operation alone
(``operation_scope``): a check counts under the operation of the request it judged
(``CheckResult.operation``), so a requirement of seven operations that fails on browse is failed
under browse and, elsewhere, whatever those operations' own checks say (``not-tested`` without
any).  The requirement's own verdict is the one above, from all of its evidence.

``expected-failure`` is not computed here: it is a ``failed`` verdict that a baseline lists
(see ``baseline.py``).  A MAY requirement is treated like a SHOULD one: advisory unless ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.catalogue import blocks
from conformance.records import CheckResult, TestRecord

FAILED = "failed"
EXPECTED_FAILURE = "expected-failure"
ADVISORY_FAILED = "advisory-failed"
PASSED = "passed"
SKIPPED = "skipped"
NOT_TESTED = "not-tested"
# Not a verdict: a requirement of another profile, listed apart (report.json ``not_applicable``)
# and never counted with the verdicts.
NOT_APPLICABLE = "not-applicable"

# Worst first: the order of summaries, tables and filters.
VERDICTS: tuple[str, ...] = (FAILED, EXPECTED_FAILURE, ADVISORY_FAILED, PASSED, SKIPPED, NOT_TESTED)


@dataclass
class Failure:
    """One reason a requirement did not hold: a failed check, or a test that failed outside checks."""

    record: TestRecord
    kind: str  # "check" or "test"
    message: str
    expected: str | None
    actual: str | None
    operation: str | None = None  # of the failed check (CheckResult.operation)


@dataclass
class Judgement:
    """The verdict of one requirement and the evidence behind it."""

    requirement: str
    level: str
    verdict: str
    tests: list[tuple[TestRecord, list[CheckResult]]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skip_reasons: list[tuple[str, str]] = field(default_factory=list)  # (nodeid, reason)
    # Tests that name it in their marker, ran, and made no check of it: they count for nothing.
    unchecked: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        """What a reader (a suite author above all) should know about markers that check nothing."""
        n = len(self.unchecked)
        if not n:
            return None
        tests = f"{n} test{'s' if n != 1 else ''}"
        if self.verdict == NOT_TESTED:
            return f"named by {tests}, none checked it"
        return f"also named by {tests} that ran and made no check of it (they count neither way)"


def _failed_outside_checks(record: TestRecord, levels: dict[str, str], strict: bool) -> bool:
    """True when the test's failure is not explained by a failed check that fails a test."""
    if record.outcome == "error":
        return True
    if record.outcome != "failed":
        return False
    return not any(not c.passed and blocks(levels.get(c.requirement, "MUST"), strict) for c in record.checks)


# Whether one piece of evidence counts: (record, requirement ID, its check, or None for what the
# test as a whole says of the requirement: a failure outside checks, a skip, a marker unchecked).
Scope = Callable[[TestRecord, str, CheckResult | None], bool]


def judge(
    levels: dict[str, str],
    records: Iterable[TestRecord],
    *,
    strict: bool,
    not_applicable: Iterable[str] = (),
    scope: Scope | None = None,
) -> dict[str, Judgement]:
    """Verdicts for every requirement in ``levels`` (ID -> level) and any other ID a record names.

    ``levels`` is the catalogue reduced to what the verdict needs, so that this module can be
    used (and tested) without loading the catalogue.  IDs in ``not_applicable`` (requirements of
    another profile) are never judged, whatever the records say of them.  ``scope`` keeps only
    some of the evidence (``operation_scope``: what bears on one operation); whether a test
    failed outside its checks is still read from the whole record.
    """
    records = list(records)
    excluded = set(not_applicable)
    judgements: dict[str, Judgement] = {
        rid: Judgement(rid, level, NOT_TESTED) for rid, level in levels.items() if rid not in excluded
    }
    evidence: dict[str, dict[str, bool]] = {}  # id -> {"pass": .., "fail": .., "block": ..}

    for record in records:
        named = list(dict.fromkeys([*record.requirements, *(c.requirement for c in record.checks)]))
        outside = _failed_outside_checks(record, levels, strict)
        for rid in named:
            if rid in excluded:
                continue
            j = judgements.setdefault(rid, Judgement(rid, levels.get(rid, "MUST"), NOT_TESTED))
            ev = evidence.setdefault(rid, {"pass": False, "fail": False, "block": False})
            checks = [
                c for c in record.checks if c.requirement == rid and (scope is None or scope(record, rid, c))
            ]
            whole = scope is None or scope(record, rid, None)
            if not checks and not whole:
                continue
            j.tests.append((record, checks))
            for c in checks:  # checks count whatever became of the test afterwards
                if c.passed:
                    ev["pass"] = True
                else:
                    ev["fail"] = True
                    ev["block"] |= blocks(j.level, strict)
                    j.failures.append(Failure(record, "check", c.message, c.expected, c.actual, c.operation))
            if outside and rid in record.requirements and whole:
                ev["fail"] = True
                ev["block"] |= blocks(j.level, strict)
                what = (
                    "the test errored" if record.outcome == "error" else "the test failed outside its checks"
                )
                j.failures.append(
                    Failure(record, "test", record.message or "no message", "the test runs to its end", what)
                )
            elif not checks and record.outcome == "skipped":
                j.skip_reasons.append((record.nodeid, record.message or "no reason given"))
            elif not checks and record.outcome in ("passed", "failed"):
                # It ran and looked at something else: a claim in its marker, no evidence either way.
                j.unchecked.append(record.nodeid)

    for j in judgements.values():
        ev = evidence.get(j.requirement, {})
        if ev.get("fail"):
            j.verdict = FAILED if ev["block"] else ADVISORY_FAILED
        elif ev.get("pass"):
            j.verdict = PASSED
        elif j.skip_reasons:
            j.verdict = SKIPPED
        else:
            j.verdict = NOT_TESTED
    return judgements


def operations_of(record: TestRecord, operations: Sequence[str], check: CheckResult | None) -> set[str]:
    """Which of a requirement's ``operations`` a piece of evidence bears on.

    A check counts under the operation it judged (``CheckResult.operation``: the request the test
    had sent last).  What a test says as a whole (and a check made after a request of another
    operation, say a read-back browse) counts under the requirement's operations that the test's
    checks judged.  Only when nothing ties it to one does it count under all of them, so that a
    failure is never hidden.
    """
    if check is not None and check.operation in operations:
        return {check.operation}
    exercised = {c.operation for c in record.checks if c.operation in operations}
    return exercised or set(operations)


def operation_scope(operation: str, operations: Mapping[str, Sequence[str]]) -> Scope:
    """The evidence that bears on ``operation``; ``operations`` maps requirement IDs to theirs."""

    def keep(record: TestRecord, rid: str, check: CheckResult | None) -> bool:
        return operation in operations_of(record, operations.get(rid, ()), check)

    return keep


def verdicts_by_operation(requirement: Mapping[str, Any]) -> dict[str, str]:
    """A report.json requirement's verdict per operation (``general`` when it names none).

    Reports written before per-operation verdicts existed hold only the overall one: it stands
    under each of the requirement's operations, as those reports showed it.
    """
    by_op = requirement.get("by_operation")
    if isinstance(by_op, Mapping) and by_op:
        return dict(by_op)
    return dict.fromkeys(requirement.get("operations") or ["general"], requirement["verdict"])


def count(items: Iterable[str]) -> dict[str, int]:
    """Counts per verdict, every verdict present (zeros included) so tables line up."""
    counts: dict[str, Any] = dict.fromkeys(VERDICTS, 0)
    for v in items:
        counts[v] = counts.get(v, 0) + 1
    return counts


# One sentence per verdict, for readers who never saw the project (HTML legend, CLI output).
VERDICT_HELP: dict[str, str] = {
    FAILED: "a MUST requirement (or, under --strict, any requirement) does not hold: a check of it failed, "
    "or a test naming it stopped outside its checks. This fails the run.",
    EXPECTED_FAILURE: "failed, but listed in the baseline as a known failure: it does not fail the run.",
    ADVISORY_FAILED: "a SHOULD or MAY requirement does not hold: reported, but the run still passes.",
    PASSED: "at least one check of this very requirement passed and nothing counted against it.",
    SKIPPED: "no check of it was made: a test of it was skipped because the target could not show it "
    "(the reason is given).",
    NOT_TESTED: "no check of it was made: no test names it, or the tests that name it made no check of it "
    "(the report says how many).",
}
# The same for requirements that are not judged at all.
NOT_APPLICABLE_HELP = (
    "the requirement belongs to another profile (dialect) than the one tested: not judged, not counted."
)
