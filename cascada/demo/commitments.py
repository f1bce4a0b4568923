"""The demo's Commitments to Action (issue 11), built through the commitments services.

Seed 004: Promundo's "Iniciativa Nacional de Formación en Masculinidades" in Bolivia,
March 2019 to December 2021. The Bolivian institutions of the demo take part; its trainings
are the two cohorts of ``build._promundo`` (five days in person in March 2019, four days
online in November 2021). Eight institutions commit to action at the first training: the
five commitments the seed describes (schools in El Alto, an organization's own culture of
equality, awareness in Irupana, Fundación UNIR's conciliation services, young people in
political activism) and three more (UNFPA, Swisscontact, Solidar Suiza).

Each commitment has its plan (aim, themes, places, activities, budget in bolivianos,
milestones, indicators), a seed grant in two tranches (the first on signing, the second once
the mid-term report is approved), disbursements with their transfer references, spending
against the budget lines, a mentor's log, lessons learned and, for three of them, the
testimonies the seed quotes, with consent to publish. What the demo shows on purpose:

- four commitments revised in 2020, when the COVID-19 quarantine moved activities online
  and pushed milestones back (version 1 stays as presented at the first training); UNIR's
  revision drops the national meeting of conciliators;
- Alianza por la Solidaridad paid its videoconference licence in US dollars, converted at
  the official rate the grant manager recorded (Bs 6,96 per dollar);
- ACOBOL's municipal law proposal is still pending (late): the 2021 municipal elections
  renewed the council; every other milestone was done by 2021, some of them late;
- a testimony given without consent to publish (Swisscontact's), which the booklet leaves
  out.

Who writes: the grant manager (the demo account "promundo", coordinator at Promundo), the
mentors (the account "mentora" and a second mentor whose account signs nobody in) and
CIES's focal point (the account "cies"); any of them missing, the operator (``actor``
None). Everything is dated 2019-2021, in the past.

Idempotent like the rest of the demo: the whole initiative is built only when it does not
exist yet. Every person is fictional (``build._People``); transfer references are invented.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cascada.accounts.models import User
from cascada.accounts.services import user_create
from cascada.commitments import services
from cascada.commitments.models import (
    Commitment,
    Currency,
    Initiative,
    MilestoneStatus,
    SessionMode,
    Theme,
)
from cascada.commitments.services import Plan
from cascada.registry.models import Organization, Person, Place
from cascada.trainings.models import Cohort

if TYPE_CHECKING:
    from .build import BuildResult

FUNDER = "Promundo"
PROGRAM = "Iniciativa Nacional de Formación en Masculinidades (Bolivia)"
FIRST_TRAINING = "Primera formación presencial (5 días)"
SECOND_TRAINING = "Segunda formación virtual (4 días)"
INITIATIVE = "Iniciativa Nacional de Formación en Masculinidades"
STARTS_ON, ENDS_ON = dt.date(2019, 3, 1), dt.date(2021, 12, 31)
PRESENTED_ON = dt.date(2019, 3, 15)  # the last day of the first training

# The demo accounts of the initiative (build.DEMO_ACCOUNTS) and the second mentor.
MANAGER_USERNAME = "promundo"  # coordinator at Promundo: the grant manager
MENTOR_USERNAME = "mentora"  # a Promundo mentor, no organization role
FOCAL_POINT_USERNAME = "cies"  # CIES's representative, its commitment's focal point
# The other mentor has an account so he can be assigned; it is not a demo sign-in (its
# password is random and never shown).
OTHER_MENTOR_USERNAME = "mentor.promundo"

UNFPA = "UNFPA Bolivia"
ALDEAS = "Aldeas Infantiles SOS Bolivia"
ACOBOL = "Asociación de Concejalas de Bolivia (ACOBOL)"
CIES = "CIES Salud Sexual - Salud Reproductiva"
ALIANZA = "Alianza por la Solidaridad"
SWISSCONTACT = "Swisscontact Bolivia"
SOLIDAR = "Solidar Suiza"
UNIR = "Fundación UNIR Bolivia"

# Bolivian places (INE codes in registry/data/bo_places.csv); one missing is left out.
LA_PAZ = "020101"
EL_ALTO = "020105"
IRUPANA = "021102"
VIACHA = "020801"
COCHABAMBA = "030101"
SUCRE = "010101"
ORURO = "040101"
SANTA_CRUZ = "070101"

MIDTERM = "informe-medio-termino"
MIDTERM_TITLE = "Informe de medio término presentado y aprobado por Promundo"
FIRST_CONDITION = "Primer desembolso a la firma del convenio."
SECOND_CONDITION = "Segundo desembolso tras la aprobación del informe de medio término."
RATE = "6.96"  # bolivianos per US dollar: the official rate, fixed since 2011
RATE_SOURCE = "Banco Central de Bolivia, tipo de cambio oficial"

DESCRIPTION = (
    "Entre marzo de 2019 y diciembre de 2021, Promundo implementó en Bolivia la Iniciativa "
    "Nacional de Formación en Masculinidades con 27 representantes de organizaciones de la "
    "sociedad civil y agencias de Naciones Unidas. Tras la primera formación, cada "
    "institución formuló un Compromiso de Acción, recibió un pequeño capital semilla y contó "
    "con una mentora o un mentor para llevarlo adelante; en la segunda formación, virtual "
    "por la pandemia de COVID-19, se compartieron los resultados y las lecciones aprendidas."
)


def _m(key: str, title: str, due_on: dt.date) -> dict[str, Any]:
    return {"key": key, "title": title, "due_on": due_on}


def _i(name: str, unit: str, baseline: str, target: str) -> dict[str, Any]:
    return {"name": name, "unit": unit, "baseline": baseline, "target": target}


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


# ------------------------------------------------------------------ what happened


@dataclass(frozen=True)
class Revise:
    on: dt.date
    note: str
    plan: Plan


@dataclass(frozen=True)
class Status:
    """The institution reports a milestone's status."""

    on: dt.date
    key: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class Release:
    on: dt.date
    tranche: int


@dataclass(frozen=True)
class Disburse:
    on: dt.date
    tranche: int
    amount: str
    reference: str


@dataclass(frozen=True)
class Rate:
    on: dt.date
    currency: str
    rate: str
    source: str


@dataclass(frozen=True)
class Spend:
    on: dt.date
    line: str
    amount: str  # in ``currency`` as paid
    note: str
    currency: str = Currency.BOB


@dataclass(frozen=True)
class Session:
    on: dt.date
    mode: str
    topics: str
    next_steps: str
    follow_up: str = ""
    assessments: tuple[tuple[str, str, str], ...] = ()  # (milestone key, status, note)


@dataclass(frozen=True)
class Lesson:
    on: dt.date
    text: str


@dataclass(frozen=True)
class Quote:
    """A testimony of the focal point (or of another representative, ``second``)."""

    on: dt.date
    text: str
    author_role: str
    consent_on: dt.date | None
    second: bool = False


Event = Revise | Status | Release | Disburse | Rate | Spend | Session | Lesson | Quote


@dataclass(frozen=True)
class Spec:
    """One institution's Commitment to Action and what happened to it, in date order."""

    institution: str
    mentor: str  # username
    plan: Plan  # version 1, presented at the first training; places as codes
    grant: str
    awarded_on: dt.date
    tranches: tuple[str, str]
    events: tuple[Event, ...]


DONE, ON_TRACK, DELAYED = MilestoneStatus.DONE, MilestoneStatus.ON_TRACK, MilestoneStatus.DELAYED
IN_PERSON, VIDEO = SessionMode.IN_PERSON, SessionMode.VIDEO
CALL, MESSAGE = SessionMode.CALL, SessionMode.MESSAGE

# ------------------------------------------------------------------ CIES: schools in El Alto

