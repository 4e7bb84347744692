"""Test-wide settings.

Hypothesis properties check behaviour, never time: its per-example deadline (200 ms by
default) only turns a slow or shared machine into a flaky failure, so it is off.  Speed is
measured by the scripts in ``benchmarks/``.
"""

from hypothesis import settings

settings.register_profile("screener", deadline=None)
settings.load_profile("screener")
