"""The pages that write what is committed (issue 11, docs/decisions/commitments.md): the
grant manager creates an initiative and an institution's commitment with its first
version; the grant manager or the focal point revises it into the next version while the
earlier ones stay exactly as they were, and a milestone kept keeps its live state. Who
may not write gets 403 (a page they may open) or 404 (one they may not, S2). Every refusal
is a message on the form with a 400 and nothing written; odd input is never a 500."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from cascada.accounts.roles import Role
from cascada.commitments.models import (
    Commitment,
    CommitmentVersion,
    Initiative,
    Milestone,
    MilestoneStatus,
)
from cascada.commitments.services import milestone_set_status
from cascada.web.views.commitments_plan import MAX_ROWS
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org, make_person, make_place
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def training(funder):
    """The funder's first national training, a cohort of its own program."""
    program = make_program(owner=funder, name="Formación Nacional en Masculinidades")
    return make_cohort(
        program=program, name="Primer taller nacional", sessions=0, start=D(2019, 3, 11)
    )


@pytest.fixture
def focal_user(focal):
    return make_user(username="juana-cies", person=focal)


@pytest.fixture
def lima():
    return make_place(country="PE", code="15", name="Lima", level="department")


def _in(client, user):
    login_verified(client, user)
    return client


def _token() -> str:
    return secrets.token_urlsafe(18)


def _rows(prefix: str, rows: list[dict[str, Any]], *, initial: int = 0, extra: int = 1) -> dict:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": str(initial),
    }
    for n, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{n}-{name}"] = value
    return data


