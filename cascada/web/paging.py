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
# Rows per page of the lists a phone scrolls (people, cohorts, cases): 25, a screenful
# or two at 360 px, and a page light enough for a slow connection (pages-at-scale.md).
PAGE_SIZE = 25
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
    # The window over the ids alone (no joins for every row counted), then the page's
    # rows by id, in the list's order, with the list's joins and prefetches: the ids come
    # from ``qs``, so the rule that made it is not asked again.
    counted = qs.order_by(*_ordering(qs)).annotate(**{TOTAL: Window(Count("pk"))})
    ids_and_total = counted.values_list("pk", TOTAL)

    def rows(page: int) -> tuple[list[Any], int | None]:
        found = list(ids_and_total[(page - 1) * per_page : page * per_page])
        if not found:
            return [], None
        by_id = _rows_of(qs).in_bulk([pk for pk, _t in found])
        return [by_id[pk] for pk, _t in found if pk in by_id], int(found[0][1])

    page_rows, total = rows(n)
    if total is None:
        total = qs.count()
        last = max(1, -(-total // per_page))
        if n > last:
            n = last
            page_rows = rows(n)[0] if total else []
    paginator = _Counted(qs, per_page, total)
    return Page(page_rows, n, paginator)


def _ordering(qs: QuerySet[Any]) -> list[Any]:
    return list(qs.query.order_by or qs.model._meta.ordering or ["pk"]) + ["pk"]


def _rows_of(qs: QuerySet[Any]) -> QuerySet[Any]:
    """The model's rows with ``qs``'s joins and prefetches, without its filters."""
    rows = qs.model._default_manager.all()
    rows.query.select_related = qs.query.select_related
    return rows.prefetch_related(*getattr(qs, "_prefetch_related_lookups", ()))
