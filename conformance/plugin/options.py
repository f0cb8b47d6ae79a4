"""The run's options, each declared once, and ``Settings``, their values resolved for one run.

``OPTIONS`` is the one table of the options: flag, pytest ``dest``, environment variable, default,
metavar or accepted values, the ``--help`` line and the README's longer meaning. Everything else
follows from it: the pytest options (``add_pytest_options``), the environment fall-back in
``Settings.from_config``, the options of ``groove-conformance run`` (``conformance.runner``), the
README's table of options and environment variables (``readme_table``; a project test fails when
README.md differs) and ``ENV_OPTIONS`` / ``OPTION_NAMES``.

Regenerate the README table with ``python -m conformance.plugin --update-readme`` (or print it
with ``--readme-table``).

Tokens are kept out of every repr (``Settings``) and never put on a command line by the runner
(``Option.secret``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from conformance.catalog_ids import CatalogFileError, read_catalog_file
from conformance.plugin.effort import DEFAULT_EFFORT, EFFORTS
from conformance.profiles import DEFAULT_PROFILE, PROFILES

if TYPE_CHECKING:
    from conformance.plugin.selection import Selection

# After this many consecutive tests that got no usable answer (TransportError) the target is
# taken for gone and the run stops: every further test would only pay its request timeouts.
DEFAULT_MAX_TRANSPORT_FAILURES = 10
DEFAULT_REQUEST_TIMEOUT_S = 10.0
MAX_REQUEST_TIMEOUT_S = 600.0

# The ini option that says which packages form the suite (each of their tests needs a marker).
SUITE_PACKAGES_INI = "conformance_suite_packages"
DEFAULT_SUITE_PACKAGES = ["conformance.suite"]

GROUP = ("groove-conformance", "Groove collection-edit API conformance suite")


@dataclass(frozen=True)
class Option:
    """One option of the run, as pytest, the environment, ``groove-conformance run`` and README know it.

    ``help`` and ``doc`` may name ``{env}``, ``{default}`` and ``{run_flag}``: they are filled in
    from the same row, so that no name or default is written twice.
    """

    flag: str  # the pytest option
    dest: str  # where pytest keeps the value (``config.getoption(dest)``)
    env: str  # the environment variable that stands in for the option
    help: str  # the line of ``pytest --help`` and ``groove-conformance run --help``
    doc: str  # README's "meaning" column (Markdown)
    metavar: str | None = None  # the value's placeholder; None: a flag without a value
    # The values Settings accepts, shown as pytest's metavar. Not argparse ``choices`` in pytest:
    # Settings says what is wrong in one line (a usage error, exit 4), for the option and its
    # environment variable alike. ``groove-conformance run`` does use them as argparse choices.
    choices: tuple[str, ...] = ()
    default: str | float | bool | None = None  # what Settings takes when neither flag nor variable
    secret: bool = False  # a credential: ``groove-conformance run`` passes it in the environment
    run_flag: str | None = None  # the spelling of ``groove-conformance run``, when another
    repeat: bool = False  # may be given more than once (the values add up)
    # Its key under ``[tool.groove-conformance]`` (and, as ``dest``, the pytest ini key): None for
    # an option a config file cannot give (tokens never: ``conformance.plugin.configfile``).
    config_key: str | None = None

    @property
    def takes_value(self) -> bool:
        return self.metavar is not None

    @property
    def is_path(self) -> bool:
        """A file or directory: in a config file, relative to that file's directory."""
        return self.metavar in ("FILE", "DIR")

    @property
    def cli_flag(self) -> str:
        """The option as ``groove-conformance run`` spells it."""
        return self.run_flag or self.flag

    @property
    def cli_dest(self) -> str:
        """The attribute of ``groove-conformance run``'s argparse namespace."""
        return self.cli_flag.lstrip("-").replace("-", "_")

    @property
    def where(self) -> str:
        """How an error message names it: ``--flag / GROOVE_VAR``."""
        return f"{self.flag} / {self.env}"

    def _fill(self, text: str) -> str:
        return text.format(env=self.env, default=self.default, run_flag=self.cli_flag)

    def help_text(self) -> str:
        return self._fill(self.help)

    def doc_text(self) -> str:
        return self._fill(self.doc)

    def pytest_metavar(self) -> str | None:
        return "|".join(self.choices) if self.choices else self.metavar


