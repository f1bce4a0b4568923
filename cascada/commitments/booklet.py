"""An initiative's results booklet (issue 11): for each Commitment to Action its aim, what
was done (the milestones done), its outcomes and reach (through the disclosure control),
its lessons and the testimonies whose authors consented
to publication, as a printable page and an A4 PDF in Spanish. Testimonies come only from
``selectors.testimonies_publishable`` (docs/decisions/commitments.md); quotes are
attributed to the institution, never to a person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation

from cascada.trainings.certificate_pdf import A4Report, _latin1, fecha_es

from .models import (
    Commitment,
    Initiative,
    LessonLearned,
    Milestone,
    MilestoneStatus,
    Outcome,
    Testimony,
    Theme,
)
from .selectors import (
    commitment_list,
    reach_shown,
    testimonies_publishable,
    version_latest,
)

GREEN = (42, 111, 78)


@dataclass
class BookletEntry:
    commitment: Commitment
    institution: str
    aim: str
    themes: list[str]  # codes of ``Theme``, worded in the reader's language when shown

    @property
    def theme_labels(self) -> list[str]:
        return [str(Theme(t).label) for t in self.themes if t in Theme.values]

    done: list[Milestone] = field(default_factory=list)
    milestones: int = 0
    lessons: list[str] = field(default_factory=list)
    testimonies: list[Testimony] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    # Whom it reached, each figure through the disclosure control (``reach_shown``).
    reach: dict[str, Any] = field(default_factory=dict)


def booklet_entries(*, user: Any, initiative: Initiative) -> list[BookletEntry]:
    """One entry per commitment of ``initiative`` the user may open, in a few queries."""
    commitments = list(
        commitment_list(user=user)
        .filter(initiative=initiative)
        .select_related("institution")
        .order_by("institution__name")
    )
    ids = [c.pk for c in commitments]
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(commitment_id__in=ids).order_by("due_on", "pk"):
        milestones[m.commitment_id].append(m)
    lessons: dict[int, list[str]] = defaultdict(list)
    for lesson in LessonLearned.objects.filter(commitment_id__in=ids):
        lessons[lesson.commitment_id].append(lesson.text)
    quotes: dict[int, list[Testimony]] = defaultdict(list)
    for t in testimonies_publishable(initiative=initiative, commitments=ids):
        quotes[t.commitment_id].append(t)
    outcomes: dict[int, list[str]] = defaultdict(list)
    for o in Outcome.objects.filter(commitment_id__in=ids):
        outcomes[o.commitment_id].append(o.description)
    entries = []
    for c in commitments:
        version = version_latest(c)
        entries.append(
            BookletEntry(
                commitment=c,
                institution=c.institution.name,
                aim=version.aim if version else "",
                themes=list(version.themes) if version else [],
                done=[m for m in milestones[c.pk] if m.status == MilestoneStatus.DONE],
                milestones=sum(1 for m in milestones[c.pk] if m.status != MilestoneStatus.DROPPED),
                lessons=lessons[c.pk],
                testimonies=quotes[c.pk],
                outcomes=outcomes[c.pk],
                reach=reach_shown(user, [c.pk]),
            )
        )
    return entries


def booklet_pdf(*, initiative: Initiative, entries: list[BookletEntry]) -> bytes:
    """The booklet, in Spanish whatever the reader's language (it is printed and shared)."""
    with translation.override("es"):
        return _pdf(initiative, entries, timezone.localdate())


def _pdf(initiative: Initiative, entries: list[BookletEntry], today: dt.date) -> bytes:
    pdf = A4Report(f"Resultados: {initiative.name}")
    width, text = pdf.width, pdf.paragraph

    text(9, "Cuadernillo de resultados", "", 5)
    text(16, initiative.name, "B", 8)
    period = ""
    if getattr(initiative, "starts_on", None) and getattr(initiative, "ends_on", None):
        period = f" Del {fecha_es(initiative.starts_on)} al {fecha_es(initiative.ends_on)}."
    text(10, f"Financiada por {initiative.funder.name}.{period}")
    n = len(entries)
    text(10, f"{n} compromiso{'s' if n != 1 else ''} de acción. Generado el {fecha_es(today)}.")
    for entry in entries:
        pdf.ln(4)
        if pdf.will_page_break(40):
            pdf.add_page()
        pdf.set_text_color(*GREEN)
        text(13, entry.institution, "B", 7)
        pdf.set_text_color(0, 0, 0)
        if entry.themes:
            text(9, "Temas: " + ", ".join(entry.theme_labels).lower() + ".")
        if entry.aim:
            text(10, entry.aim)
        text(
            10,
            f"Hitos cumplidos: {len(entry.done)} de {entry.milestones}.",
            "B",
        )
        for m in entry.done:
            done_on = f" ({fecha_es(m.done_on)})" if m.done_on else ""
            text(10, f"- {m.title}{done_on}")
        if entry.outcomes:
            text(10, "Resultados", "B")
            for outcome in entry.outcomes:
                text(10, f"- {outcome}")
        reach = _reach_line(entry.reach)
        if reach:
            text(10, reach)
        if entry.lessons:
            text(10, "Lecciones aprendidas", "B")
            for lesson in entry.lessons:
                text(10, f"- {lesson}")
        for t in entry.testimonies:
            pdf.set_font("Helvetica", "I", 10)
            pdf.multi_cell(width, 6, _latin1(f"«{t.quote}»"), new_x="LMARGIN", new_y="NEXT")
            text(9, f"- {t.author_institution.name}")
    return bytes(pdf.output())


def _reach_line(reach: dict[str, Any]) -> str:
    """ "Alcance: 40 personas formadas (35 concluyeron), 120 contactos en acciones
    comunitarias, 164 personas según la institución." Figures as the page shows them
    (a hidden one as "<5"); a figure that is 0 is left out."""
    parts = []
    for key, words in (
        ("enrolled", "personas formadas"),
        ("contacts", "contactos en acciones comunitarias"),
        ("declared", "personas según la institución"),
    ):
        release = reach.get(key)
        if release is None or release.total.value == 0:
            continue
        part = f"{release.total} {words}"
        if key == "enrolled" and reach["completed"].total.value != 0:
            part += f" ({reach['completed'].total} concluyeron)"
        parts.append(part)
    return ("Alcance: " + ", ".join(parts) + ".") if parts else ""
