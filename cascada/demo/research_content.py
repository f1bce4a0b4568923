"""What the demo's formative research says (issue 12, seed 002): the protocol, the
curriculum it informs, the recruitment log, the FICTIONAL transcripts, the codebook, the
coding of each transcript, the findings and the dissemination plan. Data only; building
it is ``research``'s work.

The transcripts are invented for the demo, short and without graphic detail: men of two
generations in Villa María del Triunfo, Arequipa and Iquitos talking about masculinity,
sexuality, jealousy, alcohol, the violence they learnt as children, what protected them,
and what changed between the generations. No real person speaks in them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cascada.curricula.models import Verdict
from cascada.research.models import AudienceLevel, DisseminationStatus, Method

D = dt.date
INTERVIEW = Method.INTERVIEW
FOCUS_GROUP = Method.FOCUS_GROUP

# ------------------------------------------------------------------ the study

TITLE = "Los hombres renuncian a la violencia: investigación formativa"
STARTS_ON, ENDS_ON = D(2025, 1, 6), D(2027, 6, 30)
PROTOCOL = {
    "aims": (
        "Realizar una investigación formativa sobre la sexualidad masculina y el uso de la "
        "violencia sexual entre hombres de tres ciudades del Perú, para informar el diseño y "
        "el piloto de un currículo de formación para activistas comunitarios de los Centros "
        "Emergencia Mujer (CEM)."
    ),
    "research_objectives": (
        "1. Explorar los significados que dos generaciones de hombres dan a su sexualidad y "
        "al uso de la violencia sexual.\n"
        "2. Identificar factores de riesgo y de protección en el uso de la violencia sexual "
        "en distintos momentos del ciclo de vida.\n"
        "3. Identificar cambios y continuidades en la tolerancia social a la violencia sexual "
        "entre hombres de dos generaciones."
    ),
    "intervention_objectives": (
        "1. Desarrollar una capacitación participativa y vivencial que cuestione la "
        "sexualidad masculina que lleva al poder desigual de los hombres sobre las mujeres, "
        "incluida la violencia sexual.\n"
        "2. Antes de redactar el módulo, validar los conceptos y el esquema de la "
        "capacitación con activistas comunitarias y comunitarios vinculados a los CEM de "
        "tres localidades.\n"
        "3. Elaborar un módulo de capacitación para activistas sobre las percepciones de la "
        "sexualidad y el uso y la aceptabilidad de la violencia sexual, que cuestione normas "
        "y actitudes dañinas."
    ),
    "methods": (
        "Metodología cualitativa: entrevistas en profundidad y grupos focales para "
        "comprender e interpretar las normas y actitudes de los hombres. Tres localidades con "
        "características culturales distintas: Villa María del Triunfo (zona popular y "
        "densamente poblada de Lima), la ciudad de Arequipa (la segunda ciudad del país, en "
        "la sierra) e Iquitos (la ciudad más importante de la Amazonía peruana). Participan "
        "hombres que viven en zonas populares de las tres ciudades, de 20 a 29 años y de 35 "
        "a 50 años. Se excluye de la muestra a los hombres que son activistas contra la "
        "violencia de género."
    ),
}

COMMITTEE = "Comité Institucional de Ética en Investigación de la UPCH"
# (number, approved on, expires on): the approval and its renewal for the analysis.
APPROVALS = (
    ("CIEI-UPCH-2025-014", D(2025, 1, 20), D(2026, 1, 19)),
    ("CIEI-UPCH-2025-014-R1", D(2026, 1, 12), D(2027, 1, 11)),
)
# (version, approved on, text)
CONSENT_FORMS = (
    (
        "v1.0",
        D(2025, 1, 20),
        "Le invitamos a participar en una investigación de la Universidad Peruana Cayetano "
        "Heredia sobre cómo los hombres viven su sexualidad y qué piensan de la violencia. "
        "La conversación dura alrededor de una hora. Su nombre no aparecerá en ningún "
        "informe: usaremos un código. Puede dejar de participar cuando quiera.",
    ),
    (
        "v1.1",
        D(2025, 4, 15),
        "Versión 1.1: añade la autorización para grabar el audio de los grupos focales y "
        "los datos de contacto del CEM de la localidad y de la Línea 100.",
    ),
)

# (key, ubigeo, site name)
SITES = (
    ("vmt", "150143", "Villa María del Triunfo (Lima)"),
    ("aqp", "040101", "Arequipa"),
    ("iqt", "160101", "Iquitos"),
)
# (key, name, youngest, oldest)
STRATA = (
    ("young", "Jóvenes de 20 a 29 años", 20, 29),
    ("adult", "Adultos de 35 a 50 años", 35, 50),
)
# Participants needed per site × stratum × method: two interviews and one focus group of
# eight for each generation in each city.
QUOTA_TARGETS = {INTERVIEW: 2, FOCUS_GROUP: 8}

# (question, the answer that excludes, reason)
QUESTIONS = (
    (
        "¿Participa como activista o promotor contra la violencia de género (por ejemplo, "
        "con un CEM)?",
        True,
        "activista contra la violencia de género",
    ),
    ("¿Vive en una zona popular de la ciudad?", False, "no vive en una zona popular"),
    (
        "¿Reside en la ciudad desde hace un año o más?",
        False,
        "reside en la ciudad desde hace menos de un año",
    ),
)
OK = (False, True, True)
ACTIVIST = (True, True, True)
NOT_POPULAR = (False, False, True)
NEWCOMER = (False, True, False)

# ------------------------------------------------------------------ the recruitment log

# What became of a person screened: the key of the interview or focus group they took
# part in, or one of these.
DECLINED = "declined"
WAITING = "waiting"  # consented, to be interviewed later
WITHDREW = "withdrew"
PENDING = "pending"  # eligible, consent not yet asked
EXCLUDED = "excluded"  # by the screening answers or the age


@dataclass(frozen=True)
class Rec:
    site: str
    method: str
    age: int
    answers: tuple[bool, bool, bool]
    outcome: str
    screened_on: dt.date


# Forty-five people screened; twenty-one took part; quotas partly met: Villa María's young
# men's interviews and Iquitos's young men's focus group are met, the rest are not.
RECRUITS: tuple[Rec, ...] = (
    # Villa María del Triunfo, March 2025
    Rec("vmt", INTERVIEW, 24, OK, "T1", D(2025, 3, 3)),
    Rec("vmt", INTERVIEW, 27, OK, "T6", D(2025, 3, 3)),
    Rec("vmt", INTERVIEW, 22, OK, DECLINED, D(2025, 3, 4)),
    Rec("vmt", INTERVIEW, 31, OK, EXCLUDED, D(2025, 3, 4)),  # between the two generations
    Rec("vmt", INTERVIEW, 44, OK, "T2", D(2025, 3, 5)),
    Rec("vmt", INTERVIEW, 38, OK, WAITING, D(2025, 3, 5)),
    Rec("vmt", INTERVIEW, 41, ACTIVIST, EXCLUDED, D(2025, 3, 6)),
    Rec("vmt", FOCUS_GROUP, 36, OK, "FG2", D(2025, 3, 10)),
    Rec("vmt", FOCUS_GROUP, 39, OK, "FG2", D(2025, 3, 10)),
    Rec("vmt", FOCUS_GROUP, 46, ACTIVIST, EXCLUDED, D(2025, 3, 10)),
    Rec("vmt", FOCUS_GROUP, 42, OK, "FG2", D(2025, 3, 11)),
    Rec("vmt", FOCUS_GROUP, 45, OK, "FG2", D(2025, 3, 11)),
    Rec("vmt", FOCUS_GROUP, 53, OK, EXCLUDED, D(2025, 3, 11)),
    Rec("vmt", FOCUS_GROUP, 47, OK, "FG2", D(2025, 3, 12)),
    Rec("vmt", FOCUS_GROUP, 44, NOT_POPULAR, EXCLUDED, D(2025, 3, 12)),
    Rec("vmt", FOCUS_GROUP, 49, OK, "FG2", D(2025, 3, 13)),
    Rec("vmt", FOCUS_GROUP, 50, OK, "FG2", D(2025, 3, 13)),
    Rec("vmt", FOCUS_GROUP, 40, OK, WAITING, D(2025, 3, 14)),  # did not come
    # Arequipa, late April 2025
    Rec("aqp", INTERVIEW, 22, OK, "T3", D(2025, 4, 28)),
    Rec("aqp", INTERVIEW, 23, NEWCOMER, EXCLUDED, D(2025, 4, 28)),
    Rec("aqp", INTERVIEW, 26, OK, WAITING, D(2025, 4, 29)),
    Rec("aqp", INTERVIEW, 28, OK, DECLINED, D(2025, 4, 29)),
    Rec("aqp", INTERVIEW, 47, OK, "T4", D(2025, 4, 30)),
    Rec("aqp", INTERVIEW, 43, OK, WITHDREW, D(2025, 4, 30)),
    Rec("aqp", INTERVIEW, 33, OK, EXCLUDED, D(2025, 5, 2)),  # between the two generations
    Rec("aqp", FOCUS_GROUP, 21, OK, WAITING, D(2025, 5, 2)),
    Rec("aqp", FOCUS_GROUP, 25, OK, WAITING, D(2025, 5, 2)),
    Rec("aqp", FOCUS_GROUP, 24, OK, PENDING, D(2025, 5, 2)),
    # Iquitos, June 2025
    Rec("iqt", INTERVIEW, 39, OK, "T5", D(2025, 6, 2)),
    Rec("iqt", INTERVIEW, 45, OK, DECLINED, D(2025, 6, 2)),
    Rec("iqt", INTERVIEW, 37, ACTIVIST, EXCLUDED, D(2025, 6, 3)),
    Rec("iqt", INTERVIEW, 21, OK, PENDING, D(2025, 6, 3)),
    Rec("iqt", INTERVIEW, 25, ACTIVIST, EXCLUDED, D(2025, 6, 3)),
    Rec("iqt", FOCUS_GROUP, 20, OK, "FG1", D(2025, 6, 4)),
    Rec("iqt", FOCUS_GROUP, 21, OK, "FG1", D(2025, 6, 4)),
    Rec("iqt", FOCUS_GROUP, 18, OK, EXCLUDED, D(2025, 6, 4)),  # too young
    Rec("iqt", FOCUS_GROUP, 22, OK, "FG1", D(2025, 6, 5)),
    Rec("iqt", FOCUS_GROUP, 23, OK, "FG1", D(2025, 6, 5)),
    Rec("iqt", FOCUS_GROUP, 24, NEWCOMER, EXCLUDED, D(2025, 6, 5)),
    Rec("iqt", FOCUS_GROUP, 24, OK, "FG1", D(2025, 6, 6)),
    Rec("iqt", FOCUS_GROUP, 25, OK, "FG1", D(2025, 6, 6)),
    Rec("iqt", FOCUS_GROUP, 29, OK, DECLINED, D(2025, 6, 6)),
    Rec("iqt", FOCUS_GROUP, 26, OK, "FG1", D(2025, 6, 9)),
    Rec("iqt", FOCUS_GROUP, 28, OK, "FG1", D(2025, 6, 9)),
    Rec("iqt", FOCUS_GROUP, 27, OK, PENDING, D(2025, 6, 9)),
)

# Clearly fictional names for the recruits (kept encrypted, read by the lead and the
# researcher only): common given names and the demo's marker surnames.
GIVEN_NAMES = (
    "Juan", "Carlos", "Luis", "Jorge", "Pedro", "Miguel", "José", "Víctor", "Raúl",
    "Marco", "Hugo", "Óscar", "Julio", "Félix", "Edwin", "Percy", "Ronald", "Iván",
)  # fmt: skip
SURNAMES = ("Ficticio", "Ejemplo", "Demostración", "Inventado", "Simulado", "Prueba")
SECOND_SURNAMES = ("Ejemplar", "Ficticio", "Demo", "Imaginario", "Supuesto", "Modelo")

# ------------------------------------------------------------------ fieldwork


@dataclass(frozen=True)
class Fieldwork:
    key: str
    method: str
    site: str
    held_on: dt.date
    minutes: int
    name: str
    # "lead" or "researcher"
    interviewer: str
    note_taker: str | None
    turns: tuple[tuple[str, str], ...]


T1 = Fieldwork(
    "T1",
    INTERVIEW,
    "vmt",
    D(2025, 3, 18),
    58,
    "Entrevista 1 · Villa María del Triunfo · joven de 24 años",
    "researcher",
    None,
    (
        ("E", "Para empezar, ¿cómo aprendiste en tu casa lo que significa ser hombre?"),
        (
            "P",
            "En mi casa el que mandaba era mi papá. Él decía que el hombre no llora y que "
            "tiene que traer la plata. Cuando tomaba se ponía agresivo y le gritaba a mi "
            "mamá; a veces la empujaba y nosotros mirábamos desde el cuarto.",
        ),
        ("E", "¿Qué sentías en esos momentos?"),
        (
            "P",
            "Miedo y rabia. De chico pensaba que así eran todas las familias. Recién en el "
            "colegio, con una profesora de tutoría, entendí que eso era violencia y que no "
            "estaba bien.",
        ),
        ("E", "¿Y con tus amigos del barrio, qué se hablaba sobre las chicas?"),
        (
            "P",
            "Con los patas todo era competencia. El que no tenía enamorada o no había "
            "estado con una chica era el lorna del grupo. Te presionaban para que cuentes "
            "cosas aunque no fueran ciertas.",
        ),
        ("E", "¿Cómo viviste esa presión?"),
        (
            "P",
            "Tenía quince años y me llevaron a una fiesta donde todos tomaban. Me decían "
            "que tenía que aprovechar porque la chica estaba mareada. No lo hice, pero me "
            "quedé callado, no dije nada.",
        ),
        ("E", "Hoy, mirando atrás, ¿qué piensas de eso?"),
        (
            "P",
            "Que si una chica está borracha no puede decir que sí. Eso lo tengo claro "
            "ahora. Pero en ese momento para el grupo era normal, hasta te felicitaban.",
        ),
        ("E", "Hablemos de tu relación de pareja. ¿Cómo manejas los celos?"),
        (
            "P",
            "Te soy sincero, al principio le revisaba el celular a mi enamorada. Me daba "
            "cólera que hablara con otros. Ella me dijo que eso era control y tuvimos una "
            "pelea fuerte.",
        ),
        ("E", "¿Qué cambió después de esa pelea?"),
        (
            "P",
            "Empecé a ir a un grupo de jóvenes de la parroquia y ahí un señor nos hablaba "
            "de confianza. Me di cuenta de que estaba repitiendo lo de mi papá y no quería "
            "ser como él.",
        ),
        (
            "E",
            "¿Crees que los jóvenes de tu edad piensan distinto que los mayores sobre la "
            "violencia sexual?",
        ),
        (
            "P",
            "Sí, ahora se habla más, en las redes, en el colegio. Los mayores dicen que la "
            "mujer provoca por cómo se viste; entre los jóvenes eso ya no pasa tanto, "
            "aunque todavía hay quienes lo piensan.",
        ),
        ("E", "¿Qué ayudaría a que los hombres del barrio no usen la violencia?"),
        (
            "P",
            "Espacios para hablar entre hombres sin que se burlen. Y que el alcohol no sea "
            "el centro de todas las reuniones, porque ahí empiezan los problemas.",
        ),
    ),
)

T2 = Fieldwork(
    "T2",
    INTERVIEW,
    "vmt",
    D(2025, 3, 21),
    64,
    "Entrevista 2 · Villa María del Triunfo · adulto de 44 años",
    "researcher",
    None,
    (
        ("E", "¿Cómo era ser hombre cuando usted era joven, aquí en el barrio?"),
        (
            "P",
            "Uno tenía que ser fuerte y trabajar desde chico. Yo a los catorce ya cargaba en "
            "el mercado. Mi papá casi no hablaba con nosotros, solo daba órdenes.",
        ),
        ("E", "¿Y su mamá?"),
        (
            "P",
            "Mi mamá aguantaba todo. Mi papá llegaba tomado los sábados y había gritos. "
            "Nadie se metía; los vecinos decían que eran cosas de pareja.",
        ),
        (
            "E",
            "En su época, ¿qué se pensaba de las relaciones sexuales dentro del matrimonio?",
        ),
        (
            "P",
            "Se decía que la mujer tenía que cumplir con el marido, que era su obligación. "
            "Nadie hablaba de que ella también tenía que querer. Eso lo escuché de mis tíos "
            "muchas veces.",
        ),
        ("E", "¿Usted pensaba igual?"),
        (
            "P",
            "Por mucho tiempo sí, no lo voy a negar. Pensaba que si uno era el que mantenía "
            "la casa tenía derechos. Mi esposa me lo reclamó un día y me dolió, pero tenía "
            "razón.",
        ),
        ("E", "¿Qué le hizo cambiar de opinión?"),
        (
            "P",
            "Mis hijas. Cuando crecieron empecé a pensar que no quería que un hombre las "
            "tratara como yo veía tratar a las mujeres. También una charla del CEM en el "
            "comedor popular donde ayuda mi esposa.",
        ),
        ("E", "¿Qué papel tiene el trago en las peleas de pareja del barrio?"),
        (
            "P",
            "Mucho. Los viernes y sábados los hombres se juntan a tomar, y cuando llegan a "
            "la casa vienen los problemas. El trago no es excusa, pero lo hace peor.",
        ),
        ("E", "¿Cree que los jóvenes de ahora toleran menos la violencia?"),
        (
            "P",
            "Algunos sí, los veo más atentos; mis hijos por ejemplo cocinan y lavan. Pero "
            "también veo chicos que controlan a sus enamoradas por el celular; eso en mi "
            "tiempo no existía y es otra forma de celos.",
        ),
        ("E", "Entre sus amigos de su edad, ¿se sigue justificando la violencia?"),
        (
            "P",
            "Todavía escucho que algo habrá hecho ella, o que la mujer provoca. Entre los de "
            "mi edad eso cuesta cambiar; se ríen si uno dice otra cosa.",
        ),
        ("E", "¿Con quién habla usted cuando tiene problemas?"),
        (
            "P",
            "Con mi compadre y con el grupo de la iglesia. Antes no hablaba con nadie, uno "
            "se lo guardaba todo. Tener con quién hablar me ha ayudado a no reventar.",
        ),
    ),
)

T3 = Fieldwork(
    "T3",
    INTERVIEW,
    "aqp",
    D(2025, 5, 8),
    52,
    "Entrevista 3 · Arequipa · joven de 22 años",
    "researcher",
    None,
    (
        ("E", "¿Cómo describirías a los hombres de tu familia?"),
        (
            "P",
            "Mi papá es diferente a mis tíos. Él siempre nos abrazaba, nos ayudaba con las "
            "tareas y cocinaba los domingos. Mis tíos se burlaban de él, le decían que mi "
            "mamá lo mandaba.",
        ),
        ("E", "¿Cómo influyó eso en ti?"),
        (
            "P",
            "Bastante. Aprendí que uno puede ser hombre y cariñoso a la vez. Cuando tengo un "
            "problema con mi enamorada, lo converso con él antes que con mis amigos.",
        ),
        ("E", "Aquí en la ciudad, ¿qué se espera de un hombre joven?"),
        (
            "P",
            "Que sea fuerte, que no se deje, que sea el que decide. Se dice que el hombre de "
            "aquí es bravo. En el equipo de fulbito, si no tomas con todos te dicen que eres "
            "poco hombre.",
        ),
        ("E", "¿Y sobre la sexualidad, qué se hablaba entre ustedes?"),
        (
            "P",
            "Se habla de las chicas como si fueran trofeos. Hay presión por tener relaciones "
            "pronto y por contarlo. Nadie pregunta si la otra persona quería.",
        ),
        ("E", "¿Qué entiendes tú por consentimiento?"),
        (
            "P",
            "Que los dos estén de acuerdo, y que si ella dice que no o duda, se para. En el "
            "instituto tuvimos un taller y ahí me quedó claro que callarse no es decir que "
            "sí.",
        ),
        ("E", "¿Has visto situaciones de violencia sexual entre conocidos?"),
        (
            "P",
            "He escuchado de chicas a las que presionan por el chat para que manden fotos. A "
            "veces los mismos amigos comparten fotos de sus exenamoradas para burlarse. Eso "
            "es violencia, aunque muchos no lo vean así.",
        ),
        ("E", "¿Sientes celos en tu relación?"),
        (
            "P",
            "A veces sí, cuando ella sube fotos o sale con sus amigas. Pero trato de no "
            "revisarle nada. Lo aprendí viendo a mi primo, que controlaba a su pareja y "
            "terminó denunciado.",
        ),
        ("E", "¿Qué crees que te protegió de repetir la violencia?"),
        (
            "P",
            "Mi papá, sin duda, y haber estudiado. En el instituto conocí gente que piensa "
            "distinto y eso te abre la mente.",
        ),
    ),
)

T4 = Fieldwork(
    "T4",
    INTERVIEW,
    "aqp",
    D(2025, 5, 9),
    71,
    "Entrevista 4 · Arequipa · adulto de 47 años",
    "researcher",
    None,
    (
        ("E", "Cuénteme de su infancia, ¿dónde creció?"),
        (
            "P",
            "Nací en una comunidad de las alturas y llegué a la ciudad a los doce años. En "
            "el campo el papá corregía con chicote; así nos criaron a todos y nadie lo veía "
            "mal.",
        ),
        ("E", "¿Cómo recuerda esa forma de corregir?"),
        (
            "P",
            "Con tristeza. Me prometí no pegarle a mis hijos, pero la primera vez que mi "
            "hijo me faltó el respeto levanté la mano. Ahí me di cuenta de que lo llevaba "
            "dentro.",
        ),
        ("E", "¿Qué se esperaba de un hombre adulto en su comunidad?"),
        (
            "P",
            "Que mantenga a su familia y que su mujer le obedezca. Si la mujer salía sola, "
            "la gente hablaba, y el hombre quedaba como que no la controlaba.",
        ),
        ("E", "En las fiestas, ¿cómo era la relación con el alcohol?"),
        (
            "P",
            "En las fiestas patronales se toma tres o cuatro días. Ahí pasan muchas cosas: "
            "peleas, mujeres molestadas, y al día siguiente nadie se acuerda o dicen que fue "
            "el trago.",
        ),
        ("E", "¿Se hablaba de las relaciones sexuales forzadas?"),
        (
            "P",
            "No se hablaba. Si algo le pasaba a una muchacha, la familia lo arreglaba entre "
            "ellos o la culpaban a ella por estar en la fiesta. Eso pasaba y se callaba.",
        ),
        ("E", "¿Eso ha cambiado?"),
        (
            "P",
            "Algo ha cambiado. Ahora hay comisaría, hay CEM, las chicas denuncian más y los "
            "jóvenes saben que es delito. Antes uno ni sabía que existía la violación dentro "
            "de la pareja.",
        ),
        ("E", "¿Y usted cómo lo ve ahora?"),
        (
            "P",
            "Que no está bien obligar. Pero le soy honesto: entre los de mi edad todavía "
            "muchos piensan que la esposa no puede negarse. Cuesta, porque así lo "
            "aprendimos.",
        ),
        ("E", "¿Qué le ayudó a usted a pensar diferente?"),
        (
            "P",
            "Un curso de la municipalidad para padres de familia, y mi hija que estudia "
            "Derecho. Ella me explica las leyes y me corrige cuando digo algo machista.",
        ),
    ),
)

# Names a relative and places the participant knows: the transcript the demo
# de-identifies (the flags' pseudonyms replace them before coding).
T5 = Fieldwork(
    "T5",
    INTERVIEW,
    "iqt",
    D(2025, 6, 12),
    60,
    "Entrevista 5 · Iquitos · adulto de 39 años",
    "researcher",
    None,
    (
        ("E", "¿Cómo es ser hombre aquí?"),
        (
            "P",
            "Aquí en Iquitos el hombre tiene fama de mujeriego, de fiestero. Desde jóvenes "
            "los tíos te llevan a las fiestas y te dicen que tienes que demostrar que eres "
            "bien macho.",
        ),
        ("E", "¿Cómo fue tu primera experiencia de ese tipo?"),
        (
            "P",
            "A los catorce mis primos mayores me llevaron a un bar del puerto. Yo no quería, "
            "pero si me regresaba se iban a burlar todo el año. Fue más por ellos que por "
            "mí.",
        ),
        ("E", "¿Quién te enseñó sobre las relaciones de pareja?"),
        (
            "P",
            "Mi tío Wilber, el hermano de mi mamá. Mi papá se fue cuando yo era chico, y mi "
            "tío me llevaba a pescar y me decía que a una mujer se le respeta. Él nunca le "
            "levantó la mano a mi tía Gladys.",
        ),
        ("E", "¿Y en tu casa, cómo era?"),
        (
            "P",
            "Mi padrastro tomaba masato los fines de semana y se ponía celoso de mi mamá "
            "por cualquier cosa. Yo de chico me metía para defenderla y también recibía.",
        ),
        ("E", "¿Qué piensas ahora de los celos?"),
        (
            "P",
            "Que los celos te ciegan. Yo también he sido celoso con mi mujer, le decía con "
            "quién podía hablar en el mercado de Belén. Ella me hizo ver que eso la estaba "
            "apagando.",
        ),
        (
            "E",
            "¿Se ve como normal que hombres mayores estén con chicas muy jóvenes?",
        ),
        (
            "P",
            "Antes mucho más. Era común que una chica de quince estuviera con un señor de "
            "treinta y la familia lo aceptaba si él ayudaba con plata. Ahora la gente ya "
            "sabe que eso es abuso y se denuncia más.",
        ),
        ("E", "¿Por qué crees que cambió?"),
        (
            "P",
            "Por las campañas en la radio, por los profesores, y porque los chicos de ahora "
            "tienen celular y se informan. Mi hijo me corrige cuando digo algo que no está "
            "bien.",
        ),
        ("E", "¿Qué necesitan los hombres de tu edad para cambiar?"),
        (
            "P",
            "Un espacio donde hablar sin vergüenza. Aquí nadie te pregunta cómo te sientes. "
            "Si hubiera grupos de hombres en el barrio, yo iría.",
        ),
    ),
)

T6 = Fieldwork(
    "T6",
    INTERVIEW,
    "vmt",
    D(2025, 3, 27),
    49,
    "Entrevista 6 · Villa María del Triunfo · joven de 27 años",
    "lead",
    None,
    (
        ("E", "¿A qué te dedicas y con quién vives?"),
        (
            "P",
            "Manejo mototaxi y vivo con mi pareja y mi hijita de dos años en la parte alta "
            "del distrito. Antes vivía con mi abuela.",
        ),
        ("E", "¿Cómo era el ambiente en tu barrio cuando eras adolescente?"),
        (
            "P",
            "Había mucha pelea. Si no te defendías te agarraban de punto. Me junté con una "
            "mancha que tomaba en la esquina y ahí uno aprende que el que pega es el que "
            "manda.",
        ),
        ("E", "¿Y con las chicas, qué se aprendía en ese grupo?"),
        (
            "P",
            "Que había que ganarse a las chicas y que si una te hacía caso tenías derecho a "
            "todo. Hablaban de llevarlas a tomar para que se dejaran. Yo escuchaba eso como "
            "algo normal.",
        ),
        ("E", "¿Qué te hizo alejarte de ese grupo?"),
        (
            "P",
            "El hip hop. Entré a un colectivo de la zona donde hacíamos canciones sobre el "
            "barrio, y el profe del taller nos hablaba de respeto. Ahí encontré otros "
            "amigos.",
        ),
        ("E", "¿Cómo es tu relación de pareja ahora?"),
        (
            "P",
            "Tratamos de repartir las cosas de la casa. Al principio me costaba, sentía que "
            "cambiar pañales no era de hombre, pero ahora baño a mi hija y me gusta.",
        ),
        (
            "E",
            "¿Crees que entre los jóvenes hay menos tolerancia a la violencia sexual que antes?",
        ),
        (
            "P",
            "Depende. Muchos ya saben que no es no. Pero todavía hay chicos que dicen que si "
            "una chica manda una foto se lo buscó, y la comparten por los grupos. Eso es "
            "bien común.",
        ),
        ("E", "¿Y los celos?"),
        (
            "P",
            "Entre los jóvenes es peor que antes, por el celular. Mis amigos les piden la "
            "clave a sus enamoradas y si no la dan es porque algo esconden. Eso es control, "
            "pero lo ven como amor.",
        ),
        ("E", "¿Qué debería tener un taller para hombres jóvenes como tú?"),
        (
            "P",
            "Que no sea de sermón. Que sea con música, con juegos, con casos reales del "
            "barrio. Y que enseñen a hablar de lo que uno siente sin que te digan débil.",
        ),
    ),
)

FG1 = Fieldwork(
    "FG1",
    FOCUS_GROUP,
    "iqt",
    D(2025, 6, 14),
    95,
    "Grupo focal 1 · Iquitos · jóvenes de 20 a 29 años",
    "lead",
    "researcher",
    (
        (
            "MOD",
            "Buenas tardes. Vamos a conversar sobre cómo se vive la masculinidad en esta "
            "ciudad. ¿Qué significa para ustedes ser hombre?",
        ),
        ("P1", "Ser el que trae la plata y el que protege a su familia."),
        (
            "P2",
            "Para mí también ser responsable, pero no solo con la plata, también con los "
            "hijos, estar presente.",
        ),
        (
            "P3",
            "Aquí te enseñan que el hombre tiene que tener varias mujeres; si tienes una "
            "sola, los amigos te dicen que estás dominado.",
        ),
        ("MOD", "¿Qué opinan los demás de lo que dice él?"),
        (
            "P4",
            "Es verdad, pero eso está cambiando. En mi colegio había talleres y ahí "
            "aprendimos que eso también lastima a las mujeres.",
        ),
        (
            "P5",
            "Yo creo que el problema es el trago. En la fiesta de San Juan todos toman y ahí "
            "se pierden los límites; hay chicas a las que molestan y nadie dice nada.",
        ),
        ("MOD", "¿Cuándo creen que una relación sexual es forzada?"),
        (
            "P6",
            "Cuando la chica no quiere y el chico insiste hasta que cede. Muchos piensan que "
            "si insistes y al final acepta, ya está bien, pero no es así.",
        ),
        ("P2", "O cuando ella está mareada. Eso no es consentimiento."),
        (
            "P7",
            "En mi barrio se dice que si la chica sale de noche sola es porque quiere algo. "
            "Yo no estoy de acuerdo, pero mucha gente lo piensa, hasta las señoras.",
        ),
        ("MOD", "¿De dónde aprendieron lo que saben sobre sexualidad?"),
        (
            "P8",
            "De los amigos y del celular, más que nada. En la casa no se habla de eso; mi "
            "papá solo me dijo que me cuide.",
        ),
        (
            "P1",
            "Mi mamá sí me habló. Ella me dijo que respete a las chicas como quisiera que "
            "respeten a mi hermana.",
        ),
        ("MOD", "¿Cómo ven los celos en las parejas de su edad?"),
        (
            "P3",
            "Todos revisamos el celular de la enamorada, es normal. Si no lo haces, es "
            "porque no te importa.",
        ),
        (
            "P4",
            "Para mí eso es control. Mi hermana terminó con un chico que le revisaba todo y "
            "hasta le decía cómo vestirse.",
        ),
        ("MOD", "¿Ven diferencias con la generación de sus padres?"),
        (
            "P5",
            "Nuestros papás pensaban que pegarle a la mujer era normal si ella fallaba. "
            "Nosotros ya sabemos que es delito, aunque el machismo sigue.",
        ),
        (
            "P6",
            "Los mayores dicen que las chicas de ahora son muy libres y que por eso pasan "
            "cosas. Es culparlas a ellas.",
        ),
        ("MOD", "Para terminar, ¿qué los ha ayudado a no ser violentos?"),
        (
            "P7",
            "El deporte y el grupo de jóvenes de la parroquia. Ahí hablamos de estas cosas "
            "sin burla.",
        ),
        ("P2", "Mi papá. Él nunca le gritó a mi mamá, y eso lo tengo como ejemplo."),
    ),
)

FG2 = Fieldwork(
    "FG2",
    FOCUS_GROUP,
    "vmt",
    D(2025, 4, 5),
    105,
    "Grupo focal 2 · Villa María del Triunfo · adultos de 35 a 50 años",
    "lead",
    "researcher",
    (
        (
            "MOD",
            "Buenas noches, gracias por venir. Quisiéramos conversar sobre cómo eran las "
            "cosas entre hombres y mujeres cuando ustedes eran jóvenes y cómo son ahora.",
        ),
        (
            "P1",
            "Cuando yo era joven el hombre mandaba y punto. La mujer en la casa, con los "
            "hijos. Si ella trabajaba, era porque el hombre no alcanzaba.",
        ),
        (
            "P2",
            "Y si la mujer contestaba, le caía. Así era en mi casa y en la de todos mis vecinos.",
        ),
        ("MOD", "¿Cómo vivieron eso de niños?"),
        (
            "P3",
            "Yo veía a mi papá pegarle a mi mamá cuando llegaba borracho. Uno crece con eso "
            "y piensa que así se arreglan las cosas.",
        ),
        (
            "P4",
            "En mi caso era mi mamá la que nos pegaba, con lo que encontraba. Después "
            "entendí que ella también recibía golpes de mi papá.",
        ),
        ("MOD", "¿Cómo se hablaba de la sexualidad en esa época?"),
        (
            "P5",
            "No se hablaba. Lo que sabíamos era por los amigos del barrio, y te decían que "
            "la mujer dice que no pero quiere decir que sí.",
        ),
        ("P1", "Eso se decía mucho. Y que la esposa no se podía negar, que era su deber."),
        ("MOD", "¿Eso ha cambiado?"),
        (
            "P6",
            "Para mí sí. Mis hijos ya no piensan así; en el colegio les enseñan que el "
            "cuerpo es de cada uno y que se tiene que respetar.",
        ),
        (
            "P2",
            "Yo no estoy tan seguro. Los jóvenes de ahora están en la calle, tomando, y con "
            "el celular ven cosas peores que las que veíamos nosotros.",
        ),
        (
            "P7",
            "Yo creo que la ley ha cambiado más que la gente. Ahora hay denuncia, hay CEM, "
            "pero en la cabeza de muchos hombres sigue igual.",
        ),
        ("MOD", "¿Qué papel tiene el alcohol?"),
        (
            "P3",
            "Es el detonante. Sano no le haría nada, pero con el trago salen los celos y la "
            "cólera.",
        ),
        ("P4", "El trago es excusa. Hay hombres que sin tomar también pegan."),
        ("MOD", "¿Qué los ha ayudado a ustedes a cambiar?"),
        (
            "P6",
            "El club de fútbol del barrio. Los domingos después del partido conversamos, y "
            "cuando uno tiene problemas en la casa los amigos le aconsejan.",
        ),
        (
            "P5",
            "Mi esposa, que me llevó a una charla del CEM. Al principio fui a la fuerza, "
            "pero después entendí muchas cosas.",
        ),
        (
            "P7",
            "Mis hijas. Uno piensa en qué clase de hombre quiere para ellas y ahí se da "
            "cuenta de lo que uno mismo hace.",
        ),
    ),
)

FIELDWORK = (T1, T2, FG2, T6, T3, T4, T5, FG1)  # in the order they were held
DEIDENTIFIED = "T5"

# ------------------------------------------------------------------ the codebook

RISK = "Factores de riesgo"
PROTECTION = "Factores de protección"
CHANGE = "Cambio generacional"
SEXUALITY = "Sexualidad masculina"

CHILDHOOD = "Violencia en la infancia"
ALCOHOL = "Consumo de alcohol"
JEALOUSY = "Celos y control"
PEERS = "Presión de pares"
FATHER = "Padre presente y afectuoso"
SUPPORT = "Redes de apoyo"
EDUCATION = "Educación"
MORE_TOLERANT = "Mayor tolerancia"
LESS_TOLERANT = "Menor tolerancia"
INITIATION = "Iniciación sexual"
MANDATES = "Mandatos sobre la sexualidad"
CONSENT = "Consentimiento"  # added in the codebook's version 2

# (parent, definition, ((code, definition), ...)); version 1 of the codebook.
CODEBOOK: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        RISK,
        "Experiencias, normas y situaciones que los participantes relacionan con el uso o "
        "la justificación de la violencia, en cualquier momento del ciclo de vida.",
        (
            (
                CHILDHOOD,
                "Violencia vivida o presenciada en la familia durante la niñez: golpes, "
                "gritos, castigo físico, violencia del padre hacia la madre.",
            ),
            (
                ALCOHOL,
                "El alcohol como contexto, detonante o excusa de la violencia, incluida la "
                "violencia sexual en fiestas y reuniones.",
            ),
            (
                JEALOUSY,
                "Vigilancia y control de la pareja (decidir con quién habla, cómo se viste, "
                "adónde va) presentados como celos o como amor.",
            ),
            (
                PEERS,
                "Exigencias del grupo de amigos o de los hombres de la familia para "
                "demostrar hombría: tomar, pelear, tener relaciones sexuales y contarlas.",
            ),
        ),
    ),
    (
        PROTECTION,
        "Personas, experiencias y espacios que los participantes relacionan con no usar "
        "violencia o con dejar de usarla.",
        (
            (
                FATHER,
                "Un padre o una figura paterna (tío, abuelo, padrastro) que cuida, conversa "
                "y no usa violencia; también el participante como padre que cuida.",
            ),
            (
                SUPPORT,
                "Personas y grupos con quienes conversar y que sostienen el cambio: "
                "amistades, grupos de la parroquia, clubes, colectivos, el CEM.",
            ),
            (
                EDUCATION,
                "Escuela, instituto, talleres y cursos que dieron otra mirada sobre la "
                "violencia y la igualdad.",
            ),
        ),
    ),
    (
        CHANGE,
        "Comparaciones entre la generación del participante y la de sus padres o sus hijos "
        "sobre la tolerancia social a la violencia sexual.",
        (
            (
                MORE_TOLERANT,
                "Expresiones que justifican, minimizan o callan la violencia sexual o de "
                "pareja: culpar a la mujer, «era su obligación», «fue el trago».",
            ),
            (
                LESS_TOLERANT,
                "Expresiones de rechazo a la violencia o de cambio hacia menos tolerancia: "
                "saber que es delito, denunciar, corregir a otros.",
            ),
        ),
    ),
    (
        SEXUALITY,
        "Significados que los hombres dan a su sexualidad.",
        (
            (
                INITIATION,
                "Cómo y con quién se inicia la vida sexual, y qué papel tienen el grupo, la "
                "familia y el celular.",
            ),
            (
                MANDATES,
                "Normas sobre lo que un hombre debe ser o hacer en lo sexual: demostrar "
                "hombría, tener varias parejas, derechos sobre la esposa.",
            ),
        ),
    ),
)
CODEBOOK_V1_NOTE = "Primera versión, tras la lectura conjunta de dos entrevistas."
# Version 2: after the double coding, consent gets its own code and the definition of
# jealousy and control names the phone.
CONSENT_DEFINITION = (
    "Cómo entienden el acuerdo libre de ambas personas, y cuándo no lo hay: insistencia, "
    "alcohol, silencio."
)
JEALOUSY_V2 = (
    "Vigilancia y control de la pareja (revisar el celular, pedir las claves, decidir con "
    "quién habla, cómo se viste, adónde va) presentados como celos o como amor."
)
CODEBOOK_V2_NOTE = (
    "Se añade «Consentimiento» y se precisa «Celos y control» (el control por el celular) "
    "tras la prueba de confiabilidad."
)
CODE_MEMO = (
    CHILDHOOD,
    "Aparece en las tres ciudades y en las dos generaciones; los adultos lo cuentan como "
    "crianza normal, los jóvenes como algo que no quieren repetir.",
)

# ------------------------------------------------------------------ coding

LEAD, CODER, BOTH = "lead", "coder", "both"

# (turn number, words of the turn coded, code, who). In a double-coded transcript "both"
# is a passage both coders marked, coding blind; elsewhere ``who`` is the one coder.
Mark = tuple[int, str, str, str]

DOUBLE_CODED = ("T1", "T4", "FG2")
MERGED = ("T1", "T4")  # FG2 waits for the coders' discussion
# After discussing, the team keeps a code only one coder applied when the lead applied it,
# or when it is about alcohol (the coder saw it where the lead did not).
KEPT_AFTER_DISCUSSION = (ALCOHOL,)

CODING: dict[str, tuple[Mark, ...]] = {
    "T1": (
        (2, "Cuando tomaba se ponía agresivo y le gritaba a mi mamá", CHILDHOOD, BOTH),
        (2, "Cuando tomaba", ALCOHOL, BOTH),
        (4, "con una profesora de tutoría, entendí que eso era violencia", EDUCATION, BOTH),
        (6, "El que no tenía enamorada o no había estado con una chica", PEERS, BOTH),
        (6, "era el lorna del grupo", MANDATES, LEAD),
        (8, "Me decían que tenía que aprovechar", PEERS, BOTH),
        (8, "la chica estaba mareada", ALCOHOL, CODER),
        (10, "para el grupo era normal, hasta te felicitaban", MORE_TOLERANT, LEAD),
        (10, "para el grupo era normal, hasta te felicitaban", PEERS, CODER),
        (12, "le revisaba el celular a mi enamorada", JEALOUSY, BOTH),
        (14, "un señor nos hablaba de confianza", SUPPORT, BOTH),
        (14, "estaba repitiendo lo de mi papá", CHILDHOOD, LEAD),
        (16, "entre los jóvenes eso ya no pasa tanto", LESS_TOLERANT, BOTH),
        (16, "Los mayores dicen que la mujer provoca por cómo se viste", MORE_TOLERANT, BOTH),
        (18, "que el alcohol no sea el centro de todas las reuniones", ALCOHOL, BOTH),
        (18, "Espacios para hablar entre hombres sin que se burlen", SUPPORT, LEAD),
    ),
    "T4": (
        (2, "el papá corregía con chicote", CHILDHOOD, BOTH),
        (2, "así nos criaron a todos y nadie lo veía mal", MORE_TOLERANT, CODER),
        (4, "levanté la mano", CHILDHOOD, BOTH),
        (6, "el hombre quedaba como que no la controlaba", JEALOUSY, BOTH),
        (8, "se toma tres o cuatro días", ALCOHOL, BOTH),
        (8, "dicen que fue el trago", MORE_TOLERANT, BOTH),
        (10, "la culpaban a ella por estar en la fiesta", MORE_TOLERANT, BOTH),
        (12, "las chicas denuncian más y los jóvenes saben que es delito", LESS_TOLERANT, BOTH),
        (14, "muchos piensan que la esposa no puede negarse", MORE_TOLERANT, BOTH),
        (14, "muchos piensan que la esposa no puede negarse", MANDATES, LEAD),
        (16, "Un curso de la municipalidad para padres de familia", EDUCATION, BOTH),
        (16, "Un curso de la municipalidad para padres de familia", SUPPORT, CODER),
        (16, "mi hija que estudia", SUPPORT, LEAD),
    ),
    "FG2": (
        (2, "el hombre mandaba y punto", MANDATES, CODER),
        (3, "si la mujer contestaba, le caía", MORE_TOLERANT, BOTH),
        (5, "Yo veía a mi papá pegarle a mi mamá", CHILDHOOD, BOTH),
        (5, "cuando llegaba borracho", ALCOHOL, BOTH),
        (6, "era mi mamá la que nos pegaba", CHILDHOOD, BOTH),
        (8, "la mujer dice que no pero quiere decir que sí", MANDATES, BOTH),
        (8, "la mujer dice que no pero quiere decir que sí", MORE_TOLERANT, LEAD),
        (9, "la esposa no se podía negar", MANDATES, BOTH),
        (11, "en el colegio les enseñan que el cuerpo es de cada uno", LESS_TOLERANT, BOTH),
        (11, "en el colegio les enseñan", EDUCATION, CODER),
        (13, "en la cabeza de muchos hombres sigue igual", MORE_TOLERANT, BOTH),
        (15, "Es el detonante", ALCOHOL, BOTH),
        (15, "salen los celos y la cólera", JEALOUSY, CODER),
        (16, "El trago es excusa", ALCOHOL, LEAD),
        (18, "El club de fútbol del barrio", SUPPORT, BOTH),
        (19, "una charla del CEM", SUPPORT, BOTH),
    ),
    "T2": (
        (4, "Mi papá llegaba tomado los sábados y había gritos", CHILDHOOD, CODER),
        (4, "llegaba tomado", ALCOHOL, CODER),
        (4, "los vecinos decían que eran cosas de pareja", MORE_TOLERANT, CODER),
        (6, "la mujer tenía que cumplir con el marido, que era su obligación", MANDATES, CODER),
        (
            6,
            "la mujer tenía que cumplir con el marido, que era su obligación",
            MORE_TOLERANT,
            CODER,
        ),
        (8, "si uno era el que mantenía la casa tenía derechos", MANDATES, CODER),
        (10, "una charla del CEM en el comedor popular", SUPPORT, CODER),
        (12, "El trago no es excusa, pero lo hace peor", ALCOHOL, CODER),
        (14, "mis hijos por ejemplo cocinan y lavan", LESS_TOLERANT, CODER),
        (14, "chicos que controlan a sus enamoradas por el celular", JEALOUSY, CODER),
        (16, "algo habrá hecho ella", MORE_TOLERANT, CODER),
        (18, "Con mi compadre y con el grupo de la iglesia", SUPPORT, CODER),
    ),  # fmt: skip
    "T6": (
        (4, "el que pega es el que manda", PEERS, CODER),
        (4, "una mancha que tomaba en la esquina", ALCOHOL, CODER),
        (6, "si una te hacía caso tenías derecho a todo", MANDATES, CODER),
        (6, "llevarlas a tomar para que se dejaran", ALCOHOL, CODER),
        (6, "Yo escuchaba eso como algo normal", MORE_TOLERANT, CODER),
        (8, "el profe del taller nos hablaba de respeto", SUPPORT, CODER),
        (10, "ahora baño a mi hija y me gusta", FATHER, CODER),
        (12, "Muchos ya saben que no es no", CONSENT, CODER),
        (12, "si una chica manda una foto se lo buscó", MORE_TOLERANT, CODER),
        (14, "les piden la clave a sus enamoradas", JEALOUSY, CODER),
    ),
    "T3": (
        (2, "Él siempre nos abrazaba, nos ayudaba con las tareas", FATHER, LEAD),
        (4, "lo converso con él antes que con mis amigos", FATHER, LEAD),
        (6, "si no tomas con todos te dicen que eres poco hombre", PEERS, LEAD),
        (8, "Hay presión por tener relaciones pronto y por contarlo", INITIATION, LEAD),
        (8, "Se habla de las chicas como si fueran trofeos", MANDATES, LEAD),
        (10, "callarse no es decir que sí", CONSENT, LEAD),
        (10, "En el instituto tuvimos un taller", EDUCATION, LEAD),
        (12, "Eso es violencia, aunque muchos no lo vean así", MORE_TOLERANT, LEAD),
        (14, "trato de no revisarle nada", JEALOUSY, LEAD),
        (16, "Mi papá, sin duda", FATHER, LEAD),
        (16, "haber estudiado", EDUCATION, LEAD),
    ),
    "T5": (
        (2, "te dicen que tienes que demostrar que eres bien macho", MANDATES, LEAD),
        (2, "te dicen que tienes que demostrar que eres bien macho", PEERS, LEAD),
        (4, "si me regresaba se iban a burlar todo el año", PEERS, LEAD),
        (4, "mis primos mayores me llevaron a un bar del puerto", INITIATION, LEAD),
        (6, "me llevaba a pescar y me decía que a una mujer se le respeta", FATHER, LEAD),
        (8, "tomaba masato los fines de semana", ALCOHOL, LEAD),
        (8, "se ponía celoso de mi mamá", JEALOUSY, LEAD),
        (8, "Yo de chico me metía para defenderla y también recibía", CHILDHOOD, LEAD),
        (10, "le decía con quién podía hablar", JEALOUSY, LEAD),
        (12, "la familia lo aceptaba si él ayudaba con plata", MORE_TOLERANT, LEAD),
        (12, "Ahora la gente ya sabe que eso es abuso", LESS_TOLERANT, LEAD),
        (14, "Por las campañas en la radio, por los profesores", EDUCATION, LEAD),
        (16, "Si hubiera grupos de hombres en el barrio, yo iría", SUPPORT, LEAD),
    ),
    "FG1": (
        (4, "si tienes una sola, los amigos te dicen que estás dominado", PEERS, CODER),
        (4, "el hombre tiene que tener varias mujeres", MANDATES, CODER),
        (6, "eso está cambiando", LESS_TOLERANT, CODER),
        (6, "En mi colegio había talleres", EDUCATION, CODER),
        (7, "todos toman y ahí se pierden los límites", ALCOHOL, CODER),
        (7, "hay chicas a las que molestan y nadie dice nada", MORE_TOLERANT, CODER),
        (9, "Cuando la chica no quiere y el chico insiste hasta que cede", CONSENT, CODER),
        (10, "cuando ella está mareada. Eso no es consentimiento", CONSENT, CODER),
        (10, "cuando ella está mareada", ALCOHOL, CODER),
        (11, "si la chica sale de noche sola es porque quiere algo", MORE_TOLERANT, CODER),
        (13, "De los amigos y del celular", INITIATION, CODER),
        (14, "Ella me dijo que respete a las chicas", SUPPORT, CODER),
        (16, "Todos revisamos el celular de la enamorada", JEALOUSY, CODER),
        (17, "Para mí eso es control", JEALOUSY, CODER),
        (19, "Nosotros ya sabemos que es delito", LESS_TOLERANT, CODER),
        (20, "Los mayores dicen que las chicas de ahora son muy libres", MORE_TOLERANT, CODER),
        (22, "el grupo de jóvenes de la parroquia", SUPPORT, CODER),
        (23, "Él nunca le gritó a mi mamá", FATHER, CODER),
    ),
}
# (transcript, turn, words, memo): a coder's memo on a coded passage.
CODING_MEMOS = (
    ("T5", 6, "me llevaba a pescar y me decía que a una mujer se le respeta",
     "Figura paterna: el tío materno, no el padre. Comparar con otras entrevistas."),
    ("FG1", 10, "cuando ella está mareada. Eso no es consentimiento",
     "Respuesta inmediata de otro participante: el grupo comparte la idea."),
)  # fmt: skip

# ------------------------------------------------------------------ the curriculum

CURRICULUM_TITLE = "Los hombres renuncian a la violencia: formación de formadores"
CURRICULUM_DESCRIPTION = (
    "Formación de formadores para activistas comunitarias y comunitarios de los CEM en "
    "masculinidades positivas y prevención de la violencia sexual y de pareja, participativa "
    "y vivencial. Informada por la investigación formativa de la UPCH en Villa María del "
    "Triunfo, Arequipa e Iquitos (semilla 002)."
)
PLAN_MINUTES = 300  # five-hour sessions: 24 of them make the 120 accredited hours
TECHNIQUES = "Dinámicas vivenciales, sociodrama, análisis de casos del barrio, trabajo en pares."
MATERIALS = "Papelógrafos, plumones, tarjetas, casos impresos, parlante."

LEGAL = "Marco legal de la violencia de género"
# Version 1, the outline validated with the CEMs' activists: (module, session plans).
OUTLINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Masculinidades y poder", (
        "Cómo aprendimos a ser hombres",
        "El poder en la pareja y en la comunidad",
        "Mandatos de hombría y presión del grupo",
        "Masculinidades en Lima, Arequipa e Iquitos",
    )),
    ("Sexualidad masculina", (
        "Cuerpo, deseo y afectos",
        "Iniciación sexual y presión del grupo",
        "Sexualidad en la pareja: diálogo y cuidado",
    )),
    ("Violencia sexual: causas y consentimiento", (
        "Qué es la violencia sexual",
        "El consentimiento: libre, informado y revocable",
        "Alcohol, fiestas y violencia",
        "Mitos que culpan a las mujeres",
    )),
    ("Factores de riesgo y de protección a lo largo de la vida", (
        "Infancia: la violencia que aprendimos",
        "Adolescencia y juventud: pares, alcohol y celos",
        "Adultez: paternidad y cuidado",
        "Redes de apoyo entre hombres",
    )),
    ("Cambio generacional", (
        "Lo que cambió y lo que sigue igual",
        "Diálogo entre generaciones",
        "Campañas comunitarias",
    )),
    ("Facilitación de grupos de hombres", (
        "Técnicas participativas y vivenciales",
        "Manejo de resistencias en grupos de hombres",
        "Práctica supervisada de réplica",
    )),
    (LEGAL, (
        "La Ley 30364 explicada a los hombres",
        "Rutas de denuncia y atención",
    )),
)  # fmt: skip
# Version 2, after the validation: the legal module is dropped (its content goes to the
# generational change and the facilitation modules) and three sessions are added.
ADDED_PLANS = (
    ("Sexualidad masculina", "Redes sociales, imágenes y respeto"),
    ("Cambio generacional", "Leyes y servicios: el CEM y la Línea 100"),
    ("Facilitación de grupos de hombres", "Qué hacer ante una revelación de violencia"),
)
V2_NOTES = (
    "Versión redactada tras la validación con activistas de los CEM de Villa María del "
    "Triunfo, Arequipa e Iquitos: se integra el marco legal en otros módulos y se añaden "
    "las redes sociales, los servicios (CEM, Línea 100) y qué hacer ante una revelación."
)

KEEP, CHANGE_IT, DROP = Verdict.KEEP, Verdict.CHANGE, Verdict.DROP


@dataclass(frozen=True)
class Validation:
    place: str  # ubigeo
    held_on: dt.date
    with_whom: str
    women: int
    men: int
    notes: str
    # module title -> (verdict, comment)
    feedback: dict[str, tuple[str, str]]


# 70% of the CEMs' community activists are women (seed 002): so are the validators.
VALIDATIONS = (
    Validation(
        "150143",
        D(2025, 10, 8),
        "Activistas comunitarias y comunitarios del CEM Villa María del Triunfo",
        11,
        5,
        "Sesión de medio día en el local del CEM; se presentó el esquema módulo por módulo.",
        {
            "Masculinidades y poder": (KEEP, "Reconocen las situaciones del barrio; piden "
                                       "más tiempo para el sociodrama."),
            "Sexualidad masculina": (CHANGE_IT, "Agregar las redes sociales y el envío de "
                                     "fotos, muy presentes entre los jóvenes."),
            "Violencia sexual: causas y consentimiento": (KEEP, "El consentimiento se "
                                                          "entiende mejor con casos de "
                                                          "fiestas y alcohol."),
            "Factores de riesgo y de protección a lo largo de la vida": (KEEP, ""),
            "Cambio generacional": (KEEP, "Proponen invitar a padres e hijos a una misma "
                                    "sesión."),
            "Facilitación de grupos de hombres": (CHANGE_IT, "Falta qué hacer cuando un "
                                                  "participante cuenta que vive o ejerce "
                                                  "violencia."),
            LEGAL: (DROP, "Repite lo que ya enseñan los talleres del CEM; mejor integrarlo "
                    "en otros módulos."),
        },
    ),
    Validation(
        "040101",
        D(2025, 10, 22),
        "Activistas comunitarias y comunitarios del CEM Arequipa",
        9,
        4,
        "Validación en dos grupos (mujeres y hombres) y plenaria final.",
        {
            "Masculinidades y poder": (KEEP, ""),
            "Sexualidad masculina": (CHANGE_IT, "Hablar del acoso por el chat y de compartir "
                                     "fotos sin permiso."),
            "Violencia sexual: causas y consentimiento": (CHANGE_IT, "Incluir las fiestas "
                                                          "patronales como caso."),
            "Factores de riesgo y de protección a lo largo de la vida": (KEEP, "Muy "
                                                                         "pertinente."),
            "Cambio generacional": (KEEP, ""),
            "Facilitación de grupos de hombres": (CHANGE_IT, "Incluir cómo derivar al CEM y "
                                                  "a la Línea 100."),
            LEGAL: (DROP, "Mejor como parte de la sesión sobre servicios."),
        },
    ),
    Validation(
        "160101",
        D(2025, 11, 5),
        "Activistas comunitarias y comunitarios del CEM Iquitos",
        8,
        4,
        "Validación con apoyo de la coordinación regional de los CEM.",
        {
            "Masculinidades y poder": (CHANGE_IT, "Incorporar el estereotipo del hombre "
                                       "mujeriego y fiestero de la zona."),
            "Sexualidad masculina": (CHANGE_IT, "Añadir ejemplos de redes sociales."),
            "Violencia sexual: causas y consentimiento": (KEEP, ""),
            "Factores de riesgo y de protección a lo largo de la vida": (KEEP, ""),
            "Cambio generacional": (CHANGE_IT, "Hablar de las adolescentes con hombres "
                                    "mayores, antes tolerado."),
            "Facilitación de grupos de hombres": (KEEP, ""),
            LEGAL: (KEEP, "Útil para quienes no conocen la Ley 30364."),
        },
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Accreditation:
    institution: str
    credit_hours: int
    resolution: str
    accredited_on: dt.date
    expires_on: dt.date


ACCREDITATION = Accreditation(
    institution="Colegio de Psicólogos del Perú",
    credit_hours=120,
    resolution="Resolución N.º 0087-2026-CDN-CPsP (número ficticio de la demostración)",
    accredited_on=D(2026, 3, 16),
    expires_on=D(2029, 3, 15),
)

# ------------------------------------------------------------------ findings


@dataclass(frozen=True)
class FindingSpec:
    statement: str
    codes: tuple[str, ...]
    modules: tuple[str, ...]
    plans: tuple[str, ...]


FINDINGS = (
    FindingSpec(
        "La violencia vivida o presenciada en la infancia es el antecedente que más se "
        "menciona, en las tres ciudades y en las dos generaciones: los adultos la cuentan "
        "como crianza normal, los jóvenes como algo que no quieren repetir.",
        (CHILDHOOD,),
        ("Factores de riesgo y de protección a lo largo de la vida",),
        ("Infancia: la violencia que aprendimos",),
    ),
    FindingSpec(
        "El alcohol aparece a la vez como detonante y como excusa; en las fiestas (San "
        "Juan, fiestas patronales) se relaciona con la violencia sexual y con el silencio "
        "de quienes la ven.",
        (ALCOHOL, MORE_TOLERANT),
        ("Violencia sexual: causas y consentimiento",),
        ("Alcohol, fiestas y violencia",),
    ),
    FindingSpec(
        "Los jóvenes nombran el consentimiento (el silencio o la borrachera no son un sí), "
        "pero el control de la pareja por el celular se vive como amor y es más frecuente "
        "que en la generación anterior.",
        (CONSENT, JEALOUSY),
        ("Sexualidad masculina", "Violencia sexual: causas y consentimiento"),
        ("Redes sociales, imágenes y respeto", "El consentimiento: libre, informado y revocable"),
    ),
    FindingSpec(
        "Un padre o una figura paterna que cuida, y los espacios para conversar entre "
        "hombres (parroquia, club, colectivo), protegen: los participantes piden grupos de "
        "hombres sin burla y sin sermón.",
        (FATHER, SUPPORT),
        ("Factores de riesgo y de protección a lo largo de la vida",
         "Facilitación de grupos de hombres"),
        ("Redes de apoyo entre hombres", "Técnicas participativas y vivenciales"),
    ),
    FindingSpec(
        "La tolerancia declarada a la violencia sexual baja entre generaciones (saber que es "
        "delito, denunciar), pero culpar a la mujer por cómo se viste o por salir sigue "
        "presente en ambas.",
        (LESS_TOLERANT, MORE_TOLERANT),
        ("Cambio generacional",),
        ("Lo que cambió y lo que sigue igual", "Diálogo entre generaciones"),
    ),
    FindingSpec(
        "La presión del grupo para demostrar hombría (tomar, tener varias parejas, contarlo) "
        "empieza en la adolescencia y la sostienen primos, tíos y amigos.",
        (PEERS, MANDATES, INITIATION),
        ("Masculinidades y poder", "Sexualidad masculina"),
        ("Mandatos de hombría y presión del grupo", "Iniciación sexual y presión del grupo"),
    ),
)  # fmt: skip
EXCERPTS_PER_FINDING = 3

# ------------------------------------------------------------------ dissemination


@dataclass(frozen=True)
class Line:
    level: str
    audience: str
    product: str
    channel: str
    # A fixed date, or days from the build's day (so that what is planned stays ahead
    # and the overdue line stays overdue whenever the demo is built).
    planned: dt.date | int
    status: str
    done_on: dt.date | None = None


NATIONAL, REGIONAL, LOCAL = AudienceLevel.NATIONAL, AudienceLevel.REGIONAL, AudienceLevel.LOCAL
PLANNED, UNDER_WAY, DONE = (
    DisseminationStatus.PLANNED,
    DisseminationStatus.IN_PROGRESS,
    DisseminationStatus.DONE,
)

DISSEMINATION = (
    Line(NATIONAL, "Ministerio de la Mujer y Poblaciones Vulnerables (MIMP)",
         "Informe de resultados y resumen para políticas",
         "Reunión técnica con la Dirección General contra la Violencia de Género",
         D(2026, 4, 15), DONE, D(2026, 4, 22)),
    Line(NATIONAL, "Público general (campaña nacional del MIMP)",
         "Campaña «Los hombres renuncian a la violencia»: spots de radio y piezas para redes",
         "Radio y redes sociales del MIMP", 20, UNDER_WAY),
    Line(NATIONAL, "Comunidad académica", "Artículo científico con los resultados",
         "Revista científica arbitrada", 150, PLANNED),
    Line(REGIONAL, "Gobierno Regional de Arequipa", "Taller de devolución de resultados",
         "Taller presencial con la Gerencia Regional de Desarrollo Social",
         D(2026, 6, 10), DONE, D(2026, 6, 12)),
    Line(REGIONAL, "Gobierno Regional de Loreto", "Taller de devolución de resultados",
         "Taller presencial en Iquitos", 45, PLANNED),
    Line(LOCAL, "Municipalidad Distrital de Villa María del Triunfo",
         "Presentación de resultados a la Gerencia de Desarrollo Social",
         "Reunión con la gerencia y el comité de seguridad ciudadana", -60, PLANNED),
    Line(LOCAL, "CEM de Villa María del Triunfo, Arequipa e Iquitos",
         "Formación de activistas con el currículo acreditado",
         "Curso de formación de formadores", 90, PLANNED),
    Line(LOCAL, "Clubes deportivos y grupos juveniles de Iquitos",
         "Cartilla «Hablemos entre hombres»", "Ferias y entrega en los clubes", 120, PLANNED),
)  # fmt: skip
