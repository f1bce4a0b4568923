"""``web.paging.counted_page``: the page and the total in one statement, with the answers
``Paginator.get_page`` gives (issue 15: the people list paid its visibility rule twice)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cascada.registry.models import Person
from cascada.web.paging import counted_page
from tests.registry.factories import make_person

pytestmark = pytest.mark.django_db


def _same(page, expected):
    assert page.number == expected.number
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert [p.pk for p in page.object_list] == [p.pk for p in expected.object_list]
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())
    if expected.object_list:
        assert (page.start_index(), page.end_index()) == (
            expected.start_index(),
            expected.end_index(),
        )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.integers(0, 12),
    per_page=st.integers(1, 5),
    number=st.one_of(
        st.integers(-2, 6),
        st.sampled_from(["", "abc", "2", "999", None, "1.5", "٣", "9" * 30, "-" + "9" * 30]),
    ),
)
def test_the_same_page_as_djangos_paginator(org, people, per_page, number):
    with transaction.atomic():
        for _ in range(people):
            make_person(organization=org)
        qs = Person.objects.filter(organization=org).order_by("code")
        _same(counted_page(qs, number, per_page), Paginator(qs, per_page).get_page(number))
        transaction.set_rollback(True)


def test_the_people_list_asks_no_count_of_its_own(coordinator_client, org):
    for _ in range(30):
        make_person(organization=org)
    with CaptureQueriesContext(connection) as ctx:
        response = coordinator_client.get(reverse("web:person_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25
    assert not [q for q in ctx.captured_queries if "__count" in q["sql"]]
    # Past the end: the last page, as Paginator.get_page answers.
    last = coordinator_client.get(reverse("web:person_list"), {"page": "7"})
    assert last.context["page"].number == 2 and len(last.context["page"].object_list) == 5
