"""How hard generated tests try: the effort levels behind ``--conformance-level``.

An effort level is not a requirement level (MUST/SHOULD/MAY live in ``conformance.catalogue``):
it only says how many examples schemathesis/Hypothesis generate per operation and how long the
state machines run. The table is here, apart from the options, because the generated tests
(``conformance.fuzz``) and the benchmarks read it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Effort:
    """How hard generated tests try: ``--conformance-level quick|standard|thorough``."""

    name: str
    examples_per_operation: int  # generated examples per operation (schemathesis / Hypothesis)
    state_machine_steps: int  # steps per run of the collection state machine
    state_machine_examples: int  # runs of the collection state machine
    links_steps: int  # steps per run of schemathesis' state machine over the OpenAPI links
    links_examples: int  # runs of that state machine
    # Seconds a failing generated test may spend shrinking its failure (replaying smaller versions
    # against the target) before it reports the smallest seen so far, replay script included.
    shrink_budget_s: float


# quick's collection-machine budget is the smallest measured to find, alone, every emulator fault
# that only that machine finds (tests/fuzz/test_acceptance.py runs them at quick): 10 steps x 5 runs
# missed two of six. The links machine keeps 10 x 5 at quick: it only follows the links' data flow,
# which the scenario files and the collection machine judge again; for the same reason standard
# gives it 10 x 10 (twice quick's), not the 25 x 20 it had, which took a quarter of a standard run.
# Standard's 35 examples per operation (50 before) and the two changes above keep the default
# level near its 20 s budget on two cores (bench/suite_speed.py); thorough keeps 250. A quick run
# shrinks a failure for 2 s: its replay script may be longer than standard's, which shrinks for 10 s.
EFFORTS: dict[str, Effort] = {
    e.name: e
    for e in (
        # name, examples per operation, machine steps x runs, links steps x runs, shrink budget (s)
        Effort("quick", 10, 20, 10, 10, 5, 2.0),
        Effort("standard", 35, 25, 20, 10, 10, 10.0),
        Effort("thorough", 250, 50, 100, 50, 100, 30.0),
    )
}
DEFAULT_EFFORT = "standard"
