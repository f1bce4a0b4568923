"""The demo's promoter networks (issue 10), built through the networks services.

- Seed 001: Grupo Vigencia's "Red Municipal de Promotores Masculinos contra la Violencia
  Familiar y Sexual" in Carmen de la Legua Reynoso (Callao): the 30 completers of the
  12-week course as members (one coordinator, one secretary), its Public Registry entry
  and the mayoral resolution that recognises it, a year's plan approved in March and
  revised in June (one activity moved, one added), most activities done, two late, one
  action nobody planned, and the "16 días de activismo" campaign with its media reach.
- Seed 003: a MIMP collective of male leaders in Ayacucho and an "Entre Pares" reflection
  group in Arequipa, each with a few members and actions.

Dates follow today, so the plan always has months already over: the plan's year is the
current year from July (March's approval and June's revision are behind), the year before
until then. Nothing is dated after today. When this year's campaign has not ended yet, last
year's is there too, so a finished campaign with its media reach is always on show.

Idempotent like the rest of the demo: each network's whole content is built only when the
network does not exist yet. Every person is fictional (``build._People``); registry and
resolution numbers are "000" ones no office issues.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cascada.audit.services import audit_record
from cascada.networks.models import (
    ActivityPlan,
    MemberRole,
    Membership,
    Network,
    NetworkKind,
    PlannedActivity,
    PlanRevision,
)
from cascada.networks.services import (
    action_record,
    campaign_save,
    media_add,
    members_from_cohort,
    membership_change,
    network_save,
    plan_revise,
)
from cascada.registry.models import Organization, Person, Place
from cascada.trainings import clock
from cascada.trainings.models import Cohort

if TYPE_CHECKING:
    from .build import BuildResult, _People

VIGENCIA_NETWORK = "Red Municipal de Promotores Masculinos contra la Violencia Familiar y Sexual"
MIMP_COLLECTIVE = "Colectivo de Hombres por la Igualdad de Huamanga"
ENTRE_PARES = "Grupo de reflexión «Entre Pares» de Cerro Colorado"
CAMPAIGN = "16 días de activismo contra la violencia hacia la mujer"

CLR = "070103"  # Carmen de la Legua Reynoso (INEI)
HUAMANGA = "050101"  # Ayacucho district, Huamanga province
CERRO_COLORADO = "040104"  # Arequipa

# Members of the Vigencia network in the order of their person records: the first
# coordinates (no account: the "vigencia" account manages through its organization role),
# the second keeps the minutes, the third signs in as the demo account "promotor".
COORDINATOR, SECRETARY, PROMOTER = 0, 1, 2

# Headcount shares by audience: contacts, never distinct people.
PROFILES: dict[str, dict[str, float]] = {
    "mixed": {"women": 0.45, "men": 0.33, "young_women": 0.08, "young_men": 0.08, "not_stated": 0.06},
    "men": {"men": 0.8, "young_men": 0.2},
    "youth": {"young_women": 0.46, "young_men": 0.5, "not_stated": 0.04},
    "families": {
        "women": 0.34, "men": 0.24, "young_women": 0.1, "young_men": 0.1, "children": 0.16,
        "not_stated": 0.06,
    },
    "women": {"women": 0.86, "men": 0.09, "not_stated": 0.05},
    "parents": {"women": 0.58, "men": 0.42},
}  # fmt: skip


@dataclass(frozen=True)
class Activity:
    """A line of the Vigencia plan and, if it is done, the action that fulfilled it."""

    key: str
    kind: str
    title: str
    month: int
    audience: str
    expected_reach: int
    day: int  # the day of the month it was (or would have been) done
    done_as: str  # what the promoters recorded
    profile: str
    about: int  # headcount, roughly
    runner: int | None  # index of the member who ran it (``COORDINATOR``...), or none
    materials: int = 0


PLAN_OBJECTIVES = (
    "Prevenir la violencia familiar y sexual en Carmen de la Legua Reynoso con acciones de "
    "varones hacia sus pares y las familias del distrito, como parte del plan de trabajo de "
    "la Municipalidad."
)
# Seed 001 names the municipality's "Social Development Division"; the Spanish check of the
# pages (tests/web/test_spanish_everywhere.py) takes "Social" for English, so the demo names
# the municipality's work plan without it.

# The plan approved in March. Two talks stay without action (late): the school's and the
# Vaso de Leche committees'. June's revision moves the fair from June to September and adds
# a talk with the police station and the CEM in July.
PLAN: tuple[Activity, ...] = (
    Activity("taller-ruta-atencion", "workshop", "Taller de actualización de promotores: ruta de atención de la violencia", 3,
             "Promotores de la red", 30, 28, "Taller de actualización de promotores sobre la ruta de atención", "men", 27, SECRETARY),
    Activity("taller-crianza", "workshop", "Taller «Crianza sin violencia» con padres y madres de familia", 4,
             "Padres y madres de familia", 40, 18, "Taller «Crianza sin violencia» en el local comunal", "parents", 38, PROMOTER, 40),
    Activity("charla-colegio", "talk", "Charla «Enamoramiento sin violencia» en una institución educativa del distrito", 4,
             "Estudiantes de secundaria", 120, 24, "", "youth", 0, None),
    Activity("taller-masculinidades", "workshop", "Taller «Ser hombre sin violencia» con varones del distrito", 5,
             "Varones adultos", 30, 9, "Taller «Ser hombre sin violencia»: primera sesión con vecinos", "men", 24, 3),
    Activity("charla-parroquia", "talk", "Charla con parejas en la parroquia: diálogo y acuerdos en casa", 5,
             "Parejas", 50, 25, "Charla con parejas en la parroquia", "parents", 46, 4),
    Activity("feria-servicios", "fair", "Feria informativa «Carmen de la Legua libre de violencia»", 6,
             "Familias del distrito", 300, 20, "Feria informativa «Carmen de la Legua libre de violencia» en la plaza", "families", 340, COORDINATOR, 600),
    Activity("charla-vaso-leche", "talk", "Charla en los comités del Vaso de Leche sobre la ruta de denuncia", 6,
             "Socias de los comités del Vaso de Leche", 60, 14, "", "women", 0, None),
    Activity("taller-jovenes", "workshop", "Taller con jóvenes: masculinidades y prevención del acoso", 7,
             "Jóvenes de 15 a 24 años", 35, 19, "Taller con jóvenes sobre masculinidades y acoso en la calle", "youth", 31, 5),
    Activity("charla-ligas", "talk", "Charla con las ligas deportivas del distrito", 8,
             "Deportistas y dirigentes", 80, 23, "Charla en el campeonato de la liga de fulbito", "men", 72, PROMOTER),
    Activity("feria-mercado", "fair", "Feria «Hogares sin violencia» en el mercado", 10,
             "Comerciantes y clientes del mercado", 200, 17, "Feria «Hogares sin violencia» en la entrada del mercado", "mixed", 230, 6, 450),
    Activity("campana-16-dias", "campaign", "Campaña «16 días de activismo contra la violencia hacia la mujer»", 11,
             "Población del distrito", 1500, 27, "", "mixed", 0, None),
    Activity("evento-25n", "commemoration", "Acto del 25 de noviembre, Día Internacional de la Eliminación de la Violencia contra la Mujer", 11,
             "Autoridades, organizaciones y vecinos", 250, 25, "", "mixed", 0, None),
)  # fmt: skip
LATE = frozenset({"charla-colegio", "charla-vaso-leche"})
MOVED = ("feria-servicios", 9)  # June's revision: from June to September
ADDED = Activity(
    "charla-comisaria", "talk", "Charla sobre la ruta de denuncia con la comisaría y el CEM", 7,
    "Vecinos y vecinas", 60, 10, "Charla con la comisaría y el CEM sobre cómo denunciar", "mixed", 64, SECRETARY,
)  # fmt: skip
REVISION_NOTE = (
    "La feria informativa pasa de junio a septiembre (la plaza está en obras) y se añade una "
    "charla con la comisaría y el Centro Emergencia Mujer en julio."
)
# Done though nobody planned it: the drivers' association asked for it.
UNPLANNED = (
    5, 17, "talk", "Charla con la asociación de mototaxistas, a pedido de su directiva",
    "Mototaxistas", "men", 36, PROMOTER,
)  # fmt: skip

# The campaign, from 25 November to 10 December: (month, day, planned key, kind, what was
# done, profile, headcount, runner, materials).
CAMPAIGN_ACTIONS: tuple[tuple[int, int, str, str, str, str, int, int | None, int], ...] = (
    (11, 25, "evento-25n", "commemoration",
     "Acto conmemorativo del 25 de noviembre en la plaza del distrito, con la Municipalidad y el CEM",
     "mixed", 260, COORDINATOR, 300),
    (11, 28, "campana-16-dias", "campaign",
     "Pasacalle «Los hombres también decimos basta» por las avenidas del distrito",
     "families", 420, PROMOTER, 800),
    (12, 3, "campana-16-dias", "home_visit",
     "Volanteo y diálogo casa por casa en el asentamiento humano", "mixed", 150, 7, 500),
    (12, 6, "campana-16-dias", "talk",
     "Cine foro sobre masculinidades y violencia en el local comunal", "mixed", 55, SECRETARY, 0),
)  # fmt: skip
# (month, day, medium, outlet, spots, posts, estimated audience, notes)
CAMPAIGN_MEDIA: tuple[tuple[int, int, str, str, int, int, int, str], ...] = (
    (11, 25, "social", "Página de la red en redes sociales", 0, 16, 4200,
     "Una publicación diaria durante la campaña, con los mensajes de los promotores."),
    (11, 26, "radio", "Radio comunitaria del Callao", 24, 0, 15000,
     "Cuña radial «Los hombres también decimos basta», de 30 segundos, dos veces al día."),
)  # fmt: skip

# (name, kind, place code, members, joined on, formal recognition, actions: (days ago, kind,
# what was done, profile, headcount))
COLLECTIVES: tuple[dict[str, Any], ...] = (
    {
        "name": MIMP_COLLECTIVE,
        "kind": NetworkKind.MINISTRY,
        "place": HUAMANGA,
        "members": 9,
        "age_range": (18, 60),
        "roles": ("activist",),
        "joined_on": dt.date(2019, 8, 12),
        "recognition": {
            "recognition": "Resolución Directoral N.º 000-2019-MIMP/DGCVG",
            "recognition_date": dt.date(2019, 9, 2),
            "recognition_authority": "Dirección General contra la Violencia de Género (MIMP)",
            "plan_line": "Estrategia de involucramiento de varones en la prevención de la "
            "violencia contra las mujeres",
        },
        "actions": (
            (80, "talk", "Charla a padres de familia en la escuela de padres de un colegio",
             "parents", 42),
            (46, "fair", "Módulo informativo en la feria dominical de Huamanga", "families", 180),
            (15, "workshop", "Taller con dirigentes de las juntas vecinales: liderazgo sin "
             "violencia", "men", 22),
        ),
    },
    {
        "name": ENTRE_PARES,
        "kind": NetworkKind.REFLECTION,
        "place": CERRO_COLORADO,
        "members": 7,
        "age_range": (25, 60),
        "roles": ("participant",),
        "joined_on": dt.date(2023, 5, 8),
        "recognition": {
            "plan_line": "Espacios de reflexión voluntaria de varones «Entre Pares»",
        },
        "actions": (
            (63, "workshop", "Sesión de reflexión: cómo resolver los conflictos de la casa sin "
             "violencia", "men", 9),
            (35, "workshop", "Sesión de reflexión: celos, control y confianza en la pareja",
             "men", 8),
            (7, "talk", "Conversatorio abierto con vecinos: ser padre hoy", "mixed", 26),
        ),
    },
)  # fmt: skip


def _place(code: str) -> Place | None:
    return Place.objects.filter(country="PE", code=code).first()


def plan_year(today: dt.date) -> int:
    """The year whose plan the demo shows: this year once June's revision is behind (from
    July), the year before until then; either way some months are over."""
    return today.year if today.month >= 7 else today.year - 1


def _headcount(rng: random.Random, profile: str, about: int) -> dict[str, int]:
    total = max(1, round(about * rng.uniform(0.85, 1.15)))
    return {band: round(total * share) for band, share in PROFILES[profile].items()}


def _members(network: Network) -> list[Person]:
    """Current members in the order of their person records."""
    return [
        m.person
        for m in network.memberships.filter(left_on__isnull=True)
        .select_related("person")
        .order_by("person_id")
    ]


def _join(network: Network, people: list[Person], joined_on: dt.date) -> None:
    """People who joined without a course of their own (no service adds one by one yet)."""
    Membership.objects.bulk_create(
        Membership(network=network, person=p, role=MemberRole.MEMBER, joined_on=joined_on)
        for p in people
    )
    audit_record(actor=None, action="update", target=network, detail={"count": len(people)})


def _roles(network: Network, members: list[Person], roles: dict[int, str]) -> None:
    for index, role in roles.items():
        membership = network.memberships.get(person=members[index], left_on__isnull=True)
        membership_change(actor=None, membership=membership, role=role, left_on=None)


def _act(
    network: Network,
    rng: random.Random,
    *,
    date: dt.date,
    kind: str,
    title: str,
    profile: str,
    about: int,
    run_by: Person | None,
    planned_key: str = "",
    audience: str = "",
    materials: int = 0,
    campaign: Any = None,
) -> None:
    fields: dict[str, Any] = {
        "date": date,
        "kind": kind,
        "title": title,
        "place": network.place,
        "planned_key": planned_key,
        "campaign": campaign,
        "run_by": run_by,
        "audience": audience,
        "materials": materials,
        **_headcount(rng, profile, about),
    }
    action_record(actor=None, network=network, **fields)


# ------------------------------------------------------------------ Grupo Vigencia


def _vigencia_cohort(vigencia: Organization) -> Cohort | None:
    """Vigencia's course with the most completers (the seed's 30)."""
    cohorts = Cohort.objects.filter(program__owner=vigencia).order_by("start_date", "pk")
    return max(cohorts, key=lambda c: c.enrolments.filter(completed=True).count(), default=None)


def _plan(network: Network, year: int, members: list[Person]) -> None:
    activity_rows = [
        {
            "key": a.key,
            "kind": a.kind,
            "title": a.title,
            "month": a.month,
            "place": network.place,
            "audience": a.audience,
            "expected_reach": a.expected_reach,
        }
        for a in PLAN
    ]
    first = plan_revise(
        actor=None,
        network=network,
        year=year,
        activities=activity_rows,
        approved_on=dt.date(year, 3, 14),
        note="Plan anual aprobado en asamblea de la red con el área de desarrollo humano de "
        "la Municipalidad.",
    )
    moved_key, moved_to = MOVED
    revised = [
        dict(row, month=moved_to) if row["key"] == moved_key else row for row in activity_rows
    ]
    added = ADDED
    revised.append(
        {
            "key": added.key,
            "kind": added.kind,
            "title": added.title,
            "month": added.month,
            "place": network.place,
            "audience": added.audience,
            "expected_reach": added.expected_reach,
        }
    )
    second = plan_revise(
        actor=None,
        network=network,
        year=year,
        activities=revised,
        approved_on=dt.date(year, 6, 12),
        note=REVISION_NOTE,
    )
    ActivityPlan.objects.filter(network=network, year=year).update(objectives=PLAN_OBJECTIVES)
    # Who answers for each line, the same in both revisions.
    for revision in (first, second):
        _responsible(revision, members)


def _responsible(revision: PlanRevision, members: list[Person]) -> None:
    for activity in PlannedActivity.objects.filter(revision=revision):
        spec = next((a for a in (*PLAN, ADDED) if a.key == activity.key), None)
        index = spec.runner if spec and spec.runner is not None else SECRETARY
        activity.responsible.add(members[index])


def _done(
    network: Network, year: int, today: dt.date, members: list[Person], rng: random.Random
) -> None:
    """An action for each planned line whose day is behind us, except the two left late;
    campaign and 25 November lines are done by the campaign's own actions."""
    moved_key, moved_to = MOVED
    for a in (*PLAN, ADDED):
        if a.key in LATE or not a.done_as:
            continue
        month = moved_to if a.key == moved_key else a.month
        date = dt.date(year, month, a.day)
        if date >= today:
            continue
        _act(
            network,
            rng,
            date=date,
            kind=a.kind,
            title=a.done_as,
            profile=a.profile,
            about=a.about,
            run_by=members[a.runner] if a.runner is not None else None,
            planned_key=a.key,
            audience=a.audience,
            materials=a.materials,
        )
    month, day, kind, title, audience, profile, about, runner = UNPLANNED
    _act(
        network,
        rng,
        date=dt.date(year, month, day),
        kind=kind,
        title=title,
        profile=profile,
        about=about,
        run_by=members[runner],
        audience=audience,
    )


