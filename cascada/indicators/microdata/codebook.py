"""The columns of a microdata export and its codebook (column, meaning, values), in the
reader's language; the words of values that are not given."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from cascada.cascade.selectors import AGE_BANDS
from cascada.imports.exports import yes_no
from cascada.registry.models import Sex
from cascada.trainings.models import CohortKind

# What to do with organizations: their names (and the program's), letters new in every
# export ("Organización A"), or no column at all.
NAMES, LETTERS, NONE = "names", "letters", "none"
ORGANIZATION_CHOICES: list[tuple[str, Promise]] = [
    (NAMES, gettext_lazy("With the names of the organizations and the program")),
    (LETTERS, gettext_lazy("Organizations as letters (Organization A, B…), no program name")),
    (NONE, gettext_lazy("Without organizations or program")),
]
FORMAT_CHOICES: list[tuple[str, Promise]] = [
    ("xlsx", gettext_lazy("Excel (.xlsx), with the codebook")),
    ("csv_es", gettext_lazy("CSV for Excel in Spanish (; and decimal comma)")),
    ("csv", gettext_lazy("CSV (comma, decimal point)")),
]


def withheld_word() -> str:
    return pgettext("microdata value", "Withheld")


# ---------------------------------------------------------------- columns and codebook


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise
    meaning: Promise
    values: Callable[[], str]


def _labels(choices: Iterable[tuple[Any, Any]]) -> str:
    return "; ".join(str(label) for _v, label in choices)


def withheld_note() -> str:
    return _("“%(w)s”: held back so that nobody can be recognised (small groups).") % {
        "w": withheld_word()
    }


COLUMNS: list[Column] = [
    Column(
        "row",
        pgettext_lazy("microdata header", "Row"),
        gettext_lazy(
            "Row number, from 1, in an order drawn anew for every export: it is not a "
            "person's code and does not link two exports."
        ),
        lambda: _("Whole numbers"),
    ),
    Column(
        "sex",
        pgettext_lazy("microdata header", "Sex"),
        gettext_lazy("Sex as registered."),
        lambda: f"{_labels(Sex.choices)}; {withheld_note()}",
    ),
    Column(
        "age_band",
        pgettext_lazy("microdata header", "Age band"),
        gettext_lazy(
            "Age in the year of the export, in the dashboards' bands; never the year of birth."
        ),
        lambda: "; ".join(
            [k for k, _l in AGE_BANDS if k != "unknown"]
            + [str(dict(AGE_BANDS)["unknown"]), withheld_note()]
        ),
    ),
    Column(
        "department",
        pgettext_lazy("microdata header", "Department"),
        gettext_lazy(
            "Department of the person's main cohort (the first completed, else the first "
            "joined); never the province, district or community."
        ),
        lambda: (
            _(
                "Department names; “%(other)s”: departments with k people or fewer in the "
                "export, or held back with the small-group rule; “%(unknown)s”: cohort without a place."
            )
            % {"other": other_department(), "unknown": not_recorded()}
        ),
    ),
    Column(
        "generation",
        pgettext_lazy("microdata header", "Generation"),
        gettext_lazy(
            "Generation of the cascade: 1 trained by the organization, 2 by a trainer of "
            "generation 1, and so on (the lowest completed, else the lowest joined)."
        ),
        lambda: f"1, 2, 3…; {withheld_note()}",
    ),
    Column(
        "kind",
        pgettext_lazy("microdata header", "Kind of cohort"),
        gettext_lazy("Kind of the main cohort."),
        lambda: f"{_labels(CohortKind.choices)}; {withheld_note()}",
    ),
    Column(
        "sessions",
        pgettext_lazy("microdata header", "Sessions attended"),
        gettext_lazy("Sessions attended (present or make-up), in all the person's cohorts."),
        lambda: _("Whole numbers"),
    ),
    Column(
        "completed",
        pgettext_lazy("microdata header", "Completed"),
        gettext_lazy("Completed at least one cohort of the program (the completion rule)."),
        lambda: yes_no_values(),
    ),
    Column(
        "certified",
        pgettext_lazy("microdata header", "Certified trainer"),
        gettext_lazy("Certified to facilitate by a training of trainers of the program."),
        lambda: f"{yes_no_values()}; {withheld_note()}",
    ),
    Column(
        "ran",
        pgettext_lazy("microdata header", "Ran a cohort"),
        gettext_lazy("A certified trainer who facilitated a cohort since the certification."),
        lambda: f"{yes_no_values()}; {withheld_note()}",
    ),
    Column(
        "gem_before",
        pgettext_lazy("microdata header", "GEM before"),
        gettext_lazy(
            "GEM Scale score at the baseline (24 to 72, higher is more gender-equitable); "
            "only when the person answered both the baseline and the endline of a cohort."
        ),
        lambda: _("Numbers; empty: not answered both rounds"),
    ),
    Column(
        "gem_after",
        pgettext_lazy("microdata header", "GEM after"),
        gettext_lazy("GEM Scale score at the endline of the same cohort."),
        lambda: _("Numbers; empty: not answered both rounds"),
    ),
    Column(
        "gem_change",
        pgettext_lazy("microdata header", "GEM change"),
        gettext_lazy("GEM after minus GEM before: positive is an improvement."),
        lambda: _("Numbers; empty: not answered both rounds"),
    ),
    Column(
        "justify_before",
        pgettext_lazy("microdata header", "Justifies wife-beating before"),
        gettext_lazy(
            "At the baseline, said yes to at least one of the DHS reasons for which a "
            "husband would be justified in hitting or beating his wife."
        ),
        lambda: _("%(values)s; empty: not answered") % {"values": yes_no_values()},
    ),
    Column(
        "justify_after",
        pgettext_lazy("microdata header", "Justifies wife-beating after"),
        gettext_lazy("The same at the endline."),
        lambda: _("%(values)s; empty: not answered") % {"values": yes_no_values()},
    ),
    Column(
        "organization",
        pgettext_lazy("microdata header", "Organization"),
        gettext_lazy("Organization that registered the person."),
        lambda: (
            _(
                "Names, or letters drawn anew for every export (“%(letter)s”); “%(other)s”: "
                "organizations with k people or fewer in the export."
            )
            % {"letter": letter(0), "other": other_organization()}
        ),
    ),
    Column(
        "program",
        pgettext_lazy("microdata header", "Program"),
        gettext_lazy("Name of the program (only in exports with names)."),
        lambda: _("The program's name"),
    ),
]


def yes_no_values() -> str:
    words = yes_no()
    return f"{words[True]}; {words[False]}"


def other_department() -> str:
    return pgettext("microdata value", "Other departments")


def other_organization() -> str:
    return pgettext("microdata value", "Other organizations")


def not_recorded() -> str:
    return pgettext("microdata value", "Not recorded")


def letter(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("A") + r) + letters
    return _("Organization %(letter)s") % {"letter": letters}


def columns(organizations: str) -> list[Column]:
    """The columns of an export: the organization only when kept, the program with names."""
    out = [c for c in COLUMNS if c.key not in ("organization", "program")]
    if organizations in (NAMES, LETTERS):
        out.append(next(c for c in COLUMNS if c.key == "organization"))
    if organizations == NAMES:
        out.append(next(c for c in COLUMNS if c.key == "program"))
    return out


def codebook(organizations: str) -> list[list[str]]:
    """Column, meaning, values: one line per column of the export."""
    return [[str(c.header), str(c.meaning), c.values()] for c in columns(organizations)]


def codebook_headers() -> list[str]:
    return [
        str(pgettext_lazy("codebook header", "Column")),
        str(pgettext_lazy("codebook header", "Meaning")),
        str(pgettext_lazy("codebook header", "Values")),
    ]
