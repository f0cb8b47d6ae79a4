"""The pytest plugins of installed packages that neither the suite nor these tests use.

``schemathesis`` (the suite drives schemathesis itself, not through its pytest plugin), ``respx``
(the tests call ``respx.mock``, not its fixture) and ``anyio`` register pytest plugins that every
pytest process imports at start, and Hypothesis's (``hypothesispytest``: the suite's generated
tests call Hypothesis themselves, no test of a run is a ``@given`` one) imports all of Hypothesis
in its terminal summary, even in a run of scenario files: together over a second of CPU
(``python -X importtime``), paid again by
each of the well over a hundred runs of the suite these tests start. Every such run gets
``PYTEST_ADDOPTS`` with them left out (``conftest.py`` sets it for the runs that inherit this
process's environment; ``suite/runs.py`` for its own). The verdicts are the same without them.
"""

from __future__ import annotations

UNUSED = ("schemathesis", "respx", "anyio", "hypothesispytest")
ADDOPTS = " ".join(f"-p no:{name}" for name in UNUSED)


def with_addopts(existing: str | None) -> str:
    """``PYTEST_ADDOPTS`` with the unused plugins left out, after what it held."""
    return f"{existing} {ADDOPTS}".strip() if existing and ADDOPTS not in existing else existing or ADDOPTS
