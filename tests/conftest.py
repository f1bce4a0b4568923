from __future__ import annotations

import pytest

from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org


@pytest.fixture
def org(db):
    return make_org(name="Manuela Ramos")


@pytest.fixture
def other_org(db):
    return make_org(name="Otra Organización")


@pytest.fixture
def coordinator(org):
    return make_user(role="coordinator", organization=org)


@pytest.fixture
def coordinator_client(client, coordinator):
    login_verified(client, coordinator)
    return client