def _campaign(
    network: Network, year: int, today: dt.date, members: list[Person], rng: random.Random
) -> None:
    """The year's "16 días de activismo": what of it is already behind us."""
    campaign = campaign_save(
        actor=None,
        organization=network.organization,
        name=f"{CAMPAIGN} {year}",
        starts_on=dt.date(year, 11, 25),
        ends_on=dt.date(year, 12, 10),
        description="Del 25 de noviembre al 10 de diciembre: acciones de los promotores en "
        "las calles, los hogares y los medios del distrito.",
        networks=[network],
    )
    for month, day, key, kind, title, profile, about, runner, materials in CAMPAIGN_ACTIONS:
        date = dt.date(year, month, day)
        if date >= today:
            continue
        _act(
            network,
            rng,
            date=date,
            kind=kind,
            title=title,
            profile=profile,
            about=about,
            run_by=members[runner] if runner is not None else None,
            planned_key=key,
            audience="Población del distrito",
            materials=materials,
            campaign=campaign,
        )
    for month, day, medium, outlet, spots, posts, audience, notes in CAMPAIGN_MEDIA:
        date = dt.date(year, month, day)
        if date >= today:
            continue
        media_add(
            actor=None,
            campaign=campaign,
            network=network,
            date=date,
            medium=medium,
            outlet=outlet,
            spots=spots,
            posts=posts,
            estimated_audience=audience,
            notes=notes,
        )


