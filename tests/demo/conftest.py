"""The demo, built once for the tests of this package (``test_demo``, and
``test_commitments_demo``) inside a transaction rolled back at the end; each test runs in
a savepoint within it."""

from __future__ import annotations

import pytest
from django.db import transaction

from cascada.demo.build import build

SCALE = 0.2


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        build(scale=SCALE)
        yield
        transaction.set_rollback(True)
