"""The recruitment log: screening (eligibility and exclusion), consent within the quota,
declining and withdrawing. The rules (docs/decisions/research.md):
- an answer that a screening question says excludes, or an age outside every age group,
  excludes the person; the reasons are kept in words (the criteria's reasons);
- only an eligible person gives consent, with a consent form version of the study, and only
  while the quota of their site × age group × method is not met (people who took part);
- every screened person gets a code (``MRV-001``); their name and contact, when given, are
  kept apart and encrypted (S12, S13), read by the lead and researchers only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError

from ..models import (
    ConsentForm,
    Method,
    Quota,
    Recruit,
    RecruitStatus,
    Site,
    Stratum,
    Study,
)
from ..selectors import may_field
from .base import _allow, _text, _user, not_in_future


def screening_outcome(
    study: Study, *, age: int, answers: Mapping[int, bool]
) -> tuple[Stratum | None, list[str]]:
    """The age group a person falls in (None: outside every group, which excludes too) and
    the criteria's reasons that exclude them. Every screening question must be answered."""
    reasons: list[str] = []
    for question in study.questions.all():
        if question.pk not in answers or answers[question.pk] is None:
            raise ApplicationError(
                _("Answer every screening question: %(q)s") % {"q": question.text},
                extra={"field": f"q_{question.pk}"},
            )
        if bool(answers[question.pk]) == question.excludes_when:
            reasons.append(question.reason)
    stratum = Stratum.objects.filter(study=study, age_min__lte=age, age_max__gte=age).first()
    return stratum, reasons


