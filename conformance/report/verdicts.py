"""One verdict per requirement, from every test record that names it.

The rules are those of docs/architecture.md ("Verdicts"):

* ``failed``          a check of a MUST requirement failed (of any level under ``--strict``), or a
                      test naming it failed outside its checks (an ``assert``, an exception, an
                      error in setup): such a test counts against every requirement in its marker;
* ``advisory-failed`` only checks of a SHOULD (or MAY) requirement failed, without ``--strict``;
* ``passed``          at least one passing check or passing test, nothing failed;
* ``skipped``         every test naming it was skipped (their reasons are kept);
* ``not-tested``      no test names it.

``expected-failure`` is not computed here: it is a ``failed`` verdict that a baseline lists
(see ``baseline.py``).

A MAY requirement is treated like a SHOULD one: advisory unless ``--strict``.  A test counts as
passing evidence for a requirement of its marker that it made no check of, as long as the test
ran to its end (it passed, or failed only through recorded checks): its plain ``assert``s held.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.records import CheckResult, TestRecord

FAILED = "failed"
EXPECTED_FAILURE = "expected-failure"
ADVISORY_FAILED = "advisory-failed"
PASSED = "passed"
SKIPPED = "skipped"
NOT_TESTED = "not-tested"

# Worst first: the order of summaries, tables and filters.
VERDICTS: tuple[str, ...] = (FAILED, EXPECTED_FAILURE, ADVISORY_FAILED, PASSED, SKIPPED, NOT_TESTED)
LEVELS: tuple[str, ...] = ("MUST", "SHOULD", "MAY")


def blocks(level: str, strict: bool) -> bool:
    """Whether a failure of a requirement of ``level`` fails the run (and the test)."""
    return strict or level not in ("SHOULD", "MAY")


@dataclass
class Failure:
    """One reason a requirement did not hold: a failed check, or a test that failed outside checks."""

    record: TestRecord
    kind: str  # "check" or "test"
    message: str
    expected: str | None
    actual: str | None


@dataclass
class Judgement:
    """The verdict of one requirement and the evidence behind it."""

    requirement: str
    level: str
    verdict: str
    tests: list[tuple[TestRecord, list[CheckResult]]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skip_reasons: list[tuple[str, str]] = field(default_factory=list)  # (nodeid, reason)


def _failed_outside_checks(record: TestRecord, levels: dict[str, str], strict: bool) -> bool:
    """True when the test's failure is not explained by a failed check that fails a test."""
    if record.outcome == "error":
        return True
    if record.outcome != "failed":
        return False
    return not any(not c.passed and blocks(levels.get(c.requirement, "MUST"), strict) for c in record.checks)


def judge(levels: dict[str, str], records: Iterable[TestRecord], *, strict: bool) -> dict[str, Judgement]:
    """Verdicts for every requirement in ``levels`` (ID -> level) and any ID a record names.

    ``levels`` is the catalogue reduced to what the verdict needs, so that this module can be
    used (and tested) without loading the catalogue.
    """
    records = list(records)
    judgements: dict[str, Judgement] = {
        rid: Judgement(rid, level, NOT_TESTED) for rid, level in levels.items()
    }
    evidence: dict[str, dict[str, bool]] = {}  # id -> {"pass": .., "fail": .., "block": ..}

    for record in records:
        named = list(dict.fromkeys([*record.requirements, *(c.requirement for c in record.checks)]))
        outside = _failed_outside_checks(record, levels, strict)
        for rid in named:
            j = judgements.setdefault(rid, Judgement(rid, levels.get(rid, "MUST"), NOT_TESTED))
            ev = evidence.setdefault(rid, {"pass": False, "fail": False, "block": False, "ran": False})
            checks = [c for c in record.checks if c.requirement == rid]
            j.tests.append((record, checks))
            if record.outcome == "skipped" and not checks:
                j.skip_reasons.append((record.nodeid, record.message or "no reason given"))
                continue
            ev["ran"] = True
            for c in checks:
                if c.passed:
                    ev["pass"] = True
                else:
                    ev["fail"] = True
                    ev["block"] |= blocks(j.level, strict)
                    j.failures.append(Failure(record, "check", c.message, c.expected, c.actual))
            if outside and rid in record.requirements:
                ev["fail"] = True
                ev["block"] |= blocks(j.level, strict)
                what = (
                    "the test errored" if record.outcome == "error" else "the test failed outside its checks"
                )
                j.failures.append(
                    Failure(record, "test", record.message or "no message", "the test runs to its end", what)
                )
            elif record.outcome in ("passed", "failed") and not checks and rid in record.requirements:
                ev["pass"] = True  # ran to its end: its plain asserts about this requirement held

    for rid, j in judgements.items():
        ev = evidence.get(rid)
        if ev is None:
            j.verdict = NOT_TESTED
        elif ev["fail"]:
            j.verdict = FAILED if ev["block"] else ADVISORY_FAILED
        elif ev["pass"]:
            j.verdict = PASSED
        else:
            j.verdict = SKIPPED
    return judgements


def count(items: Iterable[str]) -> dict[str, int]:
    """Counts per verdict, every verdict present (zeros included) so tables line up."""
    counts: dict[str, Any] = dict.fromkeys(VERDICTS, 0)
    for v in items:
        counts[v] = counts.get(v, 0) + 1
    return counts


# One sentence per verdict, for readers who never saw the project (HTML legend, CLI output).
VERDICT_HELP: dict[str, str] = {
    FAILED: "a MUST requirement (or, under --strict, any requirement) does not hold: this fails the run.",
    EXPECTED_FAILURE: "failed, but listed in the baseline as a known failure: it does not fail the run.",
    ADVISORY_FAILED: "a SHOULD or MAY requirement does not hold: reported, but the run still passes.",
    PASSED: "at least one check of it passed and none failed.",
    SKIPPED: "every test of it was skipped, because the target could not show it (the reason is given).",
    NOT_TESTED: "no test of the suite checks this requirement.",
}
