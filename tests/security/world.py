"""A complete organization built through the real services, with canary values that must
never show up where they do not belong (S2, S3, S11)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile

from cascada.accounts.models import User
from cascada.commitments.models import (
    Commitment,
    Grant,
    Initiative,
    Milestone,
    MilestoneEvidence,
    Testimony,
)
from cascada.commitments.services import (
    Plan,
    commitment_create,
    evidence_add,
    grant_create,
    initiative_create,
    testimony_record,
)
from cascada.curricula.models import Curriculum, CurriculumVersion, Module, SessionPlan
from cascada.curricula.services import curriculum_create, module_add, session_plan_add
from cascada.imports.models import ImportJob
from cascada.imports.services import import_job_create
from cascada.measurement.models import Instrument, InstrumentVersion, Round, SubmissionUpload
from cascada.measurement.services import instrument_adopt, response_record, round_create
from cascada.networks.models import (
    ActionPhoto,
    ActionUpload,
    Campaign,
    CommunityAction,
    Membership,
    Network,
)
from cascada.networks.services import action_record, campaign_save, photo_add, plan_revise
from cascada.registry.models import Consent, Organization, Person, Place
from cascada.registry.services import consent_record
from cascada.research.models import (
    Code,
    Coding,
    Dissemination,
    Event,
    Finding,
    Recruit,
    Study,
    Transcript,
)
from cascada.research.services.coding import code_create, coding_add
from cascada.research.services.fieldwork import audio_attach, event_record, transcript_save
from cascada.research.services.results import dissemination_add, finding_create
from cascada.research.services.sample import recruit_consent, recruit_screen
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
from cascada.safeguarding import selectors as safeguarding
from cascada.safeguarding.models import CaseAccess, Disclosure, Referral, Service
from cascada.safeguarding.services import (
    case_access_grant,
    court_agreement_set,
    disclosure_record,
    lead_name,
    referral_make,
    service_save,
)
from cascada.trainings.models import Certificate, Cohort, Enrolment, Program, Session
from cascada.trainings.services import attendance_record, certificate_issue
from tests.accounts.factories import make_user
from tests.registry.factories import make_org, make_person, make_place
from tests.trainings.factories import enrol, make_cohort, make_program


@dataclass
class World:
    tag: str
    org: Organization
    place: Place
    person: Person
    other_person: Person
    facilitator_person: Person
    curriculum: Curriculum
    version: CurriculumVersion
    module: Module
    plan: SessionPlan
    program: Program
    cohort: Cohort
    session: Session
    enrolment: Enrolment
    certificate: Certificate
    consent: Consent
    coordinator: User
    facilitator: User
    viewer: User
    auditor: User
    administrator: User
    import_job: ImportJob
    survey_round: Round
    instrument_version: InstrumentVersion
    submissions_upload: SubmissionUpload
    network: Network
    membership: Membership
    community_action: CommunityAction
    action_photo: ActionPhoto
    campaign: Campaign
    action_upload: ActionUpload
    initiative: Initiative
    commitment: Commitment
    grant: Grant
    milestone: Milestone
    testimony: Testimony
    evidence: MilestoneEvidence
    study: Study
    recruit: Recruit
    event: Event
    transcript: Transcript
    code: Code
    coding: Coding
    finding: Finding
    dissemination: Dissemination
    court_program: Program
    service: Service
    disclosure: Disclosure
    referral: Referral
    case_access: CaseAccess
    dhis2_mapping: Any = None
    dhis2_push: Any = None
    reported_indicator: Any = None  # an own indicator whose values are typed by hand
    users: dict[str, User] = field(default_factory=dict)

    @property
    def canaries(self) -> list[str]:
        """Strings of this world that no other organization's user may ever read."""
        return [
            self.person.code,
            self.other_person.code,
            f"Canario{self.tag}",
            f"Zorzal{self.tag}",
            f"Cohorte {self.tag}",
            f"Programa {self.tag}",
            f"Curriculo {self.tag}",
            f"Modulo {self.tag}",
            f"Organizacion {self.tag}",
            self.certificate.code,
            f"Importacion{self.tag}",
            f"Red {self.tag}",
            f"Feria {self.tag}",
            f"Campana {self.tag}",
            f"Iniciativa {self.tag}",
            f"Compromiso {self.tag}",
            f"Testimonio {self.tag}",
            f"Estudio {self.tag}",
            f"Transcripcion{self.tag}",
            f"Recluta{self.tag}",
            f"Memo{self.tag}",
            f"Hallazgo {self.tag}",
            f"Difusion {self.tag}",
            f"Servicio {self.tag}",
            f"Relato{self.tag}",
            f"Derivacion{self.tag}",
        ]


