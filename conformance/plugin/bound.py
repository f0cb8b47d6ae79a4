"""``RunBound``: when to stop a run early, from ``--max-transport-failures`` and ``--run-deadline``.

A target that has gone away makes every further test wait out its request timeouts, and a CI gate
may want a run to end by a given time; either way the run stops through pytest's own
``session.shouldstop`` after the test that crossed the bound, and still cleans up and reports
(the report says the run was stopped). The bound is judged when a suite test ends
(``conformance.plugin.per_test``).
"""

from __future__ import annotations


class RunBound:
    """When to stop a run early (``session.shouldstop``), judged each time a suite test ends.

    Two user options: ``--max-transport-failures N`` (N consecutive tests that failed with a
    ``TransportError``: the target is gone; a test that got its answers resets the count, a skip
    leaves it) and ``--run-deadline S`` (no test is started once S seconds of run time have passed).
    Each pytest process judges its own tests: under pytest-xdist every worker counts apart.
    """

    def __init__(self, max_transport_failures: int, deadline_s: float | None, started: float) -> None:
        self.max_transport_failures = max_transport_failures
        self.deadline_s = deadline_s
        self.started = started
        self.consecutive = 0
        self.reason: str | None = None

    def test_ended(self, outcome: str, transport_failure: bool, now: float) -> str | None:
        """The reason to stop after a test with ``outcome``, or None; the first reason stays."""
        if transport_failure:
            self.consecutive += 1
        elif outcome != "skipped":
            self.consecutive = 0
        if self.reason is None:
            if self.max_transport_failures and self.consecutive >= self.max_transport_failures:
                self.reason = (
                    f"stopped after {self.consecutive} consecutive tests without a usable answer "
                    f"from the target (--max-transport-failures {self.max_transport_failures})"
                )
            elif self.deadline_s is not None and now - self.started >= self.deadline_s:
                self.reason = f"stopped at the run deadline ({self.deadline_s:g} s, --run-deadline)"
        return self.reason
