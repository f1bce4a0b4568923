"""Build the demonstration data set through the real services (audit and completion rules
apply; ``actor`` None is the system).

Idempotent: organizations and users are looked up by name before being created, and each
program's whole content (people, cohorts, sessions, attendance) is built only when the
program does not exist yet. Everything runs in one transaction, so a failed build leaves
nothing behind and the next run starts clean.

Every person is FICTIONAL: family names come from ``FAMILY_NAMES`` ("Ficticio",
"Ejemplo", "Demostración"...), ID numbers start with "00" (no real DNI or CI does).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts.models import User
from cascada.accounts.roles import Role
from cascada.accounts.services import membership_grant, totp_device_create, user_create
from cascada.cascade.models import CohortLevel
from cascada.curricula.models import CurriculumVersion
from cascada.curricula.services import (
    curriculum_create,
    curriculum_version_new,
    module_add,
    session_plan_add,
)
from cascada.measurement.models import Instrument
from cascada.measurement.services import response_record, round_create
from cascada.measurement.shipped import GEM_ITEMS
from cascada.registry.models import Organization, Person, Place
from cascada.registry.services import consent_record, organization_create, person_create
from cascada.trainings import clock
from cascada.trainings.models import Cohort, Enrolment, Program
from cascada.trainings.services import (
    attendance_record,
    cohort_close,
    cohort_completion_recompute,
    cohort_create,
    enrolment_create,
    enrolment_withdraw,
    program_create,
    program_share,
    session_headcount_set,
    sessions_generate,
)

from .commitments import (
    CIES,
    FIRST_TRAINING,
    FOCAL_POINT_USERNAME,
    MANAGER_USERNAME,
    MENTOR_USERNAME,
    PROGRAM,
    SECOND_TRAINING,
    build_commitments,
    mentor_person,
    representative,
)
from .indicators import build_indicators
from .networks import build_networks, promoter_person
from .research import CODER_USERNAME, LEAD_USERNAME, RESEARCHER_USERNAME, UPCH, build_research
from .safeguarding import (
    PSYCHOLOGIST_USERNAME,
    SAFEGUARDING_LEAD_USERNAME,
    build_safeguarding,
    psychologist_person,
)

DEMO_PASSWORD = "cascada-demo-2026"
CONSENT_TEXT = "demo-v1"

# The marker words: every demo person carries one of them in the family name.
FAMILY_NAMES = ("Ficticio", "Ejemplo", "Demostración", "Inventado", "Simulado", "Prueba")
SECOND_FAMILY_NAMES = ("Ejemplar", "Ficticia", "Demo", "Imaginario", "Supuesto", "Modelo")
MALE_NAMES = (
    "Juan", "Carlos", "Luis", "Jorge", "Pedro", "Miguel", "José", "Víctor", "Raúl", "Marco",
    "Hugo", "Óscar", "Julio", "Félix", "Wilber", "Edwin", "Percy", "Ronald", "Álex", "Iván",
)  # fmt: skip
FEMALE_NAMES = (
    "María", "Rosa", "Carmen", "Ana", "Luz", "Elena", "Sonia", "Julia", "Norma", "Gladys",
    "Flor", "Doris", "Maribel", "Silvia", "Yolanda", "Patricia", "Ruth", "Lidia", "Nelly", "Eva",
)  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # "" for none: the promoter, a mentor, a focal point (an assignment only)
    organization: str
    totp_key: str  # fixed hex key, so `cascada demo-totp` and any authenticator agree

    @property
    def otpauth_secret(self) -> str:
        return base64.b32encode(bytes.fromhex(self.totp_key)).decode().rstrip("=")


def _key(username: str) -> str:
    return hashlib.sha1(f"cascada-demo-totp-{username}".encode()).hexdigest()  # noqa: S324  # nosec B324  # published demo TOTP seed, not a security use


MR = "Movimiento Manuela Ramos"
VIGENCIA = "Grupo Vigencia"
MIMP = "Ministerio de la Mujer y Poblaciones Vulnerables"
UNFPA_PE = "UNFPA Perú"
PROMUNDO = "Promundo"
PROMOTER_USERNAME = "promotor"

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.ADMINISTRATOR, MR, _key("admin")),
    DemoAccount("coordinadora", Role.COORDINATOR, MR, _key("coordinadora")),
    DemoAccount("facilitador", Role.FACILITATOR, MR, _key("facilitador")),
    DemoAccount("monitoreo", Role.ME_OFFICER, MR, _key("monitoreo")),
    DemoAccount("donante", Role.VIEWER, UNFPA_PE, _key("donante")),
    DemoAccount("auditor", Role.AUDITOR, MR, _key("auditor")),
    DemoAccount("vigencia", Role.COORDINATOR, VIGENCIA, _key("vigencia")),
    # A promoter of Vigencia's network (its member, no role in any organization): sees his
    # network and records its actions, sees no one's data, so signs in without a code.
    DemoAccount(PROMOTER_USERNAME, "", VIGENCIA, _key(PROMOTER_USERNAME)),
    # Commitments to Action (seed 004): Promundo's grant manager; a mentor assigned to
    # some commitments (no organization role: sees those commitments only); CIES's
    # representative, the focal point who reports for its commitment (no role either).
    DemoAccount(MANAGER_USERNAME, Role.COORDINATOR, PROMUNDO, _key(MANAGER_USERNAME)),
    DemoAccount(MENTOR_USERNAME, "", PROMUNDO, _key(MENTOR_USERNAME)),
    DemoAccount(FOCAL_POINT_USERNAME, "", CIES, _key(FOCAL_POINT_USERNAME)),
    # Formative research (seed 002): UPCH's principal investigator (a coordinator, who
    # creates the study and leads it), its researcher and its coder (viewers at UPCH whom
    # she makes members of the study: they read its transcripts, with a second factor).
    DemoAccount(LEAD_USERNAME, Role.COORDINATOR, UPCH, _key(LEAD_USERNAME)),
    DemoAccount(RESEARCHER_USERNAME, Role.VIEWER, UPCH, _key(RESEARCHER_USERNAME)),
    DemoAccount(CODER_USERNAME, Role.VIEWER, UPCH, _key(CODER_USERNAME)),
    # Safeguarding (issue 13): the psychologist who facilitates Lima's group of "Hombres de
    # Miércoles" (records a case from a session) and MIMP's safeguarding lead (refers,
    # follows up, closes); UPCH's lead is the study's principal investigator.
    DemoAccount(PSYCHOLOGIST_USERNAME, Role.FACILITATOR, MIMP, _key(PSYCHOLOGIST_USERNAME)),
    DemoAccount(
        SAFEGUARDING_LEAD_USERNAME, Role.COORDINATOR, MIMP, _key(SAFEGUARDING_LEAD_USERNAME)
    ),
)
DEMO_USERNAMES = frozenset(a.username for a in DEMO_ACCOUNTS)

# (name, short name, kind, country, place code)
ORGANIZATIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (MR, "Manuela Ramos", "ngo", "PE", "150101"),
    (VIGENCIA, "Vigencia", "ngo", "PE", "070101"),
    ("Municipalidad Distrital de Carmen de la Legua Reynoso", "MDCLR", "municipality", "PE", "070103"),
    (MIMP, "MIMP", "ministry", "PE", "150101"),
    ("Centro Emergencia Mujer Carmen de la Legua Reynoso", "CEM CLR", "cem", "PE", "070103"),
    ("Universidad Peruana Cayetano Heredia", "UPCH", "university", "PE", "150135"),
    (UNFPA_PE, "UNFPA PE", "un_agency", "PE", "150101"),
    ("Embajada Británica en Lima", "Embajada RU", "donor", "PE", "150101"),
    (PROMUNDO, "Promundo", "ngo", "BO", "020101"),
    ("OXFAM en Bolivia", "OXFAM", "ngo", "BO", "020101"),
    ("Organización Internacional del Trabajo (OIT)", "OIT", "un_agency", "BO", "020101"),
    ("UNFPA Bolivia", "UNFPA BO", "un_agency", "BO", "020101"),
    ("UNICEF Bolivia", "UNICEF", "un_agency", "BO", "020101"),
    ("ONU Mujeres Bolivia", "ONU Mujeres", "un_agency", "BO", "020101"),
    ("Aldeas Infantiles SOS Bolivia", "Aldeas SOS", "ngo", "BO", "030101"),
    ("Asociación de Concejalas de Bolivia (ACOBOL)", "ACOBOL", "ngo", "BO", "020101"),
    (CIES, "CIES", "ngo", "BO", "020105"),
    ("Alianza por la Solidaridad", "Alianza", "ngo", "BO", "020101"),
    ("Swisscontact Bolivia", "Swisscontact", "ngo", "BO", "020101"),
    ("Solidar Suiza", "Solidar", "ngo", "BO", "020101"),
    ("EME Cultura Salud", "EME", "ngo", "BO", "020101"),
    ("Fundación UNIR Bolivia", "UNIR", "ngo", "BO", "020101"),
)  # fmt: skip

# Seed 000: the men's curriculum. Six topics, two 90-minute session plans each: 18 hours.
CURRICULUM_TOPICS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("Cuerpo y sexualidad", ("Conociendo nuestro cuerpo", "Salud sexual y reproductiva")),
    ("Masculinidad", ("Cómo aprendimos a ser hombres", "Masculinidades y poder")),
    ("Alcoholismo", ("El alcohol en la comunidad", "Alcohol, familia y violencia")),
    ("Violencia", ("Tipos de violencia", "Romper el ciclo de la violencia")),
    ("Sexo forzado", ("Consentimiento", "Sexo forzado en la pareja")),
    ("Comunicación", ("Escuchar y dialogar", "Resolver conflictos sin violencia")),
)
PLAN_MINUTES = 90

# Four generations, seed 000: national ToT in Lima, regional ToTs in these places.
REGIONS: tuple[tuple[str, str], ...] = (
    ("Cusco", "080101"),
    ("Puno", "210101"),
    ("Ayacucho", "050101"),
    ("Lima provincias (Huaral)", "150601"),
)
# Seed 003: Hombres de Miércoles in four places.
MIMP_PLACES: tuple[tuple[str, str], ...] = (
    ("San Martín (Tarapoto)", "220901"),
    ("Piura", "200101"),
    ("Junín (Huancayo)", "120101"),
    ("Lima (Cercado)", "150101"),
)


@dataclass
class BuildResult:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


class _People:
    """Fictional people, with unique name combinations and impossible ID numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.n = Person.objects.count()
        self.created = 0

    def make(
        self,
        *,
        organization: Organization,
        place: Place | None,
        sex: str,
        roles: Sequence[str] = ("participant",),
        age_range: tuple[int, int] = (20, 55),
        id_document: str = "dni",
        consent_aggregate: bool | None = None,
    ) -> Person:
        self.n += 1
        self.created += 1
        i = self.n
        names = MALE_NAMES if sex == "male" else FEMALE_NAMES
        given = names[i % len(names)]
        k = i // len(names)
        family = (
            f"{FAMILY_NAMES[k % len(FAMILY_NAMES)]} "
            f"{SECOND_FAMILY_NAMES[(k // len(FAMILY_NAMES)) % len(SECOND_FAMILY_NAMES)]}"
        )
        year = timezone.localdate().year - self.rng.randint(*age_range)
        with_id = self.rng.random() < 0.7
        person = person_create(
            actor=None,
            organization=organization,
            given_name=given,
            family_name=family,
            sex=sex,
            birth_year=year,
            place=place,
            id_document=id_document if with_id else "",
            # "00" + digits: no real DNI/CI is issued with this prefix. A DNI has 8 digits,
            # a CI and a passport number take 9 here (registry.documents).
            national_id=(f"00{i:06d}" if id_document == "dni" else f"00{i:07d}") if with_id else "",
            roles=list(roles),
            allow_duplicate=False,
        )
        consent_record(
            actor=None,
            person=person,
            purpose="participation",
            granted=True,
            text_version=CONSENT_TEXT,
        )
        if consent_aggregate is None:
            consent_aggregate = self.rng.random() < 0.9
        if consent_aggregate:
            consent_record(
                actor=None,
                person=person,
                purpose="aggregate_reporting",
                granted=True,
                text_version=CONSENT_TEXT,
            )
        return person