OPTIONS: tuple[Option, ...] = (
    Option(
        "--target",
        "groove_target",
        "GROOVE_TARGET",
        config_key="target",
        metavar="URL",
        help="base URL of the server to test ({env}); default: the embedded reference emulator",
        doc="the server's root URL (`http://host:port`, or with the prefix the server lives under): "
        "not an API path, the suite adds `/1/content/...` itself. Default: the embedded reference "
        "emulator",
    ),
    Option(
        "--profile",
        "groove_profile",
        "GROOVE_PROFILE",
        config_key="profile",
        metavar="NAME",
        choices=tuple(PROFILES),
        default=DEFAULT_PROFILE,
        help="dialect of the documents to test against ({env}); default {default}",
        doc="`groove-2016` (default: `Authorization: Bearer`) or `xbox-2013` (`accessToken` + "
        "`XBL3.0`); see *Profiles*",
    ),
    Option(
        "--user-token",
        "groove_user_token",
        "GROOVE_USER_TOKEN",
        metavar="TOKEN",
        secret=True,
        help="the test user's token ({env}; prefer the variable: it stays off command lines)",
        doc="the test user's token; required with `--target`. For `xbox-2013`, `USERHASH;TOKEN` or "
        "a bare token",
    ),
    Option(
        "--other-user-token",
        "groove_other_user_token",
        "GROOVE_OTHER_USER_TOKEN",
        metavar="TOKEN",
        secret=True,
        help="a second user's token, for isolation checks ({env})",
        doc="a second user (another account, not the same token), for the isolation checks; without "
        'it they are skipped ("needs --other-user-token")',
    ),
    Option(
        "--developer-token",
        "groove_developer_token",
        "GROOVE_DEVELOPER_TOKEN",
        metavar="TOKEN",
        secret=True,
        help="developer token, xbox-2013 accessToken ({env})",
        doc="the developer token (`accessToken`); required with `--profile xbox-2013`",
    ),
    Option(
        "--catalog",
        "groove_catalog",
        "GROOVE_CATALOG",
        config_key="catalog",
        metavar="FILE",
        help="valid catalog track IDs of the target, one per line ({env})",
        doc="valid catalog track IDs of the target, one per line; see *The catalog* below",
    ),
    Option(
        "--report-dir",
        "groove_report_dir",
        "GROOVE_REPORT_DIR",
        config_key="report-dir",
        metavar="DIR",
        help="write report.json, report.html, report.md and junit.xml here ({env})",
        doc="write `report.json`, `report.html`, `report.md` and `junit.xml` there",
    ),
    Option(
        "--har",
        "groove_har",
        "GROOVE_HAR",
        metavar="FILE",
        help="write every exchange of the run to FILE, a HAR 1.2 archive, redacted like the report ({env})",
        doc="write every exchange of the run (bodies, timings, the test that sent it) to FILE as a "
        "HAR 1.2 archive, for a browser's network panel; credentials redacted as in the report",
    ),
    Option(
        "--conformance-strict",
        "groove_strict",
        "GROOVE_STRICT",
        run_flag="--strict",
        default=False,
        help="SHOULD failures fail the run too (same as pytest's --strict, without pytest's "
        "own strict modes; {env}=1)",
        doc="SHOULD (and MAY) failures fail the run too (`groove-conformance run {run_flag}`). "
        "pytest's own `--strict` does the same and also turns on pytest's strict modes",
    ),
    Option(
        "--conformance-level",
        "groove_level",
        "GROOVE_CONFORMANCE_LEVEL",
        config_key="level",
        metavar="LEVEL",
        choices=tuple(EFFORTS),
        default=DEFAULT_EFFORT,
        help="how many generated examples ({env}); default {default}",
        doc="`quick`, `standard` (default) or `thorough`: how many generated examples, "
        "state-machine runs and steps, and how long a failure is shrunk (`conformance/plugin/effort.py`)",
    ),
    Option(
        "--baseline",
        "groove_baseline",
        "GROOVE_BASELINE",
        config_key="baseline",
        metavar="FILE",
        help="expected failures (requirement IDs with reasons): only others fail the run ({env})",
        doc="expected failures (`- id: …` / `reason: …`); only failures not listed fail the run",
    ),
    Option(
        "--requirement",
        "groove_requirement",
        "GROOVE_REQUIREMENT",
        metavar="ID",
        repeat=True,
        config_key="requirement",
        help="run only the tests of requirement ID: repeatable, globs such as 'AUTH-*' and "
        "comma-separated lists allowed ({env}: comma-separated)",
        doc="run only the tests whose requirement marker names one of these requirements: repeatable, "
        "comma-separated lists and globs (`AUTH-*`) allowed; an ID or glob naming no requirement is a "
        "usage error. The others are reported `not-tested`; see *Choosing requirements*",
    ),
    Option(
        "--rerun-failed",
        "groove_rerun_failed",
        "GROOVE_RERUN_FAILED",
        metavar="FILE",
        help="run only the tests of the requirements whose verdict is 'failed' in an earlier "
        "report.json (not expected or advisory failures; {env})",
        doc="run only the tests of the requirements whose verdict is `failed` in an earlier run's "
        "`report.json` (of the same profile); expected (baseline) and advisory (SHOULD) failures are "
        "not re-run. With `--requirement`: the tests of either",
    ),
    Option(
        "--request-timeout",
        "groove_request_timeout",
        "GROOVE_REQUEST_TIMEOUT",
        metavar="SECONDS",
        default=DEFAULT_REQUEST_TIMEOUT_S,
        help="bound on each request to the target ({env}); default {default:g}",
        doc="bound on each request, answer included (default {default:g} s)",
    ),
    Option(
        "--max-transport-failures",
        "groove_max_transport_failures",
        "GROOVE_MAX_TRANSPORT_FAILURES",
        metavar="N",
        default=DEFAULT_MAX_TRANSPORT_FAILURES,
        help="stop the run after N consecutive tests that got no usable answer from the target "
        "({env}); default {default}, 0: never",
        doc="stop the run after N *consecutive* tests that got no usable answer from the target "
        "(refused, reset, timed out, not HTTP): it is gone, and every further test would only wait "
        "out its timeouts. A test that got its answers (passed, or failed on a check) resets the "
        "count; a skip leaves it. Default {default}; 0: never stop for this",
    ),
    Option(
        "--run-deadline",
        "groove_run_deadline",
        "GROOVE_RUN_DEADLINE",
        metavar="SECONDS",
        help="start no test after SECONDS of run time; the run is reported as stopped "
        "({env}); default: none",
        doc="start no test after SECONDS of run time (judged when a test ends: the one running is "
        "finished), e.g. for a CI gate against a slow target. Default: none",
    ),
)
OPTION_BY_FLAG: dict[str, Option] = {o.flag: o for o in OPTIONS}
# config key -> option, for ``[tool.groove-conformance]`` (``conformance.plugin.configfile``)
CONFIG_OPTIONS: dict[str, Option] = {o.config_key: o for o in OPTIONS if o.config_key}

