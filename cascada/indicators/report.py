"""A program's donor report for a period (issue 14; docs/decisions/indicators.md): the
indicators against their targets, the cascade by generation, attitude change, community
action, lessons and testimonies published with consent. One structure for the printable
page and the PDF (``report_pdf.py``), so both show the same figures, made by
``present.indicator_view`` for the reader: exact, or through the disclosure control."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from . import periods as P
from .models import Frequency
from .present import PeriodRow, View, indicator_view, program_release, shown_to
from .selectors import indicator_list, plans_of, program_scoped

# The indicators each section reads, by code (built-ins; missing ones are left out).
HEADLINE = (
    "people_enrolled",
    "people_completed",
    "completion_rate",
    "trainers_trained",
    "replication_rate",
    "session_contacts",
    "community_reach",
    "gem_mean_change",
    "gem_improved",
    "justify_before",
    "justify_after",
)
ATTITUDES = ("gem_mean_change", "gem_improved", "justify_before", "justify_after")
STATISTICS = ("gem_change", "gem_improved", "justify_before", "justify_after")


@dataclass
class Line:
    """One indicator in the report: its value at the end of the period (or so far) and
    the target it is read against, as text the page and the PDF both print."""

    view: View
    period: PeriodRow | None

    @property
    def name(self) -> str:
        return self.view.indicator.name

    @property
    def whole_program(self) -> bool:
        """A protected statistic has no value per period: the report gives the program's
        so far, marked (by period and group: the analysis page)."""
        return self.period is None or (
            self.period.value.hidden
            and not self.view.exact
            and not self.view.so_far.hidden
            and self.view.indicator.source in STATISTICS
        )

    @property
    def value(self) -> str:
        return self.view.so_far.text if self.whole_program else self.period.value.text  # type: ignore[union-attr]

    @property
    def target(self) -> str:
        return self.view.lop_target_text if self.period is None else self.period.target_text

    @property
    def percent_met(self) -> float | None:
        if self.period is None:
            return self.view.percent_met
        return None if self.whole_program else self.period.percent_met


@dataclass
class Report:
    program: Any
    period: str  # "2026", "2026Q3"; "" for the whole program so far
    period_label: str
    exact: bool
    k: int
    generated: dt.date
    lines: list[Line] = field(default_factory=list)
    charts: list[View] = field(default_factory=list)  # a year by quarters, a quarter by months
    own: list[Line] = field(default_factory=list)
    generations: View | None = None
    audience: View | None = None
    lessons: list[str] = field(default_factory=list)
    testimonies: list[tuple[str, str]] = field(default_factory=list)

    def line(self, code: str) -> Line | None:
        return next((x for x in self.lines if x.view.indicator.code == code), None)

    @property
    def table(self) -> list[Line]:
        """The rows of "Indicators against targets", on the page and in the PDF alike:
        the built-in indicators, then the organization's own."""
        return self.lines + self.own

    @property
    def attitudes(self) -> list[Line]:
        return [x for x in self.lines if x.view.indicator.code in ATTITUDES]


def period_choices(
    program: Any, today: dt.date | None = None, *, years_only: bool = False
) -> list[tuple[str, str]]:
    """The years and quarters a report can be made for, newest first (years only for a
    viewer: a quarter and its year are nested tables of the same people)."""
    from cascada.trainings.models import Cohort

    today = today or timezone.localdate()
    first = (
        Cohort.objects.filter(program=program)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    if first is None:
        return []
    years = P.keys_between(first, today, Frequency.YEAR)
    quarters = [] if years_only else P.keys_between(first, today, Frequency.QUARTER)
    return [(k, P.label(k)) for k in reversed(years + quarters)]


def program_report(
    *, user: Any, program: Any, period: str, exact: bool, today: dt.date | None = None
) -> Report:
    from cascada.core.privacy import threshold

    today = today or timezone.localdate()
    frequency = P.frequency_of(period) if period else Frequency.YEAR
    end = min(P.bounds(period)[1], today) if period else today
    release = None
    if not exact:
        release = program_release(program_id=program.pk, court=program.is_court_mandated, user=user)
    plans = plans_of(program=program)
    report = Report(
        program=program,
        period=period,
        period_label=P.label(period) if period else "",
        exact=exact,
        k=0 if exact else threshold(court=program.is_court_mandated),
        generated=today,
    )

    def view(indicator: Any, dimension: str = "", grain: str = "") -> View:
        return indicator_view(
            indicator,
            program_ids=[program.pk],
            organization_id=program.owner_id,
            exact=exact,
            court=program.is_court_mandated,
            plan=plans.get(indicator.pk),
            frequency=grain or frequency,
            dimension=dimension,
            today=end,
            release=release,
        )

    indicators = {i.code: i for i in indicator_list(organization_id=program.owner_id)}
    for code in HEADLINE:
        indicator = indicators.get(code)
        if indicator is None or not shown_to(indicator, exact=exact):
            continue
        v = view(indicator)
        row = next((p for p in v.periods if p.key == period), None) if period else None
        report.lines.append(Line(v, row))
    for indicator in indicators.values():
        if (
            indicator.organization_id is not None
            and program_scoped(indicator)
            and shown_to(indicator, exact=exact)
        ):
            v = view(indicator)
            report.own.append(Line(v, next((p for p in v.periods if p.key == period), None)))
    within: dict[str, str] = {Frequency.YEAR: Frequency.QUARTER, Frequency.QUARTER: Frequency.MONTH}
    for code in ("people_enrolled", "people_completed"):
        if code in indicators:
            chart = view(indicators[code], grain=within.get(str(frequency), Frequency.QUARTER))
            if period and exact:  # a viewer's chart is the yearly table, every year
                start = P.bounds(period)[0]
                chart.periods = [p for p in chart.periods if P.bounds(p.key)[0] >= start]
            report.charts.append(chart)
    if "people_enrolled" in indicators:
        report.generations = view(indicators["people_enrolled"], "generation")
    if "community_reach" in indicators:
        report.audience = view(indicators["community_reach"], "audience")
    _stories(report, program, end)
    return report


def _stories(report: Report, program: Any, end: dt.date) -> None:
    """Lessons and testimonies of the Commitments to Action whose initiative trained in
    this program's cohorts; testimonies only with consent to publish (the one rule:
    ``commitments.selectors.testimonies_publishable``)."""
    from cascada.commitments.models import Commitment, LessonLearned
    from cascada.commitments.selectors import testimonies_publishable

    commitments = Commitment.objects.filter(initiative__trainings__program=program).distinct()
    report.lessons = list(
        LessonLearned.objects.filter(commitment__in=commitments, recorded_on__lte=end)
        .order_by("-recorded_on")
        .values_list("text", flat=True)[:8]
    )
    report.testimonies = [
        (t.quote, t.author_institution.name)
        for t in testimonies_publishable(commitments=commitments).filter(recorded_on__lte=end)[:6]
    ]
