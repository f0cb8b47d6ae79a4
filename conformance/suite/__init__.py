"""The conformance suite: scenario files named after what they check.

Every test carries ``@pytest.mark.requirement("ID", ...)`` (IDs from
``conformance/requirements.yaml``) and talks to the target only through the ``client`` fixtures
of ``conformance.plugin``; run it with ``pytest`` from the repository root, or anywhere with
``pytest --pyargs conformance.suite [--target URL]``.
"""
