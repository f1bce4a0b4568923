"""The trainings app's answer to a person's rights (S14, ARCO; docs/decisions/arco.md),
subscribed in ``TrainingsConfig.ready()`` to the registry's hooks.

- ``person_exported``: the person's enrolments, attendance, certificates and the cohorts
  they facilitate (other people: none; cohorts and programs by name).
- ``person_erased``: enrolments, attendance and facilitations stay, attached to the
  pseudonymous stub, so completions, reach and the cascade are unchanged; they hold no
  name. Certificates stay issued (cohorts stay certified, counts unchanged) under a fresh
  code: the code printed on the paper certificate, next to the person's name, no longer
  verifies (``/verify/<code>/``), and no PDF can be made (it needs the identity, which is
  gone). Nothing of this app is stored as a file: certificates are drawn when downloaded.
"""

from __future__ import annotations

from typing import Any

from cascada.registry.hooks import PersonErased, PersonExported

from .models import Attendance, Certificate, CohortFacilitator, Enrolment, certificate_code


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def person_exported(event: PersonExported) -> dict[str, list[dict[str, Any]]]:
    person = event.person
    enrolments = list(
        Enrolment.objects.filter(person=person)
        .select_related("cohort__program")
        .order_by("cohort__start_date", "id")
    )
    attendance = (
        Attendance.objects.filter(enrolment__person=person)
        .select_related("session__cohort")
        .order_by("session__date", "session__number")
    )
    certificates = list(
        Certificate.objects.filter(enrolment__person=person).select_related("enrolment__cohort")
    )
    facilitations = (
        CohortFacilitator.objects.filter(person=person)
        .select_related("cohort__program")
        .order_by("cohort__start_date")
    )
    event.audit_targets.extend(("trainings.enrolment", e.pk) for e in enrolments)
    event.audit_targets.extend(("trainings.certificate", c.pk) for c in certificates)
    return {
        "enrolments": [
            {
                "program": e.cohort.program.name,
                "cohort": e.cohort.name,
                "cohort_kind": e.cohort.kind,
                "start_date": _day(e.cohort.start_date),
                "end_date": _day(e.cohort.end_date),
                "status": e.status,
                "enrolled_on": _day(e.enrolled_on),
                "sessions_attended": e.sessions_attended,
                "completed": e.completed,
                "completed_on": _day(e.completed_on),
            }
            for e in enrolments
        ],
        "attendance": [
            {
                "cohort": a.session.cohort.name,
                "session": a.session.number,
                "date": _day(a.session.date),
                "status": a.status,
            }
            for a in attendance
        ],
        "certificates": [
            {
                "code": c.code,
                "cohort": c.enrolment.cohort.name,
                "issued_on": _day(c.issued_on),
                "hours": str(c.hours),
                "revoked": c.revoked,
            }
            for c in certificates
        ],
        "facilitation": [
            {
                "program": f.cohort.program.name,
                "cohort": f.cohort.name,
                "start_date": _day(f.cohort.start_date),
                "lead": f.is_lead,
            }
            for f in facilitations
        ],
    }


def person_erased(event: PersonErased) -> dict[str, int]:
    recoded = 0
    for certificate in Certificate.objects.filter(enrolment__person=event.person):
        code = certificate_code()
        while Certificate.objects.filter(code=code).exists():
            code = certificate_code()
        Certificate.objects.filter(pk=certificate.pk).update(code=code)
        recoded += 1
    return {"certificates": recoded}
