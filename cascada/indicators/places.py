"""Places as the fill table stores them: a place id becomes its department, province and
district (a place above the district fills what it can), read once per fill."""

from __future__ import annotations

from dataclasses import dataclass

from cascada.registry.models import Place, PlaceLevel


@dataclass
class Places:
    rows: dict[int, tuple[str, int | None, int | None]]  # id -> (level, parent, department)

    def department_of(self, place: int | None) -> int | None:
        if place is None or place not in self.rows:
            return None
        level, _parent, department = self.rows[place]
        return place if level == PlaceLevel.DEPARTMENT else department

    def levels(self, place: int | None) -> tuple[int | None, int | None, int | None]:
        """(department, province, district) of ``place``."""
        if place is None or place not in self.rows:
            return None, None, None
        level, parent, department = self.rows[place]
        if level == PlaceLevel.DEPARTMENT:
            return place, None, None
        if level == PlaceLevel.PROVINCE:
            return department, place, None
        # A district (Peru) or a municipality (Bolivia): the province is its parent.
        province = parent if parent is not None and parent != department else None
        return department, province, place


def PLACES() -> Places:  # noqa: N802 (reads like the constant it stands for)
    return Places(
        {
            pk: (level, parent, department)
            for pk, level, parent, department in Place.objects.values_list(
                "pk", "level", "parent_id", "department_id"
            )
        }
    )