def national_id(tag: str) -> str:
    return "4" + str(abs(hash(tag)) % 10**7).rjust(7, "0")


def build_world(tag: str, *, court: bool = False) -> World:
    """One organization with every kind of record, made by the services with no actor."""
    org = make_org(name=f"Organizacion {tag}")
    place = make_place(code="150132", name="San Juan de Lurigancho")
    person = make_person(
        organization=org,
        given_name=f"Canario{tag}",
        family_name=f"Zorzal{tag}",
        national_id=national_id(tag),
        phone="+51 999 000 111",
        address=f"Jr. Canario{tag} 123",
        place=place,
    )
    other_person = make_person(organization=org, given_name=f"Otro{tag}", place=place)
    facilitator_person = make_person(
        organization=org, given_name=f"Facilita{tag}", roles=["facilitator"]
    )
    curriculum = curriculum_create(
        actor=None, organization=org, title=f"Curriculo {tag}", audience="men"
    )
    version = curriculum.versions.get()
    module = module_add(actor=None, version=version, title=f"Modulo {tag}")
    plan = session_plan_add(actor=None, module=module, title=f"Sesion {tag}")
    program = make_program(owner=org, name=f"Programa {tag}", is_court_mandated=court)
    cohort = make_cohort(
        program=program,
        name=f"Cohorte {tag}",
        sessions=2,
        curriculum_version=version,
        facilitators=(facilitator_person,),
        start=dt.date(2026, 3, 2),
        place=place,
    )
    enrolment, _other = enrol(cohort, person, other_person)
    sessions = list(cohort.sessions.order_by("number"))
    for s in sessions:
        attendance_record(actor=None, session=s, marks={enrolment.pk: "present"})
    enrolment.refresh_from_db()
    certificate = certificate_issue(actor=None, enrolment=enrolment)
    users: dict[str, Any] = {}
    for role in ("coordinator", "facilitator", "viewer", "auditor", "administrator"):
        users[role] = make_user(
            role=role,
            organization=org,
            username=f"{role}-{tag}".lower(),
            person=facilitator_person if role == "facilitator" else None,
        )
    consent = consent_record(
        actor=users["coordinator"],
        person=person,
        purpose="aggregate_reporting",
        granted=True,
        text_version="v1",
    )
    import_job = import_job_create(
        actor=users["coordinator"],
        organization=org,
        kind="people",
        upload=ContentFile(
            f"given_name,family_name,sex\nImporta{tag},Prueba,male\n".encode(), name="p.csv"
        ),
        filename=f"Importacion{tag}.csv",
    )
    survey_round = round_create(
        actor=None,
        cohort=cohort,
        version=Instrument.objects.get(code="gem", organization=None).versions.get(),
        kind="baseline",
        opens_on=dt.date(2026, 3, 2),
    )
    response_record(
        actor=None,
        survey=survey_round,
        person=person,
        answers={"gem_decides_sex": "disagree", "gem_deserves_beaten": "disagree"},
        consent=True,
    )
    instrument_version = instrument_adopt(
        actor=None,
        organization=org,
        version=Instrument.objects.get(code="gem", organization=None).versions.get(),
    )
    submissions_upload = SubmissionUpload.objects.create(
        round=survey_round, original_name=f"envios{tag}.csv", status="checked"
    )
    network = Network.objects.create(
        organization=org, name=f"Red {tag}", kind="municipal", place=place
    )
    membership = network.memberships.create(person=other_person, joined_on=dt.date(2026, 1, 5))
    plan_revise(
        actor=None,
        network=network,
        year=2026,
        activities=[{"key": "feria", "kind": "fair", "title": f"Feria {tag}", "month": 5}],
        approved_on=dt.date(2026, 3, 1),
    )
    campaign = campaign_save(
        actor=None,
        organization=org,
        name=f"Campana {tag}",
        starts_on=dt.date(2026, 11, 25),
        ends_on=dt.date(2026, 12, 10),
        networks=[network],
    )
    community_action, _created = action_record(
        actor=None,
        network=network,
        date=dt.date(2026, 5, 16),
        kind="fair",
        title=f"Feria {tag}",
        planned_key="feria",
        campaign=campaign,
        women=30,
        men=3,
    )
    action_photo = photo_add(
        actor=None, action=community_action, data=_tiny_jpeg(), consent="De palabra, todos"
    )
    initiative = initiative_create(
        actor=None,
        funder=org,
        name=f"Iniciativa {tag}",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        organizations=[org],
        trainings=[cohort],
    )
    commitment = commitment_create(
        actor=None,
        initiative=initiative,
        institution=org,
        plan=Plan(
            aim=f"Compromiso {tag}",
            themes=["schools"],
            places=[place],
            budget=[("Talleres", "1000.00")],
            milestones=[{"key": "informe", "title": "Informe", "due_on": dt.date(2026, 6, 30)}],
        ),
        created_on=dt.date(2026, 2, 1),
    )
    milestone = commitment.milestones.get()
    grant = grant_create(
        actor=None,
        commitment=commitment,
        amount="1000.00",
        currency="BOB",
        awarded_on=dt.date(2026, 2, 1),
        tranches=[
            {"amount": "600.00"},
            {"amount": "400.00", "condition_milestone": milestone},
        ],
    )
    testimony = testimony_record(
        actor=None,
        commitment=commitment,
        quote=f"Testimonio {tag}",
        author_institution=org,
        recorded_on=dt.date(2026, 3, 1),
    )
    return World(
        tag=tag,
        org=org,
        place=place,
        person=person,
        other_person=other_person,
        facilitator_person=facilitator_person,
        curriculum=curriculum,
        version=version,
        module=module,
        plan=plan,
        program=program,
        cohort=cohort,
        session=sessions[0],
        enrolment=enrolment,
        certificate=certificate,
        consent=consent,
        coordinator=users["coordinator"],
        facilitator=users["facilitator"],
        viewer=users["viewer"],
        auditor=users["auditor"],
        administrator=users["administrator"],
        import_job=import_job,
        survey_round=survey_round,
        instrument_version=instrument_version,
        submissions_upload=submissions_upload,
        network=network,
        membership=membership,
        community_action=community_action,
        action_photo=action_photo,
        campaign=campaign,
        action_upload=ActionUpload.objects.create(
            network=network, original_name=f"acciones{tag}.csv", status="validated"
        ),
        initiative=initiative,
        commitment=commitment,
        grant=grant,
        milestone=milestone,
        testimony=testimony,
        evidence=evidence_add(
            actor=None, milestone=milestone, name=f"informe{tag}.pdf", data=b"%PDF-1.4 informe"
        ),
        **_research(tag, org, place, users, module),
        **_safeguarding(tag, org, place, users, sessions[0]),
        users=users,
    )


