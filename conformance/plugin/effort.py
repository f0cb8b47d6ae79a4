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
    state_machine_steps: int  # steps per run of a state machine
    state_machine_examples: int  # runs of a state machine


EFFORTS: dict[str, Effort] = {
    "quick": Effort("quick", examples_per_operation=10, state_machine_steps=10, state_machine_examples=5),
    "standard": Effort(
        "standard", examples_per_operation=50, state_machine_steps=25, state_machine_examples=20
    ),
    "thorough": Effort(
        "thorough", examples_per_operation=250, state_machine_steps=50, state_machine_examples=100
    ),
}
DEFAULT_EFFORT = "standard"
