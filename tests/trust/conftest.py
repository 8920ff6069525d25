"""Trust tests reuse the realtime helpers: a fresh channel layer per test (see tests/realtime/conftest.py)."""

from tests.realtime.conftest import in_memory_layer  # noqa: F401  (a fixture, used by name)