def _research(
    tag: str, org: Organization, place: Place, users: dict[str, User], module: Module
) -> dict[str, Any]:
    """A study led by the coordinator, the administrator a researcher in it (so that both
    open its pages in the isolation tests), with one interview, its audio, its transcript
    (a canary in the text), a coding with a memo, a finding and a line of the plan."""
    lead = users["coordinator"]
    study = study_create(
        actor=None,
        organization=org,
        title=f"Estudio {tag}",
        code="EST",
        starts_on=dt.date(2026, 1, 5),
        lead=lead,
    )
    member_set(actor=None, study=study, user=users["administrator"], role="researcher")
    approval_add(
        actor=None,
        study=study,
        committee="Comité de ética",
        number="CE-1",
        approved_on=dt.date(2026, 1, 2),
        expires_on=dt.date(2027, 12, 31),
    )
    form = consent_form_add(actor=None, study=study, version="v1", approved_on=dt.date(2026, 1, 2))
    site = site_add(actor=None, study=study, place=place)
    stratum = stratum_add(actor=None, study=study, name="Jóvenes", age_min=18, age_max=29)
    quota_set(actor=None, study=study, site=site, stratum=stratum, method="interview", target=3)
    question = question_add(
        actor=None, study=study, text="¿Es activista?", excludes_when=True, reason="activista"
    )
    recruit = recruit_screen(
        actor=None,
        study=study,
        site=site,
        method="interview",
        age=22,
        answers={question.pk: False},
        screened_on=dt.date(2026, 2, 1),
        name=f"Recluta{tag} Ficticio",
        contact="999888777",
    )
    recruit_consent(
        actor=None,
        recruit=recruit,
        consent_form=form,
        consented_on=dt.date(2026, 2, 2),
        audio_consent=True,
    )
    event = event_record(
        actor=None,
        study=study,
        method="interview",
        site=site,
        held_on=dt.date(2026, 2, 10),
        participants=[recruit],
        duration_minutes=45,
    )
    audio_attach(actor=None, event=event, name=f"audio{tag}.mp3", data=b"ID3" + bytes(64))
    transcript = transcript_save(
        actor=None,
        event=event,
        text=f"E: ¿Cómo fue su niñez?\nP: Transcripcion{tag}: mi padre bebía.",
    )
    code = code_create(actor=None, study=study, name="Violencia en la niñez")
    coding = coding_add(
        actor=None,
        transcript=transcript,
        code=code,
        start=24,
        end=50,
        memo=f"Memo{tag}",
        coder=lead,
    )
    finding = finding_create(
        actor=None,
        study=study,
        statement=f"Hallazgo {tag}",
        codes=[code],
        excerpts=[coding],
        modules=[module],
    )
    dissemination = dissemination_add(
        actor=None,
        study=study,
        level="local",
        audience="Municipalidad",
        product=f"Difusion {tag}",
        channel="Taller",
        planned_on=dt.date(2026, 6, 1),
    )
    return {
        "finding": finding,
        "dissemination": dissemination,
        "study": study,
        "recruit": recruit,
        "event": event,
        "transcript": transcript,
        "code": code,
        "coding": coding,
    }