def _next_code(study: Study) -> str:
    prefix = f"{study.code}-"
    numbers = [
        int(code[len(prefix) :])
        for code in Recruit.objects.filter(study=study, code__startswith=prefix).values_list(
            "code", flat=True
        )
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{(max(numbers) if numbers else 0) + 1:03d}"


@transaction.atomic
def recruit_screen(
    *,
    actor: Any,
    study: Study,
    site: Site,
    method: str,
    age: int,
    answers: Mapping[int, bool],
    screened_on: dt.date,
    name: str = "",
    contact: str = "",
) -> Recruit:
    """Write a screened person in the recruitment log, eligible or excluded with the
    reasons."""
    _allow(actor, may_field(actor, study))
    if site.study_id != study.pk:
        raise ApplicationError(_("Choose a site of this study."), extra={"field": "site"})
    if method not in Method.values:
        raise ApplicationError(_("Unknown method."), extra={"field": "method"})
    if not (10 <= int(age) <= 110):
        raise ApplicationError(_("Give the age in years, from 10 to 110."), extra={"field": "age"})
    not_in_future(study, screened_on, field="screened_on")
    Study.objects.select_for_update().filter(pk=study.pk).first()  # one code at a time
    stratum, reasons = screening_outcome(study, age=int(age), answers=answers)
    recruit = Recruit.objects.create(
        study=study,
        code=_next_code(study),
        site=site,
        stratum=stratum,
        method=method,
        age=int(age),
        screened_on=screened_on,
        screened_by=_user(actor),
        answers={str(k): bool(v) for k, v in answers.items()},
        status=RecruitStatus.EXCLUDED if reasons or stratum is None else RecruitStatus.ELIGIBLE,
        exclusion="; ".join(reasons)[:300],
        name=_text(name, 200, field="name", label=_("Name")),
        contact=_text(contact, 200, field="contact", label=_("Phone or contact")),
    )
    audit_record(actor=actor, action="create", target=recruit, detail={"status": recruit.status})
    return recruit


def quota_taken(quota: Quota) -> int:
    """People of the quota's cell who took part in an event of its method."""
    return (
        Recruit.objects.filter(
            study_id=quota.study_id,
            site_id=quota.site_id,
            stratum_id=quota.stratum_id,
            method=quota.method,
            status=RecruitStatus.CONSENTED,
            events__method=F("method"),
        )
        .distinct()
        .count()
    )


def recruit_quota(recruit: Recruit) -> Quota | None:
    if recruit.stratum_id is None:
        return None
    return Quota.objects.filter(
        site_id=recruit.site_id, stratum_id=recruit.stratum_id, method=recruit.method
    ).first()


@transaction.atomic
def recruit_consent(
    *,
    actor: Any,
    recruit: Recruit,
    consent_form: ConsentForm,
    consented_on: dt.date,
    audio_consent: bool = False,
) -> Recruit:
    """Record an eligible person's informed consent (the form's version, the date, who took
    it), within the quota of their cell."""
    study = recruit.study
    _allow(actor, may_field(actor, study))
    Recruit.objects.select_for_update().filter(pk=recruit.pk).exists()  # one at a time
    recruit.refresh_from_db()
    if recruit.status == RecruitStatus.EXCLUDED:
        raise ApplicationError(
            _("%(code)s was excluded at screening (%(why)s): they cannot take part.")
            % {"code": recruit.code, "why": recruit.exclusion_reasons}
        )
    if recruit.status not in {RecruitStatus.ELIGIBLE, RecruitStatus.DECLINED}:
        raise ApplicationError(
            _("%(code)s is %(status)s.")
            % {"code": recruit.code, "status": recruit.get_status_display().lower()}
        )
    if consent_form.study_id != study.pk:
        raise ApplicationError(
            _("Choose a consent form of this study."), extra={"field": "consent_form"}
        )
    if consented_on < consent_form.approved_on:
        raise ApplicationError(
            _("This consent form version was approved after that date."),
            extra={"field": "consented_on"},
        )
    if consented_on < recruit.screened_on:
        raise ApplicationError(
            _("Consent cannot come before screening."), extra={"field": "consented_on"}
        )
    not_in_future(study, consented_on, field="consented_on")
    quota = recruit_quota(recruit)
    if quota is None:
        raise ApplicationError(
            _("The study has no quota for %(site)s, %(group)s, %(method)s.")
            % {
                "site": recruit.site,
                "group": recruit.stratum,
                "method": recruit.get_method_display().lower(),
            }
        )
    taken = quota_taken(quota)
    if taken >= quota.target:
        raise ApplicationError(
            _("The quota of %(site)s, %(group)s, %(method)s is met (%(n)s of %(target)s).")
            % {
                "site": recruit.site,
                "group": recruit.stratum,
                "method": recruit.get_method_display().lower(),
                "n": taken,
                "target": quota.target,
            }
        )
    recruit.status = RecruitStatus.CONSENTED
    recruit.consent_form = consent_form
    recruit.consented_on = consented_on
    recruit.consent_recorded_by = _user(actor)
    recruit.audio_consent = bool(audio_consent)
    recruit.save()
    audit_record(actor=actor, action="update", target=recruit, detail={"status": recruit.status})
    return recruit


@transaction.atomic
def recruit_set_status(*, actor: Any, recruit: Recruit, status: str) -> Recruit:
    """An eligible person who declines, or a participant who withdraws (their codings are
    left out of the analysis; their identity is erased)."""
    _allow(actor, may_field(actor, recruit.study))
    allowed: dict[str, set[str]] = {
        RecruitStatus.DECLINED: {RecruitStatus.ELIGIBLE},
        RecruitStatus.WITHDRAWN: {RecruitStatus.CONSENTED, RecruitStatus.ELIGIBLE},
    }
    if status not in allowed or recruit.status not in allowed[status]:
        raise ApplicationError(
            _("%(code)s cannot change from %(old)s to this status.")
            % {"code": recruit.code, "old": recruit.get_status_display().lower()}
        )
    recruit.status = status
    if status == RecruitStatus.WITHDRAWN:
        recruit.name = ""
        recruit.contact = ""
    recruit.save()
    audit_record(actor=actor, action="update", target=recruit, detail={"status": status})
    return recruit
