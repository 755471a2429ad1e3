from __future__ import annotations

import pytest

from tests.factories.meetings import make_series


@pytest.fixture
def series(org, manager, member):
    return make_series(org, manager, member)