def _safeguarding(
    tag: str, org: Organization, place: Place, users: dict[str, User], session: Session
) -> dict[str, Any]:
    """A case that both users the isolation tests sign in as may open, each by a different
    rule: the coordinator recorded it (from the first session, which a coordinator takes
    the attendance of), the administrator is the organization's safeguarding lead. The
    viewer is let into it; a referral to the directory's one service; a court-ordered
    program with its agreement with the court. Canaries in the notes and the service."""
    lead_name(actor=None, organization=org, user=users["administrator"])
    service = service_save(
        actor=None,
        organization=org,
        name=f"Servicio {tag}",
        kind="cem",
        phone="01 419 2000",
        place=place,
    )
    origin = safeguarding.origin_get(user=users["coordinator"], source="session", pk=session.pk)
    disclosure = disclosure_record(
        actor=users["coordinator"],
        origin=origin,
        occurred_on=session.date,
        at_risk="partner",
        kind="physical",
        urgency="urgent",
        first_actions=["informed", "lead"],
        notes=f"Relato{tag}: dice que su pareja sigue en peligro.",
    )
    referral = referral_make(
        actor=users["coordinator"],
        case=disclosure,
        service=service,
        made_on=session.date,
        basis="consent",
        consent_from="person",
        consent_on=session.date,
        consent_text_version="v1",
        notes=f"Derivacion{tag}",
    )
    case_access = case_access_grant(
        actor=users["administrator"], case=disclosure, user=users["viewer"], reason="Apoyo"
    )
    court_program = make_program(owner=org, name=f"Juzgado {tag}", is_court_mandated=True)
    court_agreement_set(
        actor=None,
        program=court_program,
        court="Juzgado de Familia",
        signed_on=dt.date(2026, 1, 10),
        sharing="risk",
    )
    for user in users.values():
        safeguarding.forget(user)
    # Issue 14: the organization's DHIS2 mapping and a push (objects of its own routes).
    from cascada.indicators.dhis2.services.config import mapping_save
    from cascada.indicators.models import Dhis2Push, Indicator

    dhis2_mapping = mapping_save(
        actor=None,
        organization=org,
        indicator=Indicator.objects.get(code="people_enrolled", organization__isnull=True),
        measure="base",
        data_element=("De" + "".join(c for c in tag if c.isalnum()) + "0" * 11)[:11],
    )
    dhis2_push = Dhis2Push.objects.create(organization=org, periods=["2025Q1"])
    from cascada.indicators.services import indicator_create

    reported_indicator = indicator_create(
        actor=None, organization=org, name_es=f"Ordenanzas {tag}", source="reported",
        measure="value", unit="count",
    )  # fmt: skip
    return {
        "dhis2_mapping": dhis2_mapping,
        "dhis2_push": dhis2_push,
        "reported_indicator": reported_indicator,
        "court_program": court_program,
        "service": service,
        "disclosure": disclosure,
        "referral": referral,
        "case_access": case_access,
    }


def _tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(out, format="JPEG")
    return out.getvalue()
