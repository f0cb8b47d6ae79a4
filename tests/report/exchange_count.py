"""A pytest plugin for a subprocess run (``-p tests.report.exchange_count``): how many exchanges
the run's records hold, written at session finish to the file ``GROOVE_TEST_EXCHANGE_COUNT``
names. Under xdist it counts in the controller, where the records of every worker are gathered:
the figure a ``--har`` file of the same run must match, counted apart from the HAR writer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.plugin import harness_of

COUNT_FILE_VAR = "GROOVE_TEST_EXCHANGE_COUNT"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    harness = harness_of(session.config)
    if harness.is_worker or COUNT_FILE_VAR not in os.environ:
        return
    total = sum(len(rec.exchanges) for rec in harness.records)
    Path(os.environ[COUNT_FILE_VAR]).write_text(f"{total} {len(harness.records)}\n", encoding="utf-8")
