"""Suite-wide: the error envelope of every answer each test saw (``helpers/envelope.py``).

Run as the innermost ``pytest_runtest_call`` wrapper (``trylast``), right after the test function:
its checks join the test's own, so the plugin's end-of-test judgement (a failed MUST check fails the
test) covers them too. A test that made no ``verify`` call is failed here when an envelope check of
a MUST requirement failed. The checks are made per test, on its own transcript, so they work the
same under pytest-xdist.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from conformance.plugin import harness_of, item_state, level_of
from conformance.suite.helpers import envelope
from conformance.verify import Verify


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    state = item_state(item)
    if state is None:
        return (yield)
    harness = harness_of(item.config)
    try:
        result = yield
    except BaseException:
        state.checks.extend(envelope.checks(state.exchanges, harness.profile))
        raise
    state.checks.extend(envelope.checks(state.exchanges, harness.profile))
    if state.verify is None:
        judge = Verify(state.requirements, state.checks, level_of=level_of, strict=harness.settings.strict)
        if judge.blocking_failures():
            pytest.fail(judge.summary(), pytrace=False)
    return result