def _place(country: str, code: str) -> Place | None:
    return Place.objects.filter(country=country, code=code).first()


def _sized(base: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(base * scale))


def _orgs(result: BuildResult) -> dict[str, Organization]:
    out = {}
    for name, short, kind, country, code in ORGANIZATIONS:
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = organization_create(
                actor=None,
                name=name,
                short_name=short,
                kind=kind,
                country=country,
                place=_place(country, code),
            )
            result.add("organizations")
        out[name] = org
    return out


def _close(cohort: Cohort) -> None:
    """A cohort the seed says is over: over by its dates, else closed by hand today."""
    if not clock.cohort_is_over(cohort):
        cohort_close(actor=None, cohort=cohort)


def _run_cohort(
    *,
    cohort: Cohort,
    people: Sequence[Person],
    rng: random.Random,
    completers: int | None = None,
    attend_rate: float = 0.92,
    leave_unrecorded: int = 0,
    withdraw: int = 0,
) -> list[Any]:
    """Enrol ``people`` and take attendance in every past session (through
    ``attendance_record``), except the last ``leave_unrecorded`` past ones.

    With ``completers``, exactly that many enrolments attend every recorded session and the
    others attend about half of them (never enough for 80%): the completion rule, not this
    function, decides who completed."""
    enrolments = [
        enrolment_create(actor=None, cohort=cohort, person=p, enrolled_on=cohort.start_date)
        for p in people
    ]
    for enrolment in enrolments[len(enrolments) - withdraw :] if withdraw else []:
        enrolment_withdraw(actor=None, enrolment=enrolment)
    active = enrolments[: len(enrolments) - withdraw] if withdraw else enrolments
    today = clock.cohort_today(cohort)  # attendance only for sessions already held
    sessions = list(
        cohort.sessions.filter(date__lte=today, headcount__isnull=True, cancelled=False).order_by(
            "number"
        )
    )
    if leave_unrecorded:
        sessions = sessions[:-leave_unrecorded]
    strong = set(range(len(active))) if completers is None else set(range(completers))
    for session in sessions:
        marks = {}
        for idx, enrolment in enumerate(active):
            if completers is None:
                present = rng.random() < attend_rate
            else:
                # Completers come to everything; the others to every other session only.
                present = idx in strong or session.number % 2 == 0
            marks[enrolment.pk] = "present" if present else "absent"
        attendance_record(actor=None, session=session, marks=marks, recompute=False)
    cohort_completion_recompute(cohort=cohort)
    return enrolments


