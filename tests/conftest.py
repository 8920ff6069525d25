import os

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits and cached fragments must not leak between tests."""
    cache.clear()
    yield


@pytest.fixture
def services_required():
    """In `make test-services` a missing service is a failure, never a silent skip."""
    from django.conf import settings

    assert settings.REDIS_URL, "REDIS_URL must be set for this test"
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "DATABASE_URL must name PostgreSQL"
