from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_limits(settings) -> Iterator[None]:
    """Rate-limit counters and used challenges from one test never count in the next; a cheap challenge."""
    settings.PORTAL_CHALLENGE_BITS = 8
    cache.clear()
    yield
    cache.clear()
