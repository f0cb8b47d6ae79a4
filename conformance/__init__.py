"""groove-conformance: a conformance suite and reference emulator for the Groove collection-edit API."""

__version__ = "0.1.0"
