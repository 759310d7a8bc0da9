"""Shared fixtures, and the Hypothesis profile of the suite.

Hypothesis' per-example deadline (200 ms by default) measures the machine, not the code: on
the shared 2-core CI machine a pandas call can take 0.5 s under load. The suite's property
tests check results, so the deadline is off for all of them.
"""

from hypothesis import settings

settings.register_profile("ecocity", deadline=None)
settings.load_profile("ecocity")
