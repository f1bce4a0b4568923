"""Seed 003 in miniature, built through the services: Manuela Ramos (``org``) runs "The Men
of Wednesday", a court-ordered program, in Villa María del Triunfo; a cohort with two
facilitators and an enrolled participant; the organization's staff in every role, a
safeguarding lead (a viewer by role), a lead of another organization; a directory of
services around Lima; a promoter network with an action; a study with a researcher, a
coder and an interview.

Fixtures other tests may reuse: ``court_program``, ``court_cohort``, ``court_session``,
``facilitator``, ``co_facilitator``, ``participant``, ``staff`` (role → user),
``safeguarding_lead``, ``other_org_lead``, ``directory`` (key → Service), ``vmt``,
``network``, ``promoter``, ``community_action``, ``study``, ``researcher``, ``coder``,
``interview``; and the helper ``record_case``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cascada.accounts.roles import Role
from cascada.networks.models import Membership as NetworkMembership
from cascada.networks.models import Network
from cascada.networks.services import action_record
from cascada.registry.models import Place
from cascada.research.models import MemberRole, Method
from cascada.research.services.fieldwork import event_record
from cascada.research.services.sample import recruit_consent, recruit_screen
from cascada.research.services.study import (
    approval_add,
    consent_form_add,
    member_set,
    quota_set,
    site_add,
    stratum_add,
    study_create,
)
from cascada.safeguarding import selectors
from cascada.safeguarding.models import Disclosure, Service, Source
from cascada.safeguarding.services import disclosure_record, lead_name, service_save
from tests.accounts.factories import make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

D = dt.date
OCCURRED = D(2026, 3, 9)  # a Monday session of the court-ordered group
STAFF_ROLES = (
    Role.ADMINISTRATOR,
    Role.COORDINATOR,
    Role.ME_OFFICER,
    Role.VIEWER,
    Role.AUDITOR,
)


def place(code: str) -> Place:
    """A place of the INEI ubigeo loaded by the registry's migration."""
    return Place.objects.get(country="PE", code=code)


@pytest.fixture
def vmt(db) -> Place:
    return place("150143")  # Villa María del Triunfo, province and department of Lima


@pytest.fixture
def staff(org) -> dict[str, Any]:
    """One user of the organization per staff role (no safeguarding lead among them)."""
    return {
        role: make_user(role=role, organization=org, username=f"mr-{role}") for role in STAFF_ROLES
    }


@pytest.fixture
def court_program(org):
    return make_program(owner=org, name="Hombres de Miércoles", is_court_mandated=True)


@pytest.fixture
def facilitator(org):
    person = make_person(organization=org, given_name="Julio")
    return make_user(role=Role.FACILITATOR, organization=org, person=person, username="julio")


@pytest.fixture
def co_facilitator(org):
    person = make_person(organization=org, given_name="Renzo")
    return make_user(role=Role.FACILITATOR, organization=org, person=person, username="renzo")


@pytest.fixture
def court_cohort(court_program, facilitator, co_facilitator, vmt):
    return make_cohort(
        program=court_program,
        name="Grupo de los miércoles",
        place=vmt,
        facilitators=(facilitator.person, co_facilitator.person),
    )


@pytest.fixture
def court_session(court_cohort):
    return court_cohort.sessions.order_by("number").first()


@pytest.fixture
def participant(org, court_cohort, vmt):
    person = make_person(organization=org, given_name="Wilber", place=vmt)
    enrol(court_cohort, person)
    return person


@pytest.fixture
def safeguarding_lead(org, staff):
    """The organization's safeguarding lead: a viewer by role, named by the administrator."""
    user = make_user(role=Role.VIEWER, organization=org, username="responsable")
    lead_name(actor=staff[Role.ADMINISTRATOR], organization=org, user=user)
    return user


@pytest.fixture
def other_org_lead(other_org):
    user = make_user(role=Role.COORDINATOR, organization=other_org, username="responsable-otra")
    lead_name(actor=None, organization=other_org, user=user)
    return user


