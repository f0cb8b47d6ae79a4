"""Hypothesis settings of the generated tests, from the plugin's ``--conformance-level``.

``conformance.plugin.EFFORTS`` says how many examples per operation and how many state-machine runs
and steps an effort level buys; this module only turns that into Hypothesis settings. Every run is
derandomized (the examples depend on the test, not on a seed drawn at start-up) and keeps no
example database, so the same effort against the same target repeats the same requests: a failure
found in CI is found again by re-running the same command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, settings

if TYPE_CHECKING:
    from conformance.plugin import Effort

REPRODUCIBLE = "derandomized: the same command repeats the same generated requests"

_COMMON: dict[str, Any] = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    # The target is a network server: slow examples and filtered draws are its nature, not a bug
    # of the strategies.
    "suppress_health_check": list(HealthCheck),
    # One failure, shrunk, is what a report can show; the rest would be repeats of it.
    "report_multiple_bugs": False,
    # "explain" re-runs variants of the failing example against the server to comment on it:
    # costly on a network target, and the replay script says more.
    "phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    "print_blob": False,
}


def contract_settings(effort: Effort) -> settings:
    """Settings of one generated test of one operation (positive or negative data)."""
    return settings(max_examples=effort.examples_per_operation, **_COMMON)


def machine_settings(effort: Effort) -> settings:
    """Settings of the collection state machine: runs and steps per run."""
    return settings(
        max_examples=effort.state_machine_examples,
        stateful_step_count=effort.state_machine_steps,
        **_COMMON,
    )


def links_settings(effort: Effort) -> settings:
    """Settings of schemathesis' state machine over the OpenAPI links: runs and steps per run."""
    return settings(max_examples=effort.links_examples, stateful_step_count=effort.links_steps, **_COMMON)