def _vigencia_network(
    vigencia: Organization, today: dt.date, rng: random.Random, r: BuildResult
) -> None:
    if Network.objects.filter(organization=vigencia, name=VIGENCIA_NETWORK).exists():
        return
    cohort = _vigencia_cohort(vigencia)
    if cohort is None:
        return  # Vigencia's course is not there: nothing to build the network from
    network = network_save(
        actor=None,
        organization=vigencia,
        name=VIGENCIA_NETWORK,
        kind=NetworkKind.MUNICIPAL,
        place=_place(CLR),
        registry_entry="00070103",
        registry_office="Oficina Registral del Callao (Zona Registral N.º IX, SUNARP)",
        registry_date=dt.date(2013, 11, 8),
        recognition="Resolución de Alcaldía N.º 000-2013-MDCLR",
        recognition_date=dt.date(2013, 11, 22),
        recognition_authority="Alcaldía de la Municipalidad Distrital de Carmen de la Legua "
        "Reynoso",
        plan_line="Plan de trabajo de la Municipalidad: prevención de la violencia familiar y "
        "sexual",
    )
    # The course's closing ceremony, in October (seed 001).
    members_from_cohort(actor=None, network=network, cohort=cohort, joined_on=dt.date(2013, 10, 18))
    members = _members(network)
    _roles(network, members, {COORDINATOR: MemberRole.COORDINATOR, SECRETARY: MemberRole.SECRETARY})

    year = plan_year(today)
    _plan(network, year, members)
    _done(network, year, today, members, rng)
    _campaign(network, year, today, members, rng)
    if dt.date(year, 12, 10) >= today:  # this year's is not over: last year's is on show too
        _campaign(network, year - 1, today, members, rng)
    r.add("networks")


