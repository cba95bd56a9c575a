"""Shared test configuration. Tier fixtures live in each tier's own conftest.py."""