def _completers(cohort: Cohort) -> list[Person]:
    return [e.person for e in cohort.enrolments.filter(completed=True).select_related("person")]


# ------------------------------------------------------------------ curriculum


def _curriculum(org: Organization, result: BuildResult) -> CurriculumVersion:
    curriculum = curriculum_create(
        actor=None,
        organization=org,
        title="Hombres, cuerpo y sexualidad: taller de reflexión",
        description="Materiales para las sesiones con hombres (semilla 000).",
        audience="men",
    )
    version = curriculum.versions.get(number=1)
    for module_title, plans in CURRICULUM_TOPICS:
        module = module_add(actor=None, version=version, title=module_title)
        for plan_title in plans:
            session_plan_add(
                actor=None,
                module=module,
                title=plan_title,
                objectives=f"Reflexionar sobre: {plan_title.lower()}.",
                techniques="Dinámica de grupo, sociodrama, trabajo en pares.",
                materials="Papelógrafos, plumones, tarjetas.",
                duration_minutes=PLAN_MINUTES,
                audience="men",
            )
    # A second, still editable version, as after a validation round.
    v2 = curriculum_version_new(
        actor=None, curriculum=curriculum, notes="Ajustes tras la validación con promotores."
    )
    module_add(actor=None, version=v2, title="Paternidad y cuidado", is_core=False)
    result.add("curricula")
    return version


