"""Track IDs that the documents themselves use, sorted by what the documents show of them.

These are facts read from the pages (seeds 000–004 and the reference pages), kept in one place:
the emulator's built-in catalog starts from the valid ones, and the suite falls back to them when
it is pointed at a foreign target without ``--catalog``. The format of a ``--catalog`` file is
here too (``read_catalog_file``).
"""

from __future__ import annotations

from pathlib import Path

from conformance.ids import is_track_id

# Catalog track IDs the documents add successfully (000, 001/002, 003, reference
# json-trackactionrequest.md / json-trackactionresponse.md / json-trackaction.md).
DOCUMENT_VALID_TRACK_IDS: tuple[str, ...] = (
    "music.A83EB907-0100-11DB-89CA-0019B92A3933",
    "music.873FB507-0100-11DB-89CA-0019B92A3933",
    "music.9941BE07-0100-11DB-89CA-0019B92A3933",
    "music.2DEBEA07-0100-11DB-89CA-0019B92A3933",
)

# "randomly-generated" IDs that the documents show failing with COLLECTION_INVALID_ID
# (000 and 004: lower-case, echoed upper-case; 001/002: create; 003: update).
DOCUMENT_INVALID_TRACK_IDS: tuple[str, ...] = (
    "music.9bb2c5c5-455c-4c15-827c-f9bfd759a458",
    "music.9F41BE07-357E-23A5-7B54-0019B92A3933",
    "music.E8AEDB01-23D6-4659-9916-2349BE9F9C26",
)


# --- the --catalog file --------------------------------------------------------------------------
CATALOG_LINE_SHOWN = 60  # characters of an offending line quoted in the error


class CatalogFileError(ValueError):
    """A ``--catalog`` file that cannot be used; the message names the file (and line) at fault."""


def read_catalog_file(path: Path) -> list[str]:
    """The track IDs of a ``--catalog`` file: one a line, blank lines and ``#`` comments skipped.

    Every other line must have the form of a catalog track ID (``ids.is_track_id``): a file of
    something else (a CSV, names, playlist IDs) would otherwise turn into a hundred failures of
    requirements that are met, so the first offending line is named instead (``file:line: text``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogFileError(f"{path} is not UTF-8 text (one catalog track ID a line)") from None
    except OSError as exc:
        raise CatalogFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    found: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not is_track_id(line):
            shown = line if len(line) <= CATALOG_LINE_SHOWN else line[: CATALOG_LINE_SHOWN - 1] + "…"
            raise CatalogFileError(
                f"{path}:{number}: {shown}: not a catalog track ID (music.<ID>, one a line)"
            )
        found.append(line)
    if not found:
        raise CatalogFileError(f"{path} holds no track ID (one catalog track ID a line)")
    return found
