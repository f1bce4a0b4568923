"""The demo's safeguarding (issue 13), built through the safeguarding services.

- A **directory of services** for the demo's places: MIMP's four places of "Hombres de
  Miércoles" (a CEM, the police station, a community mental health centre and the DEMUNA
  in each), Vigencia's Callao, UPCH's San Martín de Porres and the study's three sites,
  Promundo's La Paz and El Alto (SLIM, FELCV, the children's ombudsman), and the national
  numbers (Línea 100, the police's 105, the health ministry's 113; Bolivia's 110). The
  national numbers are the real ones; every local number ("555"), address and court is
  FICTIONAL.
- **Leads**: ``salvaguarda`` (a coordinator at MIMP) and the study's principal
  investigator at UPCH.
- **The court**: the agreement of "Hombres de Miércoles" with a fictional family court
  (a risk to a partner or a child is notified; attendance is reported).
- **Cases**: in "Grupo Lima (Cercado)", ``psicologa`` (its facilitator) records a man
  saying his partner is still in danger; with the partner's consent she is referred to the
  CEM of Lima Cercado, followed up to closed, notified to the court, and the lead closes
  the case. A second case (a child at risk) is referred by the lead's override and its
  follow-up is overdue, so the reminders show. In UPCH's study, a participant distressed
  in an interview first declined a referral, then accepted one to a mental health centre:
  its follow-up is under way.

Dates are counted back from the build's day, never in the future, on the days of the
sessions and the interview they come from. Idempotent: each part is built only when it is
not there yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from cascada.accounts.models import User
from cascada.registry.models import Organization, Person, Place
from cascada.research.models import Event, Method
from cascada.safeguarding import selectors
from cascada.safeguarding.models import (
    AtRisk,
    ConsentFrom,
    CourtAgreement,
    CourtSharing,
    Disclosure,
    FirstAction,
    HarmKind,
    Lead,
    ReferralBasis,
    Service,
    ServiceKind,
    Source,
    Step,
    Urgency,
)
from cascada.safeguarding.services import (
    case_close,
    court_agreement_set,
    court_notice_record,
    disclosure_record,
    lead_name,
    referral_make,
    referral_step,
    service_save,
)
from cascada.trainings.models import Cohort, Program, Session

if TYPE_CHECKING:
    from .build import BuildResult

PSYCHOLOGIST_USERNAME = "psicologa"  # facilitator at MIMP: the psychologist of Lima's group
SAFEGUARDING_LEAD_USERNAME = "salvaguarda"  # coordinator at MIMP, its safeguarding lead
PROGRAM = "Hombres de Miércoles"
LIMA_GROUP = "Grupo Lima (Cercado)"
COURT = "99.º Juzgado de Familia de Lima (ficticio)"
CONSENT_TEXT = "derivacion-v1"

K = ServiceKind


@dataclass(frozen=True)
class Town:
    name: str  # as services are named
    country: str
    phone: str  # the start of its fictional numbers: "01 555 0" + three digits
    street: str  # a fictional street, with the district for the address


TOWNS: dict[str, Town] = {
    "150101": Town("Lima Cercado", "PE", "01 555 0", "Jr. Los Ejemplos {n}, Cercado de Lima"),
    "220901": Town("Tarapoto", "PE", "042 55 0", "Jr. Inventado {n}, Tarapoto"),
    "200101": Town("Piura", "PE", "073 55 0", "Av. Demostración {n}, Piura"),
    "120101": Town("Huancayo", "PE", "064 55 0", "Calle Simulada {n}, Huancayo"),
    "070101": Town("Callao", "PE", "01 555 1", "Av. Ficticia {n}, Callao"),
    "070103": Town(
        "Carmen de la Legua Reynoso", "PE", "01 555 2", "Jr. Supuesto {n}, Carmen de la Legua"
    ),
    "150135": Town(
        "San Martín de Porres", "PE", "01 555 3", "Av. Los Modelos {n}, San Martín de Porres"
    ),
    "150143": Town(
        "Villa María del Triunfo", "PE", "01 555 4", "Av. Imaginaria {n}, Villa María del Triunfo"
    ),
    "040101": Town("Arequipa", "PE", "054 55 0", "Calle Ejemplar {n}, Arequipa"),
    "160101": Town("Iquitos", "PE", "065 55 0", "Jr. Prueba {n}, Iquitos"),
    "020101": Town("La Paz", "BO", "2 555 0", "Calle Ficticia {n}, zona Central, La Paz"),
    "020105": Town("El Alto", "BO", "2 555 1", "Av. Inventada {n}, zona 16 de Julio, El Alto"),
}

# A local service of each kind: (name before the town, hours, what it takes).
LOCAL: dict[str, tuple[str, str, str]] = {
    K.CEM: (
        "CEM",
        "Lunes a viernes, 8:00 a 16:15",
        "Violencia contra las mujeres y los integrantes del grupo familiar: orientación "
        "legal, psicológica y social; acompaña la denuncia.",
    ),
    K.POLICE: ("Comisaría PNP", "24 horas", "Denuncias; medidas de protección de urgencia."),
    K.MENTAL_HEALTH: (
        "Centro de Salud Mental Comunitario",
        "Lunes a sábado, 8:00 a 20:00",
        "Atención psicológica y psiquiátrica; crisis emocionales; adultos, adolescentes y niños.",
    ),
    K.CHILDREN: (
        "DEMUNA",
        "Lunes a viernes, 8:00 a 17:00",
        "Niñas, niños y adolescentes en riesgo: violencia, abandono, alimentos.",
    ),
    K.SHELTER: (
        "Casa de acogida",
        "24 horas, con derivación del CEM",
        "Mujeres en riesgo grave y sus hijas e hijos. Dirección reservada.",
    ),
    K.SLIM: (
        "SLIM",
        "Lunes a viernes, 8:30 a 16:30",
        "Violencia contra las mujeres y en la familia: orientación legal, psicológica y social.",
    ),
    K.FELCV: (
        "FELCV",
        "24 horas",
        "Denuncias de violencia contra las mujeres; medidas de protección.",
    ),
}
BOLIVIAN_CHILDREN = "Defensoría de la Niñez y Adolescencia"

# The national numbers (real), with no place: they serve the whole country.
NATIONAL: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "PE": (
        (
            "Línea 100",
            K.HELPLINE,
            "100",
            "24 horas, todos los días",
            "Orientación y consejería gratuita en violencia familiar y sexual; deriva al "
            "CEM más cercano.",
        ),
        ("Central de emergencias PNP", K.POLICE, "105", "24 horas", "Peligro inmediato."),
        (
            "Línea 113 Salud, opción 5",
            K.MENTAL_HEALTH,
            "113",
            "24 horas",
            "Orientación en salud mental y crisis emocionales.",
        ),
    ),
    "BO": (("Radio Patrulla 110", K.POLICE, "110", "24 horas", "Peligro inmediato."),),
}

# Which local services each organization keeps, by place (MIMP's come from its places).
MIMP_KINDS = (K.CEM, K.POLICE, K.MENTAL_HEALTH, K.CHILDREN)
VIGENCIA_PLACES = {
    "070103": (K.CEM, K.POLICE, K.CHILDREN),
    "070101": (K.CEM, K.MENTAL_HEALTH, K.SHELTER),
}
UPCH_PLACES = {
    "150135": (K.CEM, K.MENTAL_HEALTH),
    "150143": (K.CEM, K.MENTAL_HEALTH),  # the study's sites
    "040101": (K.CEM, K.MENTAL_HEALTH),
    "160101": (K.CEM, K.MENTAL_HEALTH),
}
PROMUNDO_PLACES = {
    "020101": (K.SLIM, K.FELCV, K.CHILDREN),
    "020105": (K.SLIM, K.FELCV),
}


def _name(kind: str, town: Town) -> str:
    if kind == K.CHILDREN and town.country == "BO":
        return f"{BOLIVIAN_CHILDREN} {town.name}"
    return f"{LOCAL[kind][0]} {town.name}"


def _directory(org: Organization, places: Mapping[str, Sequence[str]]) -> int:
    """The organization's services (those it has not got yet); how many were added."""
    have = set(Service.objects.filter(organization=org).values_list("name", flat=True))
    added = 0
    for name, kind, phone, hours, takes in NATIONAL[org.country]:
        if name not in have:
            service_save(actor=None, organization=org, name=name, kind=kind, phone=phone,
                         hours=hours, takes=takes)  # fmt: skip
            added += 1
    for code, kinds in places.items():
        town = TOWNS[code]
        place = Place.objects.get(country=town.country, code=code)
        for n, kind in enumerate(kinds, start=1):
            name = _name(kind, town)
            if name in have:
                continue
            _prefix, hours, takes = LOCAL[kind]
            service_save(
                actor=None,
                organization=org,
                name=name,
                kind=kind,
                place=place,
                phone=f"{town.phone}{100 + 11 * n}",
                phone_other="105" if kind == K.POLICE else "",
                hours=hours,
                address="" if kind == K.SHELTER else town.street.format(n=120 + 37 * n),
                takes=takes,
            )
            added += 1
    return added


