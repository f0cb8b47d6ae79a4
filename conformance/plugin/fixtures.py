"""The fixtures a suite test asks for: the profile, the effort, the target's capabilities and catalog,
the run's registry of what it created, the three clients and ``verify``.

A fixture that needs the target starts the harness when collection did not (a test run without
suite items selected at collection, e.g. one driven by another plugin); a target that cannot be
used then ends the run with the usage-error status. The clients append every exchange to the
test's transcript, which ``verify`` ties each check to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from conformance.plugin.effort import EFFORTS, Effort
from conformance.plugin.items import level_of
from conformance.plugin.keys import harness_of, item_state
from conformance.plugin.options import SettingsError
from conformance.plugin.probe import Capabilities, StartError
from conformance.plugin.summary import EXIT_TARGET_UNAVAILABLE
from conformance.plugin.tracks import TrackAllocator
from conformance.verify import Verify

if TYPE_CHECKING:
    from conformance.cleanup import Registry
    from conformance.client import Client
    from conformance.plugin.per_test import ItemState
    from conformance.plugin.session import Harness
    from conformance.profiles import Profile


def _started(request: pytest.FixtureRequest) -> Harness:
    harness = harness_of(request.config)
    if not harness.started:
        try:
            harness.start()
        except (StartError, SettingsError) as exc:
            pytest.exit(
                f"groove-conformance: cannot run the suite: {exc}", returncode=EXIT_TARGET_UNAVAILABLE
            )
    return harness


def _state(request: pytest.FixtureRequest) -> ItemState | None:
    node = request.node
    return item_state(node) if isinstance(node, pytest.Item) else None


@pytest.fixture(scope="session")
def profile(request: pytest.FixtureRequest) -> Profile:
    """The profile (dialect) under test."""
    return harness_of(request.config).profile


@pytest.fixture(scope="session")
def effort(request: pytest.FixtureRequest) -> Effort:
    """How hard generated tests try (``--conformance-level``)."""
    return EFFORTS[harness_of(request.config).settings.effort]


@pytest.fixture(scope="session")
def capabilities(request: pytest.FixtureRequest) -> Capabilities:
    """What the probe found: ``capabilities.require_browse()`` skips without browse."""
    return _started(request).capabilities


@pytest.fixture(scope="session")
def catalog(request: pytest.FixtureRequest) -> TrackAllocator:
    """The target's catalog as this run may use it: ``catalog.take(n)`` valid IDs, ``catalog.invalid(n)``."""
    allocator = _started(request).tracks
    assert allocator is not None
    return allocator


@pytest.fixture(scope="session")
def created(request: pytest.FixtureRequest) -> Registry:
    """What this run created (removed at the end); ``created.name("label")`` gives a run-prefixed name."""
    harness = _started(request)
    request.addfinalizer(harness.cleanup)
    assert harness.registry is not None
    return harness.registry


def _client_for(request: pytest.FixtureRequest, user: str) -> Client:
    """``user``'s client, logging into the requesting test's transcript."""
    harness = _started(request)
    if user == "other" and not harness.has_user("other"):
        pytest.skip("needs --other-user-token")
    state = _state(request)
    return harness.client(user, state.exchanges if state else None)


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Client:
    """The test user's client; every exchange lands in this test's transcript."""
    return _client_for(request, "user")


@pytest.fixture
def other_client(request: pytest.FixtureRequest) -> Client:
    """The second user's client (skipped without ``--other-user-token``)."""
    return _client_for(request, "other")


@pytest.fixture
def anon_client(request: pytest.FixtureRequest) -> Client:
    """A client that sends no user credential (the developer token still goes, in xbox-2013)."""
    return _client_for(request, "anon")


@pytest.fixture
def verify(request: pytest.FixtureRequest) -> Verify:
    """Record checks per requirement; see conformance.verify."""
    state = _state(request)
    if state is None:
        pytest.fail(
            "verify is for conformance suite tests (marked with @pytest.mark.requirement)", pytrace=False
        )
    harness = harness_of(request.config)
    state.verify = Verify(
        state.requirements,
        state.checks,
        level_of=level_of,
        strict=harness.settings.strict,
        transcript=state.exchanges,
    )
    return state.verify
