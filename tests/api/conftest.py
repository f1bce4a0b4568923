"""API test helpers: clients that sign in with a real DRF token, and a small world of
one organization with a program, a cohort, a facilitator and participants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django_otp.oath import TOTP
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import make_user, totp_device
from tests.registry.factories import make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program


def totp_code(user: Any) -> str:
    device = totp_device(user)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    return str(code).zfill(device.digits)


def token_client(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@dataclass
class World:
    org: Any
    program: Any
    cohort: Any
    facilitator_person: Any
    participants: list[Any]
    enrolments: list[Any]


def build_world(org: Any, *, prefix: str = "") -> World:
    facilitator_person = make_person(organization=org, given_name=f"{prefix}Facilita")
    participants = [
        make_person(
            organization=org,
            given_name=f"{prefix}Participante{i}",
            national_id=f"4{1 if prefix else 0}00000{i}",  # 8 digits: a DNI
        )
        for i in range(3)
    ]
    program = make_program(owner=org, name=f"{prefix}Hombres de Miércoles")
    cohort = make_cohort(program=program, sessions=4, facilitators=(facilitator_person,))
    return World(
        org, program, cohort, facilitator_person, participants, enrol(cohort, *participants)
    )


@pytest.fixture
def world(org):
    return build_world(org)


@pytest.fixture
def other_world(other_org):
    return build_world(other_org, prefix="X")


@pytest.fixture
def api(coordinator):
    return token_client(coordinator)


@pytest.fixture
def facilitator(org, world):
    return make_user(role="facilitator", organization=org, person=world.facilitator_person)


@pytest.fixture
def facilitator_api(facilitator):
    return token_client(facilitator)


@pytest.fixture
def viewer_api(org):
    return token_client(make_user(role="viewer", organization=org))


@pytest.fixture
def third_org(db):
    return make_org(name="Tercera Organización")


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]