def _lead(org: Organization, user: User | None) -> None:
    if user is not None and not Lead.objects.filter(organization=org, user=user).exists():
        lead_name(actor=None, organization=org, user=user)


def psychologist_person(mimp: Organization) -> Person | None:
    """The psychologist who facilitates Lima's group (the ``psicologa`` account)."""
    group = Cohort.objects.filter(
        program__owner=mimp, program__name=PROGRAM, name=LIMA_GROUP
    ).first()
    link = group.facilitations.order_by("pk").first() if group is not None else None
    return link.person if link else None


def _session_before(cohort: Cohort, day: dt.date) -> Session:
    """The last session of the cohort held on or before ``day`` (its attendance taken)."""
    held = cohort.sessions.filter(date__lte=day, cancelled=False, headcount__isnull=True)
    found = held.filter(attendance_taken_at__isnull=False).order_by("-date").first()
    return found or held.order_by("-date").first()  # type: ignore[return-value]


def _court(program: Program, today: dt.date) -> None:
    if not CourtAgreement.objects.filter(program=program).exists():
        court_agreement_set(
            actor=None,
            program=program,
            court=COURT,
            reference="Exp. N.º 00000-2026-0-1801-JR-FT-99",
            signed_on=today - dt.timedelta(days=60),
            sharing=CourtSharing.RISK,
            attendance_shared=True,
        )