# ------------------------------------------------------------------ programs


def _manuela_ramos(
    orgs: dict[str, Organization], people: _People, rng: random.Random, scale: float, r: Any
) -> None:
    """Seed 000: a four-generation ToT cascade across several departments."""
    org = orgs[MR]
    name = "Cascada de formación de promotores con hombres"
    if Program.objects.filter(owner=org, name=name).exists():
        return
    program = program_create(
        actor=None,
        owner=org,
        name=name,
        description="Capacitación de capacitadores nacional, réplicas regionales y talleres "
        "comunitarios con hombres (semilla 000).",
    )
    program_share(actor=None, program=program, organization=orgs[UNFPA_PE])
    version = _curriculum(org, r)
    today = timezone.localdate()
    lima = _place("PE", "150101")

    # Generation 0: national trainers, no recorded training.
    gen0 = [
        people.make(organization=org, place=lima, sex=s, roles=["trainer"], age_range=(38, 60))
        for s in ("male", "male", "female")
    ]
    national = cohort_create(
        actor=None,
        program=program,
        name="CdC nacional de capacitadores",
        kind="tot",
        start_date=today - dt.timedelta(days=300),
        curriculum_version=version,
        place=lima,
        facilitators=gen0,
    )
    sessions_generate(actor=None, cohort=national, count=12, pattern="daily")
    trainees = []
    for _region, code in REGIONS:
        place = _place("PE", code)
        trainees += [
            people.make(organization=org, place=place, sex="male", roles=["trainer"])
            for _ in range(3)
        ]
    _run_cohort(cohort=national, people=trainees, rng=rng, completers=len(trainees) - 2)
    _close(national)
    gen1 = _completers(national)

    # Generation 1 facilitates regional ToTs; their completers are promoters (gen 2).
    for n, (region, code) in enumerate(REGIONS):
        place = _place("PE", code)
        facilitators = [p for p in gen1 if p.place_id == getattr(place, "pk", None)][:2]
        regional = cohort_create(
            actor=None,
            program=program,
            name=f"CdC regional {region}",
            kind="tot",
            start_date=today - dt.timedelta(days=220 - 7 * n),
            curriculum_version=version,
            place=place,
            facilitators=facilitators,
        )
        sessions_generate(actor=None, cohort=regional, count=12, pattern="daily")
        size = _sized(10, scale, 4)
        promoters = [
            # 70% of community activists are women: promoters are not all men.
            people.make(
                organization=org,
                place=place,
                sex="female" if i % 5 in (1, 3) else "male",
                roles=["promoter"],
                age_range=(20, 50),
            )
            for i in range(size)
        ]
        _run_cohort(cohort=regional, people=promoters, rng=rng, completers=size - 1)
        _close(regional)
        gen2 = _completers(regional)

        # Generation 2 runs community workshops and courses: their completers are gen 3.
        for w in range(_sized(2, scale)):
            lead = gen2[w % len(gen2)]
            as_course = w % 2 == 1
            community = cohort_create(
                actor=None,
                program=program,
                name=f"{'Curso' if as_course else 'Taller'} comunitario {region} {w + 1}",
                kind="course" if as_course else "workshop",
                start_date=today - dt.timedelta(days=120 - 20 * w - 3 * n),
                curriculum_version=version if as_course else None,
                place=place,
                facilitators=[lead],
            )
            sessions_generate(
                actor=None,
                cohort=community,
                count=12 if as_course else 3,
                pattern="weekly" if as_course else "daily",
            )
            men = [
                people.make(organization=org, place=place, sex="male", age_range=(18, 60))
                for _ in range(_sized(12, scale, 4))
            ]
            # The first workshop of each region ends with an open session where only a
            # headcount is taken; one course leaves its latest sessions without attendance.
            if not as_course and w == 0:
                last = community.sessions.latest("number")
                session_headcount_set(actor=None, session=last, headcount=23 + n)
            _run_cohort(
                cohort=community,
                people=men,
                rng=rng,
                leave_unrecorded=2 if (as_course and n == 0) else 0,
            )
            community.refresh_from_db()
    r.add("programs")


