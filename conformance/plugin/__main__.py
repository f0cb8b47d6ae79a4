"""``python -m conformance.plugin``: README.md's table of options, rendered from the one option table.

``--readme-table`` prints it; ``--update-readme`` writes it into README.md in place. The project's
test ``tests/harness/test_options_table.py`` fails when README.md and the rendering differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conformance.plugin.options import readme_table, update_readme

README = Path(__file__).resolve().parents[2] / "README.md"
REGENERATE = "python -m conformance.plugin --update-readme"


def main(argv: list[str]) -> int:
    if argv == ["--readme-table"]:
        sys.stdout.write(readme_table())
        return 0
    if argv == ["--update-readme"]:
        print(f"{README}: {'updated' if update_readme(README) else 'already up to date'}")
        return 0
    print("usage: python -m conformance.plugin --readme-table | --update-readme", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
