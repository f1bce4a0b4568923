"""Seed 002: before drafting, the concepts and outline of the MRV training-of-trainers
curriculum were validated with women and men community activists of the women's emergency
centres (CEM) in three places, module by module (keep, change, drop); the curriculum was
then accredited by a professional college for so many credit hours. Both are facts about a
version: a frozen version takes them too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.curricula.models import Accreditation, ModuleFeedback, Validation, Verdict
from cascada.curricula.selectors import accreditations_of, validations_of
from cascada.curricula.services import (
    accreditation_record,
    curriculum_create,
    curriculum_version_freeze,
    module_add,
    validation_record,
)
from cascada.registry.models import Place
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_org

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def version(org, coordinator):
    curriculum = curriculum_create(
        actor=coordinator, organization=org, title="Formación de formadores MRV"
    )
    v = curriculum.versions.get()
    for title in ("Sexualidad masculina", "Violencia sexual", "Generaciones"):
        module_add(actor=coordinator, version=v, title=title)
    return v


@pytest.fixture
def places(db):
    return [Place.objects.get(country="PE", code=code) for code in ("150143", "040101", "160101")]


def _modules(version):
    return list(version.modules.order_by("order"))


JUNE_10 = D(2024, 6, 10)


def _validate(actor, version, place, verdicts, *, women=12, men=3, held_on=JUNE_10):
    modules = _modules(version)
    return validation_record(
        actor=actor,
        version=version,
        place=place,
        held_on=held_on,
        with_whom="Activistas comunitarios del CEM",
        women=women,
        men=men,
        feedback={
            modules[i]: (verdict, comment)
            for i, (verdict, comment) in enumerate(verdicts)
            if verdict
        },
    )


# ---------------------------------------------------------------- validation


def test_feedback_per_module_is_summarised_across_places(coordinator, version, places):
    vmt, arequipa, iquitos = places
    _validate(
        coordinator,
        version,
        vmt,
        [("keep", ""), ("change", "Más casos reales"), ("drop", "Repite el módulo 1")],
    )
    _validate(coordinator, version, arequipa, [("keep", "Muy claro"), ("change", ""), ("keep", "")])
    _validate(
        coordinator, version, iquitos, [("change", "Adaptar a la Amazonía"), ("", ""), ("drop", "")]
    )
    summary = validations_of(version, user=coordinator)
    assert [row.validation.place_id for row in summary.places] == [vmt.pk, arequipa.pk, iquitos.pk]
    counts = {s.module.title: (s.keep, s.change, s.drop) for s in summary.modules}
    assert counts == {
        "Sexualidad masculina": (2, 1, 0),
        "Violencia sexual": (0, 2, 0),  # not discussed in Iquitos
        "Generaciones": (1, 0, 2),
    }
    second = summary.modules[1]
    assert [(c[1], c[2]) for c in second.comments] == [
        (str(Verdict.CHANGE.label), "Más casos reales")
    ]
    assert second.places == 2
    first_place = summary.places[0]
    assert [fb.verdict for fb in first_place.feedback] == ["keep", "change", "drop"]
    assert (first_place.women.value, first_place.men.value) == (12, 3)


def test_feedback_only_for_modules_of_that_version(coordinator, version, places, org):
    other = curriculum_create(actor=coordinator, organization=org, title="Otro")
    foreign = module_add(actor=coordinator, version=other.versions.get(), title="Ajeno")
    with pytest.raises(ApplicationError) as refused:
        validation_record(
            actor=coordinator,
            version=version,
            place=places[0],
            held_on=D(2024, 6, 10),
            with_whom="Activistas",
            women=5,
            men=5,
            feedback={foreign: ("keep", "")},
        )
    assert refused.value.extra["field"] == "feedback"
    with pytest.raises(ApplicationError):
        _validate(coordinator, version, places[0], [("maybe", "")])
    assert not Validation.objects.exists() and not ModuleFeedback.objects.exists()


def test_someone_took_part_and_not_in_the_future(coordinator, version, places):
    with pytest.raises(ApplicationError) as refused:
        _validate(coordinator, version, places[0], [("keep", "")], women=0, men=0)
    assert refused.value.extra["field"] == "women"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as refused:
        _validate(coordinator, version, places[0], [("keep", "")], held_on=tomorrow)
    assert refused.value.extra["field"] == "held_on"
    _validate(coordinator, version, places[0], [("keep", "")], women=0, men=1)


def test_only_who_manages_the_organizations_curricula(version, places, org):
    viewer = make_user(role=Role.VIEWER, organization=org)
    stranger = make_user(role=Role.COORDINATOR, organization=make_org(name="Ajena"))
    for who in (viewer, stranger):
        with pytest.raises(PermissionDeniedError):
            _validate(who, version, places[0], [("keep", "")])
        with pytest.raises(PermissionDeniedError):
            accreditation_record(
                actor=who,
                version=version,
                institution="Colegio",
                credit_hours="10",
                resolution="R-1",
                accredited_on=D(2024, 1, 1),
            )


def test_a_frozen_version_is_validated_and_accredited(coordinator, version, places):
    curriculum_version_freeze(version=version)
    version.refresh_from_db()
    assert version.is_frozen
    _validate(coordinator, version, places[0], [("keep", "")])
    accreditation_record(
        actor=coordinator,
        version=version,
        institution="Colegio de Psicólogos del Perú",
        credit_hours="120",
        resolution="R-2024-015",
        accredited_on=D(2024, 9, 1),
    )
    assert version.validations.count() == 1 and version.accreditations.count() == 1
    rows = AuditEvent.objects.filter(
        target_type__in=["curricula.validation", "curricula.accreditation"]
    )
    assert rows.count() == 2
    assert all("Activistas" not in str(r.detail) for r in rows)


# ---------------------------------------------------------------- accreditation


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("120", Decimal("120")),
        ("120,5", Decimal("120.5")),
        ("120.5", Decimal("120.5")),
        (" 1.200,5 ", Decimal("1200.5")),
        ("1.200", Decimal("1200")),
        ("1 200", Decimal("1200")),
        (Decimal("36.5"), Decimal("36.5")),
    ],
)
def test_credit_hours_typed_the_peruvian_way(coordinator, version, typed, hours):
    accreditation = accreditation_record(
        actor=coordinator,
        version=version,
        institution="Colegio de Psicólogos del Perú",
        credit_hours=typed,
        resolution="R-2024-015",
        accredited_on=D(2024, 9, 1),
    )
    accreditation.refresh_from_db()
    assert accreditation.credit_hours == hours


@pytest.mark.parametrize(
    "typed",
    # Decimal's own syntax is no number anyone types (core.numbers, one rule).
    ["0", "-3", "abc", "", "120,25", 12.5, "1e2", "1E2", "1_0", "NaN", "Infinity", "٣٠"],
)
def test_credit_hours_positive_with_one_decimal(coordinator, version, typed):
    with pytest.raises(ApplicationError) as refused:
        accreditation_record(
            actor=coordinator,
            version=version,
            institution="Colegio",
            credit_hours=typed,
            resolution="R-1",
            accredited_on=D(2024, 9, 1),
        )
    assert refused.value.extra["field"] == "credit_hours"


def test_the_accreditation_expires_after_its_date(coordinator, version):
    for expires in (D(2024, 8, 31), D(2024, 9, 1)):
        with pytest.raises(ApplicationError) as refused:
            accreditation_record(
                actor=coordinator,
                version=version,
                institution="Colegio",
                credit_hours="120",
                resolution="R-1",
                accredited_on=D(2024, 9, 1),
                expires_on=expires,
            )
        assert refused.value.extra["field"] == "expires_on"
    with pytest.raises(ApplicationError) as refused:
        accreditation_record(
            actor=coordinator,
            version=version,
            institution="Colegio",
            credit_hours="120",
            resolution="R-1",
            accredited_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert refused.value.extra["field"] == "accredited_on"
    ok = accreditation_record(
        actor=coordinator,
        version=version,
        institution="Colegio",
        credit_hours="120",
        resolution="R-1",
        accredited_on=D(2024, 9, 1),
        expires_on=D(2026, 8, 31),
    )
    assert list(accreditations_of(version)) == [ok]


# ---------------------------------------------------------------- the version page


def test_the_version_page_shows_validation_and_accreditation(
    client, coordinator, version, places, org
):
    vmt, arequipa, _ = places
    _validate(
        coordinator, version, vmt, [("keep", ""), ("change", "Más casos reales"), ("drop", "")]
    )
    _validate(coordinator, version, arequipa, [("keep", ""), ("change", ""), ("keep", "")])
    accreditation_record(
        actor=coordinator,
        version=version,
        institution="Colegio de Psicólogos del Perú",
        credit_hours="120,5",
        resolution="R-2024-015",
        accredited_on=D(2024, 9, 1),
    )
    login_verified(client, coordinator)
    page = client.get(reverse("web:curriculum_version", kwargs={"pk": version.pk})).content.decode()
    assert page.count('data-test="validation-place"') == 2
    assert "Más casos reales" in page and "Colegio de Psicólogos del Perú" in page
    assert 'data-test="summary-change">2<' in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish = client.get(reverse("web:curriculum_version", kwargs={"pk": version.pk}))
    assert 'data-test="credit-hours">120,5<' in spanish.content.decode()  # the Spanish style
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'data-test="validation-new"' in page and 'data-test="accreditation-form"' in page

    viewer = make_user(role=Role.VIEWER, organization=org)
    login_verified(client, viewer)
    seen = client.get(reverse("web:curriculum_version", kwargs={"pk": version.pk}))
    body = seen.content.decode()
    assert seen.status_code == 200 and "Más casos reales" in body
    assert 'data-test="validation-new"' not in body and 'data-test="accreditation-form"' not in body
    # Three men took part in each place: under the threshold, hidden from a viewer (S17).
    assert "3 men" not in body and "3 hombres" not in body
    assert 'data-test="validation-suppressed"' in body


def test_validation_and_accreditation_recorded_through_the_pages(
    client, coordinator, version, places
):
    district = places[0]
    province, department = district.parent, district.parent.parent
    login_verified(client, coordinator)
    url = reverse("web:validation_record", kwargs={"pk": version.pk})
    form = client.get(url)
    assert (
        form.status_code == 200
        and form.content.decode().count('data-test="validation-module"') == 3
    )
    first, second, third = _modules(version)
    response = client.post(
        url,
        {
            "place0": "PE",
            "place1": department.pk,
            "place2": province.pk,
            "place3": district.pk,
            "held_on": "2024-06-10",
            "with_whom": "Activistas comunitarias y comunitarios del CEM",
            "women": "9",
            "men": "4",
            f"verdict_{first.pk}": "keep",
            f"verdict_{second.pk}": "change",
            f"comment_{second.pk}": "Más tiempo para la dinámica",
            f"verdict_{third.pk}": "",
        },
    )
    assert response.status_code == 302
    validation = Validation.objects.get()
    assert validation.place == district and (validation.women, validation.men) == (9, 4)
    assert dict(validation.feedback.values_list("module__title", "verdict")) == {
        "Sexualidad masculina": "keep",
        "Violencia sexual": "change",
    }
    nobody = client.post(
        url,
        {
            "place0": "PE",
            "place1": department.pk,
            "place2": province.pk,
            "place3": district.pk,
            "held_on": "2024-06-10",
            "with_whom": "x",
            "women": "0",
            "men": "0",
        },
    )
    assert nobody.status_code == 400 and 'data-test="error-women"' in nobody.content.decode()

    accredit = reverse("web:accreditation_record", kwargs={"pk": version.pk})
    bad = client.post(
        accredit,
        {
            "institution": "Colegio",
            "credit_hours": "120,5",
            "resolution": "R-1",
            "accredited_on": "2024-09-01",
            "expires_on": "2024-01-01",
        },
    )
    assert bad.status_code == 400 and 'data-test="error-expires_on"' in bad.content.decode()
    ok = client.post(
        accredit,
        {
            "institution": "Colegio",
            "credit_hours": "120,5",
            "resolution": "R-1",
            "accredited_on": "2024-09-01",
        },
    )
    assert ok.status_code == 302
    assert Accreditation.objects.get().credit_hours == Decimal("120.5")


def test_a_viewer_cannot_record(client, version, org):
    viewer = make_user(role=Role.VIEWER, organization=org)
    login_verified(client, viewer)
    assert (
        client.get(reverse("web:validation_record", kwargs={"pk": version.pk})).status_code == 403
    )
    assert (
        client.post(
            reverse("web:accreditation_record", kwargs={"pk": version.pk}),
            {
                "institution": "x",
                "credit_hours": "1",
                "resolution": "r",
                "accredited_on": "2024-01-01",
            },
        ).status_code
        == 403
    )
    stranger = make_user(role=Role.COORDINATOR, organization=make_org(name="Ajena"))
    login_verified(client, stranger)
    assert (
        client.get(reverse("web:validation_record", kwargs={"pk": version.pk})).status_code == 404
    )
