"""Suite-wide: the error envelope of every answer each test saw (``helpers/envelope.py``).

Run as the innermost ``pytest_runtest_call`` wrapper (``trylast``), right after the test function:
its checks join the test's own, so the plugin's end-of-test judgement (a failed MUST check fails the
test) covers them too. A test that made no ``verify`` call is failed here when an envelope check of
a MUST requirement failed. The checks are made per test, on its own transcript, so they work the
same under pytest-xdist.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import plugin
from conformance.suite.helpers import envelope
from conformance.verify import Verify


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    state = item.stash.get(plugin.STATE_KEY, None)
    if state is None:
        return (yield)
    harness = item.config.stash[plugin.HARNESS_KEY]
    try:
        result = yield
    except BaseException:
        state.checks.extend(envelope.checks(state.exchanges, harness.profile))
        raise
    state.checks.extend(envelope.checks(state.exchanges, harness.profile))
    if state.verify is None:
        judge = Verify(
            state.requirements, state.checks, level_of=plugin._level_of, strict=harness.settings.strict
        )
        if judge.blocking_failures():
            pytest.fail(judge.summary(), pytrace=False)
    return result