CIES_PLAN = Plan(
    aim="Promover la reflexión sobre masculinidades en unidades educativas de El Alto, con "
    "padres, madres y docentes, a partir de una investigación diagnóstica, un análisis "
    "participativo y la formulación conjunta de estrategias y metodologías para reducir la "
    "violencia de género contra niñas y adolescentes mujeres.",
    themes=(Theme.SCHOOLS,),
    target_populations="Padres y madres de familia, docentes y directivos de cuatro unidades "
    "educativas de secundaria del Distrito 4 de El Alto; estudiantes de cuarto a sexto de "
    "secundaria en las jornadas de devolución.",
    places=(EL_ALTO,),
    activities="Investigación diagnóstica sobre percepciones de la violencia de género y de "
    "las masculinidades (encuesta a docentes, grupos focales con padres y madres).\n"
    "Análisis participativo de los resultados con las juntas escolares.\n"
    "Talleres de reflexión sobre masculinidades con padres, madres y docentes.\n"
    "Formulación conjunta de una estrategia de prevención en cada unidad educativa.\n"
    "Sistematización y devolución a la Dirección Distrital de Educación.",
    people_responsible="Coordinación del programa de adolescentes de CIES El Alto; equipo de "
    "educadoras y educadores de CIES; directoras y directores de las unidades educativas.",
    budget=(
        ("Investigación diagnóstica", "3000.00"),
        ("Talleres con padres, madres y docentes", "5500.00"),
        ("Materiales educativos", "2000.00"),
        ("Sistematización y devolución", "1500.00"),
    ),
    milestones=(
        _m("diagnostico", "Investigación diagnóstica concluida y validada", _d(2019, 7, 31)),
        _m(
            "analisis",
            "Análisis participativo con las juntas escolares de las cuatro unidades educativas",
            _d(2019, 10, 31),
        ),
        _m(MIDTERM, MIDTERM_TITLE, _d(2020, 3, 31)),
        _m(
            "talleres",
            "Ciclo de talleres de reflexión con padres, madres y docentes",
            _d(2020, 6, 30),
        ),
        _m(
            "estrategias",
            "Estrategias de prevención formuladas con cada unidad educativa e informe final",
            _d(2021, 10, 29),
        ),
    ),
    indicators=(
        _i("Unidades educativas con estrategia de prevención formulada", "unidades", "0", "4"),
        _i("Padres, madres y docentes que participan en los talleres", "personas", "0", "160"),
    ),
)
CIES_REVISED = replace(
    CIES_PLAN,
    activities=CIES_PLAN.activities.replace(
        "Talleres de reflexión sobre masculinidades con padres, madres y docentes.",
        "Talleres de reflexión sobre masculinidades con padres, madres y docentes, en sesiones "
        "virtuales (videollamadas y grupos de WhatsApp) mientras las unidades educativas "
        "estén cerradas.",
    ),
    budget=(
        ("Investigación diagnóstica", "3000.00"),
        ("Talleres con padres, madres y docentes", "4300.00"),
        ("Materiales educativos", "2000.00"),
        ("Sistematización y devolución", "1500.00"),
        ("Conectividad para sesiones virtuales", "1200.00"),
    ),
    milestones=(
        *CIES_PLAN.milestones[:2],
        _m(MIDTERM, MIDTERM_TITLE, _d(2020, 6, 30)),
        _m(
            "talleres",
            "Ciclo de talleres de reflexión (virtuales) con padres, madres y docentes",
            _d(2020, 11, 30),
        ),
        CIES_PLAN.milestones[4],
    ),
)
CIES_SPEC = Spec(
    institution=CIES,
    mentor=MENTOR_USERNAME,
    plan=CIES_PLAN,
    grant="12000.00",
    awarded_on=_d(2019, 4, 5),
    tranches=("7200.00", "4800.00"),
    events=(
        Release(_d(2019, 4, 5), 1),
        Disburse(_d(2019, 4, 12), 1, "7200.00", "TRF-2019-011"),
        Session(
            _d(2019, 5, 8),
            IN_PERSON,
            "Plan de la investigación diagnóstica: cuatro unidades educativas del Distrito 4, "
            "encuesta a docentes y guía de los grupos focales con padres y madres.",
            "Validar la encuesta con dos docentes antes de aplicarla; pedir la autorización de "
            "la Dirección Distrital de Educación.",
            assessments=(("diagnostico", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 5, 20), "Investigación diagnóstica", "1800.00", "Aplicación de la encuesta a docentes."),
        Spend(_d(2019, 7, 10), "Investigación diagnóstica", "1200.00", "Grupos focales con padres y madres."),
        Status(_d(2019, 8, 9), "diagnostico", DONE, "Informe del diagnóstico validado con la Dirección Distrital."),
        Session(
            _d(2019, 9, 12),
            VIDEO,
            "Resultados del diagnóstico y preparación del análisis participativo con las juntas "
            "escolares.",
            "Preparar una presentación breve de los resultados, en lenguaje sencillo, para las "
            "juntas escolares.",
            "La encuesta se validó y se aplicó a 86 docentes; la autorización distrital llegó en "
            "junio.",
            (("diagnostico", DONE, ""), ("analisis", ON_TRACK, "")),
        ),
        Spend(_d(2019, 10, 18), "Materiales educativos", "1450.00", "Cartillas para las juntas escolares."),
        Status(_d(2019, 10, 25), "analisis", DONE, "Cuatro jornadas, una por unidad educativa."),
        Session(
            _d(2020, 4, 21),
            CALL,
            "Cierre de las unidades educativas por la cuarentena; cómo seguir con los talleres a "
            "distancia.",
            "Proponer a Promundo la revisión del compromiso: talleres virtuales, nueva fecha del "
            "informe de medio término y una línea para datos móviles.",
            "El análisis participativo se hizo en octubre con las cuatro juntas escolares.",
            (
                (MIDTERM, DELAYED, "Sin acceso a las unidades educativas desde marzo."),
                ("talleres", DELAYED, ""),
            ),
        ),
        Revise(
            _d(2020, 5, 20),
            "Por el cierre de las unidades educativas durante la cuarentena por la COVID-19, los "
            "talleres con padres, madres y docentes pasan a sesiones virtuales y se mueven a "
            "noviembre de 2020; el informe de medio término pasa de marzo a junio de 2020. Se "
            "crea la línea «Conectividad para sesiones virtuales» con parte del presupuesto de "
            "los talleres.",
            CIES_REVISED,
        ),
        Status(_d(2020, 6, 26), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 7, 3), 2),
        Disburse(_d(2020, 7, 10), 2, "4800.00", "TRF-2020-037"),
        Spend(_d(2020, 8, 5), "Conectividad para sesiones virtuales", "1150.00", "Paquetes de datos móviles para padres y madres."),
        Session(
            _d(2020, 9, 15),
            VIDEO,
            "Avance de los talleres virtuales: participación, horarios y uso de WhatsApp.",
            "Grabar audios cortos para quienes no pueden conectarse en el horario de los "
            "talleres.",
            "La revisión se aprobó en mayo; el informe de medio término se presentó en junio y "
            "el segundo desembolso llegó en julio.",
            (("talleres", ON_TRACK, ""),),
        ),
        Status(_d(2020, 11, 27), "talleres", DONE, "142 participantes en doce sesiones virtuales."),
        Spend(_d(2020, 10, 30), "Talleres con padres, madres y docentes", "4180.00", "Facilitación y materiales de los talleres virtuales."),
        Session(
            _d(2021, 6, 10),
            VIDEO,
            "Formulación de las estrategias de prevención con cada unidad educativa, con el "
            "retorno a clases semipresenciales.",
            "Redactar las cuatro estrategias con las comisiones de cada unidad educativa y "
            "preparar el informe final.",
            "Los talleres terminaron en noviembre con 142 participantes.",
            (("estrategias", ON_TRACK, ""),),
        ),
        Session(
            _d(2021, 10, 5),
            MESSAGE,
            "Borrador del informe final y lecciones para la segunda formación.",
            "Enviar el informe final antes del 29 de octubre.",
            "Tres de las cuatro estrategias están aprobadas por las direcciones; la cuarta, en "
            "revisión.",
            (("estrategias", ON_TRACK, ""),),
        ),
        Spend(_d(2021, 10, 15), "Sistematización y devolución", "1420.00", "Impresión del documento de sistematización."),
        Status(_d(2021, 10, 22), "estrategias", DONE, "Cuatro estrategias aprobadas; informe final enviado."),
        Lesson(
            _d(2021, 11, 24),
            "Involucrar a la Dirección Distrital de Educación desde el diagnóstico abrió las "
            "puertas de las unidades educativas y dio respaldo a las estrategias.",
        ),
        Lesson(
            _d(2021, 11, 24),
            "Con las unidades educativas cerradas, los grupos de WhatsApp con padres y madres "
            "mantuvieron viva la reflexión; los padres participaron más que en los talleres "
            "presenciales.",
        ),
        Quote(
            _d(2021, 11, 24),
            "Podemos y debemos identificar los momentos decisivos en la vida de un proceso (por "
            "ejemplo, al preparar capacitaciones, instrumentos de evaluación o indicadores) que "
            "abren «ventanas de oportunidad» para incorporar la perspectiva de género en "
            "nuestros objetivos, metas y actividades. Así podemos avanzar de manera más "
            "sistemática hacia la igualdad de género con nuestro trabajo.",
            "Responsable del compromiso ante la iniciativa",
            _d(2021, 12, 3),
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ Aldeas SOS: its own workplace

ALDEAS_SPEC = Spec(
    institution=ALDEAS,
    mentor=MENTOR_USERNAME,
    plan=Plan(
        aim="Diseñar e implementar procesos y prácticas organizacionales que generen un clima y "
        "una cultura institucional favorables a la promoción de la igualdad de género en toda "
        "la institución.",
        themes=(Theme.WORKPLACE,),
        target_populations="Personal de la oficina nacional y de los programas de Cochabamba y "
        "El Alto: madres y tías SOS, educadoras y educadores, personal administrativo y "
        "directivo.",
        places=(COCHABAMBA, LA_PAZ, EL_ALTO),
        activities="Auditoría participativa de género de las políticas, los procesos y las "
        "prácticas internas.\n"
        "Talleres de reflexión sobre masculinidades con el personal, empezando por los hombres "
        "del equipo.\n"
        "Protocolo de prevención y atención del acoso laboral y sexual.\n"
        "Revisión del reglamento interno con enfoque de igualdad (licencias de paternidad, "
        "conciliación de la vida laboral y familiar, acceso a cargos directivos).",
        people_responsible="Dirección nacional de recursos humanos; comité de igualdad con "
        "personas de cada programa.",
        budget=(
            ("Auditoría participativa de género", "3500.00"),
            ("Talleres con el personal", "3000.00"),
            ("Diseño y validación del protocolo", "2000.00"),
            ("Difusión interna", "1500.00"),
        ),
        milestones=(
            _m("auditoria", "Auditoría participativa de género concluida", _d(2019, 8, 30)),
            _m(MIDTERM, MIDTERM_TITLE, _d(2020, 2, 28)),
            _m(
                "protocolo",
                "Protocolo contra el acoso laboral y sexual aprobado por la dirección nacional",
                _d(2020, 9, 30),
            ),
            _m(
                "talleres",
                "Talleres de reflexión sobre masculinidades con el personal",
                _d(2020, 10, 30),
            ),
            _m(
                "reglamento",
                "Reglamento interno revisado con enfoque de igualdad e informe final",
                _d(2021, 9, 30),
            ),
        ),
        indicators=(
            _i("Personal que participa en la auditoría y los talleres", "personas", "0", "120"),
            _i("Normas internas revisadas con enfoque de igualdad", "documentos", "0", "3"),
        ),
    ),
    grant="10000.00",
    awarded_on=_d(2019, 4, 8),
    tranches=("6000.00", "4000.00"),
    events=(
        Release(_d(2019, 4, 8), 1),
        Disburse(_d(2019, 4, 15), 1, "6000.00", "TRF-2019-012"),
        Session(
            _d(2019, 5, 14),
            IN_PERSON,
            "Diseño de la auditoría participativa de género: documentos a revisar, entrevistas "
            "al personal directivo y encuesta anónima de clima laboral.",
            "Conformar el comité de igualdad con personas de cada programa.",
            assessments=(("auditoria", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 7, 26), "Auditoría participativa de género", "3500.00", "Consultoría de acompañamiento y encuesta de clima laboral."),
        Status(_d(2019, 8, 28), "auditoria", DONE, "Informe de la auditoría presentado a la dirección nacional."),
        Session(
            _d(2019, 10, 2),
            VIDEO,
            "Resultados de la auditoría: brechas en el acceso a cargos directivos y poco uso de "
            "las licencias de paternidad.",
            "Priorizar tres recomendaciones para el plan de trabajo de 2020.",
            "El comité de igualdad se conformó con siete personas de Cochabamba y El Alto.",
            (("auditoria", DONE, ""), ("talleres", ON_TRACK, "")),
        ),
        Spend(_d(2019, 11, 29), "Talleres con el personal", "1480.00", "Primeros talleres presenciales en Cochabamba."),
        Session(
            _d(2020, 2, 19),
            IN_PERSON,
            "Preparación del informe de medio término y del protocolo contra el acoso laboral y "
            "sexual.",
            "Presentar el informe de medio término; revisar el protocolo con el área legal.",
            "La dirección nacional aprobó las tres recomendaciones priorizadas.",
            ((MIDTERM, ON_TRACK, ""), ("protocolo", ON_TRACK, "")),
        ),
        Status(_d(2020, 2, 21), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 3, 2), 2),
        Disburse(_d(2020, 3, 9), 2, "4000.00", "TRF-2020-008"),
        Session(
            _d(2020, 8, 25),
            CALL,
            "Talleres con el personal en modalidad virtual; retraso del protocolo por el "
            "teletrabajo.",
            "Fijar con la dirección nacional la fecha de aprobación del protocolo.",
            "El informe de medio término se aprobó en febrero, antes de la cuarentena.",
            (("protocolo", DELAYED, ""), ("talleres", ON_TRACK, "")),
        ),
        Spend(_d(2020, 9, 30), "Talleres con el personal", "1520.00", "Sesiones en línea con los equipos de los programas."),
        Status(_d(2020, 11, 16), "protocolo", DONE, "Aprobado por la dirección nacional."),
        Spend(_d(2020, 11, 20), "Diseño y validación del protocolo", "2000.00", "Asesoría legal y validación con el personal."),
        Status(_d(2020, 12, 11), "talleres", DONE, "Nueve talleres, 104 personas."),
        Session(
            _d(2021, 7, 13),
            VIDEO,
            "Revisión del reglamento interno con enfoque de igualdad y preparación del informe "
            "final.",
            "Entregar el informe final en septiembre.",
            "El protocolo se aprobó en noviembre de 2020 y se difundió en todos los programas.",
            (("reglamento", ON_TRACK, ""),),
        ),
        Spend(_d(2021, 8, 31), "Difusión interna", "1500.00", "Afiches y guía de bolsillo del protocolo."),
        Status(_d(2021, 9, 24), "reglamento", DONE, "Reglamento aprobado; informe final enviado."),
        Lesson(
            _d(2021, 11, 23),
            "Revisar primero nuestras propias prácticas nos dio legitimidad para hablar de "
            "igualdad con las familias que acompañamos.",
        ),
        Quote(
            _d(2021, 11, 23),
            "La verdadera lección está en revisar lo personal, en cómo cada uno de nosotros "
            "puede reaprender una nueva forma de convivencia y de promoción de la igualdad, la "
            "equidad y las oportunidades entre hombres y mujeres.",
            "Integrante del comité de igualdad",
            _d(2021, 12, 6),
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ ACOBOL: Irupana

ACOBOL_PLAN = Plan(
    aim="Sensibilizar a la población del Municipio de Irupana para cambiar las narrativas y "
    "transformar las actitudes sobre el género y la masculinidad, con el concejo municipal y "
    "las organizaciones comunitarias.",
    themes=(Theme.MUNICIPAL,),
    target_populations="Concejalas y concejales del Gobierno Autónomo Municipal de Irupana; "
    "dirigentes de comunidades y juntas vecinales; hombres y mujeres de la población; "
    "estudiantes de secundaria.",
    places=(IRUPANA,),
    activities="Talleres de sensibilización con autoridades municipales y dirigentes "
    "comunales.\n"
    "Campaña radial «Hombres de Irupana por la igualdad», en castellano y aymara, en la radio "
    "local.\n"
    "Ferias comunitarias en la plaza de Irupana y en comunidades.\n"
    "Propuesta de ley municipal de prevención de la violencia con enfoque de masculinidades.",
    people_responsible="Concejala de Irupana asociada a ACOBOL; técnica de la Asociación de "
    "Concejalas de La Paz (ACOLAPAZ); responsable del Servicio Legal Integral Municipal.",
    budget=(
        ("Talleres con autoridades y dirigentes", "2500.00"),
        ("Campaña radial", "2800.00"),
        ("Ferias comunitarias", "2700.00"),
        ("Movilidad a comunidades", "1000.00"),
    ),
    milestones=(
        _m(
            "talleres-autoridades",
            "Talleres con el concejo municipal y dirigentes comunales",
            _d(2019, 7, 31),
        ),
        _m("campana-radial", "Campaña radial «Hombres de Irupana por la igualdad»", _d(2019, 11, 29)),
        _m(MIDTERM, MIDTERM_TITLE, _d(2020, 3, 31)),
        _m("ferias", "Ferias comunitarias de sensibilización", _d(2020, 5, 29)),
        _m("ley-municipal", "Propuesta de ley municipal presentada al concejo", _d(2021, 9, 30)),
    ),
    indicators=(
        _i("Personas que participan en talleres y ferias", "personas", "0", "600"),
        _i("Autoridades municipales y dirigentes sensibilizados", "personas", "0", "40"),
    ),
)  # fmt: skip
ACOBOL_SPEC = Spec(
    institution=ACOBOL,
    mentor=OTHER_MENTOR_USERNAME,
    plan=ACOBOL_PLAN,
    grant="9000.00",
    awarded_on=_d(2019, 4, 10),
    tranches=("5000.00", "4000.00"),
    events=(
        Release(_d(2019, 4, 10), 1),
        Disburse(_d(2019, 4, 17), 1, "5000.00", "TRF-2019-013"),
        Session(
            _d(2019, 5, 16),
            IN_PERSON,
            "Presentación del compromiso al concejo municipal de Irupana y programación de los "
            "talleres con autoridades y dirigentes.",
            "Acordar con la radio local los horarios de la campaña.",
            assessments=(("talleres-autoridades", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 7, 19), "Talleres con autoridades y dirigentes", "2350.00", "Tres talleres con el concejo y las centrales agrarias."),
        Status(_d(2019, 7, 19), "talleres-autoridades", DONE, "38 autoridades y dirigentes."),
        Spend(_d(2019, 8, 30), "Movilidad a comunidades", "400.00", "Transporte a comunidades para los talleres."),
        Session(
            _d(2019, 10, 24),
            CALL,
            "Guiones de la campaña radial en castellano y aymara.",
            "Grabar las cuñas con voces de hombres de Irupana.",
            "Los talleres con autoridades y dirigentes se hicieron en julio.",
            (("campana-radial", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 12, 6), "Campaña radial", "2200.00", "Producción de cuñas y contrato con la radio local."),
        Status(_d(2019, 12, 6), "campana-radial", DONE, "La campaña salió al aire en diciembre."),
        Session(
            _d(2020, 6, 3),
            CALL,
            "Efecto de la cuarentena en las ferias comunitarias; retraso del informe de medio "
            "término.",
            "Presentar la revisión del compromiso y el informe de medio término hasta agosto.",
            "La campaña radial salió al aire en diciembre de 2019.",
            ((MIDTERM, DELAYED, ""), ("ferias", DELAYED, "")),
        ),
        Revise(
            _d(2020, 6, 10),
            "La cuarentena por la COVID-19 impide las reuniones: las ferias comunitarias pasan a "
            "mayo de 2021 y el informe de medio término a agosto de 2020. La campaña radial se "
            "amplía con mensajes durante la cuarentena, con parte del presupuesto de las ferias.",
            replace(
                ACOBOL_PLAN,
                budget=(
                    ("Talleres con autoridades y dirigentes", "2500.00"),
                    ("Campaña radial", "3300.00"),
                    ("Ferias comunitarias", "2200.00"),
                    ("Movilidad a comunidades", "1000.00"),
                ),
                milestones=(
                    *ACOBOL_PLAN.milestones[:2],
                    _m(MIDTERM, MIDTERM_TITLE, _d(2020, 8, 31)),
                    _m("ferias", "Ferias comunitarias de sensibilización", _d(2021, 5, 28)),
                    ACOBOL_PLAN.milestones[4],
                ),
            ),
        ),
        Status(_d(2020, 9, 1), MIDTERM, DELAYED, "La información de las comunidades llega con retraso; se presentará en octubre."),
        Status(_d(2020, 10, 9), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 10, 16), 2),
        Disburse(_d(2020, 10, 23), 2, "4000.00", "TRF-2020-052"),
        Spend(_d(2020, 11, 25), "Campaña radial", "1080.00", "Mensajes radiales por el 25 de noviembre."),
        Session(
            _d(2021, 4, 20),
            VIDEO,
            "Nuevo concejo municipal tras las elecciones subnacionales de marzo de 2021; "
            "estrategia para la propuesta de ley municipal.",
            "Reunión con la comisión de desarrollo humano del nuevo concejo.",
            "El informe de medio término se aprobó en octubre de 2020 y llegó el segundo "
            "desembolso.",
            (("ferias", ON_TRACK, ""), ("ley-municipal", DELAYED, "Hay que presentarla de nuevo al concejo electo.")),
        ),
        Spend(_d(2021, 5, 28), "Ferias comunitarias", "2050.00", "Feria en la plaza de Irupana y en dos comunidades."),
        Spend(_d(2021, 6, 18), "Movilidad a comunidades", "560.00", "Transporte para las ferias en comunidades."),
        Status(_d(2021, 6, 18), "ferias", DONE, "Tres ferias, unas 520 personas."),
        Session(
            _d(2021, 10, 19),
            MESSAGE,
            "Situación de la propuesta de ley municipal.",
            "Presentar la propuesta a la nueva comisión y pedir su tratamiento en el primer "
            "semestre de 2022.",
            "Las ferias se hicieron en mayo y junio en la plaza de Irupana y en dos comunidades.",
            (("ley-municipal", DELAYED, "La comisión aún no la trató."),),
        ),
        Status(
            _d(2021, 10, 20),
            "ley-municipal",
            DELAYED,
            "Las elecciones subnacionales de marzo de 2021 renovaron el concejo; la propuesta "
            "espera el tratamiento de la nueva comisión.",
        ),
        Lesson(
            _d(2021, 11, 24),
            "Sin el compromiso del concejo municipal, la sensibilización no se convierte en "
            "política pública; el cambio de autoridades obliga a empezar de nuevo el diálogo.",
        ),
        Lesson(
            _d(2021, 11, 24),
            "La radio local en aymara llegó a comunidades a las que los talleres no llegaban.",
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ UNIR: conciliation services

UNIR_PLAN = Plan(
    aim="Integrar el enfoque de igualdad y de masculinidades en los servicios de conciliación "
    "extrajudicial que la Fundación UNIR ofrece a la población.",
    themes=(Theme.JUSTICE,),
    target_populations="Conciliadoras y conciliadores de los centros de conciliación de la "
    "Fundación UNIR en La Paz y El Alto; mujeres y hombres que acuden al servicio.",
    places=(LA_PAZ, EL_ALTO),
    activities="Formación de conciliadoras y conciliadores en igualdad y masculinidades.\n"
    "Revisión de los formatos y guiones de las audiencias de conciliación.\n"
    "Protocolo de detección de situaciones de violencia y derivación a los servicios "
    "especializados: la violencia contra las mujeres no se concilia.\n"
    "Encuentro nacional de conciliadores para compartir la experiencia.",
    people_responsible="Coordinación de los centros de conciliación; dos conciliadoras "
    "formadoras; área de investigación de la Fundación UNIR.",
    budget=(
        ("Formación de conciliadores", "3800.00"),
        ("Diseño del protocolo", "2200.00"),
        ("Encuentro nacional de conciliadores", "3500.00"),
        ("Sistematización", "1500.00"),
    ),
    milestones=(
        _m(
            "formacion",
            "Formación de conciliadoras y conciliadores en igualdad y masculinidades",
            _d(2019, 9, 30),
        ),
        _m("protocolo", "Protocolo de detección y derivación de casos de violencia", _d(2019, 12, 20)),
        _m(MIDTERM, MIDTERM_TITLE, _d(2020, 4, 30)),
        _m("encuentro", "Encuentro nacional de conciliadores", _d(2020, 8, 28)),
        _m("informe-final", "Informe final con el análisis de los casos atendidos", _d(2021, 10, 29)),
    ),
    indicators=(
        _i("Conciliadoras y conciliadores formados", "personas", "0", "24"),
        _i("Casos con violencia detectados y derivados según el protocolo", "porcentaje", "0", "100"),
    ),
)  # fmt: skip
UNIR_SPEC = Spec(
    institution=UNIR,
    mentor=MENTOR_USERNAME,
    plan=UNIR_PLAN,
    grant="11000.00",
    awarded_on=_d(2019, 4, 3),
    tranches=("6600.00", "4400.00"),
    events=(
        Release(_d(2019, 4, 3), 1),
        Disburse(_d(2019, 4, 10), 1, "6600.00", "TRF-2019-010"),
        Session(
            _d(2019, 5, 21),
            IN_PERSON,
            "Contenidos de la formación de conciliadoras y conciliadores: igualdad, "
            "masculinidades y detección de situaciones de violencia.",
            "Programar la formación en dos grupos, La Paz y El Alto.",
            assessments=(("formacion", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 9, 20), "Formación de conciliadores", "3650.00", "Dos cursos de tres días."),
        Status(_d(2019, 9, 20), "formacion", DONE, "24 conciliadoras y conciliadores formados."),
        Session(
            _d(2019, 11, 28),
            VIDEO,
            "Borrador del protocolo de detección y derivación; los límites de la conciliación "
            "cuando hay violencia.",
            "Validar el protocolo con la Defensoría del Pueblo y los servicios legales "
            "municipales de La Paz y El Alto.",
            "La formación se hizo en septiembre con 24 conciliadoras y conciliadores.",
            (("formacion", DONE, ""), ("protocolo", DELAYED, "La validación toma más tiempo.")),
        ),
        Spend(_d(2019, 12, 13), "Diseño del protocolo", "1300.00", "Consultoría para el protocolo."),
        Spend(_d(2020, 1, 31), "Diseño del protocolo", "900.00", "Taller de validación con instituciones."),
        Status(_d(2020, 2, 14), "protocolo", DONE, "Protocolo aprobado y en uso en los dos centros."),
        Session(
            _d(2020, 5, 27),
            CALL,
            "Suspensión del encuentro nacional presencial por la emergencia sanitaria; "
            "alternativas.",
            "Proponer la revisión del compromiso: sin encuentro nacional, con una ficha de "
            "registro con enfoque de género y sesiones virtuales de intercambio.",
            "El protocolo se aprobó en febrero de 2020.",
            (("encuentro", DELAYED, ""), (MIDTERM, ON_TRACK, "")),
        ),
        Revise(
            _d(2020, 6, 22),
            "Se cancela el encuentro nacional presencial de conciliadores por la emergencia "
            "sanitaria. Su presupuesto se destina a una ficha de registro con enfoque de género "
            "y a sesiones virtuales de intercambio entre centros. El informe de medio término "
            "pasa a julio de 2020.",
            replace(
                UNIR_PLAN,
                activities=UNIR_PLAN.activities.replace(
                    "Encuentro nacional de conciliadores para compartir la experiencia.",
                    "Ficha de registro con enfoque de género en los centros de conciliación y "
                    "sesiones virtuales de intercambio entre centros.",
                ),
                budget=(
                    ("Formación de conciliadores", "3800.00"),
                    ("Diseño del protocolo", "2200.00"),
                    ("Ficha de registro y sesiones virtuales de intercambio", "3500.00"),
                    ("Sistematización", "1500.00"),
                ),
                milestones=(
                    *UNIR_PLAN.milestones[:2],
                    _m(MIDTERM, MIDTERM_TITLE, _d(2020, 7, 31)),
                    _m(
                        "ficha",
                        "Ficha de registro con enfoque de género aplicada en los centros",
                        _d(2021, 3, 31),
                    ),
                    UNIR_PLAN.milestones[4],
                ),
            ),
        ),
        Status(_d(2020, 7, 29), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 8, 5), 2),
        Disburse(_d(2020, 8, 12), 2, "4400.00", "TRF-2020-041"),
        Spend(_d(2020, 11, 13), "Ficha de registro y sesiones virtuales de intercambio", "1600.00", "Diseño de la ficha y capacitación en su uso."),
        Session(
            _d(2021, 2, 23),
            VIDEO,
            "Aplicación de la ficha de registro con enfoque de género en los centros de "
            "conciliación.",
            "Analizar los tres primeros meses de fichas para el informe final.",
            "La revisión se aprobó en junio y el informe de medio término en julio.",
            (("ficha", ON_TRACK, ""),),
        ),
        Spend(_d(2021, 3, 26), "Ficha de registro y sesiones virtuales de intercambio", "1750.00", "Tres sesiones virtuales de intercambio entre centros."),
        Status(_d(2021, 4, 9), "ficha", DONE, "La ficha se aplica en los dos centros."),
        Session(
            _d(2021, 9, 21),
            MESSAGE,
            "Análisis de los casos atendidos para el informe final.",
            "Enviar el informe final y preparar la presentación para la segunda formación.",
            "La ficha se aplica en los dos centros desde abril.",
            (("informe-final", ON_TRACK, ""),),
        ),
        Spend(_d(2021, 10, 22), "Sistematización", "1400.00", "Análisis de casos e informe final."),
        Status(_d(2021, 10, 27), "informe-final", DONE, "Informe final enviado a Promundo."),
        Lesson(
            _d(2021, 11, 25),
            "La conciliación tiene límites: formar a las conciliadoras y los conciliadores para "
            "detectar la violencia y derivarla fue tan importante como el enfoque de "
            "masculinidades.",
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ Alianza: young activists

ALIANZA_PLAN = Plan(
    aim="Movilizar a jóvenes bolivianos en el activismo político, con una comprensión más "
    "sólida del género y de las masculinidades, para que propongan e impulsen agendas de "
    "igualdad en sus organizaciones y municipios.",
    themes=(Theme.YOUTH,),
    target_populations="Mujeres y hombres jóvenes de 16 a 28 años de organizaciones "
    "juveniles, centros de estudiantes y juventudes de agrupaciones ciudadanas de La Paz, El "
    "Alto y Cochabamba.",
    places=(LA_PAZ, EL_ALTO, COCHABAMBA),
    activities="Escuela de liderazgo juvenil con enfoque de masculinidades, en cinco "
    "módulos presenciales.\n"
    "Agenda juvenil por la igualdad presentada a las candidaturas de las elecciones "
    "generales.\n"
    "Acciones de activismo por el 25 de noviembre.\n"
    "Red de jóvenes activistas.",
    people_responsible="Responsable del programa de juventudes de Alianza por la Solidaridad; "
    "dos facilitadores jóvenes; organizaciones juveniles aliadas.",
    budget=(
        ("Escuela de liderazgo juvenil", "7000.00"),
        ("Agenda juvenil e incidencia", "3000.00"),
        ("Activismo por el 25 de noviembre", "2500.00"),
        ("Coordinación de la red", "1500.00"),
    ),
    milestones=(
        _m("convocatoria", "Convocatoria y selección de 40 jóvenes", _d(2019, 6, 28)),
        _m(MIDTERM, MIDTERM_TITLE, _d(2020, 1, 31)),
        _m("escuela", "Escuela de liderazgo juvenil: cinco módulos", _d(2020, 4, 30)),
        _m("agenda", "Agenda juvenil por la igualdad presentada a las candidaturas", _d(2020, 4, 30)),
        _m("red", "Red de jóvenes activistas conformada e informe final", _d(2021, 10, 29)),
    ),
    indicators=(
        _i("Jóvenes que completan la escuela de liderazgo", "personas", "0", "32"),
        _i("Organizaciones juveniles que adoptan la agenda por la igualdad", "organizaciones", "0", "10"),
    ),
)  # fmt: skip
ALIANZA_SPEC = Spec(
    institution=ALIANZA,
    mentor=OTHER_MENTOR_USERNAME,
    plan=ALIANZA_PLAN,
    grant="14000.00",
    awarded_on=_d(2019, 4, 1),
    tranches=("8400.00", "5600.00"),
    events=(
        Release(_d(2019, 4, 1), 1),
        Disburse(_d(2019, 4, 8), 1, "8400.00", "TRF-2019-009"),
        Session(
            _d(2019, 5, 9),
            IN_PERSON,
            "Convocatoria de la escuela de liderazgo juvenil: perfiles, organizaciones "
            "juveniles y paridad entre mujeres y hombres.",
            "Difundir la convocatoria en centros de estudiantes y juventudes de agrupaciones "
            "ciudadanas.",
            assessments=(("convocatoria", ON_TRACK, ""),),
        ),
        Status(_d(2019, 6, 21), "convocatoria", DONE, "40 jóvenes seleccionados: 21 mujeres y 19 hombres."),
        Spend(_d(2019, 8, 16), "Escuela de liderazgo juvenil", "2400.00", "Módulos 1 y 2, presenciales."),
        Session(
            _d(2019, 10, 15),
            VIDEO,
            "Avance de los módulos presenciales; contenidos sobre masculinidades y "
            "participación política.",
            "Preparar la agenda juvenil por la igualdad para las elecciones generales.",
            "Se seleccionó a 40 jóvenes, 21 mujeres y 19 hombres.",
            (("convocatoria", DONE, ""), ("escuela", ON_TRACK, "")),
        ),
        Spend(_d(2019, 11, 25), "Activismo por el 25 de noviembre", "1150.00", "Intervención en la plaza San Francisco de La Paz."),
        Spend(_d(2020, 1, 24), "Escuela de liderazgo juvenil", "1300.00", "Módulo 3, presencial."),
        Status(_d(2020, 2, 7), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 2, 14), 2),
        Disburse(_d(2020, 2, 21), 2, "5600.00", "TRF-2020-006"),
        Session(
            _d(2020, 4, 28),
            VIDEO,
            "Paso de la escuela a formato virtual por la cuarentena; plataforma de "
            "videoconferencias y conectividad de las y los participantes.",
            "Revisar el compromiso con Promundo; comprar la licencia de la plataforma.",
            "El informe de medio término se aprobó en febrero.",
            (("escuela", DELAYED, "Módulos 4 y 5 suspendidos por la cuarentena."), ("agenda", ON_TRACK, "")),
        ),
        Revise(
            _d(2020, 5, 29),
            "La escuela de liderazgo pasa a formato virtual por la cuarentena (licencia de una "
            "plataforma de videoconferencias, pagada en dólares, y paquetes de datos para las y "
            "los participantes) y termina en septiembre; la agenda juvenil se presenta antes de "
            "las elecciones generales, reprogramadas para octubre de 2020.",
            replace(
                ALIANZA_PLAN,
                activities=ALIANZA_PLAN.activities.replace(
                    "en cinco módulos presenciales.",
                    "en cinco módulos: tres presenciales y dos virtuales desde mayo de 2020.",
                ),
                budget=(
                    ("Escuela de liderazgo juvenil", "5500.00"),
                    ("Plataforma virtual y conectividad", "1500.00"),
                    ("Agenda juvenil e incidencia", "3000.00"),
                    ("Activismo por el 25 de noviembre", "2500.00"),
                    ("Coordinación de la red", "1500.00"),
                ),
                milestones=(
                    *ALIANZA_PLAN.milestones[:2],
                    _m(
                        "escuela",
                        "Escuela de liderazgo juvenil: cinco módulos (virtual desde mayo de 2020)",
                        _d(2020, 9, 30),
                    ),
                    _m(
                        "agenda",
                        "Agenda juvenil por la igualdad presentada a las candidaturas",
                        _d(2020, 10, 9),
                    ),
                    ALIANZA_PLAN.milestones[4],
                ),
            ),
        ),
        Rate(_d(2020, 5, 29), Currency.USD, RATE, RATE_SOURCE),
        Spend(_d(2020, 6, 2), "Plataforma virtual y conectividad", "149.90", "Licencia anual de la plataforma de videoconferencias, pagada con tarjeta en dólares.", Currency.USD),
        Spend(_d(2020, 7, 15), "Plataforma virtual y conectividad", "420.00", "Paquetes de datos móviles para participantes."),
        Status(_d(2020, 9, 26), "escuela", DONE, "34 jóvenes completaron los cinco módulos."),
        Spend(_d(2020, 9, 30), "Escuela de liderazgo juvenil", "1750.00", "Facilitación de los módulos 4 y 5, virtuales."),
        Status(_d(2020, 10, 8), "agenda", DONE, "Agenda presentada a cinco candidaturas."),
        Spend(_d(2020, 10, 9), "Agenda juvenil e incidencia", "2850.00", "Foro virtual con candidaturas y difusión de la agenda."),
        Session(
            _d(2020, 10, 13),
            VIDEO,
            "Presentación de la agenda juvenil a las candidaturas antes de las elecciones del "
            "18 de octubre.",
            "Organizar las acciones del 25 de noviembre con la red de jóvenes.",
            "La escuela virtual cerró en septiembre con 34 jóvenes que completaron los cinco "
            "módulos.",
            (("escuela", DONE, ""), ("agenda", DONE, "")),
        ),
        Spend(_d(2020, 11, 25), "Activismo por el 25 de noviembre", "1300.00", "Acciones en redes y en dos plazas, con medidas de bioseguridad."),
        Session(
            _d(2021, 8, 17),
            CALL,
            "Conformación de la red de jóvenes activistas y preparación del informe final.",
            "Terminar el informe final para la segunda formación.",
            "Las acciones del 25 de noviembre de 2020 se hicieron en redes y en dos plazas.",
            (("red", ON_TRACK, ""),),
        ),
        Spend(_d(2021, 8, 27), "Coordinación de la red", "1380.00", "Encuentros de la red de jóvenes activistas."),
        Status(_d(2021, 11, 5), "red", DONE, "Red conformada con jóvenes de doce organizaciones; informe final enviado."),
        Lesson(
            _d(2021, 11, 25),
            "Las y los jóvenes quieren hablar de poder y de política; el enfoque de "
            "masculinidades les dio palabras para cuestionar cómo se ejerce el liderazgo en sus "
            "organizaciones.",
        ),
        Quote(
            _d(2021, 11, 25),
            "El trabajo en masculinidades con jóvenes es clave para avanzar en la "
            "deconstrucción de los roles de género y de la naturalización de la violencia. "
            "Vemos una población con mucho interés en analizar su situación y reflexionar sobre "
            "ella, y con ganas de generar cambios en su vida y en su entorno más cercano.",
            "Responsable del programa de juventudes",
            _d(2021, 12, 9),
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ UNFPA: health services

UNFPA_SPEC = Spec(
    institution=UNFPA,
    mentor=MENTOR_USERNAME,
    plan=Plan(
        aim="Incorporar el enfoque de masculinidades en las acciones de salud sexual y "
        "reproductiva con adolescentes y jóvenes, promoviendo la corresponsabilidad de los "
        "varones en la prevención del embarazo adolescente y de la violencia sexual.",
        themes=(Theme.YOUTH, Theme.OTHER),
        target_populations="Adolescentes y jóvenes varones de 15 a 24 años de El Alto y La "
        "Paz; personal de salud de los servicios de atención integral diferenciada para "
        "adolescentes.",
        places=(EL_ALTO, LA_PAZ),
        activities="Guía metodológica de masculinidades para los servicios diferenciados para "
        "adolescentes.\n"
        "Formación del personal de salud en el uso de la guía.\n"
        "Talleres con adolescentes varones en cuatro servicios de salud.\n"
        "Difusión de mensajes sobre cuidado y corresponsabilidad.",
        people_responsible="Oficial de programa de adolescencia y juventud de UNFPA; "
        "coordinación de la red de salud; facilitadores jóvenes.",
        budget=(
            ("Guía metodológica", "2500.00"),
            ("Formación del personal de salud", "2300.00"),
            ("Talleres con adolescentes", "2400.00"),
            ("Difusión", "800.00"),
        ),
        milestones=(
            _m("guia", "Guía metodológica validada con el personal de salud", _d(2019, 9, 30)),
            _m(
                "formacion-personal",
                "Formación del personal de salud de los servicios diferenciados",
                _d(2019, 12, 13),
            ),
            _m(MIDTERM, MIDTERM_TITLE, _d(2020, 3, 31)),
            _m(
                "talleres-adolescentes",
                "Talleres con adolescentes varones en cuatro servicios de salud",
                _d(2020, 10, 30),
            ),
            _m("informe-final", "Informe final", _d(2021, 10, 29)),
        ),
        indicators=(
            _i("Personal de salud formado en el uso de la guía", "personas", "0", "30"),
            _i("Adolescentes varones que participan en los talleres", "personas", "0", "120"),
        ),
    ),
    grant="8000.00",
    awarded_on=_d(2019, 4, 12),
    tranches=("4800.00", "3200.00"),
    events=(
        Release(_d(2019, 4, 12), 1),
        Disburse(_d(2019, 4, 22), 1, "4800.00", "TRF-2019-015"),
        Session(
            _d(2019, 6, 4),
            IN_PERSON,
            "Estructura de la guía metodológica de masculinidades para los servicios "
            "diferenciados para adolescentes.",
            "Revisar la guía con el personal de salud de dos servicios.",
            assessments=(("guia", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 9, 27), "Guía metodológica", "2450.00", "Redacción, diseño e impresión de la guía."),
        Status(_d(2019, 10, 4), "guia", DONE, "Validada con el personal de cuatro servicios."),
        Session(
            _d(2019, 11, 19),
            VIDEO,
            "Formación del personal de salud: fechas, contenidos y materiales.",
            "Confirmar a las y los participantes con la coordinación de la red de salud.",
            "La guía se validó en octubre con el personal de salud de cuatro servicios.",
            (("guia", DONE, ""), ("formacion-personal", ON_TRACK, "")),
        ),
        Spend(_d(2019, 12, 6), "Formación del personal de salud", "2200.00", "Dos jornadas de formación."),
        Status(_d(2019, 12, 6), "formacion-personal", DONE, "28 personas formadas."),
        Status(_d(2020, 3, 13), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 3, 18), 2),
        Disburse(_d(2020, 4, 2), 2, "3200.00", "TRF-2020-012"),
        Session(
            _d(2020, 7, 7),
            CALL,
            "Talleres con adolescentes varones: cómo hacerlos cuando los servicios de salud "
            "atienden la emergencia sanitaria.",
            "Planificar talleres en grupos pequeños cuando los servicios lo permitan.",
            "El informe de medio término se aprobó en marzo, antes de la cuarentena.",
            (("talleres-adolescentes", DELAYED, ""),),
        ),
        Status(_d(2020, 7, 8), "talleres-adolescentes", DELAYED, "Los servicios de salud suspendieron las actividades grupales."),
        Spend(_d(2021, 3, 26), "Talleres con adolescentes", "2300.00", "Ocho talleres en grupos pequeños."),
        Status(_d(2021, 3, 26), "talleres-adolescentes", DONE, "Hechos entre febrero y marzo de 2021 en grupos pequeños, con medidas de bioseguridad."),
        Session(
            _d(2021, 5, 11),
            VIDEO,
            "Resultados de los talleres con adolescentes y difusión de mensajes.",
            "Preparar el informe final.",
            "Los talleres se hicieron entre febrero y marzo de 2021 en grupos pequeños.",
            (("talleres-adolescentes", DONE, ""), ("informe-final", ON_TRACK, "")),
        ),
        Spend(_d(2021, 7, 16), "Difusión", "780.00", "Mensajes en radio y redes sociales."),
        Status(_d(2021, 10, 20), "informe-final", DONE, "Informe final enviado a Promundo."),
        Lesson(
            _d(2021, 11, 23),
            "Los adolescentes varones se acercan más a los servicios de salud cuando un "
            "facilitador joven habla de cuidado y de salud sexual sin juzgar.",
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ Swisscontact: technical training

SWISSCONTACT_SPEC = Spec(
    institution=SWISSCONTACT,
    mentor=OTHER_MENTOR_USERNAME,
    plan=Plan(
        aim="Incorporar el enfoque de masculinidades y la prevención del acoso en la formación "
        "técnica para el empleo de jóvenes, con los institutos técnicos y las empresas que "
        "reciben pasantes.",
        themes=(Theme.WORKPLACE, Theme.YOUTH),
        target_populations="Docentes y estudiantes de institutos técnicos de Santa Cruz de la "
        "Sierra y El Alto; personal de recursos humanos de las empresas que reciben pasantes.",
        places=(SANTA_CRUZ, EL_ALTO),
        activities="Módulo transversal «Masculinidades y trabajo» para los cursos de formación "
        "técnica.\n"
        "Formación de docentes de los institutos técnicos.\n"
        "Diálogo con empresas sobre la prevención del acoso sexual en el trabajo.\n"
        "Materiales para pasantes.",
        people_responsible="Coordinación del área de formación técnica de Swisscontact; "
        "direcciones de los institutos técnicos.",
        budget=(
            ("Diseño del módulo", "2800.00"),
            ("Formación de docentes", "3200.00"),
            ("Diálogo con empresas", "2500.00"),
            ("Materiales para pasantes", "2000.00"),
        ),
        milestones=(
            _m("modulo", "Módulo «Masculinidades y trabajo» diseñado", _d(2019, 8, 30)),
            _m("docentes", "Formación de docentes de los institutos técnicos", _d(2019, 11, 29)),
            _m(MIDTERM, MIDTERM_TITLE, _d(2020, 3, 31)),
            _m("empresas", "Diálogo con empresas sobre el acoso sexual en el trabajo", _d(2020, 9, 30)),
            _m("informe-final", "Informe final", _d(2021, 10, 29)),
        ),
        indicators=(
            _i("Institutos técnicos que incorporan el módulo", "institutos", "0", "6"),
            _i("Empresas que participan en el diálogo", "empresas", "0", "10"),
        ),
    ),
    grant="10500.00",
    awarded_on=_d(2019, 4, 9),
    tranches=("6300.00", "4200.00"),
    events=(
        Release(_d(2019, 4, 9), 1),
        Disburse(_d(2019, 4, 16), 1, "6300.00", "TRF-2019-014"),
        Session(
            _d(2019, 5, 22),
            IN_PERSON,
            "Contenidos del módulo «Masculinidades y trabajo» y su lugar en los cursos técnicos.",
            "Revisar el módulo con docentes de mecánica automotriz, electricidad y gastronomía.",
            assessments=(("modulo", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 8, 23), "Diseño del módulo", "2750.00", "Consultoría pedagógica y validación con docentes."),
        Status(_d(2019, 8, 23), "modulo", DONE, "Módulo diseñado con aportes de seis docentes."),
        Session(
            _d(2019, 11, 7),
            VIDEO,
            "Formación de docentes en Santa Cruz de la Sierra y El Alto.",
            "Preparar el informe de medio término.",
            "El módulo se diseñó en agosto con aportes de seis docentes.",
            (("modulo", DONE, ""), ("docentes", ON_TRACK, "")),
        ),
        Spend(_d(2019, 11, 22), "Formación de docentes", "3150.00", "Dos cursos para docentes."),
        Status(_d(2019, 11, 22), "docentes", DONE, "45 docentes de seis institutos."),
        Status(_d(2020, 4, 15), MIDTERM, DELAYED, "La cuarentena detuvo el trabajo con los institutos."),
        Session(
            _d(2020, 5, 6),
            CALL,
            "Retraso del informe de medio término por la cuarentena; contacto con empresas para "
            "el diálogo sobre acoso sexual.",
            "Entregar el informe de medio término en mayo.",
            "La formación de docentes se hizo en noviembre.",
            ((MIDTERM, DELAYED, ""), ("empresas", ON_TRACK, "")),
        ),
        Status(_d(2020, 5, 15), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 5, 22), 2),
        Disburse(_d(2020, 6, 1), 2, "4200.00", "TRF-2020-029"),
        Spend(_d(2020, 12, 4), "Diálogo con empresas", "2380.00", "Dos encuentros virtuales con empresas."),
        Status(_d(2020, 12, 4), "empresas", DONE, "Nueve empresas participaron."),
        Session(
            _d(2021, 3, 9),
            VIDEO,
            "Resultados del diálogo con empresas y materiales para pasantes.",
            "Imprimir los materiales para pasantes y preparar el informe final.",
            "El diálogo con empresas se hizo en diciembre con nueve empresas.",
            (("empresas", DONE, ""), ("informe-final", ON_TRACK, "")),
        ),
        Spend(_d(2021, 6, 11), "Materiales para pasantes", "1950.00", "Cartilla para pasantes sobre el acoso en el trabajo."),
        Status(_d(2021, 10, 15), "informe-final", DONE, "Informe final enviado a Promundo."),
        Lesson(
            _d(2021, 11, 24),
            "En la formación técnica, hablar de masculinidades a partir de la vida en el taller "
            "y en la empresa funciona mejor que una charla general sobre género.",
        ),
        # Said in the second training; its author did not consent to publication.
        Quote(
            _d(2021, 11, 24),
            "Al principio, los docentes veían el módulo como una carga más; cuando hablamos de "
            "lo que pasa en los talleres de mecánica, con las pocas mujeres que estudian allí, "
            "la conversación cambió.",
            "Integrante del equipo técnico",
            None,
            second=True,
        ),
    ),
)  # fmt: skip

# ------------------------------------------------------------------ Solidar Suiza: municipal services

SOLIDAR_SPEC = Spec(
    institution=SOLIDAR,
    mentor=OTHER_MENTOR_USERNAME,
    plan=Plan(
        aim="Fortalecer los Servicios Legales Integrales Municipales (SLIM) con un enfoque de "
        "masculinidades, para que el trabajo con hombres forme parte de la prevención de la "
        "violencia en el municipio.",
        themes=(Theme.MUNICIPAL, Theme.JUSTICE),
        target_populations="Equipos de los SLIM de Sucre, Oruro y Viacha (abogadas, "
        "psicólogas, trabajadoras y trabajadores sociales); hombres que acuden a los "
        "servicios.",
        places=(SUCRE, ORURO, VIACHA),
        activities="Formación de los equipos de los SLIM en masculinidades.\n"
        "Guía de intervención con hombres para los SLIM.\n"
        "Grupos de reflexión de hombres en dos municipios piloto.\n"
        "Intercambio de experiencias entre municipios.",
        people_responsible="Coordinación del programa «Vivir sin violencia» de Solidar Suiza; "
        "jefaturas de los SLIM de los tres municipios.",
        budget=(
            ("Formación de equipos SLIM", "3000.00"),
            ("Guía de intervención", "2000.00"),
            ("Grupos de reflexión", "2700.00"),
            ("Intercambio entre municipios", "1800.00"),
        ),
        milestones=(
            _m("formacion-slim", "Formación de los equipos de los SLIM", _d(2019, 8, 30)),
            _m("guia", "Guía de intervención con hombres para los SLIM", _d(2019, 12, 20)),
            _m(MIDTERM, MIDTERM_TITLE, _d(2020, 3, 31)),
            _m("grupos", "Grupos de reflexión de hombres en dos municipios piloto", _d(2020, 11, 30)),
            _m(
                "intercambio",
                "Intercambio de experiencias entre municipios e informe final",
                _d(2021, 9, 30),
            ),
        ),
        indicators=(
            _i("Integrantes de los SLIM formados", "personas", "0", "30"),
            _i("Hombres que completan un grupo de reflexión", "personas", "0", "40"),
        ),
    ),
    grant="9500.00",
    awarded_on=_d(2019, 4, 11),
    tranches=("5700.00", "3800.00"),
    events=(
        Release(_d(2019, 4, 11), 1),
        Disburse(_d(2019, 4, 18), 1, "5700.00", "TRF-2019-016"),
        Session(
            _d(2019, 5, 28),
            IN_PERSON,
            "Plan de formación de los equipos de los SLIM de Sucre, Oruro y Viacha.",
            "Acordar las fechas con las direcciones municipales.",
            assessments=(("formacion-slim", ON_TRACK, ""),),
        ),
        Spend(_d(2019, 9, 6), "Formación de equipos SLIM", "2900.00", "Tres jornadas, una por municipio."),
        Status(_d(2019, 9, 6), "formacion-slim", DONE, "31 integrantes de los SLIM formados."),
        Session(
            _d(2019, 12, 3),
            VIDEO,
            "Borrador de la guía de intervención con hombres.",
            "Validar la guía con las psicólogas de los SLIM.",
            "La formación se hizo en septiembre con 31 integrantes de los SLIM.",
            (("formacion-slim", DONE, ""), ("guia", ON_TRACK, "")),
        ),
        Spend(_d(2019, 12, 18), "Guía de intervención", "1950.00", "Redacción y edición de la guía."),
        Status(_d(2019, 12, 18), "guia", DONE, "Guía entregada a los tres municipios."),
        Status(_d(2020, 3, 20), MIDTERM, DONE, "Aprobado por Promundo."),
        Release(_d(2020, 3, 27), 2),
        Disburse(_d(2020, 4, 8), 2, "3800.00", "TRF-2020-015"),
        Session(
            _d(2020, 9, 22),
            CALL,
            "Grupos de reflexión de hombres: suspensión por la emergencia sanitaria y "
            "reprogramación.",
            "Reprogramar los grupos para el primer trimestre de 2021.",
            "La guía se validó y se entregó a los tres municipios.",
            (("grupos", DELAYED, ""),),
        ),
        Status(_d(2020, 9, 23), "grupos", DELAYED, "Los SLIM atienden solo casos urgentes durante la emergencia sanitaria."),
        Spend(_d(2021, 4, 30), "Grupos de reflexión", "2650.00", "Facilitación de los grupos en Sucre y Viacha."),
        Status(_d(2021, 4, 30), "grupos", DONE, "Dos grupos, 38 hombres los completaron."),
        Session(
            _d(2021, 6, 15),
            VIDEO,
            "Resultados de los grupos de reflexión en Sucre y Viacha; preparación del "
            "intercambio entre municipios.",
            "Organizar el intercambio virtual en septiembre.",
            "Los grupos terminaron en abril con 38 hombres.",
            (("grupos", DONE, ""), ("intercambio", ON_TRACK, "")),
        ),
        Spend(_d(2021, 9, 29), "Intercambio entre municipios", "1700.00", "Encuentro virtual de los tres SLIM e informe final."),
        Status(_d(2021, 9, 29), "intercambio", DONE, "Intercambio hecho; informe final enviado."),
        Lesson(
            _d(2021, 11, 25),
            "Los equipos de los SLIM necesitan tiempo y respaldo institucional para el trabajo "
            "con hombres; sin ellos, la atención de los casos urgentes lo desplaza.",
        ),
    ),
)  # fmt: skip

# The five commitments of seed 004 first, then three more.
SEED_COMMITMENTS: tuple[Spec, ...] = (CIES_SPEC, ALDEAS_SPEC, ACOBOL_SPEC, UNIR_SPEC, ALIANZA_SPEC)
SPECS: tuple[Spec, ...] = (*SEED_COMMITMENTS, UNFPA_SPEC, SWISSCONTACT_SPEC, SOLIDAR_SPEC)


# ------------------------------------------------------------------ people and accounts


def first_training(promundo: Organization) -> Cohort | None:
    return Cohort.objects.filter(
        program__owner=promundo, program__name=PROGRAM, name=FIRST_TRAINING
    ).first()


def mentor_person(promundo: Organization, sex: str = "female") -> Person | None:
    """A Promundo mentor (a facilitator of the first training): the woman signs in as the
    demo account "mentora", the man as the second mentor."""
    cohort = first_training(promundo)
    if cohort is None:
        return None
    return Person.objects.filter(facilitations__cohort=cohort, sex=sex).order_by("pk").first()


def representative(promundo: Organization, institution: Organization) -> Person | None:
    """The institution's representative at the first training (the first enrolled): its
    commitment's focal point, and CIES's signs in as the demo account "cies"."""
    cohort = first_training(promundo)
    if cohort is None:
        return None
    return (
        Person.objects.filter(enrolments__cohort=cohort, organization=institution)
        .order_by("pk")
        .first()
    )


def _second_representative(promundo: Organization, institution: Organization) -> Person | None:
    cohort = first_training(promundo)
    people = Person.objects.filter(enrolments__cohort=cohort, organization=institution)
    return people.order_by("pk")[1:2].first() or people.order_by("pk").first()


def _other_mentor(promundo: Organization) -> User | None:
    user = User.objects.filter(username=OTHER_MENTOR_USERNAME).first()
    if user is not None:
        return user
    person = mentor_person(promundo, sex="male")
    if person is None:
        return None
    return user_create(
        actor=None,
        username=OTHER_MENTOR_USERNAME,
        password=secrets.token_urlsafe(32),  # nobody signs in as him: never shown
        email=f"{OTHER_MENTOR_USERNAME}@demo.invalid",
        person=person,
    )


def _places(codes: Any) -> list[Place]:
    found = {p.code: p for p in Place.objects.filter(country="BO", code__in=list(codes))}
    return [found[c] for c in codes if c in found]


def _plan(plan: Plan) -> Plan:
    return replace(plan, places=_places(plan.places))


# ------------------------------------------------------------------ outcomes

# What each institution reported at the second training (November 2021): what was
# achieved and the people its activities reached, as it declared them (none of these
# activities is recorded in Cascada as a cohort or a community action, so the reach is
# the institution's own figure, kept apart from people trained in Cascada).
OUTCOMES: dict[str, tuple[tuple[dt.date, str, int], ...]] = {
    CIES: (
        (_d(2021, 10, 29), "Estrategia de prevención formulada y adoptada por las cuatro "
         "unidades educativas del Distrito 4 de El Alto.", 164),
        (_d(2021, 10, 29), "Docentes que incorporaron sesiones sobre masculinidades en "
         "orientación.", 38),
    ),
    ALDEAS: ((_d(2021, 9, 30), "Política institucional de igualdad de género aprobada y "
              "protocolo contra el acoso laboral en vigor en todos los programas.", 212),),
    ACOBOL: ((_d(2021, 10, 15), "Concejalas y concejales de Irupana sensibilizados; "
              "campaña municipal «Irupana sin violencia» en radio comunitaria.", 95),),
    UNIR: ((_d(2021, 9, 30), "Conciliadoras y conciliadores formados en el enfoque de "
            "igualdad y masculinidades; guía de atención revisada.", 46),),
    ALIANZA: ((_d(2021, 8, 31), "Jóvenes de tres ciudades en la escuela de activismo "
               "político con enfoque de masculinidades.", 120),),
    UNFPA: ((_d(2021, 6, 30), "Personal de salud de servicios diferenciados para "
             "adolescentes formado en masculinidades.", 64),),
    SWISSCONTACT: ((_d(2021, 5, 31), "Instructores de formación técnica que aplican la "
                    "guía de masculinidades en sus cursos.", 52),),
    SOLIDAR: ((_d(2021, 7, 30), "Servicios legales municipales con el módulo de "
               "masculinidades en su capacitación continua.", 30),),
}  # fmt: skip


# ------------------------------------------------------------------ building


@dataclass
class _Actors:
    manager: User | None
    mentor: User | None
    focal: User | None  # the focal point's account, if they have one

    @property
    def reporter(self) -> User | None:
        return self.focal or self.manager


def _apply(event: Event, commitment: Commitment, actors: _Actors, promundo: Organization) -> None:
    grant = commitment.grants.get()  # one seed grant per commitment
    if isinstance(event, Revise):
        services.commitment_revise(
            actor=actors.reporter,
            commitment=commitment,
            plan=_plan(event.plan),
            created_on=event.on,
            note=event.note,
        )
    elif isinstance(event, Status):
        services.milestone_set_status(
            actor=actors.reporter,
            milestone=commitment.milestones.get(key=event.key),
            status=event.status,
            on=event.on,
            note=event.note,
        )
    elif isinstance(event, Release):
        services.tranche_release(
            actor=actors.manager,
            tranche=grant.tranches.get(number=event.tranche),
            released_on=event.on,
        )
    elif isinstance(event, Disburse):
        services.disbursement_record(
            actor=actors.manager,
            tranche=grant.tranches.get(number=event.tranche),
            date=event.on,
            amount=event.amount,
            reference=event.reference,
        )
    elif isinstance(event, Rate):
        services.exchange_rate_record(
            actor=actors.manager,
            grant=grant,
            currency=event.currency,
            rate=event.rate,
            valid_from=event.on,
            source=event.source,
        )
    elif isinstance(event, Spend):
        services.spending_record(
            actor=actors.reporter,
            grant=grant,
            budget_line=event.line,
            amount=event.amount,
            date=event.on,
            currency=event.currency,
            note=event.note,
        )
    elif isinstance(event, Session):
        services.mentoring_session_record(
            actor=actors.mentor,
            commitment=commitment,
            held_on=event.on,
            mode=event.mode,
            topics=event.topics,
            next_steps=event.next_steps,
            follow_up=event.follow_up,
            assessments=[
                {"milestone": commitment.milestones.get(key=key), "status": status, "note": note}
                for key, status, note in event.assessments
            ],
        )
    elif isinstance(event, Lesson):
        services.lesson_record(
            actor=actors.focal or actors.mentor,
            commitment=commitment,
            text=event.text,
            recorded_on=event.on,
        )
    elif isinstance(event, Quote):
        institution = commitment.institution
        author = (
            _second_representative(promundo, institution)
            if event.second
            else commitment.focal_point
        )
        services.testimony_record(
            actor=actors.focal or actors.mentor,
            commitment=commitment,
            quote=event.text,
            author_institution=institution,
            recorded_on=event.on,
            consent_to_publish=event.consent_on is not None,
            consent_on=event.consent_on,
            author=author,
            author_role=event.author_role,
        )


def _commitment(
    spec: Spec,
    *,
    initiative: Initiative,
    institution: Organization,
    promundo: Organization,
    presented_at: Cohort,
    manager: User | None,
    mentor: User | None,
) -> Commitment:
    focal_point = representative(promundo, institution)
    focal = User.objects.filter(person=focal_point).first() if focal_point else None
    actors = _Actors(manager=manager, mentor=mentor, focal=focal)
    commitment = services.commitment_create(
        actor=manager,
        initiative=initiative,
        institution=institution,
        plan=_plan(spec.plan),
        created_on=PRESENTED_ON,
        focal_point=focal_point,
        presented_at=presented_at,
    )
    if mentor is not None:
        services.mentor_assign(actor=manager, commitment=commitment, mentor=mentor)
    first, second = spec.tranches
    services.grant_create(
        actor=manager,
        commitment=commitment,
        amount=spec.grant,
        currency=Currency.BOB,
        awarded_on=spec.awarded_on,
        tranches=[
            {"amount": first, "condition": FIRST_CONDITION},
            {
                "amount": second,
                "condition": SECOND_CONDITION,
                "condition_milestone": commitment.milestones.get(key=MIDTERM),
            },
        ],
    )
    for event in sorted(spec.events, key=lambda e: e.on):  # stable: same day, as listed
        _apply(event, commitment, actors, promundo)
    for on, text, people in OUTCOMES.get(spec.institution, ()):
        services.outcome_record(
            actor=actors.reporter,
            commitment=commitment,
            description=text,
            recorded_on=on,
            people_reached=people,
        )
    return commitment


def build_commitments(*, orgs: dict[str, Organization], r: BuildResult) -> None:
    """Promundo's initiative and its Commitments to Action; nothing when it is already
    there, or when Promundo's trainings are not (``build._promundo`` makes them)."""
    promundo = orgs.get(FUNDER)
    if promundo is None or Initiative.objects.filter(funder=promundo, name=INITIATIVE).exists():
        return
    trainings = list(
        Cohort.objects.filter(
            program__owner=promundo,
            program__name=PROGRAM,
            name__in=(FIRST_TRAINING, SECOND_TRAINING),
        ).order_by("start_date")
    )
    if len(trainings) != 2:
        return
    manager = User.objects.filter(username=MANAGER_USERNAME).first()
    mentors = {
        MENTOR_USERNAME: User.objects.filter(username=MENTOR_USERNAME).first(),
        OTHER_MENTOR_USERNAME: _other_mentor(promundo),
    }
    institutions = [o for o in orgs.values() if o.country == "BO" and o.pk != promundo.pk]
    initiative = services.initiative_create(
        actor=manager,
        funder=promundo,
        name=INITIATIVE,
        starts_on=STARTS_ON,
        ends_on=ENDS_ON,
        description=DESCRIPTION,
        organizations=institutions,
        trainings=trainings,
    )
    r.add("initiatives")
    for spec in SPECS:
        institution = orgs.get(spec.institution)
        if institution is None:
            continue
        _commitment(
            spec,
            initiative=initiative,
            institution=institution,
            promundo=promundo,
            presented_at=trainings[0],
            manager=manager,
            mentor=mentors.get(spec.mentor),
        )
        r.add("commitments")
