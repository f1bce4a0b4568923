"""The navigation bar, built from the user's capabilities and the routes that exist.

Other areas add their pages by URL name; a name that does not resolve (the page is not
built yet, or was removed) is skipped, so the menu never links to a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.privacy import threshold
from cascada.indicators import selectors as indicators
from cascada.safeguarding import selectors as safeguarding

# (URL name, label, capabilities of which the user needs at least one; empty: any user)
NAV_ITEMS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("web:home", _("Home"), ()),
    ("web:person_list", _("People"), (Cap.VIEW_PEOPLE,)),
    ("web:program_list", _("Programs"), (Cap.VIEW_AGGREGATES, Cap.MANAGE_PROGRAMS)),
    ("web:cohort_list", _("Trainings"), (Cap.VIEW_AGGREGATES, Cap.MANAGE_PROGRAMS)),
    ("web:curriculum_list", _("Curricula"), (Cap.VIEW_AGGREGATES, Cap.MANAGE_CURRICULA)),
    ("web:cascade_home", _("Cascade"), (Cap.VIEW_AGGREGATES,)),
    ("web:measurement_home", _("Measurement"), (Cap.VIEW_AGGREGATES,)),
    ("web:indicators_home", _("Indicators"), (Cap.VIEW_AGGREGATES,)),  # NAV_CHECKS too
    ("web:network_list", _("Networks"), ()),
    ("web:commitment_list", _("Commitments"), ()),
    ("web:study_list", _("Research"), ()),
    ("web:case_list", _("Safeguarding"), ()),  # for members only: NAV_CHECKS
    ("web:import_start", _("Imports"), (Cap.IMPORT,)),
    ("web:export_start", _("Exports"), (Cap.EXPORT,)),
    ("web:organization_list", _("Organizations"), (Cap.VIEW_AGGREGATES, Cap.VIEW_PEOPLE)),
    ("web:audit_list", _("Audit"), (Cap.VIEW_AUDIT,)),
)

# Items shown by another rule than a capability: the safeguarding pages (the guide, the
# directory, one's own cases) are for anyone who belongs to an organization, a promoter
# or a study member without a role included (``safeguarding.selectors``).
NAV_CHECKS: dict[str, Callable[[Any], bool]] = {
    "web:case_list": safeguarding.belongs_anywhere,
    # Dashboards are for roles that see a whole organization (not facilitators).
    "web:indicators_home": lambda user: bool(indicators.dashboard_org_ids(user)),
}


@dataclass(frozen=True)
class NavItem:
    name: str
    label: Any
    url: str
    active: bool


def url_or_none(name: str, **kwargs: Any) -> str | None:
    """The URL for a route name, or None when no such route exists (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def nav_items(user: Any, path: str = "") -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    if scope.needs_two_factor(user) and not getattr(user, "is_verified", lambda: False)():
        return []  # half signed in: the two-factor page offers its own sign-out
    items = []
    for name, label, caps in NAV_ITEMS:
        if caps and not any(scope.has(user, cap) for cap in caps):
            continue
        check = NAV_CHECKS.get(name)
        if check is not None and not check(user):
            continue
        url = url_or_none(name)
        if url is None:
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(name=name, label=label, url=url, active=active))
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``nav_items`` and ``logout_url`` for ``web/base.html``."""
    user = getattr(request, "user", None)
    items = nav_items(user, request.path)
    return {
        "nav_items": items,
        "logout_url": url_or_none("web:logout") if items else None,
        # The small-number thresholds, for the note beside published figures (ADR 0006).
        "release_k": threshold(),
        "release_k_court": threshold(court=True),
    }
