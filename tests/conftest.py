"""Settings for every test of the project.

Hypothesis by default fails an example that takes longer than 200 ms (its ``deadline``): a
wall-clock bound, which fails on a busy shared machine rather than on a bug. The project's tests
judge behaviour, never speed (speed lives in ``bench/``), so the deadline is off for all of them.
"""

from hypothesis import settings

settings.register_profile("groove-project-tests", deadline=None)
settings.load_profile("groove-project-tests")
