"""Which tests are the suite's, what they check, and which of them this run keeps.

A test belongs to the conformance suite when it lives under a package named by the
``conformance_suite_packages`` ini value (``conformance.suite`` by default) or carries
``@pytest.mark.requirement``; every such test must name requirement IDs of the catalogue, or the
collection fails. Once the selection is final the tests of the other dialect are deselected
(their requirements are reported "not applicable"), and so are those that check none of the
requirements ``--requirement`` / ``--rerun-failed`` select (``conformance.plugin.selection``);
then the target is started and probed; a
target that cannot be used stops the run as a usage error. Other tests (``pytest tests`` of this
project or any other) are left alone.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance.plugin.keys import SUITE_KEY, harness_of
from conformance.plugin.options import SUITE_PACKAGES_INI, SettingsError
from conformance.plugin.probe import StartError

if TYPE_CHECKING:
    from conformance.catalogue import Requirement

MARKER = "requirement"


def load_requirements() -> dict[str, Requirement]:
    """The requirement catalogue (ID -> Requirement), loaded once by ``conformance.catalogue``."""
    from conformance.catalogue import load_catalogue

    return load_catalogue()


def level_of(req_id: str) -> str:
    """The level (MUST, SHOULD, MAY) of requirement ``req_id``; MUST for an ID the catalogue lacks."""
    req = load_requirements().get(req_id)
    return getattr(req, "level", "MUST") if req is not None else "MUST"


def marker_ids(item: pytest.Item) -> list[str]:
    """The requirement IDs a test's ``@pytest.mark.requirement`` markers name, in order, once each."""
    ids: list[str] = []
    for mark in item.iter_markers(MARKER):
        for arg in mark.args:
            if arg not in ids:
                ids.append(arg)
    return ids


def is_suite_item(item: pytest.Item) -> bool:
    return bool(item.stash.get(SUITE_KEY, False))


def _in_packages(module_name: str, packages: Iterable[str]) -> bool:
    return any(module_name == p or module_name.startswith(p + ".") for p in packages)


def _applies(item: pytest.Item, profile: str) -> bool:
    """Whether at least one of the test's requirements holds in ``profile``."""
    catalogue = load_requirements()
    for req_id in marker_ids(item):
        profiles = getattr(catalogue.get(req_id), "profiles", ())
        if not profiles or profile in profiles:
            return True
    return False


def add_marker(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): the requirement IDs (conformance/requirements.yaml) this test checks"
    )


# The suite's directory, found without importing it (nothing outside the suite does).
SUITE_DIR = (Path(__file__).resolve().parents[1] / "suite").resolve()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    """The suite's first file is about to be imported: the embedded emulator's process starts now,
    so that its start-up overlaps the collection (``Harness.prepare``). Collecting only, or
    another project's tests, starts nothing."""
    config = parent.config
    if config.option.collectonly or not file_path.name.startswith("test_"):
        return
    if file_path.suffix == ".py" and file_path.resolve().parent == SUITE_DIR:
        harness_of(config).prepare()


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, object, object]:
    """Refuse, at collection, a suite test without a requirement marker or with an unknown ID."""
    result = yield
    if result is None:
        return result
    items = result if isinstance(result, list) else [result]
    functions = [i for i in items if isinstance(i, pytest.Function)]
    if not functions:
        return result
    module = getattr(collector, "module", None)
    module_name = getattr(module, "__name__", "")
    in_suite = _in_packages(module_name, collector.config.getini(SUITE_PACKAGES_INI))
    for item in functions:
        has_marker = item.get_closest_marker(MARKER) is not None
        if not (in_suite or has_marker):
            continue
        ids = marker_ids(item)
        if not ids:
            raise collector.CollectError(
                f'{item.name}: every test of the conformance suite needs @pytest.mark.{MARKER}("ID", ...) '
                "naming the requirement IDs it checks (conformance/requirements.yaml)"
            )
        bad = [i for i in ids if not isinstance(i, str)]
        try:
            known = load_requirements()
        except Exception as exc:  # noqa: BLE001 - a broken catalogue is one clear collection error
            raise collector.CollectError(f"cannot load the requirement catalogue: {exc}") from None
        unknown = bad or [i for i in ids if i not in known]
        if unknown:
            raise collector.CollectError(
                f"{item.name}: unknown requirement ID{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))}: not in the requirement catalogue "
                "(conformance/requirements.yaml)"
            )
        item.stash[SUITE_KEY] = True
    return result


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Once the selection is final: drop the tests of another profile; start and probe the target."""
    harness = harness_of(config)
    if not any(is_suite_item(i) for i in items):
        return
    # A test whose requirements all belong to the other dialect is not part of this run (its
    # requirements are reported "not applicable", not skipped).
    other_profile = [i for i in items if is_suite_item(i) and not _applies(i, harness.settings.profile)]
    if other_profile:
        config.hook.pytest_deselected(items=other_profile)
        items[:] = [i for i in items if i not in set(other_profile)]
    # --requirement / --rerun-failed: the suite tests naming none of the selected requirements
    # are not part of this run either (deselected, not skipped; other tests are left alone).
    chosen = harness.settings.selection
    if chosen is not None:
        ids = set(chosen.ids)
        unselected = [i for i in items if is_suite_item(i) and not ids & set(marker_ids(i))]
        if unselected:
            config.hook.pytest_deselected(items=unselected)
            drop = set(unselected)
            items[:] = [i for i in items if i not in drop]
    if not any(is_suite_item(i) for i in items) or config.option.collectonly:
        return
    try:
        harness.start()
    except (StartError, SettingsError) as exc:
        line = f"groove-conformance: cannot run the suite: {exc}"
        harness.start_error = line
        harness.stop()
        if harness.is_worker:
            # A usage error inside an xdist worker is an internal error of the controller; the
            # worker runs nothing and the controller prints the line and sets the status.
            config.hook.pytest_deselected(items=list(items))
            items[:] = []
            return
        # pytest prints a usage error as one line on stderr ("ERROR: ...") and exits 4 without
        # running anything; pytest_sessionfinish sees start_error and writes no report.
        raise pytest.UsageError(line) from None
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and not harness.is_worker:
        tr.write_line(harness.target_line())
        if chosen is not None:
            tr.write_line(f"groove-conformance: {chosen.line}")