def _record(user: User, source: str, pk: int, day: dt.date, **fields: Any) -> Disclosure:
    """A disclosure recorded by ``user`` from an activity found as the pages find it."""
    origin = selectors.origin_get(user=user, source=source, pk=pk)
    return disclosure_record(actor=user, origin=origin, occurred_on=day, **fields)


def _mimp_cases(mimp: Organization, psychologist: User, lead: User, today: dt.date) -> int:
    """The closed case of a partner in danger and the open, overdue case of a child."""
    group = Cohort.objects.get(program__owner=mimp, program__name=PROGRAM, name=LIMA_GROUP)
    services = {s.name: s for s in Service.objects.filter(organization=mimp)}

    session = _session_before(group, today - dt.timedelta(days=20))
    day = session.date
    case = _record(
        psychologist,
        Source.SESSION,
        session.pk,
        day,
        at_risk=AtRisk.PARTNER,
        kind=HarmKind.PHYSICAL,  # psychological and physical: the graver is recorded
        urgency=Urgency.URGENT,
        first_actions=[FirstAction.INFORMED, FirstAction.LEAD],
        notes="Al final de la sesión, un participante dice que su pareja sigue en peligro. "
        "Se le dieron los números del CEM y de la Línea 100.",
    )
    after = day + dt.timedelta(days=1)
    referral = referral_make(
        actor=psychologist,
        case=case,
        service=services["CEM Lima Cercado"],
        made_on=after,
        basis=ReferralBasis.CONSENT,
        consent_from=ConsentFrom.PERSON,
        consent_on=after,
        consent_text_version=CONSENT_TEXT,
        notes="La pareja aceptó por teléfono que el CEM la contacte.",
    )
    court_notice_record(actor=lead, case=case, shared_on=after)
    for step, days, note in (
        (Step.RECEIVED, 2, "El CEM confirmó la recepción."),
        (Step.ATTENDED, 5, "La pareja acudió al CEM: orientación legal y psicológica."),
        (Step.CLOSED, 15, "El CEM solicitó medidas de protección y sigue el caso."),
    ):
        referral_step(actor=lead, referral=referral, step=step,
                      on=day + dt.timedelta(days=days), notes=note)  # fmt: skip
    case_close(actor=lead, case=case, on=day + dt.timedelta(days=16),
               note="Derivación atendida; el CEM continúa la atención.")  # fmt: skip

    session = _session_before(group, today - dt.timedelta(days=8))
    child = _record(
        psychologist,
        Source.SESSION,
        session.pk,
        session.date,
        at_risk=AtRisk.CHILD,
        kind=HarmKind.PHYSICAL,
        urgency=Urgency.URGENT,
        first_actions=[FirstAction.LEAD],
        notes="Un participante cuenta que su hijo recibe golpes en casa de un familiar.",
    )
    # Nobody could give a guardian's consent: the lead refers by override (S16). The
    # DEMUNA has not confirmed receiving it: that step is overdue (a reminder).
    referral_make(
        actor=lead,
        case=child,
        service=services["DEMUNA Lima Cercado"],
        made_on=session.date + dt.timedelta(days=1),
        basis=ReferralBasis.OVERRIDE,
        override_reason="La madre no pudo ser ubicada y el niño sigue expuesto: la DEMUNA "
        "debe intervenir por el deber de protección.",
    )
    return 2