def _plan(
    *,
    budget: list[tuple[str, str]] = (("Talleres", "7.500,50"), ("Materiales", "5000.00")),
    milestones: list[dict[str, Any]] | None = None,
    indicators: list[dict[str, Any]] | None = None,
    places: list[Any] = (),
    initial: dict[str, int] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    initial = initial or {}
    if milestones is None:
        milestones = [
            {"title": "Diagnóstico participativo", "due_on": "2019-07-31"},
            {"title": "Informe de medio término", "due_on": "2019-09-30"},
        ]
    if indicators is None:
        indicators = [{"name": "Docentes formados", "unit": "docentes", "target": "40"}]
    data: dict[str, Any] = {
        "aim": "Incorporar el enfoque de masculinidades en la formación docente de El Alto.",
        "themes": ["schools", "youth"],
        "target_populations": "Docentes y familias",
        "places": [p.pk for p in places],
        "activities": "Diagnóstico; talleres; encuentro",
        "people_responsible": "Coordinación del proyecto",
        **_rows(
            "budget",
            [{"label": label, "amount": amount} for label, amount in budget],
            initial=initial.get("budget", 0),
        ),
        **_rows("milestones", milestones, initial=initial.get("milestones", 0)),
        **_rows("indicators", indicators, initial=initial.get("indicators", 0)),
        "form_token": _token(),
    }
    data.update(fields)
    return data


def _new_url(initiative) -> str:
    return reverse("web:commitment_new", args=[initiative.pk])


def _revise_url(commitment) -> str:
    return reverse("web:commitment_revise", args=[commitment.pk])


def _new_commitment(institution, **extra: Any) -> dict[str, Any]:
    return _plan(institution=institution.pk, created_on="2019-03-15", **extra)


def _version_snapshot(version: CommitmentVersion) -> dict[str, Any]:
    version = CommitmentVersion.objects.get(pk=version.pk)
    return {
        "fields": {
            f.attname: getattr(version, f.attname) for f in CommitmentVersion._meta.concrete_fields
        },
        "places": sorted(version.places.values_list("pk", flat=True)),
        "budget": list(version.budget_lines.values_list("pk", "label", "amount")),
        "indicators": list(
            version.indicators.values_list("pk", "name", "unit", "baseline", "target")
        ),
        "milestones": list(version.milestones.values_list("pk", "key", "title", "due_on")),
    }


# ---------------------------------------------------------------- the grant manager writes


def test_the_grant_manager_creates_an_initiative_and_a_commitment_through_the_pages(
    client, manager, funder, cies, focal, training, lima
):
    enrol(training, focal)  # the focal point came to the funder's training
    _in(client, manager)
    page = client.get(reverse("web:commitment_initiative_new"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "CIES Salud Sexual y Reproductiva" in body and "Primer taller nacional" in body

    created = client.post(
        reverse("web:commitment_initiative_new"),
        {
            "funder": funder.pk,
            "name": "Iniciativa Nacional de Formación en Masculinidades",
            "description": "Bolivia, 2019–2021",
            "starts_on": "2019-03-01",
            "ends_on": "2021-12-31",
            "organizations": [cies.pk],
            "trainings": [training.pk],
            "form_token": _token(),
        },
    )
    assert created.status_code == 302 and created["Location"] == reverse("web:commitment_list")
    initiative = Initiative.objects.get(name="Iniciativa Nacional de Formación en Masculinidades")
    assert initiative.funder == funder
    assert list(initiative.organizations.all()) == [cies]
    assert list(initiative.trainings.all()) == [training]

    form = client.get(_new_url(initiative))
    assert form.status_code == 200
    assert "CIES Salud Sexual y Reproductiva" in form.content.decode()
    data = _new_commitment(
        cies,
        focal_point=f" {focal.code.lower()} ",
        presented_at=training.pk,
        places=[lima],
        indicators=[
            {"name": "Docentes formados", "unit": "docentes", "baseline": "", "target": "40"},
            {"name": "Familias alcanzadas", "baseline": "1.200", "target": "2.500,5"},
        ],
    )
    saved = client.post(_new_url(initiative), data)
    commitment = Commitment.objects.get(initiative=initiative, institution=cies)
    assert saved.status_code == 302
    assert saved["Location"] == reverse("web:commitment_detail", args=[commitment.pk])
    assert commitment.focal_point == focal
    version = commitment.versions.get()
    assert version.number == 1 and version.created_on == D(2019, 3, 15)
    assert version.presented_at == training and version.created_by == manager
    assert version.themes == ["schools", "youth"]
    assert list(version.places.all()) == [lima]
    assert list(version.budget_lines.values_list("label", "amount")) == [
        ("Talleres", Decimal("7500.50")),
        ("Materiales", Decimal("5000.00")),
    ]
    assert list(version.milestones.values_list("key", "title", "due_on")) == [
        ("m1", "Diagnóstico participativo", D(2019, 7, 31)),
        ("m2", "Informe de medio término", D(2019, 9, 30)),
    ]
    assert list(commitment.milestones.values_list("key", "status")) == [
        ("m1", "not_started"),
        ("m2", "not_started"),
    ]
    assert list(version.indicators.values_list("name", "unit", "baseline", "target")) == [
        ("Docentes formados", "docentes", Decimal("0"), Decimal("40")),
        ("Familias alcanzadas", "", Decimal("1200"), Decimal("2500.50")),
    ]
    # The institution has its commitment: it is no longer offered.
    again = client.get(_new_url(initiative)).content.decode()
    assert 'data-test="no-institution"' in again


def test_the_places_offered_stop_above_districts(client, manager, initiative):
    body = _in(client, manager).get(_new_url(initiative)).content.decode()
    # Peru's departments and provinces (the institutions are Peruvian by default), no
    # district: a few hundred options, never two thousand.
    assert body.count("<option") < 400
    assert "(whole department)" in body


def test_an_institution_the_grant_manager_does_not_know_is_not_offered(
    client, manager, funder, alianza
):
    _in(client, manager)
    stranger = make_org(name="Institución Ajena")
    body = client.get(reverse("web:commitment_initiative_new")).content.decode()
    assert "Institución Ajena" not in body and "Alianza por la Solidaridad" not in body
    refused = client.post(
        reverse("web:commitment_initiative_new"),
        {
            "funder": funder.pk,
            "name": "Otra iniciativa",
            "starts_on": "2019-03-01",
            "ends_on": "2019-12-31",
            "organizations": [stranger.pk],
            "form_token": _token(),
        },
    )
    assert refused.status_code == 400
    assert not Initiative.objects.filter(name="Otra iniciativa").exists()


def test_an_initiative_that_ends_before_it_starts_is_refused_on_the_form(client, manager, funder):
    response = _in(client, manager).post(
        reverse("web:commitment_initiative_new"),
        {
            "funder": funder.pk,
            "name": "Al revés",
            "starts_on": "2020-03-01",
            "ends_on": "2019-03-01",
            "form_token": _token(),
        },
    )
    assert response.status_code == 400
    assert "An initiative cannot end before it starts." in response.content.decode()
    assert not Initiative.objects.filter(name="Al revés").exists()


def test_a_focal_point_code_outside_the_grant_managers_people_is_not_found(
    client, manager, initiative, alianza
):
    unseen = make_person(organization=make_org(name="ONG Lejana"))
    _in(client, manager)
    before = Commitment.objects.count()
    for code in (unseen.code, "ZZZZ9999"):
        response = client.post(_new_url(initiative), _new_commitment(alianza, focal_point=code))
        assert response.status_code == 400
        body = response.content.decode()
        assert f"No person with the code {code} is among the people you may see." in body
    assert Commitment.objects.count() == before


# ---------------------------------------------------------------- revisions


def test_a_revision_adds_the_next_version_and_leaves_the_first_as_it_was(
    client, manager, commitment
):
    done = commitment.milestones.get(key="diagnostico")
    milestone_set_status(actor=None, milestone=done, status="done", on=D(2019, 7, 30))
    first = commitment.versions.get(number=1)
    before = _version_snapshot(first)
    _in(client, manager)
    page = client.get(_revise_url(commitment))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Incorporar el enfoque de masculinidades" in body
    assert 'value="diagnostico"' in body and 'value="12000.00"' in body
    assert str(MilestoneStatus.DONE.label) in body  # the live status beside its row

    data = _plan(
        aim="Incorporar el enfoque de masculinidades en 20 unidades educativas de El Alto.",
        budget=[("Talleres", "14000"), ("Materiales", "3.000,00"), ("Evaluación", "3000")],
        initial={"budget": 3, "milestones": 3, "indicators": 1},
        milestones=[
            {"key": "diagnostico", "title": "Diagnóstico (hecho)", "due_on": "2019-07-31"},
            {"key": "informe-medio", "title": "Informe de medio término", "due_on": "2019-10-15"},
            {
                "key": "encuentro",
                "title": "Encuentro de padres y madres",
                "due_on": "2019-11-30",
                "DELETE": "on",
            },
            {"key": "", "title": "Feria educativa", "due_on": "2019-12-10"},
        ],
        indicators=[{"name": "Docentes formados", "unit": "docentes", "target": "60"}],
        note="Se amplió a 20 unidades educativas",
        created_on="2019-06-01",
    )
    saved = client.post(_revise_url(commitment), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert commitment.versions.count() == 2
    assert _version_snapshot(first) == before  # version 1, field by field, row by row
    second = commitment.versions.get(number=2)
    assert second.note == "Se amplió a 20 unidades educativas"
    assert second.created_on == D(2019, 6, 1) and second.created_by == manager
    assert list(second.budget_lines.values_list("label", "amount")) == [
        ("Talleres", Decimal("14000.00")),
        ("Materiales", Decimal("3000.00")),
        ("Evaluación", Decimal("3000.00")),
    ]
    live = {m.key: m for m in Milestone.objects.filter(commitment=commitment)}
    assert live["diagnostico"].pk == done.pk
    assert live["diagnostico"].status == "done" and live["diagnostico"].done_on == D(2019, 7, 30)
    assert live["diagnostico"].title == "Diagnóstico (hecho)"
    assert live["informe-medio"].due_on == D(2019, 10, 15)
    assert live["encuentro"].status == "dropped"
    assert live["m1"].title == "Feria educativa" and live["m1"].status == "not_started"


def test_a_key_posted_that_is_not_the_commitments_becomes_a_new_milestone(
    client, manager, commitment
):
    data = _plan(
        milestones=[
            {"key": "diagnostico", "title": "Diagnóstico", "due_on": "2019-07-31"},
            {"key": "diagnostico", "title": "Copia", "due_on": "2019-08-31"},
            {"key": "inventada", "title": "Otra", "due_on": "2019-09-30"},
        ],
        note="Claves",
        created_on="2019-06-01",
    )
    assert _in(client, manager).post(_revise_url(commitment), data).status_code == 302
    planned = commitment.versions.get(number=2).milestones.values_list("key", "title")
    assert sorted(planned) == [("diagnostico", "Diagnóstico"), ("m1", "Copia"), ("m2", "Otra")]


def test_what_changed_is_required_and_a_revision_is_not_dated_before_the_last(
    client, manager, commitment
):
    _in(client, manager)
    blank = client.post(_revise_url(commitment), _plan(note="", created_on="2019-06-01"))
    assert blank.status_code == 400
    early = client.post(_revise_url(commitment), _plan(note="Antes", created_on="2019-01-01"))
    assert early.status_code == 400
    assert "A revision cannot be dated before the version it revises." in early.content.decode()
    assert commitment.versions.count() == 1


def test_a_focal_point_revises_their_own_commitment_only(
    client, focal_user, commitment, alianza_commitment
):
    _in(client, focal_user)
    assert client.get(_revise_url(commitment)).status_code == 200
    saved = client.post(_revise_url(commitment), _plan(note="Ajuste", created_on="2019-06-01"))
    assert saved.status_code == 302
    assert commitment.versions.get(number=2).created_by == focal_user
    assert client.get(_revise_url(alianza_commitment)).status_code == 404
    other = client.post(
        _revise_url(alianza_commitment), _plan(note="Intruso", created_on="2019-06-01")
    )
    assert other.status_code == 404
    assert alianza_commitment.versions.count() == 1
    # A focal point writes no commitment of others nor initiatives.
    assert client.get(_new_url(commitment.initiative)).status_code == 403
    assert client.get(reverse("web:commitment_initiative_new")).status_code == 403


def test_a_mentor_may_not_revise_nor_create(client, mentor, commitment):
    _in(client, mentor)
    assert client.get(_revise_url(commitment)).status_code == 403
    posted = client.post(_revise_url(commitment), _plan(note="Mentor", created_on="2019-06-01"))
    assert posted.status_code == 403
    assert client.get(_new_url(commitment.initiative)).status_code == 403
    assert client.get(reverse("web:commitment_initiative_new")).status_code == 403
    assert commitment.versions.count() == 1


@pytest.mark.parametrize("who", ["viewer", "stranger"])
def test_a_viewer_and_another_organization_write_nothing(
    client, who, funder, cies, alianza, commitment
):
    if who == "viewer":
        user = make_user(role=Role.VIEWER, organization=funder)
        refused_new = 403  # the viewer opens the initiative, not its forms
    else:
        user = make_user(role=Role.COORDINATOR, organization=make_org(name="Otra ONG"))
        refused_new = 404
    _in(client, user)
    initiative = commitment.initiative
    assert client.get(_revise_url(commitment)).status_code == 404
    assert client.get(_new_url(initiative)).status_code == refused_new
    posted = client.post(_new_url(initiative), _new_commitment(alianza))
    assert posted.status_code == refused_new
    assert (
        client.post(_revise_url(commitment), _plan(note="x", created_on="2019-06-01")).status_code
        == 404
    )
    new_initiative = client.post(
        reverse("web:commitment_initiative_new"),
        {
            "funder": funder.pk,
            "name": "Intrusa",
            "starts_on": "2019-03-01",
            "ends_on": "2019-12-31",
            "form_token": _token(),
        },
    )
    if who == "viewer":
        assert new_initiative.status_code == 403
    else:
        # Their own organization's initiatives only: the funder is not among the choices,
        # nor any name of it.
        assert new_initiative.status_code == 400
        page = client.get(reverse("web:commitment_initiative_new")).content.decode()
        assert "Promundo-US" not in page and "CIES" not in page
    assert not Initiative.objects.filter(name="Intrusa").exists()
    assert Commitment.objects.count() == 1 and commitment.versions.count() == 1


# ---------------------------------------------------------------- sent twice


def test_a_commitment_sent_twice_is_created_once(client, manager, initiative, alianza):
    _in(client, manager)
    data = _new_commitment(alianza)
    first = client.post(_new_url(initiative), data)
    second = client.post(_new_url(initiative), data)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Commitment.objects.filter(initiative=initiative, institution=alianza).count() == 1
    followed = client.get(second["Location"]).content.decode()
    assert "nothing was saved twice" in followed


def test_a_revision_sent_twice_is_one_version(client, manager, commitment):
    _in(client, manager)
    data = _plan(note="Una vez", created_on="2019-06-01")
    assert client.post(_revise_url(commitment), data).status_code == 302
    assert client.post(_revise_url(commitment), data).status_code == 302
    assert commitment.versions.count() == 2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"budget": [("Talleres", "abc")]}, "Budget line 1, Amount: not a number."),
        (
            {"budget": [("Talleres", "100"), ("Talleres", "200")]},
            "Budget line 2, Item: “Talleres” is already budget line 1.",
        ),
        (
            {"budget": [("", "100")]},
            "Budget line 1, Item: fill this in, or leave the whole row empty.",
        ),
        (
            {"milestones": [{"title": "Diagnóstico", "due_on": ""}]},
            "Milestone 1, Due on: fill this in, or leave the whole row empty.",
        ),
        (
            {"milestones": [{"title": "Diagnóstico", "due_on": "2019-02-31"}]},
            "Milestone 1, Due on: Enter a valid date.",
        ),
        ({"budget": [("Talleres", "-5")]}, "Budget line 1, Amount cannot be negative."),
        ({"budget": [("Talleres", "0")]}, "Budget line 1, Amount must be greater than zero."),
        ({"budget": [("Talleres", "1,5555")]}, "Budget line 1, Amount: at most two decimals"),
        ({"budget": [("Talleres", "9" * 29)]}, "Budget line 1, Amount is too large."),
        ({"budget": [("Talleres", "NaN")]}, "Budget line 1, Amount: not a number."),
        (
            {"indicators": [{"name": "Docentes", "unit": "docentes"}]},
            "Indicator 1, Target: fill this in, or leave the whole row empty.",
        ),
        ({"themes": []}, "Themes: This field is required."),
        ({"themes": ["nada"]}, "Themes: Select a valid choice."),
    ],
)
def test_bad_input_is_refused_on_the_form_and_writes_nothing(
    client, manager, initiative, alianza, changes, message
):
    _in(client, manager)
    versions = CommitmentVersion.objects.count()
    response = client.post(_new_url(initiative), _new_commitment(alianza, **changes))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-test="plan-errors"' in body
    assert message in body.replace("&#x27;", "'").replace("&quot;", '"'), body[:3000]
    assert not Commitment.objects.filter(institution=alianza).exists()
    assert CommitmentVersion.objects.count() == versions