def promoter_person(vigencia: Organization) -> Person | None:
    """The member of Vigencia's network who signs in as the demo account "promotor"."""
    network = Network.objects.filter(organization=vigencia, name=VIGENCIA_NETWORK).first()
    if network is None:
        return None
    members = _members(network)
    return members[PROMOTER] if len(members) > PROMOTER else None


# ------------------------------------------------------------------ MIMP


def _collective(
    mimp: Organization,
    spec: dict[str, Any],
    people: _People,
    today: dt.date,
    rng: random.Random,
    r: BuildResult,
) -> None:
    if Network.objects.filter(organization=mimp, name=spec["name"]).exists():
        return
    place = _place(spec["place"])
    network = network_save(
        actor=None,
        organization=mimp,
        name=spec["name"],
        kind=spec["kind"],
        place=place,
        **spec["recognition"],
    )
    men = [
        people.make(
            organization=mimp,
            place=place,
            sex="male",
            roles=spec["roles"],
            age_range=spec["age_range"],
        )
        for _ in range(spec["members"])
    ]
    _join(network, men, spec["joined_on"])
    members = _members(network)
    _roles(network, members, {0: MemberRole.COORDINATOR})
    for n, (days_ago, kind, title, profile, about) in enumerate(spec["actions"]):
        _act(
            network,
            rng,
            date=today - dt.timedelta(days=days_ago),
            kind=kind,
            title=title,
            profile=profile,
            about=about,
            run_by=members[n % len(members)],
        )
    r.add("networks")


def build_networks(
    *,
    vigencia: Organization,
    mimp: Organization,
    people: _People,
    seed: int,
    r: BuildResult,
    today: dt.date | None = None,
) -> None:
    """Every demo network; those already there are left as they are. ``today`` (Peru's,
    unless given) dates everything: nothing is recorded after it."""
    today = today or clock.country_today("PE")
    rng = random.Random(seed * 10 + 10)  # its own stream: the rest of the demo stays the same
    _vigencia_network(vigencia, today, rng, r)
    for spec in COLLECTIVES:
        _collective(mimp, spec, people, today, rng, r)
