"""The options a project writes down once: ``[tool.groove-conformance]`` and pytest ini keys.

A project that always tests one target with one profile should not have to repeat it on every
command line. The non-secret options whose row in ``options.OPTIONS`` has a ``config_key`` may be
given in the ``pyproject.toml`` of the run's rootdir::

    [tool.groove-conformance]
    profile = "xbox-2013"
    level = "quick"

or as pytest ini values named like the option's ``dest`` (``groove_profile = xbox-2013`` in
``pytest.ini``, ``[tool.pytest.ini_options]``, ...). The command line wins over the environment,
which wins over ``[tool.groove-conformance]``, which wins over the ini value. A relative path in a
config file is read from the rootdir (where the file is), not from wherever pytest was started.

Tokens are never read from a file: a key naming one is a usage error (put it in the environment),
and so is any key under ``[tool.groove-conformance]`` that is not an option, so that a typo is not
silently ignored.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from conformance.plugin.options import CONFIG_OPTIONS, OPTIONS, Option, SettingsError

PYPROJECT = "pyproject.toml"
TABLE = ("tool", "groove-conformance")
TABLE_NAME = "[" + ".".join(TABLE) + "]"
# Words that make a key a credential, whatever the rest of it says (never read from a file).
_SECRET_WORDS = ("token", "secret", "password", "credential")


def _is_secret_key(key: str) -> bool:
    norm = key.lower().replace("_", "-")
    secret_names = {o.flag.lstrip("-") for o in OPTIONS if o.secret} | {o.dest for o in OPTIONS if o.secret}
    return norm in secret_names or key.lower() in secret_names or any(w in norm for w in _SECRET_WORDS)


def _secret_error(where: str, key: str) -> SettingsError:
    envs = ", ".join(o.env for o in OPTIONS if o.secret)
    return SettingsError(
        f"{where}: {key!r} is a credential, and credentials are never read from a config file: "
        f"put it in the environment ({envs})"
    )


def _text(option: Option, value: Any, where: str) -> str:
    """A config value as the option's text (a list of IDs joined by commas for ``--requirement``)."""
    if option.repeat and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, str):
        return value
    raise SettingsError(
        f"{where}: {option.config_key} must be a string{' or a list of strings' if option.repeat else ''}, "
        f"not {value!r}"
    )


def _resolved(option: Option, value: str, rootdir: Path) -> str:
    """A path option's relative value is read from the config file's directory."""
    if option.is_path and value and not Path(value).is_absolute():
        return str(rootdir / value)
    return value


def pyproject_values(rootdir: Path) -> dict[str, str]:
    """``dest`` -> value of ``[tool.groove-conformance]`` in ``rootdir/pyproject.toml`` (none: {})."""
    path = rootdir / PYPROJECT
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read it as TOML: {exc}") from None
    table: Any = data
    for part in TABLE:
        table = table.get(part, {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: {TABLE_NAME} must be a table")
    where = f"{path} {TABLE_NAME}"
    values: dict[str, str] = {}
    for key, value in table.items():
        if _is_secret_key(key):
            raise _secret_error(where, key)
        option = CONFIG_OPTIONS.get(key)
        if option is None:
            raise SettingsError(
                f"{where}: unknown key {key!r}; the keys are {', '.join(CONFIG_OPTIONS)} "
                "(tokens go in the environment)"
            )
        values[option.dest] = _resolved(option, _text(option, value, where), rootdir)
    return values


def _ini(config: Any, name: str) -> Any:
    try:
        return config.getini(name)
    except (ValueError, KeyError):
        return None


def ini_values(config: Any) -> dict[str, str]:
    """``dest`` -> value of the pytest ini keys named like the options' ``dest`` (set ones only)."""
    inipath = getattr(config, "inipath", None)
    where = f"{inipath or 'the pytest ini file'}"
    for option in OPTIONS:
        if option.secret and _ini(config, option.dest):  # declared only to be refused
            raise _secret_error(where, option.dest)
    rootdir = Path(inipath).parent if inipath else Path(getattr(config, "rootpath", "."))
    values: dict[str, str] = {}
    for option in CONFIG_OPTIONS.values():
        value = _ini(config, option.dest)
        if value:
            values[option.dest] = _resolved(option, _text(option, value, where), rootdir)
    return values


def config_file_values(config: Any) -> dict[str, str]:
    """What the project's config files say, ``dest`` -> value: ``[tool.groove-conformance]`` over ini."""
    rootpath = getattr(config, "rootpath", None)
    from_table = pyproject_values(Path(rootpath)) if rootpath is not None else {}
    return {**ini_values(config), **from_table}
