"""A network's community actions as an XLSForm, for ODK Collect and KoboCollect: a promoter
without signal records what was done on the phone, and the submissions come back through
``importers.py`` (docs/decisions/networks.md). Writing and checking the workbook is the
imports' machinery (``imports/field_forms.py``); this module is the form.

The form, in order (the names are what an import reads, ``FIELDS``):

- ``date`` (not in the future), ``kind`` (select_one of ``ActivityKind``), ``title``;
- ``planned``: select_one of the activities of the latest approved revision of this
  year's plan (choice name: the activity's key), and ``unplanned``;
- ``place``: select_one of the network's place and the places within it (choice name: the
  place's code) and ``other``, shown only when the network has a place; ``place_text``, a
  place in words, when it is ``other`` or the network has none;
- ``audience``; the group ``reach`` with the six headcounts (integers, 0 or more, 0 by
  default: contacts, never distinct people); ``materials``; ``notes``;
- ``cascada_network``: a calculate holding the network's id, so an import can tell a
  submission of another network's form.

Settings: ``form_id`` ``cascada_red_<id>``; ``version`` ``v<8 hex digits of a hash of the
form>``, so that it changes whenever the form does (a plan revised, a place added), as ODK
Central requires of a new upload.
"""

from __future__ import annotations

from typing import Any

from django.utils import dates, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError
from cascada.imports.field_forms import (
    DEFAULT_LANGUAGE,
    Form,
    Row,
    choice,
    clean,
    constraint,
    convert,
    hint,
    labels,
    question,
    version_digest,
    xlsform_xlsx,
)
from cascada.registry.models import Place
from cascada.trainings.clock import country_today

from .models import ActivityKind, CommunityAction, Network, PlannedActivity, PlanRevision

# Field names an import reads.
DATE = "date"
KIND = "kind"
TITLE = "title"
PLANNED = "planned"
PLACE = "place"
PLACE_TEXT = "place_text"
AUDIENCE = "audience"
REACH_GROUP = "reach"
HEADCOUNTS = ("women", "men", "young_women", "young_men", "children", "not_stated")
MATERIALS = "materials"
NOTES = "notes"
NETWORK_FIELD = "cascada_network"
FIELDS = (
    DATE, KIND, TITLE, PLANNED, PLACE, PLACE_TEXT, AUDIENCE, *HEADCOUNTS, MATERIALS, NOTES,
    NETWORK_FIELD,
)  # fmt: skip

KIND_LIST = "cascada_kind"
PLANNED_LIST = "cascada_planned"
PLACE_LIST = "cascada_place"
UNPLANNED = "unplanned"
OTHER_PLACE = "other"
MAX_PLACES = 300  # choices offered: the network's place and what lies within it

HEADCOUNT_MAX = 100_000  # one action's headcount; more is a typing slip


def form_id(network: Network) -> str:
    return f"cascada_red_{network.pk}"


def plan_year(network: Network) -> int:
    """The year whose plan the form offers: this year where the network is convened."""
    return country_today(network.organization.country).year


def current_revision(network: Network, year: int) -> PlanRevision | None:
    """The latest approved revision of ``network``'s plan for ``year`` (the one planned
    against done reads)."""
    return (
        PlanRevision.objects.filter(
            plan__network=network, plan__year=year, approved_on__isnull=False
        )
        .order_by("-number")
        .first()
    )


def planned_activities(network: Network, year: int) -> list[PlannedActivity]:
    revision = current_revision(network, year)
    if revision is None:
        return []
    return [a for a in revision.activities.order_by("month", "pk") if a.key.strip()]


def form_places(network: Network) -> list[Place]:
    """The network's place and the places within it (its districts, theirs), at most
    ``MAX_PLACES``; none when the network has no place."""
    if network.place is None:
        return []
    places: list[Place] = [network.place]
    level = [network.place_id]
    while level and len(places) < MAX_PLACES:
        children = list(Place.objects.filter(parent_id__in=level).order_by("code"))
        places.extend(children[: MAX_PLACES - len(places)])
        level = [p.pk for p in children]
    return places


def both(text: Any) -> tuple[str, str]:
    """A text of Cascada's catalog (a model's label, a month) in Spanish and in English,
    whatever the user's language: the form carries both."""
    with translation.override("es"):
        es = str(text)
    with translation.override("en"):
        en = str(text)
    return es, en


def _headcount(name: str) -> Row:
    label = getattr(CommunityAction._meta.get_field(name), "verbose_name", name)
    es, en = (capfirst(t) for t in both(label))
    return question(
        "integer",
        name,
        es,
        en,
        required="yes",
        default="0",
        **constraint(
            f". >= 0 and . <= {HEADCOUNT_MAX}",
            "Un número entero, 0 o más.",
            "A whole number, 0 or more.",
        ),
    )


def _check(activities: list[PlannedActivity]) -> None:
    if any(a.key == UNPLANNED for a in activities):
        raise ApplicationError(
            _("A planned activity may not have the key “%(key)s”: the form uses it.")
            % {"key": UNPLANNED},
            code="planned_key",
        )


