"""The initiative's results booklet: each commitment's aim, milestones done, lessons and
only the testimonies whose authors consented to publication, attributed to the
institution; the PDF reads in Spanish (rendered to text here, to PNG by hand)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from cascada.commitments import services
from cascada.commitments.booklet import booklet_entries, booklet_pdf
from cascada.commitments.models import Milestone

pytestmark = pytest.mark.django_db

CONSENTED = "Aprendimos a escuchar a los padres sin juzgarlos."
WITHHELD = "En mi casa también había violencia y nunca lo dije."


def _text(pdf: bytes) -> str:
    done = subprocess.run(  # noqa: S603 (a fixed program on our own test output)
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_the_booklet_shows_results_and_only_consented_testimonies(
    initiative, commitment, alianza_commitment, cies, focal, manager
):
    milestone = Milestone.objects.get(commitment=commitment, key="diagnostico")
    services.milestone_set_status(
        actor=None, milestone=milestone, status="done", on=dt.date(2019, 7, 20)
    )
    services.lesson_record(actor=None, commitment=commitment, text="Los docentes piden más tiempo.",
                  recorded_on=dt.date(2021, 11, 1))  # fmt: skip
    services.testimony_record(actor=None, commitment=commitment, quote=CONSENTED, author_institution=cies,
                     recorded_on=dt.date(2021, 11, 2), consent_to_publish=True,
                     consent_on=dt.date(2021, 11, 2), author=focal)  # fmt: skip
    services.testimony_record(actor=None, commitment=commitment, quote=WITHHELD, author_institution=cies,
                     recorded_on=dt.date(2021, 11, 2), author=focal)  # fmt: skip
    entries = booklet_entries(user=manager, initiative=initiative)
    by_institution = {e.institution: e for e in entries}
    cies_entry = by_institution[cies.name]
    assert [m.key for m in cies_entry.done] == ["diagnostico"] and cies_entry.milestones == 3
    assert [t.quote for t in cies_entry.testimonies] == [CONSENTED]
    text = _text(booklet_pdf(initiative=initiative, entries=entries))
    assert "Cuadernillo de resultados" in text and "Hitos cumplidos: 1 de 3" in text
    assert "Aprendimos a escuchar" in text and "nunca lo dije" not in text
    assert focal.code not in text  # quotes name the institution, never the person


def test_a_mentor_s_booklet_holds_only_their_commitments(
    initiative, commitment, alianza_commitment, mentor, cies, alianza
):
    entries = booklet_entries(user=mentor, initiative=initiative)
    assert [e.institution for e in entries] == [cies.name]


def test_the_booklet_page_and_pdf_by_role(client, initiative, commitment, cies, focal, manager):
    from tests.accounts.factories import login_verified, make_user
    from tests.registry.factories import make_org

    services.testimony_record(actor=None, commitment=commitment, quote=WITHHELD,
                              author_institution=cies, recorded_on=dt.date(2021, 11, 2))  # fmt: skip
    login_verified(client, manager)
    page = client.get(f"/commitments/initiatives/{initiative.pk}/booklet/")
    assert page.status_code == 200 and cies.name.encode() in page.content
    assert WITHHELD.encode() not in page.content
    pdf = client.get(f"/commitments/initiatives/{initiative.pk}/booklet.pdf")
    assert pdf.status_code == 200 and "nunca lo dije" not in _text(pdf.content)
    outsider = make_user(role="coordinator", organization=make_org(name="Otra"))
    login_verified(client, outsider)
    assert client.get(f"/commitments/initiatives/{initiative.pk}/booklet/").status_code == 404
    assert client.get(f"/commitments/initiatives/{initiative.pk}/booklet.pdf").status_code == 404


def test_the_booklet_gives_outcomes_and_reach_with_small_counts_hidden(
    initiative, commitment, cies, manager
):
    from tests.registry.factories import consent_to_reporting, make_person
    from tests.trainings.factories import enrol, make_cohort, make_program

    cohort = make_cohort(program=make_program(owner=cies, name="Docentes"), sessions=1)
    teachers = [make_person(organization=cies) for _ in range(3)]
    consent_to_reporting(*teachers)
    enrol(cohort, *teachers)
    services.outcome_record(actor=None, commitment=commitment, recorded_on=dt.date(2021, 10, 1),
                            description="Tres docentes formados", cohort=cohort)  # fmt: skip
    services.outcome_record(actor=None, commitment=commitment, recorded_on=dt.date(2021, 10, 2),
                            description="Estrategia adoptada en cuatro unidades educativas",
                            people_reached=164)  # fmt: skip
    entries = booklet_entries(user=manager, initiative=initiative)
    text = _text(booklet_pdf(initiative=initiative, entries=entries))
    assert "Estrategia adoptada en cuatro unidades" in text
    # Three people trained: the funder's grant manager does not see CIES's people, so
    # the printed booklet hides the small count (it is shared outside the initiative).
    assert "<5 personas formadas" in text and "3 personas formadas" not in text
    assert "164 personas según la institución" in text
