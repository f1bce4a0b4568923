from __future__ import annotations

import pytest

from tests.accounts.factories import make_user


@pytest.fixture
def other_coordinator(other_org):
    return make_user(role="coordinator", organization=other_org)