@pytest.fixture
def directory(org, safeguarding_lead) -> dict[str, Service]:
    """Services around Lima kept by the lead; one in Bolivia would be left out anyway (a
    Peruvian organization's places are Peruvian)."""

    def add(key: str, name: str, kind: str, code: str | None) -> tuple[str, Service]:
        return key, service_save(
            actor=safeguarding_lead,
            organization=org,
            name=name,
            kind=kind,
            phone="01 419 2000" if code else "100",
            place=place(code) if code else None,
            hours="24 horas" if kind != "health" else "Lunes a sábado de 8 a 20",
        )

    return dict(
        [
            add("cem_vmt", "CEM Villa María del Triunfo", "cem", "150143"),
            add("police_vmt", "Comisaría de Villa María del Triunfo", "police", "150143"),
            add("health_vmt", "Centro de Salud Mental Comunitario VMT", "mental_health", "150143"),
            add("cem_lima", "CEM Lima Cercado", "cem", "150101"),
            add("cem_barranca", "CEM Barranca", "cem", "150201"),
            add("cem_arequipa", "CEM Arequipa", "cem", "040101"),
            add("linea_100", "Línea 100", "helpline", None),
            add("demuna_vmt", "DEMUNA de Villa María del Triunfo", "children", "150143"),
        ]
    )


@pytest.fixture
def network(org, vmt):
    return Network.objects.create(
        organization=org,
        name="Red de Promotores de VMT",
        kind="municipal",
        registry_entry="14325678",
        recognition="Resolución de Alcaldía N.º 123-2026-MDVMT",
        place=vmt,
    )


@pytest.fixture
def promoter(org, network):
    """A member of the network with no role in the organization."""
    person = make_person(organization=org, given_name="Teodoro")
    NetworkMembership.objects.create(network=network, person=person, joined_on=D(2026, 1, 10))
    return make_user(person=person, username="promotor")


@pytest.fixture
def community_action(network, vmt):
    action, _created = action_record(
        actor=None, network=network, date=D(2026, 5, 16), kind="fair",
        title="Feria por el buen trato", place=vmt, women=80, men=60,
    )  # fmt: skip
    return action


@pytest.fixture
def researcher(org):
    return make_user(role=Role.VIEWER, organization=org, username="entrevistadora")


@pytest.fixture
def coder(org):
    return make_user(role=Role.VIEWER, organization=org, username="codificadora")


@pytest.fixture
def study(org, staff, researcher, coder, vmt):
    principal = make_user(role=Role.VIEWER, organization=org, username="investigadora")
    s = study_create(
        actor=staff[Role.COORDINATOR],
        organization=org,
        title="Masculinidades y violencia: investigación formativa",
        code="MVF",
        starts_on=D(2026, 1, 15),
        lead=principal,
    )
    member_set(actor=principal, study=s, user=researcher, role=MemberRole.RESEARCHER)
    member_set(actor=principal, study=s, user=coder, role=MemberRole.CODER)
    approval_add(actor=principal, study=s, committee="Comité de Ética", number="CE-2026-01",
                 approved_on=D(2026, 1, 10), expires_on=D(2027, 1, 9))  # fmt: skip
    consent_form_add(actor=principal, study=s, version="v1.0", approved_on=D(2026, 1, 10))
    site = site_add(actor=principal, study=s, place=vmt)
    young = stratum_add(actor=principal, study=s, name="Jóvenes de 20 a 29", age_min=20, age_max=29)
    quota_set(actor=principal, study=s, site=site, stratum=young, method=Method.INTERVIEW, target=2)
    return s


@pytest.fixture
def interview(study, researcher):
    site = study.sites.get()
    recruit = recruit_screen(actor=researcher, study=study, site=site, method=Method.INTERVIEW,
                             age=24, answers={}, screened_on=D(2026, 2, 1))  # fmt: skip
    recruit_consent(actor=researcher, recruit=recruit, consent_form=study.consent_forms.get(),
                    consented_on=D(2026, 2, 2))  # fmt: skip
    return event_record(actor=researcher, study=study, method=Method.INTERVIEW, site=site,
                        held_on=D(2026, 2, 3), participants=[recruit], duration_minutes=50)  # fmt: skip


def record_case(
    user: Any,
    source: str = Source.SESSION,
    pk: Any = None,
    *,
    at_risk: str = "partner",
    kind: str = "physical",
    urgency: str = "urgent",
    occurred_on: dt.date = OCCURRED,
    first_actions: tuple[str, ...] = ("informed", "lead"),
    notes: str = "",
) -> Disclosure:
    """Record a disclosure as ``user`` from the activity ``source``/``pk``, found as the
    pages find it (``selectors.origin_get``)."""
    origin = selectors.origin_get(user=user, source=source, pk=pk)
    return disclosure_record(
        actor=user,
        origin=origin,
        occurred_on=occurred_on,
        at_risk=at_risk,
        kind=kind,
        urgency=urgency,
        first_actions=list(first_actions),
        notes=notes,
    )


@pytest.fixture
def session_case(facilitator, court_session, participant):
    """A man in the court-ordered group says his partner is still in danger."""
    return record_case(facilitator, Source.SESSION, court_session.pk,
                       notes="Dice que su pareja sigue en peligro.")  # fmt: skip
