"""Where pytest roots the run: the values of path options are not test paths (pytest issue 8846).

pytest settles the rootdir, the ini file and so ``testpaths`` from the command line *before* it
loads entry-point plugins: ``--catalog FILE`` (a space, as the README writes it) is then an unknown
option followed by a free argument, and an existing FILE outside the checkout is taken for a test
path. The rootdir moves to FILE's directory, the checkout's ``testpaths`` are lost and ``pytest``
collects the whole checkout, the project's own ``tests/`` included. Once this plugin's options are
known the question can be asked again: the first hook pytest calls on entry-point plugins with the
options parsed recomputes the setup from the real free arguments, and puts it in place before any
conftest or test path is looked at.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from conformance.plugin.options import OPTION_NAMES

INI_KEYS_APPLIED_EARLY = ("addopts", "pythonpath", "required_plugins")  # used before the hook


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    _settle_rootdir(early_config, args)


def _settle_rootdir(config: pytest.Config, args: list[str]) -> None:
    """Redo pytest's rootdir/ini determination with the free arguments it should have had.

    The setup pytest computed is replaced only when it differs, and only when nothing it read
    from the wrong ini file (or missed in the right one) has already been applied; otherwise,
    and on a pytest whose internals differ, the run stops with a usage error that says how to
    write the option instead (``--opt=VALUE`` is never misread).
    """
    misread = [
        (opt, value)
        for opt, value in zip(args, args[1:], strict=False)
        if opt in OPTION_NAMES and _exists(value)
    ]
    setup = _recomputed_setup(config)
    if setup is None:
        if misread:
            raise pytest.UsageError(_misread_line(misread))
        return
    if (setup[0], setup[1]) == (config.rootpath, config.inipath):
        return  # nothing was mistaken for a test path
    ini_attr = "_inicfg" if hasattr(config, "_inicfg") else "inicfg"
    applied_early = [
        key
        for cfg in (getattr(config, ini_attr, None) or {}, setup[2] or {})
        for key in INI_KEYS_APPLIED_EARLY
        if key in cfg
    ]
    if applied_early or not all(hasattr(config, a) for a in ("_rootpath", "_inipath", "_inicache", ini_attr)):
        raise pytest.UsageError(_misread_line(misread))
    old_default_confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)
    config._rootpath, config._inipath = setup[0], setup[1]
    setattr(config, ini_attr, setup[2])
    if len(setup) > 3 and hasattr(config, "_ignored_config_files"):
        config._ignored_config_files = setup[3]
    config._inicache.clear()
    config._parser.extra_info["rootdir"] = str(config.rootpath)
    config._parser.extra_info["inifile"] = str(config.inipath)
    ns = config.known_args_namespace
    if ns.confcutdir == old_default_confcutdir and not any(a.startswith("--confcutdir") for a in args):
        ns.confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)


def _recomputed_setup(config: pytest.Config) -> tuple[Any, ...] | None:
    """``findpaths.determine_setup`` on the free arguments as parsed now; None when it cannot be asked."""
    ns = config.known_args_namespace
    given = {
        "inifile": getattr(ns, "inifilename", None),
        "override_ini": getattr(ns, "override_ini", None),
        "args": list(getattr(ns, "file_or_dir", None) or []),
        "rootdir_cmd_arg": getattr(ns, "rootdir", None) or None,
        "invocation_dir": config.invocation_params.dir,
    }
    try:
        from _pytest.config import findpaths

        accepted = inspect.signature(findpaths.determine_setup).parameters
        setup = findpaths.determine_setup(**{k: v for k, v in given.items() if k in accepted})
    except (ImportError, TypeError, ValueError, AttributeError):
        return None
    return tuple(setup) if isinstance(setup, tuple) and len(setup) >= 3 else None


def _exists(value: str) -> bool:
    try:
        return Path(value).exists()
    except (OSError, ValueError):
        return False


def _misread_line(misread: list[tuple[str, str]]) -> str:
    written = ", ".join(f"{opt}={value}" for opt, value in misread) or "--option=VALUE"
    return (
        "pytest took the value of an option for a test path (pytest issue 8846) and would collect "
        f"the wrong tests; write {written}"
    )
