"""Safeguarding's answers to the registry's person hooks (merge, S14 ARCO; subscribed in
``SafeguardingConfig.ready()``; docs/decisions/safeguarding.md).

- ``person_merged``: the duplicate's cases move to the record kept.
- Neither answer returns a count: the merge's summary, the erasure's receipt and their
  audit rows would tell whoever reads them that a case was recorded about the person.
- ``person_erased``: the link from a case to the person is removed and the free-text notes
  of the case and its referrals are erased; what remains (kind, urgency, dates, steps)
  names nobody and keeps the counts.
- No answer to ``person_exported``: a case is not the participant's own record (it is
  often about the risk a partner or a child runs because of him); a copy of it would tell
  him that a referral was made. The lead answers such a request case by case."""

from __future__ import annotations

from cascada.registry.hooks import PersonErased, PersonMerged

from .models import CaseAccess, Disclosure, Referral


def person_merged(event: PersonMerged) -> dict[str, int]:
    Disclosure.objects.filter(person=event.merged).update(person=event.kept)
    return {}  # no count: the merge's summary (and its audit row) must not say a case exists


def person_erased(event: PersonErased) -> dict[str, int]:
    cases = list(Disclosure.objects.filter(person=event.person).values_list("pk", flat=True))
    # Every free text of the case may name him: notes, the override's reason, the reasons
    # someone was let in, the closing note.
    Referral.objects.filter(disclosure_id__in=cases).update(notes="", override_reason="—")
    CaseAccess.objects.filter(disclosure_id__in=cases).update(reason="—")
    Disclosure.objects.filter(pk__in=cases).update(person=None, notes="", closing_note="")
    # No count in the answer: the erasure's audit row and the receipt given to the person
    # list every answer's counts, and "1 safeguarding case" tells them a case exists.
    return {}