def _vigencia(
    orgs: dict[str, Organization], people: _People, rng: random.Random, scale: float, r: Any
) -> None:
    """Seed 001: 12-week course in Carmen de la Legua Reynoso, exactly 30 completers."""
    org = orgs[VIGENCIA]
    name = "Red Municipal de Promotores Masculinos contra la Violencia Familiar y Sexual"
    if Program.objects.filter(owner=org, name=name).exists():
        return
    program = program_create(
        actor=None,
        owner=org,
        name=name,
        description="Con la Municipalidad de Carmen de la Legua Reynoso y el auspicio de la "
        "Embajada Británica (semilla 001).",
    )
    program_share(
        actor=None,
        program=program,
        organization=orgs["Municipalidad Distrital de Carmen de la Legua Reynoso"],
    )
    place = _place("PE", "070103")
    staff = [
        people.make(organization=org, place=place, sex=s, roles=["trainer"], age_range=(35, 55))
        for s in ("male", "female")
    ]
    course = cohort_create(
        actor=None,
        program=program,
        name="Primera promoción de promotores masculinos",
        kind="course",
        start_date=dt.date(2013, 7, 1),
        place=place,
        facilitators=staff,
    )
    sessions_generate(actor=None, cohort=course, count=12, pattern="weekly")
    men = [
        people.make(organization=org, place=place, sex="male", roles=["promoter"])
        for _ in range(34)
    ]
    # 34 enrolled: 30 attend every session, 2 attend too few, 2 withdraw.
    _run_cohort(cohort=course, people=men, rng=rng, completers=30, withdraw=2)
    _close(course)
    r.add("programs")


