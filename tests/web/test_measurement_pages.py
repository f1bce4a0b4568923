"""The measurement pages as each role uses them: a coordinator opens a round, downloads its
XLSForm and enters a man's answers on the phone form; an M&E officer reads the analysis;
a viewer gets the protected analysis; a facilitator sees no one's answers."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from cascada.measurement.models import Instrument, Response, Round
from cascada.measurement.services import response_record, round_create
from cascada.measurement.shipped import GEM_ITEMS
from cascada.registry.models import Person
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def gem():
    return Instrument.objects.get(code="gem", organization=None).versions.get()


@pytest.fixture
def cohort(org):
    return make_cohort(program=make_program(owner=org), sessions=2, name="Los Olivos")


def client_for(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_a_coordinator_opens_a_round_and_enters_answers(coordinator_client, cohort, gem, org):
    man = make_person(organization=org, given_name="Julio", family_name="Quispe")
    enrol(cohort, man)
    response = coordinator_client.post(
        reverse("web:round_new", args=[cohort.pk]),
        {"version": gem.pk, "kind": "baseline", "opens_on": "2026-03-02"},
    )
    survey = Round.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("web:round_detail", args=[survey.pk])
    )
    page = coordinator_client.get(reverse("web:round_answer", args=[survey.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Es el hombre quien debe decidir" in html and man.code in html
    answers = {
        f"item_{code}": ("disagree" if inequitable else "agree")
        for code, inequitable, *_ in GEM_ITEMS
    }
    saved = coordinator_client.post(
        reverse("web:round_answer", args=[survey.pk]),
        {"person": man.pk, "consent": "yes", **answers},
    )
    assert saved.status_code == 302
    assert Response.objects.get().total == 72
    detail = coordinator_client.get(reverse("web:round_detail", args=[survey.pk]))
    assert man.code in detail.content.decode()
    # Back on the form, the man who answered is named before anyone is chosen again.
    again = coordinator_client.get(reverse("web:round_answer", args=[survey.pk])).content.decode()
    assert 'data-test="already-answered"' in again and man.code in again


def test_without_consent_the_form_says_so_and_stores_nothing(coordinator_client, cohort, gem, org):
    man = make_person(organization=org)
    enrol(cohort, man)
    survey = round_create(
        actor=None, cohort=cohort, version=gem, kind="baseline", opens_on=cohort.start_date
    )
    page = coordinator_client.post(
        reverse("web:round_answer", args=[survey.pk]),
        {"person": man.pk, "consent": "no", "item_gem_decides_sex": "agree"},
    )
    assert page.status_code == 400 and "consent" in page.content.decode().lower()
    assert not Response.objects.exists()


def test_the_xlsform_download_is_a_workbook_with_the_items(coordinator_client, cohort, gem):
    survey = round_create(
        actor=None, cohort=cohort, version=gem, kind="baseline", opens_on=cohort.start_date
    )
    response = coordinator_client.get(reverse("web:round_xlsform", args=[survey.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in book["survey"].iter_rows(values_only=True)]
    assert "gem_decides_sex" in names and "consent" in names


def _answered_program(cohort, gem, org, people=12):
    base, end = (
        round_create(actor=None, cohort=cohort, version=gem, kind=k, opens_on=cohort.start_date)
        for k in ("baseline", "endline")
    )
    men = [make_person(organization=org, sex="male") for _ in range(people)]
    enrol(cohort, *men)
    for n, man in enumerate(men):
        before = {code: "agree" for code, *_ in GEM_ITEMS}
        after = {code: ("disagree" if n % 3 else "partly") for code, *_ in GEM_ITEMS}
        response_record(actor=None, survey=base, person=man, answers=before, consent=True)
        response_record(actor=None, survey=end, person=man, answers=after, consent=True)
    return men


def test_the_me_officer_reads_the_analysis(cohort, gem, org):
    _answered_program(cohort, gem, org)
    officer = client_for(make_user(organization=org, role="me_officer"))
    page = officer.get(reverse("web:program_analysis", args=[cohort.program_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-test="matched">12<' in html and "<svg" in html
    assert "más equitativo" in html


def test_a_viewer_gets_only_the_protected_analysis(cohort, gem, org):
    men = _answered_program(cohort, gem, org, people=4)
    for man in men:
        man.reporting_consent = True
        man.save()
    viewer = client_for(make_user(organization=org, role="viewer"))
    page = viewer.get(reverse("web:program_analysis", args=[cohort.program_id]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-test="release-note"' in html
    assert 'data-test="matched">≤' in html  # 4 people: k or fewer
    assert 'data-test="mean-change"' not in html
    survey = Round.objects.filter(kind="baseline").get()
    assert viewer.get(reverse("web:round_answer", args=[survey.pk])).status_code in (403, 404)


def test_a_facilitator_sees_the_round_but_no_ones_answers(cohort, gem, org):
    _answered_program(cohort, gem, org, people=2)
    survey = Round.objects.filter(kind="baseline").get()
    facilitator = client_for(make_user(organization=org, role="facilitator"))
    page = facilitator.get(reverse("web:round_detail", args=[survey.pk]))
    assert page.status_code in (200, 404)
    assert 'id="responses"' not in page.content.decode()


def test_submissions_are_uploaded_checked_and_imported_from_the_round_page(
    coordinator_client, cohort, gem, org, monkeypatch
):
    from tests.jobs.support import jobs_inline
    from tests.measurement.test_submissions import ALL_AGREE, kobo_csv, kobo_headers, kobo_row

    jobs_inline(monkeypatch, "cascada.measurement.importers")
    man = make_person(organization=org)
    enrol(cohort, man)
    survey = round_create(
        actor=None, cohort=cohort, version=gem, kind="baseline", opens_on=cohort.start_date
    )
    row = kobo_row(1, man.code, ALL_AGREE)
    row["cascada_round"] = str(survey.pk)
    data = kobo_csv(kobo_headers(), [row])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = coordinator_client.post(
        reverse("web:round_upload", args=[survey.pk]),
        {"file": SimpleUploadedFile("envios.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"])
    html = page.content.decode()
    assert 'data-test="upload-counts"' in html and 'data-test="import"' in html
    done = coordinator_client.post(response["Location"], {"action": "import"}, follow=True)
    assert 'data-test="imported"' in done.content.decode()
    assert Response.objects.get().total == 38


def test_scores_download_for_those_who_read_answers_only(cohort, gem, org):
    men = _answered_program(cohort, gem, org, people=3)
    survey = Round.objects.filter(kind="endline").get()
    officer = client_for(make_user(organization=org, role="me_officer"))
    sheet = officer.get(reverse("web:round_export", args=[survey.pk, "csv"]))
    lines = sheet.content.decode().lstrip("\ufeff").splitlines()
    assert sheet.status_code == 200 and lines[0].startswith("respondent,source")
    assert {line.split(",")[0] for line in lines[1:]} == {m.code for m in men}
    book = officer.get(reverse("web:round_export", args=[survey.pk, "xlsx"]))
    assert openpyxl.load_workbook(io.BytesIO(book.content)).active.max_row == 4
    for role in ("viewer", "facilitator"):
        other = client_for(make_user(organization=org, role=role))
        assert other.get(reverse("web:round_export", args=[survey.pk, "csv"])).status_code in (
            403,
            404,
        )


def test_a_coordinator_adopts_the_gem_scale_confirms_item_24_and_publishes(
    coordinator_client, gem, org
):
    page = coordinator_client.get(reverse("web:version_detail", args=[gem.pk]))
    assert 'data-test="adopt"' in page.content.decode() and 'data-test="pending"' in (
        page.content.decode()
    )
    adopted = coordinator_client.post(
        reverse("web:version_detail", args=[gem.pk]), {"action": "adopt"}
    )
    draft = Instrument.objects.get(organization=org).versions.get()
    assert adopted["Location"].endswith(reverse("web:version_detail", args=[draft.pk]))
    item = draft.items.get(code="gem_male_friend")
    coordinator_client.post(
        reverse("web:version_detail", args=[draft.pk]),
        {"action": "confirm", "item": item.pk, "text_es": "Es importante tener un amigo."},
    )
    item.refresh_from_db()
    assert item.text_es == "Es importante tener un amigo." and item.confirmed_at
    coordinator_client.post(reverse("web:version_detail", args=[draft.pk]), {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == "published"
    gem.refresh_from_db()
    assert gem.items.get(code="gem_male_friend").wording_es == "unverified"  # untouched


def test_a_viewer_reads_an_instrument_but_cannot_adopt_it(gem, org):
    viewer = client_for(make_user(organization=org, role="viewer"))
    assert viewer.get(reverse("web:version_detail", args=[gem.pk])).status_code == 200
    response = viewer.post(reverse("web:version_detail", args=[gem.pk]), {"action": "adopt"})
    assert response.status_code == 403
    assert not Instrument.objects.filter(organization=org).exists()


def test_an_own_instrument_from_an_xlsform_upload(coordinator_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.measurement.test_instrument_import import UGANDA_CHOICES, UGANDA_SURVEY, workbook

    data = workbook(UGANDA_SURVEY, UGANDA_CHOICES)
    response = coordinator_client.post(
        reverse("web:instrument_upload"), {"file": SimpleUploadedFile("ug.xlsx", data)}
    )
    version = Instrument.objects.get(organization=org).versions.get()
    assert response["Location"].endswith(reverse("web:version_detail", args=[version.pk]))
    bad = coordinator_client.post(
        reverse("web:instrument_upload"),
        {"file": SimpleUploadedFile("x.xlsx", b"no es excel")},
        follow=True,
    )
    assert "XLSForm" in bad.content.decode()


def test_a_coordinator_saves_a_server_and_an_address_that_is_refused_is_said(
    coordinator_client, cohort, gem, settings
):
    from cascada.measurement.models import FieldServer

    survey = round_create(
        actor=None, cohort=cohort, version=gem, kind="baseline", opens_on=cohort.start_date
    )
    page = coordinator_client.post(
        reverse("web:round_server", args=[survey.pk]),
        {"kind": "kobo", "base_url": "https://10.1.2.3", "project": "a", "form": "b", "token": "t"},
        follow=True,
    )
    assert "red privada" in page.content.decode() or "private" in page.content.decode()
    assert not FieldServer.objects.exists()
    settings.CASCADA_FIELD_SERVER_PRIVATE_OK = True
    coordinator_client.post(
        reverse("web:round_server", args=[survey.pk]),
        {"kind": "odk", "base_url": "https://odk.example.org", "project": "4", "form": "f",
         "token": "t"},
    )  # fmt: skip
    assert FieldServer.objects.get().kind == "odk"
    assert (
        'data-test="pull"'
        in coordinator_client.get(reverse("web:round_detail", args=[survey.pk])).content.decode()
    )


def test_the_analysis_as_a_pdf_says_what_the_page_says(cohort, gem, org, tmp_path):
    import shutil
    import subprocess

    _answered_program(cohort, gem, org)
    officer = client_for(make_user(organization=org, role="me_officer"))
    response = officer.get(reverse("web:program_analysis_pdf", args=[cohort.program_id]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "analisis.pdf"
    pdf.write_bytes(response.content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is installed by .ci/run"
    text = subprocess.run(  # noqa: S603
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "12 personas respondieron antes y después" in text
    assert "más equitativo" in text and "Generación 1" in text and "30 a 44" in text


def test_a_coordinator_builds_an_instrument_item_by_item(coordinator_client, org):
    """The rules on the page: answers of a scale with scores, items (one reversed, two in a
    subscale), unanswered items allowed and cut-offs; then the draft scores as defined."""
    from cascada.measurement.instrument_import import instrument_from_xlsform
    from cascada.measurement.scoring import Spec, score
    from tests.measurement.test_instrument_import import workbook

    draft = instrument_from_xlsform(
        actor=None,
        organization=org,
        data=workbook(
            [["type", "name", "label"], ["select_one sn", "first", "Primera frase"]],
            [["list_name", "name", "label", "cascada_score"], ["sn", "si", "Sí", 1],
             ["sn", "no", "No", 0]],
        ),
    )  # fmt: skip
    url = reverse("web:version_detail", args=[draft.pk])
    post = coordinator_client.post
    post(url, {"action": "add_option", "scale": "acuerdo", "code": "a", "label_es": "De acuerdo",
               "score": "1"})  # fmt: skip
    post(url, {"action": "add_option", "scale": "acuerdo", "code": "d",
               "label_es": "En desacuerdo", "score": "3"})  # fmt: skip
    post(url, {"action": "add_item", "code": "q2", "text_es": "Segunda", "scale": "acuerdo",
               "subscale": "hogar"})  # fmt: skip
    post(url, {"action": "add_item", "code": "q3", "text_es": "Tercera", "scale": "acuerdo",
               "reverse": "1", "subscale": "hogar"})  # fmt: skip
    post(url, {"action": "rules", "max_missing": "1", "category_kind": "cutoffs", "upper": "3"})
    bad = post(url, {"action": "add_item", "code": "9x", "text_es": "Mala", "scale": "acuerdo"},
               follow=True)  # fmt: skip
    assert "código" in bad.content.decode().lower() or "code" in bad.content.decode().lower()
    draft.refresh_from_db()
    spec = Spec.of(draft)
    assert [i.code for i in spec.items] == ["first", "q2", "q3"]
    result = score(spec, {"first": "si", "q2": "d", "q3": "a"})  # 1 + 3 + (1 + 3 - 1)
    assert result.total == 7 and result.subscales == {"hogar": 6.0}
    # One unanswered item is allowed: (0 + 1) / 2 x 3 = 1.5, under the cut-off of 3.
    assert score(spec, {"first": "no", "q2": "a"}).category == "c1"
    item = draft.items.get(code="first")
    post(url, {"action": "remove_item", "item": item.pk})
    assert not draft.items.filter(code="first").exists()


def test_bad_values_on_the_instrument_page_are_refused_not_a_server_error(
    coordinator_client, org, gem
):
    coordinator_client.post(reverse("web:version_detail", args=[gem.pk]), {"action": "adopt"})
    draft = Instrument.objects.get(organization=org).versions.get()
    url = reverse("web:version_detail", args=[draft.pk])
    assert coordinator_client.post(url, {"action": "confirm", "item": "abc"}).status_code in (
        403,
        404,
    )
    for rules in (
        {"max_missing": "99", "category_kind": "equal_thirds"},
        {"max_missing": "1", "category_kind": "cutoffs", "upper": ""},
    ):
        page = coordinator_client.post(url, {"action": "rules", **rules}, follow=True)
        assert page.status_code == 200
    draft.refresh_from_db()
    assert draft.max_missing == 2 and draft.category_rule["kind"] == "equal_thirds"


def test_a_viewer_sees_no_count_of_responses_on_a_round_page(cohort, gem, org):
    """A count per round is a count per cohort, men who did not consent included."""
    _answered_program(cohort, gem, org, people=3)
    survey = Round.objects.filter(kind="endline").get()
    viewer = client_for(make_user(organization=org, role="viewer"))
    page = viewer.get(reverse("web:round_detail", args=[survey.pk])).content.decode()
    assert 'data-test="response-count"' not in page
    officer = client_for(make_user(organization=org, role="me_officer"))
    page = officer.get(reverse("web:round_detail", args=[survey.pk])).content.decode()
    assert 'data-test="response-count"><strong>3<' in page


def test_a_facilitator_gets_the_protected_analysis_not_one_mans_scores(org, gem):
    """A facilitator sees his people, but not their answers: a group of one would show
    one man's scores, so he gets the analysis viewers get."""
    from cascada.measurement.analysis import analyse

    person = make_person(organization=org)
    facilitator = make_user(organization=org, role="facilitator", person=person)
    cohort = make_cohort(program=make_program(owner=org), facilitators=(person,), name="Suya")
    men = _answered_program(cohort, gem, org, people=8)
    Person.objects.filter(pk__in=[m.pk for m in men]).update(reporting_consent=True)
    men[0].birth_year = 1950  # alone in his age band
    men[0].save(update_fields=["birth_year"])
    result = analyse(user=facilitator, instrument=gem.instrument, program=cohort.program)
    assert not result.exact and result.overall.n == 8
    alone = [g for g in result.breakdowns["age"] if g.n == 1]
    assert alone and not alone[0].shown and alone[0].change is None
