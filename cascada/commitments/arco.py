"""Commitments' answers to the registry's person hooks (merge, S14 ARCO; subscribed in
``CommitmentsConfig.ready()``; docs/decisions/arco.md and commitments.md).

- ``person_merged``: the commitments whose focal point is the duplicate, and the
  testimonies it gave, move to the record kept.
- ``person_exported``: the commitments the person is focal point of (initiative,
  institution) and the testimonies they gave (quote, date, consent).
- ``person_erased``: a testimony keeps its quote and its institution, never a person: its
  author and the author's role are removed. The person's name, wherever it was written in
  a commitment's texts (people responsible, activities, mentoring notes, lessons, quotes,
  milestone notes, evidence descriptions and file names; a file's content cannot be
  rewritten) is replaced by the person's new code (``scrub``). A commitment keeps the pseudonymous
  record as its focal point, so that who reported stays traceable without a name.
"""

from __future__ import annotations

import re
from typing import Any

from cascada.imports.values import normalize_text
from cascada.registry.hooks import PersonErased, PersonExported, PersonMerged
from cascada.registry.models import Identity

from .models import (
    Commitment,
    CommitmentVersion,
    LessonLearned,
    MentoringSession,
    Milestone,
    MilestoneEvidence,
    Testimony,
)

_WORD = re.compile(r"\w+")


def person_merged(event: PersonMerged) -> dict[str, int]:
    focal = Commitment.objects.filter(focal_point=event.merged).update(focal_point=event.kept)
    quotes = Testimony.objects.filter(author=event.merged).update(author=event.kept)
    return {"commitments as focal point": focal, "testimonies given": quotes}


def person_exported(event: PersonExported) -> dict[str, list[dict[str, Any]]]:
    person = event.person
    commitments = Commitment.objects.filter(focal_point=person).select_related(
        "initiative", "institution"
    )
    testimonies = Testimony.objects.filter(author=person).select_related("author_institution")
    for t in testimonies:
        event.audit_targets.append(("commitments.testimony", t.pk))
    return {
        "commitments_focal_point": [
            {"initiative": c.initiative.name, "institution": c.institution.name, "status": c.status}
            for c in commitments
        ],
        "testimonies": [
            {
                "quote": t.quote,
                "institution": t.author_institution.name,
                "role": t.author_role,
                "recorded_on": t.recorded_on.isoformat(),
                "consent_to_publish": t.consent_to_publish,
                "consent_on": t.consent_on.isoformat() if t.consent_on else None,
            }
            for t in testimonies
        ],
    }


# Joining words of Spanish and Portuguese names: never a name by themselves ("taller de la
# comunidad" names nobody), but kept inside a run ("Juana de la Cruz").
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos"})


def name_words(full_name: str) -> set[str]:
    """The words of a registered name (accents and case folded), without particles."""
    return {w for w in normalize_text(full_name).split() if w not in PARTICLES}


def _name_words(person: Any) -> set[str]:
    words: set[str] = set()
    for identity in Identity.objects.filter(person=person):
        words |= name_words(identity.full_name)
    return words


def scrub(text: str, words: set[str], replacement: str) -> str:
    """``text`` with every run of two or more of ``words`` (accents and case aside,
    particles allowed between them) replaced by ``replacement``: "Juana Pérez Díaz
    coordina" -> "K7P2QX9A coordina". A word alone is left: a given name would match
    everyone."""
    if not text or not words:
        return text
    tokens = list(_WORD.finditer(text))
    out, last, i = [], 0, 0
    while i < len(tokens):
        if normalize_text(tokens[i].group()) not in words:
            i += 1
            continue
        j, end, names = i, i, 1
        # the run goes on over spaces, through name words and particles
        while j + 1 < len(tokens) and not text[tokens[j].end() : tokens[j + 1].start()].strip():
            following = normalize_text(tokens[j + 1].group())
            if following in words:
                names, end = names + 1, j + 1
            elif following not in PARTICLES:
                break
            j += 1
        if names >= 2:
            out += [text[last : tokens[i].start()], replacement]
            last = tokens[end].end()
            i = end + 1
        else:
            i += 1
    out.append(text[last:])
    return "".join(out)


def person_erased(event: PersonErased) -> dict[str, int]:
    person = event.person
    code = str(event.extra.get("new_code") or "")
    stripped = 0
    for t in Testimony.objects.filter(author=person):
        t.author, t.author_role = None, ""
        t.save(update_fields=["author", "author_role"])
        stripped += 1
    words = _name_words(person)
    texts = 0
    scopes: list[tuple[Any, tuple[str, ...]]] = [
        (CommitmentVersion.objects.all(), ("people_responsible", "activities", "note")),
        (MentoringSession.objects.all(), ("topics", "next_steps", "follow_up")),
        (LessonLearned.objects.all(), ("text",)),
        (Milestone.objects.all(), ("note",)),
        (MilestoneEvidence.objects.all(), ("description", "original_name")),
        (Testimony.objects.all(), ("quote",)),
    ]
    if words:
        for rows, fields in scopes:
            for row in rows.only("pk", *fields):
                changed = {f: scrub(getattr(row, f), words, code) for f in fields}
                changed = {f: v for f, v in changed.items() if v != getattr(row, f)}
                if changed:
                    type(row).objects.filter(pk=row.pk).update(**changed)
                    texts += 1
    return {"testimonies without their author": stripped, "texts without the name": texts}
