"""``groove-conformance``: one entry point, a sub-command per job.

Each sub-command lives in the module that owns the job; this file only dispatches, importing
lazily so that ``groove-conformance serve`` does not pay for the report renderers and so on.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from conformance import __version__

# A usage error (an unknown option, a bad value) exits with pytest's usage-error status, as the
# same mistake does through ``pytest``: 1 means only "the server does not conform".
from conformance.plugin import EXIT_USAGE_ERROR


class UsageParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status EXIT_USAGE_ERROR (not 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

# sub-command -> (module, help). Each module defines add_arguments(parser) and main(args) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("conformance.runner", "run the conformance suite through pytest"),
    "serve": ("conformance.emulator.cli", "run the reference emulator"),
    "report": ("conformance.report.cli", "re-render a report.json (HTML, Markdown, JUnit, PR summary, HAR)"),
    "compare": ("conformance.report.compare_cli", "show what changed between two report.json files"),
    "matrix": ("conformance.report.matrix_cli", "one page comparing several report.json files"),
    "badge": ("conformance.report.badge_cli", "an SVG badge of a report.json's MUST tally"),
    "cleanup": ("conformance.cleanup_command", "remove what an interrupted run left on a target"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(prog="groove-conformance", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            sp.set_defaults(_missing=module_name)
            continue
        module.add_arguments(sp)
        sp.set_defaults(_main=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_missing", None):
        parser.error(f"'{args.command}' is not available in this build ({args._missing} is missing)")
    return int(args._main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