def _mimp(
    orgs: dict[str, Organization], people: _People, rng: random.Random, scale: float, r: Any
) -> None:
    """Seed 003: Hombres de Miércoles, court-mandated, Mon/Wed/Fri in four places."""
    org = orgs[MIMP]
    name = "Hombres de Miércoles"
    if Program.objects.filter(owner=org, name=name).exists():
        return
    program = program_create(
        actor=None,
        owner=org,
        name=name,
        description="Terapia grupal tres veces por semana para hombres en proceso penal por "
        "violencia (semilla 003).",
        is_court_mandated=True,
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=28 + today.weekday())  # a Monday four weeks ago
    for n, (label, code) in enumerate(MIMP_PLACES):
        place = _place("PE", code)
        psychologist = people.make(
            organization=org,
            place=place,
            sex="female" if n % 2 else "male",
            roles=["facilitator"],
            age_range=(30, 55),
        )
        group = cohort_create(
            actor=None,
            program=program,
            name=f"Grupo {label}",
            kind="recurring",
            start_date=start,
            place=place,
            facilitators=[psychologist],
            min_attendance_pct=75,
        )
        sessions_generate(
            actor=None, cohort=group, count=36, pattern="weekdays", weekdays=(0, 2, 4)
        )
        men = [
            people.make(
                organization=org, place=place, sex="male", age_range=(20, 60), id_document="dni"
            )
            for _ in range(_sized(8, scale, 3))
        ]
        # Two places have not yet entered the latest sessions: "missing attendance".
        _run_cohort(cohort=group, people=men, rng=rng, attend_rate=0.85, leave_unrecorded=n % 2 * 2)
    r.add("programs")


