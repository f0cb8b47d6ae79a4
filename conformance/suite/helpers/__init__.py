"""Shared pieces of the scenario files: wire-level expectations, builders, request subjects, XML reading.

Kept apart from the ``test_*.py`` files so that every scenario states *what* it checks and these
modules say *how* (one place for paging through browse, one for "this answer is a documented
error", one for the documents' error table).
"""
