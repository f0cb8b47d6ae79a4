"""The one option table (``conformance.plugin.options.OPTIONS``) and what follows from it.

README.md's table of options and environment variables is rendered from it, and this test fails
when the two differ; ``groove-conformance run`` offers exactly its options; each ``--help`` line
names the environment variable that stands in for the option.
"""

from __future__ import annotations

import argparse

from conformance import runner
from conformance.plugin.__main__ import README, REGENERATE
from conformance.plugin.options import ENV_OPTIONS, OPTION_NAMES, OPTIONS, readme_table, readme_table_span


def test_the_readme_table_is_the_rendering_of_the_option_table():
    text = README.read_text(encoding="utf-8")
    start, end = readme_table_span(text)
    assert text[start:end] == readme_table(), (
        f"README.md's table of options differs from conformance/plugin/options.py; run `{REGENERATE}`"
    )


def test_groove_conformance_run_offers_every_option_once():
    parser = argparse.ArgumentParser()
    runner.add_arguments(parser)
    flags = [a.option_strings[0] for a in parser._actions if a.option_strings and a.dest != "help"]
    assert flags == [o.cli_flag for o in OPTIONS]


def test_each_option_and_variable_is_declared_once_and_named_in_its_help():
    assert len({o.flag for o in OPTIONS}) == len({o.dest for o in OPTIONS}) == len({o.env for o in OPTIONS})
    assert len(OPTIONS) == len({o.flag for o in OPTIONS})
    for o in OPTIONS:
        assert o.env in o.help_text(), o.flag
    assert OPTION_NAMES == {o.flag for o in OPTIONS if o.takes_value}
    assert [var for _, _, var in ENV_OPTIONS] == [o.env for o in OPTIONS if o.takes_value]
