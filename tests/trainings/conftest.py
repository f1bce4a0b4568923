"""Fixtures of the importer tests (the same as ``tests/imports``)."""

from __future__ import annotations

import pytest

from tests.accounts.factories import make_user
from tests.registry.factories import make_place


@pytest.fixture
def places(db):
    return {
        "150101": make_place(code="150101", name="Lima"),
        "040101": make_place(code="040101", name="Arequipa"),
    }


@pytest.fixture
def other_coordinator(other_org):
    return make_user(role="coordinator", organization=other_org)