# (option, dest, environment variable) for every option that takes a value, which may also come
# from the environment. (The flag --conformance-strict has its own rule: ``_strict``.)
ENV_OPTIONS: tuple[tuple[str, str, str], ...] = tuple(
    (o.flag, o.dest, o.env) for o in OPTIONS if o.takes_value
)
# The options whose value pytest may take for a test path (see ``conformance.plugin.rootdir``).
OPTION_NAMES = frozenset(opt for opt, _, _ in ENV_OPTIONS)


def _where(flag: str) -> str:
    return OPTION_BY_FLAG[flag].where


def add_pytest_options(parser: pytest.Parser) -> None:
    """Declare every option of ``OPTIONS`` to pytest, and the suite-packages ini value."""
    group = parser.getgroup(*GROUP)
    for o in OPTIONS:
        if o.takes_value:
            extra: dict[str, Any] = {"action": "append"} if o.repeat else {}
            group.addoption(o.flag, dest=o.dest, metavar=o.pytest_metavar(), help=o.help_text(), **extra)
        else:
            group.addoption(
                o.flag, dest=o.dest, action="store_true", default=bool(o.default), help=o.help_text()
            )
    parser.addini(
        SUITE_PACKAGES_INI,
        type="linelist",
        default=list(DEFAULT_SUITE_PACKAGES),
        help="packages whose tests form the conformance suite (each needs a requirement marker)",
    )
    for o in OPTIONS:
        if o.config_key:
            parser.addini(o.dest, help=f"{o.flag}, when neither it nor {o.env} is given", default="")
        elif o.secret:  # known to pytest only to be refused: a token is never read from a file
            parser.addini(o.dest, help=f"never read: give {o.env} in the environment", default="")


