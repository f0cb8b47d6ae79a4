"""Generated requests over every operation of openapi.yaml (schemathesis), judged by the catalogue.

For each operation, positive data (valid against the contract) and negative data (wrong types,
over-limit lists, over-long names, missing members...) — as many examples as the
``--conformance-level`` buys, derandomized so that a run repeats. Every request names only the
run's catalog IDs, what the test itself created, or random GUIDs that name nothing; it carries the
profile's authentication. The answers are judged by schemathesis' built-in checks that fit the
contract and by the custom checks of ``conformance.fuzz.checks``, each under a requirement of
the catalogue; what the documents leave open (E07b, E09, E10, ...) is not judged. Bodies are JSON:
the DataContract XML dialect is the scenario files' business.

A failure shows the minimal request found, and a Python script that replays it.

Then the OpenAPI links of the contract (create -> update -> delete, add -> delete, browse -> next
page) are followed by schemathesis' state machine, every step judged the same way.
"""

from __future__ import annotations

import pytest

from conformance import contract
from conformance.fuzz.checks import all_requirements
from conformance.fuzz.contract_run import Env, run_links, run_operation

MODES = ("positive", "negative")


def _env(client, verify, created, catalog, effort, profile, capabilities) -> Env:
    return Env(
        client=client,
        verify=verify,
        registry=created,
        catalog=catalog,
        effort=effort,
        profile=profile.name,
        name_prefix=created.prefix,
        capabilities=capabilities,
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(op, marks=pytest.mark.requirement(*all_requirements(op)), id=op)
        for op in contract.OPERATIONS
    ],
)
def test_generated_requests(operation, mode, client, verify, created, catalog, effort, profile, capabilities):
    run_operation(_env(client, verify, created, catalog, effort, profile, capabilities), operation, mode)


LINK_REQUIREMENTS = sorted({r for op in contract.OPERATIONS for r in all_requirements(op)})


@pytest.mark.requirement(*LINK_REQUIREMENTS)
def test_openapi_links(client, verify, created, catalog, effort, profile, capabilities):
    run_links(_env(client, verify, created, catalog, effort, profile, capabilities))
