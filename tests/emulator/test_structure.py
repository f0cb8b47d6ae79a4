"""The emulator's routes are the contract's: its methods and paths come from
``conformance.contract.OPERATIONS``, one route per operation. (That it imports nothing of the
suite is one of the doors of ``tests/harness/test_layers.py``.)
"""

from __future__ import annotations

from conformance import contract
from conformance.emulator.app import build_app
from conformance.emulator.config import EmulatorConfig


def test_the_routes_are_the_contracts_operations() -> None:
    app = build_app(EmulatorConfig())
    routes = {route.name: (sorted(route.methods - {"HEAD"}), route.path) for route in app.routes}
    assert routes == {op: ([method], path) for op, (method, path) in contract.OPERATIONS.items()}
