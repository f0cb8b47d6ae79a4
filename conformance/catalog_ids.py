"""Track IDs that the documents themselves use, sorted by what the documents show of them.

These are facts read from the pages (seeds 000–004 and the reference pages), kept in one place:
the emulator's built-in catalog starts from the valid ones, and the suite falls back to them when
it is pointed at a foreign target without ``--catalog``.
"""

from __future__ import annotations

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
