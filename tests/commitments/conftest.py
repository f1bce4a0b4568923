"""Bolivia's National Training Initiative (seed 004), built by hand through the services:
Promundo-US funds it, CIES and Alianza por la Solidaridad commit, each with a mentor."""

from __future__ import annotations

import datetime as dt

import pytest

from cascada.accounts.roles import Role
from cascada.commitments.services import Plan, commitment_create, initiative_create
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person, make_place

D = dt.date

CIES_PLAN = Plan(
    aim="Incorporar el enfoque de masculinidades en la formación de docentes de El Alto.",
    themes=["schools", "youth"],
    target_populations="Padres, madres y docentes de unidades educativas de El Alto",
    activities="Diagnóstico participativo; talleres con docentes; encuentro de padres",
    people_responsible="Coordinación del proyecto",
    budget=[("Talleres", "12000.00"), ("Materiales", "5000.00"), ("Evaluación", "3000.00")],
    milestones=[
        {"key": "diagnostico", "title": "Diagnóstico participativo", "due_on": D(2019, 7, 31)},
        {"key": "informe-medio", "title": "Informe de medio término", "due_on": D(2019, 9, 30)},
        {"key": "encuentro", "title": "Encuentro de padres y madres", "due_on": D(2019, 11, 30)},
    ],
    indicators=[{"name": "Docentes formados", "unit": "docentes", "baseline": 0, "target": 40}],
)


@pytest.fixture
def funder(db):
    return make_org(name="Promundo-US", kind="ngo")


@pytest.fixture
def cies(db):
    return make_org(name="CIES Salud Sexual y Reproductiva")


@pytest.fixture
def alianza(db):
    return make_org(name="Alianza por la Solidaridad")


@pytest.fixture
def manager(funder):
    """The grant manager: a coordinator of the funder (MANAGE_PROGRAMS there)."""
    return make_user(role=Role.COORDINATOR, organization=funder)


@pytest.fixture
def mentor(db):
    return make_user(username="mentora-cies")


@pytest.fixture
def other_mentor(db):
    return make_user(username="mentor-alianza")


@pytest.fixture
def el_alto(db):
    return make_place(country="BO", code="020105", name="El Alto", level="municipality")


@pytest.fixture
def initiative(funder, cies, alianza):
    return initiative_create(
        actor=None,
        funder=funder,
        name="Iniciativa Nacional de Formación en Masculinidades",
        starts_on=D(2019, 3, 1),
        ends_on=D(2021, 12, 31),
        organizations=[cies, alianza],
    )


@pytest.fixture
def focal(cies):
    return make_person(organization=cies, given_name="Juana", family_name="Mamani Quispe")


@pytest.fixture
def commitment(initiative, cies, focal, mentor, el_alto):
    plan = Plan(**{**CIES_PLAN.__dict__, "places": [el_alto]})
    return commitment_create(
        actor=None,
        initiative=initiative,
        institution=cies,
        plan=plan,
        created_on=D(2019, 3, 15),
        focal_point=focal,
        mentor=mentor,
    )


@pytest.fixture
def alianza_commitment(initiative, alianza, other_mentor):
    return commitment_create(
        actor=None,
        initiative=initiative,
        institution=alianza,
        plan=Plan(
            aim="Movilizar a jóvenes en el activismo político con enfoque de masculinidades.",
            themes=["youth"],
            budget=[("Encuentros juveniles", "900.00")],
            milestones=[{"key": "encuentro", "title": "Encuentro", "due_on": D(2019, 10, 1)}],
        ),
        created_on=D(2019, 3, 15),
        mentor=other_mentor,
    )