def xlsform_rows(network: Network, *, year: int | None = None) -> Form:
    """The XLSForm of ``network``'s actions: {"survey": rows, "choices": rows,
    "settings": [row]}, each row a dict of the cells it fills."""
    year = year or plan_year(network)
    activities = planned_activities(network, year)
    _check(activities)
    places = form_places(network)

    place_rows: list[Row] = []
    place_text_relevant = ""
    if places:
        place_rows.append(
            question(
                f"select_one {PLACE_LIST}",
                PLACE,
                "¿Dónde se hizo?",
                "Where was it done?",
                appearance="autocomplete" if len(places) > 10 else "",
            )
        )
        place_text_relevant = f"${{{PLACE}}} = '{OTHER_PLACE}'"
    place_rows.append(
        question(
            "text",
            PLACE_TEXT,
            "Lugar (escriba el nombre)" if not places else "¿Qué otro lugar?",
            "Place (write its name)" if not places else "Which other place?",
            relevant=place_text_relevant,
            **hint(
                "Por ejemplo, el colegio o la comunidad.",
                "For example, the school or the community.",
            ),
        )
    )

    rows: list[Row] = [
        question(
            "date",
            DATE,
            "Fecha de la acción",
            "Date of the action",
            required="yes",
            **constraint(
                ". <= today()", "La fecha no puede ser futura.", "The date cannot be in the future."
            ),
        ),
        question(
            f"select_one {KIND_LIST}", KIND, "Tipo de acción", "Kind of action", required="yes"
        ),
        question(
            "text",
            TITLE,
            "¿Qué se hizo?",
            "What was done?",
            required="yes",
            **constraint(
                "string-length(.) <= 200",
                "Como máximo 200 caracteres.",
                "At most 200 characters.",
            ),
        ),
        question(
            f"select_one {PLANNED_LIST}",
            PLANNED,
            "¿Qué actividad del plan cumple?",
            "Which activity of the plan does it fulfil?",
            required="yes",
        ),
        *place_rows,
        question(
            "text",
            AUDIENCE,
            "¿A quién se dirigió?",
            "Who was it for?",
            **hint(
                "Por ejemplo, padres de familia, estudiantes.", "For example, parents, students."
            ),
            **constraint(
                "string-length(.) <= 120",
                "Como máximo 120 caracteres.",
                "At most 120 characters.",
            ),
        ),
        {
            "type": "begin_group",
            "name": REACH_GROUP,
            **labels("Personas alcanzadas", "People reached"),
            **hint(
                "Cuente a quienes participaron, por sexo y edad. Si no lo sabe, use la última fila.",
                "Count who took part, by sex and age. If you do not know, use the last row.",
            ),
        },
        *(_headcount(name) for name in HEADCOUNTS),
        {"type": "end_group", "name": REACH_GROUP},
        _headcount(MATERIALS),
        question("text", NOTES, "Observaciones", "Notes", appearance="multiline"),
        {"type": "calculate", "name": NETWORK_FIELD, "calculation": str(network.pk)},
    ]

    choices: list[Row] = [choice(KIND_LIST, kind.value, *both(kind.label)) for kind in ActivityKind]
    for a in activities:
        month_es, month_en = both(dates.MONTHS_ALT[a.month])
        label_es = f"{a.title} ({month_es.lower()})"  # Spanish months are not capitalised
        choices.append(choice(PLANNED_LIST, a.key, label_es, f"{a.title} ({month_en})"))
    choices.append(choice(PLANNED_LIST, UNPLANNED, "No estaba en el plan", "Not in the plan"))
    if places:
        choices += [choice(PLACE_LIST, p.code, p.name, p.name) for p in places]
        choices.append(choice(PLACE_LIST, OTHER_PLACE, "Otro lugar", "Another place"))

    settings: Row = {
        "form_title": f"Acciones · {clean(network.name)}",
        "form_id": form_id(network),
        "default_language": DEFAULT_LANGUAGE,
    }
    settings["version"] = f"v{version_digest(rows, choices, settings)}"
    return {"survey": rows, "choices": choices, "settings": [settings]}


def xform_xml(network: Network, *, validate: bool = False, year: int | None = None) -> str:
    """The XForm (XML) of the form, converted by pyxform; with ``validate`` also checked
    by ODK Validate (Java)."""
    return convert(xlsform_rows(network, year=year), validate=validate)


def actions_xlsform_xlsx(network: Network, *, year: int | None = None) -> bytes:
    """The form as an .xlsx workbook, for upload to KoboToolbox or ODK Central."""
    return xlsform_xlsx(xlsform_rows(network, year=year))


def form_labels(network: Network, *, year: int | None = None) -> dict[str, Any]:
    """What a "Labels" export shows instead of names: ``fields`` label -> field name,
    ``choices`` list name -> label -> choice name (both languages)."""
    form = xlsform_rows(network, year=year)
    fields: dict[str, str] = {}
    for row in form["survey"]:
        if row.get("name") in FIELDS:
            fields.update({v: row["name"] for k, v in row.items() if k.startswith("label") and v})
    lists: dict[str, dict[str, str]] = {}
    for row in form["choices"]:
        for k, v in row.items():
            if k.startswith("label") and v:
                lists.setdefault(row["list_name"], {})[v] = row["name"]
    return {"fields": fields, "choices": lists}


__all__ = ["FIELDS", "actions_xlsform_xlsx", "form_id", "form_labels", "xform_xml", "xlsform_rows"]
