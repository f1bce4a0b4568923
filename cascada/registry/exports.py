"""The people export, scoped to the user (S2), audited as ``export`` (S10).

Identity columns only for roles that may read identity, filled only for the people whose
identity they may read (S3). Rows are produced lazily so a large export streams; headers
and values (sex, role, document type, yes/no) are in the active language. Narrowed to
the people of a program or cohort by ``trainings.exports.people_export``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.imports.exports import (
    CHUNK,
    Export,
    export_check,
    export_filename,
    headers,
    labels,
    org_filter,
    word,
    yes_no,
)

from .models import Identity, Person, PersonRole
from .selectors import identity_visible_q, person_list

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class PartnerIdentity(TypedDict):
    """What ``people_export`` annotates on each person when identity is exported."""

    partner_identity: bool


# Columns: (key, header). Headers are translated when the export is made, in the
# language of the user who asks (the web request's, the CLI's --language). Spanish and
# English headers are among the column names the importer accepts wherever a column can
# be imported back (code, sex, birth year, identity).
PEOPLE_COLUMNS = [
    ("code", _("Code")),
    ("sex", _("Sex")),
    ("birth_year", _("Birth year")),
    ("birth_year_estimated", _("Birth year estimated")),
    ("place_code", _("Place code")),
    ("place", _("Place")),
    ("organization", _("Organization")),
    ("roles", _("Roles")),
]
IDENTITY_COLUMNS = [
    ("given_name", _("Given names")),
    ("family_name", _("Family name")),
    ("id_document", _("Document type")),
    ("national_id", _("ID number")),
    ("phone", _("Phone")),
]
PEOPLE_HEADERS = [key for key, _label in PEOPLE_COLUMNS]
IDENTITY_HEADERS = [key for key, _label in IDENTITY_COLUMNS]


def people_export(
    *,
    user: Any,
    fmt: str = "csv",
    organization_id: Any = None,
    within: QuerySet[Any] | None = None,
) -> Export:
    """People the user may export (``within``: only these person ids, a subquery)."""
    export_check(user, fmt)
    qs = person_list(user=user, cap=Cap.EXPORT)
    org = org_filter(user, organization_id)
    if org is not None:
        qs = qs.filter(organization_id=org)
    if within is not None:
        qs = qs.filter(pk__in=within)
    with_identity = scope.has(user, Cap.VIEW_IDENTITY)
    if with_identity:
        # The one identity rule (selectors.identity_visible_q), as an annotation.
        qs = qs.select_related("identity").annotate(
            partner_identity=ExpressionWrapper(
                identity_visible_q(user=user), output_field=BooleanField()
            )
        )
    qs = qs.order_by("pk")
    count = qs.count()
    titles = headers(PEOPLE_COLUMNS + (IDENTITY_COLUMNS if with_identity else []))
    sexes = labels(Person._meta.get_field("sex").choices or [])
    roles = labels(PersonRole._meta.get_field("role").choices or [])
    documents = labels(Identity._meta.get_field("id_document").choices or [])
    yes = yes_no()

    def rows() -> Iterator[list[Any]]:
        for p in qs.iterator(chunk_size=CHUNK):
            row = [
                p.code,
                word(sexes, p.sex),
                p.birth_year,
                yes[bool(p.birth_year_estimated)],
                p.place.code if p.place else "",
                p.place.name if p.place else "",
                str(p.organization),
                ", ".join(sorted(word(roles, r.role) for r in p.roles.all())),
            ]
            if with_identity:
                identity = getattr(p, "identity", None)
                # Annotated above whenever ``with_identity``: mypy cannot follow that branch.
                annotated = cast("WithAnnotations[Person, PartnerIdentity]", p)
                if identity is not None and annotated.partner_identity:
                    row += [
                        identity.given_name,
                        identity.family_name,
                        word(documents, identity.id_document),
                        identity.national_id,
                        identity.phone,
                    ]
                else:
                    row += [""] * len(IDENTITY_HEADERS)
            yield row

    audit_record(
        actor=user,
        action="export",
        target_type="registry.person",
        detail={"kind": "people", "format": fmt, "count": count, "identity": with_identity},
    )
    return Export("people", titles, rows(), count, export_filename("people", fmt))
