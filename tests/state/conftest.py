from __future__ import annotations

import pytest

from tests.pg import throwaway_database


@pytest.fixture
def pg_url():
    with throwaway_database() as url:
        yield url