@pytest.mark.parametrize("typed", ["1e9", "1E3", "NaN", "Infinity", "-inf", " 1_000 "])
def test_an_amount_in_pythons_spelling_is_refused_on_the_form_and_writes_nothing(
    client, manager, initiative, alianza, typed
):
    """ "1e9" or "1_000" is no amount a grant manager means: a message on the field's row,
    a 400, and no commitment (``Decimal`` alone read "1e9" as a thousand million)."""
    _in(client, manager)
    versions = CommitmentVersion.objects.count()
    data = _new_commitment(alianza, budget=[("Talleres", typed)])
    response = client.post(_new_url(initiative), data)
    assert response.status_code == 400
    body = response.content.decode().replace("&#x27;", "'")
    assert "Budget line 1, Amount: not a number. Use digits only, such as 1.200,50." in body
    assert not Commitment.objects.filter(institution=alianza).exists()
    assert CommitmentVersion.objects.count() == versions


@pytest.mark.parametrize(
    "odd",
    [
        {"budget-TOTAL_FORMS": "10000"},
        {"budget-TOTAL_FORMS": "abc", "milestones-INITIAL_FORMS": "-1"},
        {"budget-TOTAL_FORMS": "9" * 40},
        {"places": ["abc", "9" * 25, "-1"]},
        {"institution": "9" * 30},
        {"institution": "abc"},
        {"presented_at": "9" * 30},
        {"created_on": "31/02/2019"},
        {"created_on": "9999-99-99"},
        {"focal_point": "ñ" * 12},
        {"budget-0-amount": "1e999999"},
        {"budget-0-amount": "Infinity"},
        {"budget-0-amount": "٣٠"},
        {"indicators-0-target": "-0.001"},
        {"milestones-0-due_on": "0000-01-01"},
        {"milestones-0-key": "x" * 500},
    ],
)
def test_odd_input_is_never_a_server_error(client, manager, initiative, alianza, odd):
    _in(client, manager)
    client.raise_request_exception = False
    data = _new_commitment(alianza)
    data.update(odd)
    response = client.post(_new_url(initiative), data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:  # read right, or a row that is simply no row
        assert Commitment.objects.filter(institution=alianza).count() == 1


def test_more_rows_than_the_limit_are_refused_and_none_is_built(
    client, manager, initiative, alianza
):
    _in(client, manager)
    data = _new_commitment(alianza, budget=[(f"Línea {n}", "10") for n in range(MAX_ROWS + 5)])
    response = client.post(_new_url(initiative), data)
    assert response.status_code == 400
    assert not Commitment.objects.filter(institution=alianza).exists()


def test_ten_thousand_rows_posted_are_a_400(client, manager, initiative, alianza):
    _in(client, manager)
    client.raise_request_exception = False
    data = _new_commitment(alianza, budget=[(f"Línea {n}", "10") for n in range(10_000)])
    response = client.post(_new_url(initiative), data)
    assert response.status_code == 400
    assert not Commitment.objects.filter(institution=alianza).exists()


def test_add_rows_shows_more_empty_rows_and_saves_nothing(client, manager, initiative, alianza):
    _in(client, manager)
    data = _new_commitment(alianza, budget=[("Talleres", "abc")], more="budget")
    response = client.post(_new_url(initiative), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-test="budget-row"') == 2 + 3
    assert 'value="Talleres"' in body and 'data-test="plan-errors"' not in body
    assert "not a number" not in body
    assert not Commitment.objects.filter(institution=alianza).exists()


# ---------------------------------------------------------------- amounts as typed


@pytest.mark.parametrize("typed", ["7500.50", "7500,50", "7.500,50", "7,500.50", "7 500,50"])
def test_amounts_are_read_as_typed_in_spanish_or_english(
    client, manager, initiative, alianza, typed
):
    _in(client, manager)
    data = _new_commitment(alianza, budget=[("Talleres", typed), ("Materiales", "7.500")])
    assert client.post(_new_url(initiative), data).status_code == 302
    version = Commitment.objects.get(institution=alianza).versions.get()
    assert list(version.budget_lines.values_list("amount", flat=True)) == [
        Decimal("7500.50"),
        Decimal("7500.00"),  # a mark before three digits groups thousands
    ]