# --- settings ----------------------------------------------------------------------------------
class SettingsError(ValueError):
    """An option (or its environment variable) with a value that cannot be used."""


# Where a stash may name the report directory a run takes when nothing else names one
# (``groove-conformance run`` always writes a report; a plain pytest run writes none unasked).
FALLBACK_REPORT_DIR_KEY = pytest.StashKey[Path]()


@dataclass
class Settings:
    """The run's options, resolved from the command line, the environment and the project's config
    files (``conformance.plugin.configfile``), in that order of precedence."""

    target: str | None
    profile: str
    user_token: str | None = field(repr=False)
    other_user_token: str | None = field(repr=False)
    developer_token: str | None = field(repr=False)
    catalog_file: Path | None
    report_dir: Path | None
    strict: bool
    effort: str  # --conformance-level: how hard generated tests try (not a requirement level)
    baseline: Path | None
    request_timeout: float
    max_transport_failures: int = DEFAULT_MAX_TRANSPORT_FAILURES  # 0: never stop for them
    run_deadline: float | None = None  # seconds of run time after which no test is started
    catalog_ids: tuple[str, ...] = field(default=(), repr=False)  # read from catalog_file
    har: Path | None = None  # --har: every exchange of the run, as a HAR 1.2 file
    # --requirement / --rerun-failed: the requirements this run checks; None: all of them
    selection: Selection | None = None

    @classmethod
    def from_config(cls, config: pytest.Config, environ: Mapping[str, str] | None = None) -> Settings:
        from conformance.plugin.configfile import config_file_values

        env = os.environ if environ is None else environ
        in_files = config_file_values(config)

        def get(dest: str, var: str) -> str | None:
            value = config.getoption(dest, None)
            if isinstance(value, list):  # a repeatable option, given n times
                value = ",".join(value)
            if value in (None, ""):
                value = env.get(var) or None
            if value is None:
                value = in_files.get(dest) or None
            return value

        values = {dest: get(dest, var) for _, dest, var in ENV_OPTIONS}
        profile = values["groove_profile"] or DEFAULT_PROFILE
        if profile not in PROFILES:
            raise SettingsError(
                f"{_where('--profile')}: unknown profile {profile!r}; choose one of {', '.join(PROFILES)}"
            )
        effort = values["groove_level"] or DEFAULT_EFFORT
        if effort not in EFFORTS:
            raise SettingsError(
                f"{_where('--conformance-level')}: unknown level {effort!r}; "
                f"choose one of {', '.join(EFFORTS)}"
            )
        target = _target(values["groove_target"])
        user_token, other_token = values["groove_user_token"], values["groove_other_user_token"]
        if user_token and other_token and user_token.strip() == other_token.strip():
            raise SettingsError(
                "the two users are one account: --user-token and --other-user-token "
                "(GROOVE_USER_TOKEN, GROOVE_OTHER_USER_TOKEN) are the same token; the isolation "
                "checks need a second user"
            )
        catalog = Path(values["groove_catalog"]) if values["groove_catalog"] else None
        catalog_ids: tuple[str, ...] = ()
        if catalog is not None:
            if not catalog.is_file():
                raise SettingsError(f"{_where('--catalog')}: no such file {catalog}")
            try:
                catalog_ids = tuple(read_catalog_file(catalog))
            except CatalogFileError as exc:
                raise SettingsError(f"{_where('--catalog')}: {exc}") from None
        baseline = Path(values["groove_baseline"]) if values["groove_baseline"] else None
        if baseline is not None and not baseline.is_file():
            raise SettingsError(f"{_where('--baseline')}: no such file {baseline}")
        timeout = _request_timeout(values["groove_request_timeout"])
        report_dir = values["groove_report_dir"]
        if report_dir is None:
            stash = getattr(config, "stash", None)
            report_dir = stash.get(FALLBACK_REPORT_DIR_KEY, None) if stash is not None else None
        rerun = Path(values["groove_rerun_failed"]) if values["groove_rerun_failed"] else None
        from conformance.plugin.items import load_requirements
        from conformance.plugin.selection import selection, split_patterns

        chosen = selection(split_patterns(values["groove_requirement"]), rerun, profile, load_requirements())
        return cls(
            target=target,
            max_transport_failures=_max_transport_failures(values["groove_max_transport_failures"]),
            run_deadline=_run_deadline(values["groove_run_deadline"]),
            profile=profile,
            user_token=user_token,
            other_user_token=other_token,
            developer_token=values["groove_developer_token"],
            catalog_file=catalog,
            report_dir=Path(report_dir) if report_dir else None,
            strict=_strict(config, env),
            effort=effort,
            baseline=baseline,
            request_timeout=timeout,
            catalog_ids=catalog_ids,
            har=Path(values["groove_har"]) if values["groove_har"] else None,
            selection=chosen,
        )

    def public(self) -> dict[str, Any]:
        """The options as a report may show them: which tokens were given, never their values.

        The options of this project's later issues (``har``, ``selection``) are named only when
        given, so that the report of a run without them is what it was before them.
        """
        shown = {
            "target": self.target,
            "profile": self.profile,
            "level": self.effort,
            "strict": self.strict,
            "catalog": str(self.catalog_file) if self.catalog_file else None,
            "report_dir": str(self.report_dir) if self.report_dir else None,
            "baseline": str(self.baseline) if self.baseline else None,
            "request_timeout_s": self.request_timeout,
            "max_transport_failures": self.max_transport_failures,
            "run_deadline_s": self.run_deadline,
            "credentials_given": [
                name
                for name, value in (
                    ("user", self.user_token),
                    ("other user", self.other_user_token),
                    ("developer", self.developer_token),
                )
                if value
            ],
        }
        if self.har is not None:
            shown["har"] = str(self.har)
        if self.selection is not None:
            shown["selection"] = self.selection.to_dict()
        return shown


