"""pytest-xdist plumbing: one run ID for every worker, and what each worker tells the controller.

Under pytest-xdist every worker is a pytest process of its own, with its own ``Harness`` (and its
own embedded emulator). The controller hands each worker the run's ID (``workerinput``), so that
what the workers create carries one prefix and one journal name; at the end each worker puts its
``Harness.worker_output`` in ``workeroutput`` and the controller gathers them for the report and
the terminal summary. The records themselves travel on the test reports (``per_test``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance.worker_lock import remove_files

if TYPE_CHECKING:
    from xdist.workermanage import WorkerController

    from conformance.plugin.session import Harness

RUN_ID_KEY = "groove_run_id"  # in workerinput
OUTPUT_KEY = "groove"  # in workeroutput


def controller_run_id(config: pytest.Config) -> str | None:
    """In a worker, the run ID the controller gave it; None in the controller or without xdist."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput.get(RUN_ID_KEY) if workerinput else None


def send_to_controller(config: pytest.Config, output: dict[str, Any]) -> None:
    """In a worker: what the controller gets back when the worker ends."""
    config.workeroutput[OUTPUT_KEY] = output  # type: ignore[attr-defined]


class XdistController:
    """Controller-side hooks: hand the run ID to workers, gather what they report."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: WorkerController) -> None:
        node.workerinput[RUN_ID_KEY] = self.harness.run_id

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Every worker is down: the lock and snapshot files of workers sharing a target go."""
        remove_files(self.harness.run_id)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: WorkerController, error: object | None) -> None:
        out = getattr(node, "workeroutput", {}).get(OUTPUT_KEY)
        if out:
            self.harness.worker_outputs.append(out)
