"""A count that may be hidden picks its plural form by ``plural_count``: a shown count by
its value, "<5" and "—" (not numbers) by the plural form."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from cascada.core.privacy import Cell

TEMPLATE = Template(
    "{% load i18n plurals %}{% blocktranslate count n=x|plural_count with shown=x %}"
    "{{ shown }} cohort{% plural %}{{ shown }} cohorts{% endblocktranslate %}"
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Cell(1, 5), "1 cohort"),
        (Cell(7, 5), "7 cohorts"),
        (Cell(0, 5), "0 cohorts"),
        (Cell(None, 5), "&lt;5 cohorts"),
        (Cell(12, 5, withheld=True), "— cohorts"),
        (1, "1 cohort"),
        (3, "3 cohorts"),
        ("–", "– cohorts"),
    ],
)
def test_hidden_counts_read_as_plurals(value, text):
    with translation.override("en"):
        assert TEMPLATE.render(Context({"x": value})) == text
