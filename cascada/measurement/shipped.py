"""The instruments Cascada ships: the GEM Scale (24 items) and the DHS items on
wife-beating. Facts and sources: ../shared/standards/gem-scale.md and
docs/decisions/measurement.md.

Loaded by migration 0002 as version 1 of each. These are version 1 for ever: a change
(a wording confirmed, a new item) is a new version written by a new migration or by a
coordinator (``services.version_new``), never an edit of this data, since scores name the
version that made them.

Wordings: ``published`` where the published text was read (English: the EMERGE record of
Pulerwitz and Barker 2008; Spanish: the Horizons PT/EN/ES handout, 7 items), else
``translation`` (a careful translation, not the published wording), and ``unverified``
for GEM item 24, whose published wording no public copy shows.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

P, T, U = "published", "translation", "unverified"

AGREE3 = [
    # code, Spanish, English, score (inequitable direction: agree = 1)
    ("agree", "De acuerdo", "Agree", 1),
    ("partly", "Parcialmente de acuerdo", "Partially agree", 2),
    ("disagree", "En desacuerdo", "Do not agree", 3),
]

# code, inequitable?, English, English wording, Spanish, Spanish wording
GEM_ITEMS: list[tuple[str, bool, str, str, str, str]] = [
    ("gem_decides_sex", True, "It is the man who decides what type of sex to have.", P,
     "Es el hombre quien debe decidir de qué forma tener las relaciones sexuales.", P),
    ("gem_woman_home", True,
     "A woman's most important role is to take care of her home and cook for her family.", P,
     "El papel más importante de las mujeres es cuidar de su casa y cocinar para su familia.", P),
    ("gem_men_need_sex", True, "Men need sex more than women do.", P,
     "Los hombres necesitan más sexo que las mujeres.", P),
    ("gem_no_talk_sex", True, "You don't talk about sex, you just do it.", P,
     "¡De sexo no se habla, se hace!", P),
    ("gem_condoms_easy", True, 'Women who carry condoms on them are "easy."', P,
     "Las mujeres que tienen condones en su bolsa son mujeres fáciles.", P),
    ("gem_other_women", True, "A man needs other women, even if things with his wife are fine.", P,
     "Un hombre necesita otras mujeres, aunque las cosas con su esposa estén bien.", T),
    ("gem_deserves_beaten", True, "There are times when a woman deserves to be beaten.", P,
     "Hay momentos en que una mujer merece ser golpeada.", T),
    ("gem_diapers_mother", True,
     "Changing diapers, giving the kids a bath, and feeding the kids are the mother's "
     "responsibility.", P,
     "Cambiar pañales, bañar y alimentar a un hijo son responsabilidades de la madre.", P),
    ("gem_woman_pregnancy", True, "It is a woman's responsibility to avoid getting pregnant.", P,
     "Es responsabilidad de una mujer evitar el embarazo.", P),
    ("gem_final_word", True, "A man should have the final word about decisions in his home.", P,
     "El hombre debe tener la última palabra en las decisiones de su hogar.", T),
    ("gem_always_ready", True, "Men are always ready to have sex.", P,
     "Los hombres siempre están dispuestos a tener relaciones sexuales.", T),
    ("gem_tolerate_violence", True,
     "A woman should tolerate violence in order to keep her family together.", P,
     "Una mujer debe tolerar la violencia para mantener unida a su familia.", T),
    ("gem_cheats_hit", True, "If a woman cheats on a man, it is okay for him to hit her.", P,
     "Si una mujer engaña a un hombre, está bien que él le pegue.", T),
    ("gem_defend_force", True,
     "If someone insults me, I will defend my reputation, with force if I have to.", P,
     "Si alguien me insulta, defenderé mi reputación, con la fuerza si es necesario.", T),
    ("gem_outraged_condom", True, "I would be outraged if my wife asked me to use a condom.", P,
     "Me indignaría si mi esposa me pidiera usar condón.", T),
    ("gem_hit_refuses_sex", True,
     "It is okay for a man to hit his wife if she won't have sex with him.", P,
     "Está bien que un hombre le pegue a su esposa si ella no quiere tener relaciones "
     "sexuales con él.", T),
    ("gem_gay_friend", True, "I would never have a gay friend.", P,
     "Nunca tendría un amigo gay.", T),
    ("gem_decide_children", False, "A couple should decide together if they want to have children.", P,
     "Una pareja debe decidir junta si quiere tener hijos.", T),
    ("gem_woman_suggest_condom", False,
     "In my opinion, a woman can suggest using condoms just like a man can.", P,
     "En mi opinión, una mujer puede proponer el uso del condón igual que un hombre.", T),
    ("gem_child_both", False,
     "If a guy gets a woman pregnant, the child is the responsibility of both.", P,
     "Si un hombre embaraza a una mujer, el hijo es responsabilidad de ambos.", T),
    ("gem_partner_likes", False, "A man should know what his partner likes during sex.", P,
     "Un hombre debe saber lo que le gusta a su pareja en las relaciones sexuales.", T),
    ("gem_father_present", False,
     "It is important that a father is present in the lives of his children, even if he is "
     "no longer with the mother.", P,
     "Es importante que un padre esté presente en la vida de sus hijos, aunque ya no esté "
     "con la madre.", T),
    ("gem_decide_contraceptive", False,
     "A man and a woman should decide together what type of contraceptive to use.", P,
     "Un hombre y una mujer deben decidir juntos qué tipo de anticonceptivo usar.", T),
    ("gem_male_friend", False,
     "It is important to have a male friend that you can talk about your problems with.", U,
     "Es importante tener un amigo hombre con quien hablar de tus problemas.", U),
]  # fmt: skip

DHS_OPTIONS = [
    ("yes", "Sí", "Yes", 1),
    ("no", "No", "No", 0),
    ("dont_know", "No sabe", "Don't know", None),
]

DHS_REASONS = [
    ("dhs_goes_out", "goes out without telling him", "sale sin decirle"),
    ("dhs_neglects_children", "neglects the children", "descuida a los hijos"),
    ("dhs_argues", "argues with him", "discute con él"),
    (
        "dhs_refuses_sex",
        "refuses to have sex with him",
        "se niega a tener relaciones sexuales con él",
    ),
    ("dhs_burns_food", "burns the food", "se le quema la comida"),
]


def gem() -> dict[str, Any]:
    return {
        "code": "gem",
        "name_es": "Escala GEM (Escala de Hombres con Equidad de Género)",
        "name_en": "GEM Scale (Gender-Equitable Men Scale)",
        "description": (
            "24 ítems: 17 «no equitativos» y 7 «equitativos» (invertidos). Puntaje de 24 a "
            "72; un puntaje más alto indica actitudes más equitativas."
        ),
        "source": (
            "Pulerwitz, J. and Barker, G. (2008). Measuring attitudes toward gender norms "
            "among young men in Brazil: development and psychometric evaluation of the GEM "
            "Scale. Men and Masculinities 10(3): 322-338."
        ),
        "version": {
            "scoring": "sum",
            "higher_means_es": "más equitativo",
            "higher_means_en": "more equitable",
            # Up to 2 of 24 unanswered: the total is prorated (docs/decisions/measurement.md).
            "max_missing": 2,
            "category_rule": {
                "kind": "equal_thirds",
                "labels": [
                    ["low", "Baja equidad", "Low equity"],
                    ["moderate", "Equidad moderada", "Moderate equity"],
                    ["high", "Alta equidad", "High equity"],
                ],
            },
            "notes": (
                "Los puntos de corte publicados no coinciden (una fuente muy copiada da "
                "1–23 para «baja», que 24 ítems no pueden sumar): por defecto las categorías "
                "son tercios iguales del rango: 24–39, 40–55 y 56–72."
            ),
        },
        "subscales": [
            ("inequitable", "Ítems no equitativos", "Inequitable items"),
            ("equitable", "Ítems equitativos", "Equitable items"),
        ],
        "options": [("agree3", *o) for o in AGREE3],
        "items": [
            {
                "code": code,
                "text_en": en,
                "wording_en": en_w,
                "text_es": es,
                "wording_es": es_w,
                "scale": "agree3",
                "reverse": not inequitable,
                "subscale": "inequitable" if inequitable else "equitable",
            }
            for code, inequitable, en, en_w, es, es_w in GEM_ITEMS
        ],
    }


def dhs() -> dict[str, Any]:
    return {
        "code": "dhs-wife-beating",
        "name_es": "Justificación de la violencia contra la esposa (DHS)",
        "name_en": "Attitudes towards wife-beating (DHS)",
        "description": (
            "¿Se justifica que un esposo golpee a su esposa si ella…? Cinco razones; "
            "se informa la proporción que responde «sí» a al menos una."
        ),
        "source": "Demographic and Health Surveys, variables v744a-e (indicator WE_AWBT).",
        "version": {
            "scoring": "any",
            "higher_means_es": "justifica la violencia por al menos una razón",
            "higher_means_en": "justifies wife-beating for at least one reason",
            # "Don't know" is not "yes": a respondent who answered at least one reason
            # has a result.
            "max_missing": 4,
            "category_rule": {
                "kind": "cutoffs",
                "upper": [0],
                "labels": [
                    ["no", "No justifica", "Does not justify"],
                    ["yes", "Justifica", "Justifies"],
                ],
            },
            "notes": "",
        },
        "subscales": [],
        "options": [("yes_no_dk", *o) for o in DHS_OPTIONS],
        "items": [
            {
                "code": code,
                "text_en": f"Is a husband justified in hitting or beating his wife if she {en}?",
                "wording_en": P,
                "text_es": f"¿Se justifica que un esposo golpee a su esposa si ella {es}?",
                "wording_es": T,
                "scale": "yes_no_dk",
                "reverse": False,
                "subscale": "",
            }
            for code, en, es in DHS_REASONS
        ],
    }


SHIPPED = (gem, dhs)


def ensure() -> int:
    """Load the shipped instruments that are missing (a database flushed after its
    migrations ran: tests that truncate tables). Returns how many were loaded."""
    from django.apps import apps

    Instrument = apps.get_model("measurement", "Instrument")
    present = set(
        Instrument.objects.filter(organization__isnull=True).values_list("code", flat=True)
    )
    missing = tuple(make for make in SHIPPED if make()["code"] not in present)
    load(apps, only=missing)
    return len(missing)


def load(apps: Any, only: Any = None) -> None:
    """Create version 1 of every shipped instrument, published (migration 0002)."""
    Instrument = apps.get_model("measurement", "Instrument")
    Version = apps.get_model("measurement", "InstrumentVersion")
    Subscale = apps.get_model("measurement", "Subscale")
    Option = apps.get_model("measurement", "ResponseOption")
    Item = apps.get_model("measurement", "Item")
    for make in SHIPPED if only is None else only:
        data = make()
        instrument = Instrument.objects.create(
            organization=None,
            code=data["code"],
            name_es=data["name_es"],
            name_en=data["name_en"],
            description=data["description"],
            source=data["source"],
        )
        version = Version.objects.create(
            instrument=instrument,
            number=1,
            status="published",
            published_at=timezone.now(),
            **data["version"],
        )
        subscales = {
            code: Subscale.objects.create(
                version=version, code=code, name_es=es, name_en=en, position=n
            )
            for n, (code, es, en) in enumerate(data["subscales"])
        }
        for n, (scale, code, es, en, score) in enumerate(data["options"]):
            Option.objects.create(
                version=version,
                scale=scale,
                code=code,
                label_es=es,
                label_en=en,
                score=score,
                position=n,
            )
        for n, item in enumerate(data["items"], start=1):
            Item.objects.create(
                version=version,
                position=n,
                subscale=subscales.get(item.pop("subscale")),
                **item,
            )
