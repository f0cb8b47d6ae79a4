"""Requirement coverage of the suite, from the catalogue and the tests' markers.

``python tests/suite/requirement_coverage.py [--json] [--scenarios]`` collects ``conformance.suite``
(nothing runs, no target starts) and prints, per requirement level, how many catalogue requirements
at least one test names in its ``@pytest.mark.requirement`` marker, which MUST requirements none
does, and how many tests each file holds (``--scenarios``: without the fuzzing files).
``tests/suite/test_coverage.py`` runs it and holds the scenarios to full MUST coverage.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections import Counter
from typing import Any

import pytest

from conformance.catalogue import load_catalogue
from conformance.plugin import marker_ids

# The suite's fuzzing files (schemathesis over openapi.yaml, the state machine), left out by --scenarios.
FUZZING = ("test_generated_contract.py", "test_state_machine.py")


class _Collector:
    def __init__(self) -> None:
        self.tests: dict[str, list[str]] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests[item.nodeid] = marker_ids(item)


def collect() -> dict[str, list[str]]:
    """nodeid -> requirement IDs of every test of the suite."""
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = pytest.main(
            ["--collect-only", "-q", "-p", "no:cacheprovider", "--pyargs", "conformance.suite"],
            plugins=[collector],
        )
    if code != 0:
        print(out.getvalue(), file=sys.stderr)
        raise SystemExit(f"collecting conformance.suite failed (pytest exit {int(code)})")
    return collector.tests


def coverage(tests: dict[str, list[str]]) -> dict[str, Any]:
    catalogue = load_catalogue()
    named = {rid for ids in tests.values() for rid in ids}
    by_level: dict[str, dict[str, int]] = {}
    for level in ("MUST", "SHOULD", "MAY"):
        ids = [r.id for r in catalogue.values() if r.level == level]
        by_level[level] = {"covered": sum(i in named for i in ids), "total": len(ids)}
    per_file = Counter(nodeid.split("::", 1)[0].rsplit("/", 1)[-1] for nodeid in tests)
    return {
        "by_level": by_level,
        "must_not_covered": sorted(
            r.id for r in catalogue.values() if r.level == "MUST" and r.id not in named
        ),
        "should_not_covered": sorted(
            r.id for r in catalogue.values() if r.level == "SHOULD" and r.id not in named
        ),
        "tests_per_file": dict(sorted(per_file.items())),
        "tests": len(tests),
    }


def main(argv: list[str]) -> int:
    tests = collect()
    if "--scenarios" in argv:  # the hand-written scenario files only
        tests = {k: v for k, v in tests.items() if not any(g in k for g in FUZZING)}
    result = coverage(tests)
    if "--json" in argv:
        print("COVERAGE-JSON " + json.dumps(result))
        return 0
    for level, c in result["by_level"].items():
        share = 100 * c["covered"] / c["total"] if c["total"] else 100
        print(f"{level:6} requirements with at least one test: {c['covered']}/{c['total']} ({share:.0f}%)")
    print(f"MUST requirements no test names: {', '.join(result['must_not_covered']) or 'none'}")
    print(f"SHOULD requirements no test names: {', '.join(result['should_not_covered']) or 'none'}")
    print(f"tests per file ({result['tests']} in all):")
    for name, n in result["tests_per_file"].items():
        print(f"  {name:40} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
