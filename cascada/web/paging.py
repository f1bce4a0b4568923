"""A page of a list and its total in one statement (issue 15).

Django's ``Paginator`` asks twice: ``COUNT(*)`` for the number of pages, then the page.
Where the visibility rule is the costly part of both (the people list: the organization's
people OR the enrolments and facilitations of its programs' cohorts, 100,000 people),
``counted_page`` asks once, the total riding on each row as ``COUNT(*) OVER ()``. Same
answers as ``Paginator.get_page``: a number that is no number is page 1, one past the
end (or below the first) is the last page (that case alone costs a count and a second
read)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "page_total_over"
PAST_THE_END = 2**31


class _Counted(Paginator):
    def __init__(self, object_list: Any, per_page: int, total: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = total  # the cached property, known already


def counted_page(qs: QuerySet[Any], number: Any, per_page: int) -> Page:
    try:
        n = int(str(number))
    except (TypeError, ValueError):
        n = 1
    if n < 1 or n > PAST_THE_END:
        # As Paginator.get_page: below the first page is the last one; and no offset
        # beyond what a database takes (a page number of thirty digits is no 500).
        n = PAST_THE_END
    counted = qs.annotate(**{TOTAL: Window(Count("pk"))})

    def rows(page: int) -> list[Any]:
        return list(counted[(page - 1) * per_page : page * per_page])

    found = rows(n)
    if found:
        total = int(getattr(found[0], TOTAL))
    else:
        total = qs.count()
        last = max(1, -(-total // per_page))
        if n > last:
            n = last
            found = rows(n) if total else []
    paginator = _Counted(qs, per_page, total)
    return Page(found, n, paginator)