def _request_timeout(value: str | None) -> float:
    try:
        timeout = float(value or DEFAULT_REQUEST_TIMEOUT_S)
    except ValueError:
        raise SettingsError(
            f"{_where('--request-timeout')} must be a number of seconds, not {value!r}"
        ) from None
    if not 0 < timeout <= MAX_REQUEST_TIMEOUT_S:
        raise SettingsError(
            f"{_where('--request-timeout')} must be more than 0 and at most {MAX_REQUEST_TIMEOUT_S:g} "
            f"seconds, not {timeout:g}"
        )
    return timeout


def _max_transport_failures(value: str | None) -> int:
    if value is None:
        return DEFAULT_MAX_TRANSPORT_FAILURES
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise SettingsError(
            f"{_where('--max-transport-failures')} must be a whole number of "
            f"tests, 0 or more (0: never stop), not {value!r}"
        )
    return count


def _run_deadline(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise SettingsError(
            f"{_where('--run-deadline')} must be a number of seconds more than 0, not {value!r}"
        )
    return seconds


def api_root() -> str:
    """The path every operation of the contract starts with (``/1/content/``), from openapi.yaml."""
    from conformance.contract import OPERATIONS

    prefix = os.path.commonprefix([template for _, template in OPERATIONS.values()])
    return prefix[: prefix.rfind("/") + 1]


def _target(value: str | None) -> str | None:
    """``--target``: an http(s) URL of the server's root, under which the suite adds the API paths."""
    if value is None:
        return None
    where = _where("--target")
    target = value.strip().rstrip("/")
    if not target.startswith(("http://", "https://")):
        raise SettingsError(f"{where} must be an http:// or https:// URL, not {target!r}")
    parts = urlsplit(target)
    root = api_root()
    at = (parts.path + "/").find(root)
    if at >= 0:
        server = urlunsplit((parts.scheme, parts.netloc, parts.path[:at], "", ""))
        raise SettingsError(
            f"{where}: give the server's root URL ({server}), not an API path "
            f"({parts.path}): the suite adds {root}... itself"
        )
    if parts.query or parts.fragment:
        raise SettingsError(f"{where}: give the server's root URL, with no query or fragment: {target!r}")
    return target


def _strict(config: pytest.Config, env: Mapping[str, str]) -> bool:
    """``--strict`` is pytest's own flag (pytest 9: the ``strict`` ini value); we honour it, and
    ``--conformance-strict`` / ``GROOVE_STRICT=1`` ask for conformance strictness alone."""
    strict = OPTION_BY_FLAG["--conformance-strict"]
    if config.getoption(strict.dest, False):
        return True
    if str(env.get(strict.env, "")).lower() in ("1", "true", "yes", "on"):
        return True
    try:
        if config.getini("strict"):
            return True
    except (ValueError, KeyError):
        pass
    return bool(getattr(config.option, "strict", False))


# --- README ------------------------------------------------------------------------------------
README_HEADER = ("| option | environment variable | config key | meaning |", "|---|---|---|---|")


def readme_table() -> str:
    """README.md's table of options, environment variables and config keys, rendered from ``OPTIONS``."""
    rows = list(README_HEADER)
    for o in OPTIONS:
        option = f"`{o.flag} {o.metavar}`" if o.takes_value else f"`{o.flag}`"
        if o.repeat:
            option += " (repeatable)"
        env = f"`{o.env}`" if o.takes_value else f"`{o.env}=1`"
        key = f"`{o.config_key}`" if o.config_key else "—"
        rows.append(f"| {option} | {env} | {key} | {o.doc_text()} |")
    return "\n".join(rows) + "\n"


def readme_table_span(text: str) -> tuple[int, int]:
    """Where README's options table is in ``text``: (start, end) character offsets, end exclusive."""
    start = text.find(README_HEADER[0] + "\n")
    if start < 0:
        raise LookupError(f"README.md has no table starting with {README_HEADER[0]!r}")
    end = start
    for line in text[start:].splitlines(keepends=True):
        if not line.startswith("|"):
            break
        end += len(line)
    return start, end


def update_readme(path: Path) -> bool:
    """Write the rendered table into README.md at ``path``; whether it changed."""
    text = path.read_text(encoding="utf-8")
    start, end = readme_table_span(text)
    new = text[:start] + readme_table() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
