"""Shared test configuration. Tier fixtures live in each tier's own conftest.py."""

from hypothesis import HealthCheck, settings

# Property tests check outcomes, not speed: on a loaded 2-core machine a single example can take
# longer than hypothesis's default 200 ms deadline, which would fail a correct test.
settings.register_profile("spinkube", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("spinkube")