def _study_case(upch: Organization, researcher: User, today: dt.date) -> int:
    """Distress in the study's first interview in Villa María del Triunfo."""
    event = (
        Event.objects.filter(
            study__organization=upch, method=Method.INTERVIEW, site__place__code="150143"
        )
        .order_by("held_on", "pk")
        .first()
    )
    if event is None:
        return 0
    case = _record(
        researcher,
        Source.EVENT,
        event.pk,
        event.held_on,
        at_risk=AtRisk.PARTICIPANT,
        kind=HarmKind.DISTRESS,
        urgency=Urgency.ROUTINE,
        first_actions=[FirstAction.PAUSED, FirstAction.INFORMED],
        notes="Se angustió al recordar la violencia en su casa; se pausó la entrevista. "
        "No quiso ser derivado; se le dejaron los números de apoyo.",
    )
    # He called back later and accepted the referral; the centre has received it.
    accepted = max(event.held_on, today - dt.timedelta(days=5))
    referral = referral_make(
        actor=researcher,
        case=case,
        service=Service.objects.get(
            organization=upch, name="Centro de Salud Mental Comunitario Villa María del Triunfo"
        ),
        made_on=accepted,
        basis=ReferralBasis.CONSENT,
        consent_from=ConsentFrom.PERSON,
        consent_on=accepted,
        consent_text_version=CONSENT_TEXT,
        notes="Llamó para aceptar la derivación.",
    )
    referral_step(actor=researcher, referral=referral, step=Step.RECEIVED,
                  on=min(today, accepted + dt.timedelta(days=2)))  # fmt: skip
    return 1


def build_safeguarding(
    *,
    mimp: Organization,
    vigencia: Organization,
    upch: Organization,
    promundo: Organization,
    mimp_places: Sequence[str],
    research_username: str,
    study_lead_username: str,
    r: BuildResult,
) -> None:
    """Everything above, each part only when it is missing (the demo accounts come first:
    ``build._users``)."""
    today = timezone.localdate()
    added = _directory(mimp, dict.fromkeys(mimp_places, MIMP_KINDS))
    added += _directory(vigencia, VIGENCIA_PLACES)
    added += _directory(upch, UPCH_PLACES)
    added += _directory(promundo, PROMUNDO_PLACES)
    r.add("safeguarding services", added)

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=(
                PSYCHOLOGIST_USERNAME,
                SAFEGUARDING_LEAD_USERNAME,
                research_username,
                study_lead_username,
            )
        )
    }
    lead = users.get(SAFEGUARDING_LEAD_USERNAME)
    _lead(mimp, lead)
    _lead(upch, users.get(study_lead_username))

    program = Program.objects.filter(owner=mimp, name=PROGRAM).first()
    if program is not None:
        _court(program, today)
    psychologist = users.get(PSYCHOLOGIST_USERNAME)
    cases = 0
    if (
        program is not None
        and psychologist is not None
        and lead is not None
        and not Disclosure.objects.filter(organization=mimp).exists()
    ):
        cases += _mimp_cases(mimp, psychologist, lead, today)
    researcher = users.get(research_username)
    if researcher is not None and not Disclosure.objects.filter(organization=upch).exists():
        cases += _study_case(upch, researcher, today)
    r.add("safeguarding cases", cases)


__all__ = [
    "PSYCHOLOGIST_USERNAME",
    "SAFEGUARDING_LEAD_USERNAME",
    "build_safeguarding",
    "psychologist_person",
]
