"""The pytest plugin of the conformance suite: this module wires the hooks and fixtures together.

Registered through the ``pytest11`` entry point ``conformance.plugin``, so it is loaded by every
pytest run of an environment where groove-conformance is installed; pytest reads the hooks and
fixtures from this module's namespace, which is why they are imported here. It only acts on the
conformance suite's items (those under a package named by the ``conformance_suite_packages`` ini
option, ``conformance.suite`` by default, and any test carrying ``@pytest.mark.requirement``);
``pytest tests`` of this project, or of any other project, is left alone.

A suite run goes like this, one module per step:

1. ``options``: the options come from the command line or the environment (``GROOVE_*``), each
   declared once; tokens are kept out of every repr, terminal line and report. ``rootdir`` keeps
   pytest from taking an option's value for a test path;
2. ``items``: after collection, when suite items are selected, the tests of the other dialect are
   dropped and the ``session.Harness`` starts the target: without ``--target`` the reference
   emulator on a free loopback port (two generated users, a developer token, the built-in
   catalog). ``probe`` finds out what the target can do; when it cannot be used the run stops
   with one line and exit status ``EXIT_TARGET_UNAVAILABLE``;
3. ``per_test``: each test gets a record (``records.TestRecord``): its ``verify`` checks
   (``fixtures``) and the transcript of every exchange its clients made; a failed MUST check (any
   check under ``--strict``) fails the test at the end, with expected vs actual. ``bound`` stops
   the run early when asked to;
4. ``xdist``: records travel to the pytest-xdist controller on the teardown report and are
   merged there;
5. ``summary``: at the end, what the run created is removed (``cleanup.Registry``), the emulator
   is stopped, and the records go to ``conformance.report``, whose verdict is the exit status: 0
   when no requirement failed (SHOULD failures are advisory unless strict), 1 otherwise.

Code outside the plugin reads the run through ``harness_of(config)``, ``item_state(item)`` and
``level_of(req_id)``.
"""

from __future__ import annotations

import pytest

from conformance.ownership import new_run_id
from conformance.plugin.effort import DEFAULT_EFFORT, EFFORTS, Effort
from conformance.plugin.fixtures import (
    anon_client,
    capabilities,
    catalog,
    client,
    created,
    effort,
    other_client,
    profile,
    verify,
)
from conformance.plugin.items import (
    MARKER,
    add_marker,
    level_of,
    marker_ids,
    pytest_collect_file,
    pytest_collection_modifyitems,
    pytest_pycollect_makeitem,
)
from conformance.plugin.keys import HARNESS_KEY, harness_of, item_state
from conformance.plugin.options import (
    DEFAULT_MAX_TRANSPORT_FAILURES,
    Settings,
    SettingsError,
    add_pytest_options,
)
from conformance.plugin.per_test import (
    pytest_fixture_setup,
    pytest_runtest_call,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_runtest_teardown,
)
from conformance.plugin.probe import Capabilities, StartError, probe
from conformance.plugin.rootdir import pytest_load_initial_conftests
from conformance.plugin.session import EMBEDDED_MODE_VAR, Harness
from conformance.plugin.summary import (
    EXIT_TARGET_UNAVAILABLE,
    EXIT_USAGE_ERROR,
    RecordCollector,
    pytest_sessionfinish,
    pytest_terminal_summary,
    read_baseline,
)
from conformance.plugin.tracks import TrackAllocator
from conformance.plugin.xdist import XdistController, controller_run_id


def pytest_addoption(parser: pytest.Parser) -> None:
    add_pytest_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    add_marker(config)
    try:
        settings = Settings.from_config(config)
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    harness = Harness(config, settings, controller_run_id(config) or new_run_id())
    config.stash[HARNESS_KEY] = harness
    if settings.baseline and not harness.is_worker:
        harness.baseline = read_baseline(settings.baseline)
    if not harness.is_worker:
        config.pluginmanager.register(RecordCollector(harness), "groove-conformance-records")
    if config.pluginmanager.hasplugin("xdist") and not harness.is_worker:
        config.pluginmanager.register(XdistController(harness), "groove-conformance-xdist")


__all__ = [
    # what the suite, the fuzz tests, the CLI and the benchmarks import
    "DEFAULT_MAX_TRANSPORT_FAILURES",
    "DEFAULT_EFFORT",
    "EFFORTS",
    "EMBEDDED_MODE_VAR",
    "EXIT_TARGET_UNAVAILABLE",
    "EXIT_USAGE_ERROR",
    "MARKER",
    "Capabilities",
    "Effort",
    "Harness",
    "Settings",
    "SettingsError",
    "StartError",
    "TrackAllocator",
    "harness_of",
    "item_state",
    "level_of",
    "marker_ids",
    "probe",
    # the hooks and fixtures pytest reads from this module
    "anon_client",
    "capabilities",
    "catalog",
    "client",
    "created",
    "effort",
    "other_client",
    "profile",
    "pytest_addoption",
    "pytest_collect_file",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_fixture_setup",
    "pytest_load_initial_conftests",
    "pytest_pycollect_makeitem",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "verify",
]
