"""Seed 002 in miniature, built by hand through the services: Universidad Peruana Cayetano
Heredia's study of men in Villa María del Triunfo and Iquitos, two generations, GBV
activists excluded; a lead, a researcher, two coders; the organization's coordinator and
viewer, and a stranger of another organization."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.accounts.roles import Role
from cascada.research.models import MemberRole, Method
from cascada.research.services.study import (
    approval_add,
    consent_form_add,
    member_set,
    question_add,
    quota_set,
    site_add,
    stratum_add,
    study_create,
)
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_place

D = dt.date


@pytest.fixture
def upch(db):
    return make_org(name="Universidad Peruana Cayetano Heredia")


@pytest.fixture
def lead(upch):
    return make_user(username="investigadora", role=Role.VIEWER, organization=upch)


@pytest.fixture
def researcher(upch):
    return make_user(username="entrevistador", role=Role.VIEWER, organization=upch)


@pytest.fixture
def coder(upch):
    return make_user(username="codificadora", role=Role.VIEWER, organization=upch)


@pytest.fixture
def coder2(upch):
    return make_user(username="codificador2", role=Role.VIEWER, organization=upch)


@pytest.fixture
def upch_coordinator(upch):
    return make_user(username="coord-upch", role=Role.COORDINATOR, organization=upch)


@pytest.fixture
def upch_viewer(upch):
    return make_user(username="visor-upch", role=Role.VIEWER, organization=upch)


@pytest.fixture
def stranger(db):
    other = make_org(name="Otra ONG")
    return make_user(username="extrano", role=Role.COORDINATOR, organization=other)


@pytest.fixture
def vmt(db):
    return make_place(code="150143", name="Villa María del Triunfo")


@pytest.fixture
def iquitos(db):
    return make_place(code="160101", name="Iquitos")


@pytest.fixture
def study(upch, upch_coordinator, lead, researcher, coder, coder2, vmt, iquitos):
    """The study with its protocol, members, ethics approval, consent form, two sites, two
    generations, quotas (VMT young interviews 2, VMT older interviews 2, VMT young focus
    groups 6, Iquitos young interviews 1) and the two screening questions."""
    s = study_create(
        actor=upch_coordinator,
        organization=upch,
        title="Los hombres renuncian a la violencia: investigación formativa",
        code="MRV",
        starts_on=D(2024, 1, 15),
        lead=lead,
        aims="Comprender la sexualidad masculina y la violencia sexual en tres ciudades.",
        methods="Entrevistas en profundidad y grupos focales.",
    )
    member_set(actor=lead, study=s, user=researcher, role=MemberRole.RESEARCHER)
    member_set(actor=lead, study=s, user=coder, role=MemberRole.CODER)
    member_set(actor=lead, study=s, user=coder2, role=MemberRole.CODER)
    approval_add(
        actor=lead,
        study=s,
        committee="Comité Institucional de Ética de la UPCH",
        number="CIE-2024-031",
        approved_on=D(2024, 1, 10),
        expires_on=D(2025, 1, 9),
    )
    consent_form_add(actor=lead, study=s, version="v1.0", approved_on=D(2024, 1, 10))
    site_vmt = site_add(actor=lead, study=s, place=vmt)
    site_iq = site_add(actor=lead, study=s, place=iquitos)
    young = stratum_add(actor=lead, study=s, name="Jóvenes de 20 a 29", age_min=20, age_max=29)
    older = stratum_add(actor=lead, study=s, name="Adultos de 35 a 50", age_min=35, age_max=50)
    quota_set(actor=lead, study=s, site=site_vmt, stratum=young, method=Method.INTERVIEW, target=2)
    quota_set(actor=lead, study=s, site=site_vmt, stratum=older, method=Method.INTERVIEW, target=2)
    quota_set(
        actor=lead, study=s, site=site_vmt, stratum=young, method=Method.FOCUS_GROUP, target=6
    )
    quota_set(actor=lead, study=s, site=site_iq, stratum=young, method=Method.INTERVIEW, target=1)
    question_add(
        actor=lead,
        study=s,
        text="¿Es activista contra la violencia de género?",
        excludes_when=True,
        reason="activista contra la violencia de género",
    )
    question_add(
        actor=lead,
        study=s,
        text="¿Vive en una zona popular de la ciudad?",
        excludes_when=False,
        reason="no vive en una zona popular",
    )
    return s


def answers(study, *, activist: bool = False, popular: bool = True) -> dict[int, bool]:
    first, second = study.questions.order_by("order")
    return {first.pk: activist, second.pk: popular}
