"""One suite test while it runs: its ``ItemState`` and the hooks that fill, judge and hand it on.

Each suite test gets an ``ItemState`` at setup: the requirements its marker names, the checks its
``verify`` records and every exchange its clients made. After the call a failed blocking check (a
MUST check, any check under ``--strict``) fails the test, with expected vs actual. At teardown the
state becomes a ``records.TestRecord`` attached to the report, which is how pytest-xdist carries it
to the controller; and the run's ``RunBound`` is asked whether to stop.

After its fixtures are torn down, what the test created is removed (``Harness.remove_test_data``):
read-backs read whole lists, so a collection that kept every earlier test's tracks would make each
later read-back page through all of them. What a fixture wider than one test creates is held to the
end of the run (``pytest_fixture_setup``), where the usual cleanup removes it.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from conformance.client import GuardError, TransportError
from conformance.plugin.items import is_suite_item, marker_ids
from conformance.plugin.keys import STATE_KEY, harness_of, item_state
from conformance.records import CheckResult, Exchange, TestRecord
from conformance.verify import VerifyUsageError

if TYPE_CHECKING:
    from conformance.verify import Verify

MESSAGE_CAP = 4000  # characters of a failure message kept in the record


@dataclass
class ItemState:
    """The record of one suite test while it runs."""

    requirements: list[str]
    checks: list[CheckResult] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    verify: Verify | None = None
    outcome: str | None = None
    message: str | None = None
    duration: float = 0.0
    transport_failure: bool = False  # the test ended on a TransportError (see RunBound)
    mark: int | None = None  # where the test began in the run's ledger (its data is removed after it)

    def absorb(self, report: pytest.TestReport, call: pytest.CallInfo[None]) -> None:
        self.duration += report.duration
        if report.skipped:
            self.outcome = "skipped"
            self.message = _skip_reason(report)
        elif report.failed:
            text = _failure_text(call)
            if report.when == "call":
                self.outcome, self.message = "failed", text
            elif self.outcome in (None, "passed"):
                self.outcome, self.message = "error", f"{report.when}: {text}"
        elif report.when == "call":
            self.outcome = "passed"

    def record(self, nodeid: str) -> TestRecord:
        return TestRecord(
            nodeid=nodeid,
            requirements=list(self.requirements),
            outcome=self.outcome or "error",
            duration_s=round(self.duration, 4),
            message=self.message,
            checks=list(self.checks),
            exchanges=list(self.exchanges),
        )


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
    else:
        reason = str(longrepr)
    return reason.removeprefix("Skipped: ")


def _failure_text(call: pytest.CallInfo[None]) -> str:
    if call.excinfo is None:
        return "failed"
    exc = call.excinfo.value
    if isinstance(exc, pytest.fail.Exception):
        text = str(exc.msg)
    elif isinstance(exc, TransportError | GuardError | VerifyUsageError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = call.excinfo.exconly()
    return text if len(text) <= MESSAGE_CAP else text[: MESSAGE_CAP - 1] + "…"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not is_suite_item(item):
        return
    item.stash[STATE_KEY] = ItemState(requirements=marker_ids(item), mark=harness_of(item.config).mark())


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    """A fixture wider than one test: what it creates stays to the end of the run."""
    registry = harness_of(request.config).registry
    if fixturedef.scope == "function" or registry is None:
        return (yield)
    with registry.holding():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    try:
        return (yield)
    finally:
        state = item_state(item)
        if state is not None:
            harness_of(item.config).remove_test_data(state.mark)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    state = item_state(item)
    if state is not None and state.verify is not None and state.verify.blocking_failures():
        pytest.fail(state.verify.summary(), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item_state(item)
    if state is None:
        return report
    if call.excinfo is not None and call.excinfo.errisinstance(
        (TransportError, GuardError, VerifyUsageError)
    ):
        report.longrepr = f"{type(call.excinfo.value).__name__}: {call.excinfo.value}"
        state.transport_failure |= call.excinfo.errisinstance(TransportError)
    state.absorb(report, call)
    report.groove_suite = True  # a suite test's failure is judged by the report, not counted here
    if report.when == "teardown":
        # Attached to the report so that pytest-xdist carries it to the controller.
        report.groove_record = state.record(item.nodeid).to_dict()
        reason = harness_of(item.config).bound.test_ended(
            state.outcome or "error", state.transport_failure, time.monotonic()
        )
        if reason and not item.session.shouldstop:
            # pytest (and a pytest-xdist worker) ends after this test; cleanup and the report
            # still happen at session finish.
            item.session.shouldstop = reason
    return report