def _promundo(
    orgs: dict[str, Organization], people: _People, rng: random.Random, scale: float, r: Any
) -> None:
    """Seed 004: 27 institutional representatives, five days in person, four days online."""
    org = orgs[PROMUNDO]
    if Program.objects.filter(owner=org, name=PROGRAM).exists():
        return
    program = program_create(
        actor=None,
        owner=org,
        name=PROGRAM,
        description="Organizaciones de la sociedad civil y agencias de la ONU; cada "
        "institución formula un Compromiso de Acción (semilla 004).",
    )
    la_paz = _place("BO", "020101")
    mentors = [
        people.make(
            organization=org,
            place=la_paz,
            sex=s,
            roles=["trainer", "mentor"],
            id_document="passport",
            age_range=(35, 55),
        )
        for s in ("male", "female")
    ]
    institutions = [orgs[n] for n, *_rest, c, _p in ORGANIZATIONS if c == "BO" and n != PROMUNDO]
    reps = [
        people.make(
            organization=institutions[i % len(institutions)],
            place=institutions[i % len(institutions)].place,
            sex="female" if i % 2 else "male",
            id_document="ci",
            age_range=(25, 55),
        )
        for i in range(27)
    ]
    first = cohort_create(
        actor=None,
        program=program,
        name=FIRST_TRAINING,
        kind="intensive",
        modality="in_person",
        start_date=dt.date(2019, 3, 11),
        place=la_paz,
        facilitators=mentors,
    )
    sessions_generate(actor=None, cohort=first, count=5, pattern="daily")
    _run_cohort(cohort=first, people=reps, rng=rng, completers=25)
    _close(first)
    second = cohort_create(
        actor=None,
        program=program,
        name=SECOND_TRAINING,
        kind="intensive",
        modality="online",
        start_date=dt.date(2021, 11, 22),
        facilitators=mentors,
    )
    sessions_generate(actor=None, cohort=second, count=4, pattern="daily")
    _run_cohort(cohort=second, people=reps, rng=rng, completers=24)
    _close(second)
    r.add("programs")


# ------------------------------------------------------------------ users


# Attitudes before and after (issue 9): the GEM Scale at the start and the end of every
# cohort of the Manuela Ramos cascade and of Vigencia's course. Men start around 44 of 72;
# the gain shrinks with each generation of the cascade (the question the analysis answers).
GEM_GAIN_BY_GENERATION = {1: 0.22, 2: 0.15, 3: 0.08}


def _gem_answers(level: float, rng: random.Random) -> dict[str, str]:
    """A man's answers to the GEM Scale at an equity ``level`` from 0 to 1."""
    answers = {}
    for code, inequitable, *_rest in GEM_ITEMS:
        if rng.random() < 0.02:
            continue  # a question skipped now and then
        score = 1 + sum(rng.random() < level for _ in range(2))  # 1..3, more equitable up
        if inequitable:
            answers[code] = ("agree", "partly", "disagree")[score - 1]
        else:
            answers[code] = ("disagree", "partly", "agree")[score - 1]
    return answers


def _measurement(orgs: dict[str, Organization], rng: random.Random, r: Any) -> None:
    gem = Instrument.objects.get(code="gem", organization__isnull=True).versions.get(number=1)
    cohorts = Cohort.objects.filter(program__owner__in=[orgs[MR], orgs[VIGENCIA]]).exclude(
        survey_rounds__isnull=False
    )
    levels = dict(CohortLevel.objects.values_list("cohort_id", "generation"))
    for cohort in cohorts.order_by("start_date", "pk"):
        sessions = list(cohort.sessions.order_by("number").values_list("date", flat=True))
        if not sessions or sessions[-1] > timezone.localdate():
            continue  # still running: its endline is yet to come
        base = round_create(
            actor=None, cohort=cohort, version=gem, kind="baseline", opens_on=sessions[0]
        )
        end = round_create(
            actor=None, cohort=cohort, version=gem, kind="endline", opens_on=sessions[-1]
        )
        gain = GEM_GAIN_BY_GENERATION.get(levels.get(cohort.pk, 1), 0.08)
        for enrolment in Enrolment.objects.filter(cohort=cohort).select_related("person"):
            before = min(0.9, max(0.05, rng.gauss(0.42, 0.12)))
            response_record(
                actor=None,
                survey=base,
                person=enrolment.person,
                answers=_gem_answers(before, rng),
                consent=True,
            )
            if enrolment.completed and rng.random() < 0.9:  # most completers answer again
                after = min(0.95, max(0.05, before + gain + rng.gauss(0, 0.08)))
                response_record(
                    actor=None,
                    survey=end,
                    person=enrolment.person,
                    answers=_gem_answers(after, rng),
                    consent=True,
                )
        r.add("survey rounds", 2)


