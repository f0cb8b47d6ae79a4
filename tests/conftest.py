"""Settings for every test of the project.

Hypothesis by default fails an example that takes longer than 200 ms (its ``deadline``): a
wall-clock bound, which fails on a busy shared machine rather than on a bug. The project's tests
judge behaviour, never speed (speed lives in ``bench/``), so the deadline is off for all of them.

The runs of the suite these tests start leave out the pytest plugins nothing here uses
(``unused_plugins.py``): set in the environment they inherit, once this file is loaded.
"""

import os

# Imported here as respx's pytest plugin did before it was left out (``unused_plugins.py``): the
# in-process pytester runs restore sys.modules when they end, and a module of httpx/httpcore first
# imported during one would be dropped, and imported again as other classes, afterwards.
import respx  # noqa: F401
from hypothesis import settings

try:
    from tests.unused_plugins import with_addopts
except ModuleNotFoundError:  # a run of the suite from this checkout loads this file too, from elsewhere
    pass
else:
    os.environ["PYTEST_ADDOPTS"] = with_addopts(os.environ.get("PYTEST_ADDOPTS"))

settings.register_profile("groove-project-tests", deadline=None)
settings.load_profile("groove-project-tests")
