"""Parametrisation over the examples the pages quote (see ``pages.py``)."""

from __future__ import annotations

import pytest

from .pages import all_examples


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``json_example``: every JSON body (and GET query) the pages quote; ``xml_example``: the XML ones."""
    if "json_example" in metafunc.fixturenames:
        chosen = [e for e in all_examples() if e.fmt in ("json", "query")]
        metafunc.parametrize("json_example", chosen, ids=[f"{e.id}[{e.fmt}]" for e in chosen])
    if "xml_example" in metafunc.fixturenames:
        chosen = [e for e in all_examples() if e.fmt == "xml"]
        metafunc.parametrize("xml_example", chosen, ids=[e.id for e in chosen])