def _facilitator_person(orgs: dict[str, Organization]) -> Person | None:
    """The lead facilitator of a Manuela Ramos regional ToT (a gen-1 trainer)."""
    cohort = (
        Cohort.objects.filter(program__owner=orgs[MR], kind="tot", name__startswith="CdC regional")
        .order_by("start_date", "pk")
        .first()
    )
    if cohort is None:
        return None
    link = cohort.facilitations.order_by("pk").first()
    return link.person if link else None


def _account_person(orgs: dict[str, Organization], account: DemoAccount) -> Person | None:
    if account.username == PSYCHOLOGIST_USERNAME:
        return psychologist_person(orgs[MIMP])
    if account.role == Role.FACILITATOR:
        return _facilitator_person(orgs)
    if account.username == PROMOTER_USERNAME:
        return promoter_person(orgs[VIGENCIA])
    if account.username == MENTOR_USERNAME:
        return mentor_person(orgs[PROMUNDO])
    if account.username == FOCAL_POINT_USERNAME:
        return representative(orgs[PROMUNDO], orgs[CIES])
    return None


def _users(orgs: dict[str, Organization], r: BuildResult) -> None:
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            person = _account_person(orgs, account)
            user = user_create(
                actor=None,
                username=account.username,
                password=DEMO_PASSWORD,
                email=f"{account.username}@demo.invalid",
                person=person,
            )
            r.add("users")
        if account.role:  # promoter, mentor, focal point: an assignment, not a role
            membership_grant(
                actor=None, user=user, organization=orgs[account.organization], role=account.role
            )
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            totp_device_create(user=user, confirmed=True, key=account.totp_key)


# ------------------------------------------------------------------ entry point


def build(*, scale: float = 1.0, seed: int = 2026) -> BuildResult:
    """Build (or complete) the demo. Safe to run any number of times."""
    if not Place.objects.filter(country="PE", code="150101").exists():
        raise RuntimeError("Places are not loaded: run `cascada migrate` first.")
    result = BuildResult()
    rng = random.Random(seed)
    with transaction.atomic():
        orgs = _orgs(result)
        people = _People(rng)
        steps: Iterable[Any] = (_manuela_ramos, _vigencia, _mimp, _promundo)
        for step in steps:
            step(orgs, people, rng, scale, result)
        _measurement(orgs, rng, result)
        build_networks(vigencia=orgs[VIGENCIA], mimp=orgs[MIMP], people=people, seed=seed, r=result)
        _users(orgs, result)
        # After the users: the grant manager, the mentor and CIES's focal point write.
        build_commitments(orgs=orgs, r=result)
        # After the users too: UPCH's investigator, researcher and coder write.
        build_research(orgs=orgs, r=result)
        # Last: the directory, the leads, the court and cases in MIMP's group and UPCH's study.
        build_safeguarding(
            mimp=orgs[MIMP],
            vigencia=orgs[VIGENCIA],
            upch=orgs[UPCH],
            promundo=orgs[PROMUNDO],
            mimp_places=[code for _label, code in MIMP_PLACES],
            research_username=RESEARCHER_USERNAME,
            study_lead_username=LEAD_USERNAME,
            r=result,
        )
        result.add("people", people.created)
        # Very last: the indicators read everything above (targets, then the fill table).
        build_indicators(r=result)
    return result
