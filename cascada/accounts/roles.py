"""Roles per organization and what each may do. The one place where this is decided."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    COORDINATOR = "coordinator", _("Coordinator")
    FACILITATOR = "facilitator", _("Facilitator")
    ME_OFFICER = "me_officer", _("M&E officer")
    VIEWER = "viewer", _("Viewer")
    AUDITOR = "auditor", _("Auditor")


class Cap:
    """Capabilities. Views, API and services ask for a capability, never for a role."""

    VIEW_PEOPLE = "view_people"  # pseudonymous person records (code, sex, age, place)
    VIEW_IDENTITY = "view_identity"  # names, ID numbers, phone, address (S3)
    MANAGE_PEOPLE = "manage_people"
    # Erase a person's personal data at their request (S14, ARCO cancellation): not
    # undoable, so its own capability (docs/decisions/arco.md).
    ERASE_PEOPLE = "erase_people"
    MANAGE_CURRICULA = "manage_curricula"
    MANAGE_PROGRAMS = "manage_programs"  # programs, cohorts, sessions, enrolments
    TAKE_ATTENDANCE = "take_attendance"
    ISSUE_CERTIFICATES = "issue_certificates"
    VIEW_AGGREGATES = "view_aggregates"  # suppressed for roles without VIEW_PEOPLE (S17)
    EXPORT = "export"
    IMPORT = "import"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT = "view_audit"  # S11
    RECORD_CONSENT = "record_consent"
    # Register a new participant into a cohort and enrol people in it; a cohort-bound
    # role (facilitator) only in the cohorts it facilitates (docs/decisions/roster.md).
    REGISTER_PARTICIPANTS = "register_participants"
    # Attitude measurement (docs/decisions/measurement.md): define instruments and open
    # survey rounds; enter or import answers; read one respondent's answers (about
    # violence: S3, never to facilitators or viewers). Aggregates of answers are
    # VIEW_AGGREGATES, through the disclosure control for viewers (S17).
    MANAGE_MEASUREMENT = "manage_measurement"
    RECORD_ANSWERS = "record_answers"
    VIEW_ANSWERS = "view_answers"
    # Indicators (issue 14): define an organization's own indicators, baselines, targets and
    # the DHIS2 mapping; ask for a refill (docs/decisions/indicators.md).
    MANAGE_INDICATORS = "manage_indicators"


ALL = {v for k, v in vars(Cap).items() if k.isupper()}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(ALL - {Cap.VIEW_AUDIT}),
    Role.COORDINATOR: frozenset(ALL - {Cap.VIEW_AUDIT, Cap.MANAGE_MEMBERS}),
    Role.FACILITATOR: frozenset(
        {
            Cap.VIEW_PEOPLE,
            Cap.TAKE_ATTENDANCE,
            Cap.RECORD_CONSENT,
            Cap.VIEW_AGGREGATES,
            Cap.REGISTER_PARTICIPANTS,
            Cap.RECORD_ANSWERS,  # transcribing a paper questionnaire in their cohorts
        }
    ),
    Role.ME_OFFICER: frozenset(
        {
            Cap.VIEW_PEOPLE,
            Cap.VIEW_AGGREGATES,
            Cap.EXPORT,
            Cap.MANAGE_MEASUREMENT,
            Cap.RECORD_ANSWERS,
            Cap.VIEW_ANSWERS,
            Cap.MANAGE_INDICATORS,
        }
    ),
    Role.VIEWER: frozenset({Cap.VIEW_AGGREGATES}),
    Role.AUDITOR: frozenset({Cap.VIEW_AUDIT}),
}

# S6: every role that can see data about people (even pseudonymous) must use TOTP.
TWO_FACTOR_ROLES = frozenset(
    r for r, caps in CAPABILITIES.items() if caps & {Cap.VIEW_PEOPLE, Cap.VIEW_AUDIT}
)

# Roles that only see people of the cohorts they facilitate, not their whole organization.
COHORT_BOUND_ROLES = frozenset({Role.FACILITATOR})
