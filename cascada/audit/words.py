"""The audit trail in words, in the reader's language: what was done ("Viewed the list of
people"), to what ("Person ABC123"), from where, and the detail keys.

Rows store codes (``action``, ``target_type``, ``detail`` keys) so that each reader sees
them in their own language; this module is the one place that words them. An action or
type without words here (one added later) is shown as stored, never hidden.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import AuditEvent

PERSON = "registry.person"
ENROLMENT = "trainings.enrolment"

# What was done, when the kind of record changes the sentence. Actions carry the context
# "audit action" so that "Created" here and a "Created" elsewhere translate apart.
ACTION_ON: dict[tuple[str, str], Promise] = {
    ("view_list", PERSON): pgettext_lazy("audit action", "Viewed the list of people"),
    ("view_list", "trainings.cohort"): pgettext_lazy(
        "audit action", "Viewed a cohort's roster with names"
    ),
    ("view_list", "trainings.session"): pgettext_lazy(
        "audit action", "Viewed a session's roster with names"
    ),
    ("view", PERSON): pgettext_lazy("audit action", "Viewed a person's identity"),
    ("view", ENROLMENT): pgettext_lazy("audit action", "Viewed an enrolment with names"),
    ("create", PERSON): pgettext_lazy("audit action", "Registered a person"),
    ("update", PERSON): pgettext_lazy("audit action", "Changed a person's data"),
    ("delete", PERSON): pgettext_lazy("audit action", "Removed a person"),
    ("export", PERSON): pgettext_lazy("audit action", "Exported people"),
    ("export", ENROLMENT): pgettext_lazy("audit action", "Exported enrolments"),
    ("export", "trainings.attendance"): pgettext_lazy("audit action", "Exported attendance"),
    ("export", "trainings.program"): pgettext_lazy("audit action", "Exported a program's cascade"),
    ("create", "trainings.cohort"): pgettext_lazy("audit action", "Created a cohort"),
    ("update", "trainings.cohort"): pgettext_lazy("audit action", "Changed a cohort"),
    ("create", "trainings.program"): pgettext_lazy("audit action", "Created a program"),
    ("update", "trainings.session"): pgettext_lazy("audit action", "Changed a session"),
    ("create", "accounts.user"): pgettext_lazy("audit action", "Created a user account"),
    ("create", "registry.organization"): pgettext_lazy("audit action", "Created an organization"),
    ("create", "curricula.curriculum"): pgettext_lazy("audit action", "Created a curriculum"),
    ("create", "curricula.curriculumversion"): pgettext_lazy(
        "audit action", "Created a curriculum version"
    ),
    ("update", "curricula.curriculumversion"): pgettext_lazy(
        "audit action", "Changed a curriculum version"
    ),
    ("view", "networks.actionphoto"): pgettext_lazy(
        "audit action", "Viewed a photo of a community action"
    ),
    ("upload", "networks.actionupload"): pgettext_lazy(
        "audit action", "Uploaded a file of actions from the field"
    ),
    ("export", "networks.network"): pgettext_lazy(
        "audit action", "Downloaded a network's annual report"
    ),
}

# What was done, whatever the record.
ACTIONS: dict[str, Promise] = {
    "login": pgettext_lazy("audit action", "Signed in"),
    "logout": pgettext_lazy("audit action", "Signed out"),
    "login_failed": pgettext_lazy("audit action", "Failed sign-in"),
    "two_factor_enrolled": pgettext_lazy("audit action", "Set up two-step verification"),
    "two_factor_passed": pgettext_lazy("audit action", "Passed two-step verification"),
    "two_factor_failed": pgettext_lazy("audit action", "Failed two-step verification"),
    "role_grant": pgettext_lazy("audit action", "Gave a role"),
    "role_revoke": pgettext_lazy("audit action", "Took away a role"),
    "create": pgettext_lazy("audit action", "Created"),
    "update": pgettext_lazy("audit action", "Changed"),
    "delete": pgettext_lazy("audit action", "Removed"),
    "view": pgettext_lazy("audit action", "Viewed names"),
    "view_list": pgettext_lazy("audit action", "Viewed a list with names"),
    "search": pgettext_lazy("audit action", "Searched for people"),
    "check_documents": pgettext_lazy("audit action", "Checked ID documents"),
    "export": pgettext_lazy("audit action", "Exported"),
    "import": pgettext_lazy("audit action", "Imported a file"),
    "import_check": pgettext_lazy("audit action", "Checked an import file"),
    "import_reject": pgettext_lazy("audit action", "Rejected an import file"),
    "import_expire": pgettext_lazy("audit action", "Deleted an unconfirmed import file"),
    "share": pgettext_lazy("audit action", "Shared a program with an organization"),
    "facilitator_add": pgettext_lazy("audit action", "Added a facilitator to a cohort"),
    "sessions_generate": pgettext_lazy("audit action", "Created a cohort's sessions"),
    "enrol": pgettext_lazy("audit action", "Enrolled a person"),
    "withdraw": pgettext_lazy("audit action", "Withdrew an enrolment"),
    "close": pgettext_lazy("audit action", "Closed a cohort"),
    "reopen": pgettext_lazy("audit action", "Reopened a cohort"),
    "attendance": pgettext_lazy("audit action", "Recorded attendance"),
    "headcount": pgettext_lazy("audit action", "Recorded a headcount"),
    "certificate_issue": pgettext_lazy("audit action", "Issued a certificate"),
    "certificate_download": pgettext_lazy("audit action", "Downloaded a certificate"),
    "person_role_add": pgettext_lazy("audit action", "Gave a person a role"),
    "consent_grant": pgettext_lazy("audit action", "Recorded a consent"),
    "consent_withdraw": pgettext_lazy("audit action", "Recorded a withdrawal of consent"),
    "merge": pgettext_lazy("audit action", "Merged two records of a person"),
    # A person's rights (S14, ARCO: docs/decisions/arco.md)
    "arco_export": pgettext_lazy("audit action", "Gave a person a copy of all their data"),
    "erase": pgettext_lazy("audit action", "Erased a person's personal data"),
    "practicum": pgettext_lazy("audit action", "Recorded a practicum"),
    "import_stop": pgettext_lazy("audit action", "Stopped an import part way"),
    "indicator_plan": pgettext_lazy("audit action", "Set an indicator's baseline and targets"),
    # Background jobs (docs/decisions/jobs.md)
    "cancel": pgettext_lazy("audit action", "Cancelled a background job"),
    "finish": pgettext_lazy("audit action", "A background job ended"),
    # Backups (docs/decisions/backup.md)
    "backup_create": pgettext_lazy("audit action", "Made a backup"),
    "backup_restore": pgettext_lazy("audit action", "Restored a backup"),
    # Attitude measurement (docs/decisions/measurement.md)
    "item_confirm": pgettext_lazy("audit action", "Confirmed or replaced an item's wording"),
    "publish": pgettext_lazy("audit action", "Published an instrument version"),
    "upload": pgettext_lazy("audit action", "Uploaded a file of survey submissions"),
    "view_answers": pgettext_lazy("audit action", "Viewed respondents' answers"),
    # Safeguarding (docs/decisions/safeguarding.md)
    "safeguarding.list": pgettext_lazy("audit action", "Viewed the list of safeguarding cases"),
    "safeguarding.view": pgettext_lazy("audit action", "Viewed a safeguarding case"),
    "safeguarding.record": pgettext_lazy("audit action", "Recorded a safeguarding case"),
    "safeguarding.refer": pgettext_lazy("audit action", "Referred a case to a service"),
    "safeguarding.override": pgettext_lazy(
        "audit action", "Referred a case without consent (override)"
    ),
    "safeguarding.follow_up": pgettext_lazy("audit action", "Recorded a step of a referral"),
    "safeguarding.close": pgettext_lazy("audit action", "Closed a safeguarding case"),
    "safeguarding.access_grant": pgettext_lazy(
        "audit action", "Let someone into a safeguarding case"
    ),
    "safeguarding.access_revoke": pgettext_lazy(
        "audit action", "Took away someone's access to a safeguarding case"
    ),
    "safeguarding.lead_name": pgettext_lazy("audit action", "Named a safeguarding lead"),
    "safeguarding.lead_remove": pgettext_lazy("audit action", "Removed a safeguarding lead"),
    "safeguarding.court_agreement": pgettext_lazy(
        "audit action", "Recorded an agreement with a court"
    ),
    "safeguarding.court_notice": pgettext_lazy("audit action", "Notified a case to the court"),
    "safeguarding.service_create": pgettext_lazy(
        "audit action", "Added a service to the directory"
    ),
    "safeguarding.service_update": pgettext_lazy(
        "audit action", "Changed a service of the directory"
    ),
    # DHIS2 exchange (docs/decisions/dhis2.md)
    "dhis2.server_set": pgettext_lazy("audit action", "Changed the DHIS2 server settings"),
    "dhis2.mapping_save": pgettext_lazy("audit action", "Mapped an indicator to DHIS2"),
    "dhis2.mapping_delete": pgettext_lazy("audit action", "Removed an indicator's DHIS2 mapping"),
    "dhis2.org_units_set": pgettext_lazy(
        "audit action", "Mapped places to DHIS2 organisation units"
    ),
    "dhis2.push": pgettext_lazy("audit action", "Asked to send figures to DHIS2"),
    "dhis2.pushed": pgettext_lazy("audit action", "Sent figures to DHIS2"),
    # Anonymised microdata (docs/decisions/microdata.md)
    "microdata_export": pgettext_lazy("audit action", "Exported a program's anonymised microdata"),
}

TARGETS: dict[str, Promise] = {
    PERSON: _("Person"),
    ENROLMENT: _("Enrolment"),
    "trainings.attendance": _("Attendance"),
    "trainings.cohort": _("Cohort"),
    "trainings.session": _("Session"),
    "trainings.program": _("Program"),
    "safeguarding.disclosure": _("Safeguarding case"),
    "safeguarding.referral": _("Referral"),
    "safeguarding.service": _("Service of the directory"),
    "safeguarding.lead": _("Safeguarding lead"),
    "safeguarding.courtagreement": _("Agreement with a court"),
    "trainings.certificate": _("Certificate"),
    "accounts.user": _("User account"),
    "registry.organization": _("Organization"),
    "curricula.curriculum": _("Curriculum"),
    "curricula.curriculumversion": _("Curriculum version"),
    "curricula.module": _("Module"),
    "curricula.sessionplan": _("Session plan"),
    "imports.importjob": _("Import"),
    "jobs.job": _("Background job"),
    "cascade.certification": _("Certification to facilitate"),
    "networks.network": _("Network"),
    "networks.communityaction": _("Community action"),
    "networks.actionphoto": _("Photo of a community action"),
    "networks.campaign": _("Campaign"),
    "networks.actionupload": _("File of actions from the field"),
    "measurement.instrumentversion": _("Instrument version"),
    "measurement.round": _("Survey round"),
    "measurement.response": _("Survey response"),
    "measurement.submissionupload": _("Survey submissions file"),
    "indicators.dhis2server": _("DHIS2 server"),
    "indicators.dhis2mapping": _("DHIS2 mapping"),
    "indicators.dhis2push": _("Push to DHIS2"),
    "indicators.indicator": _("Indicator"),
    "indicators.plan": _("Indicator's targets for a program"),
    "indicators.reportedvalue": _("Value reported by hand"),
}

SOURCES: dict[str, Promise] = {
    "web": pgettext_lazy("audit source", "web"),
    "api": pgettext_lazy("audit source", "API"),
    "cli": pgettext_lazy("audit source", "command line"),
    "system": pgettext_lazy("audit source", "system"),
}

DETAIL_KEYS: dict[str, Promise] = {
    "count": _("count"),
    "people": _("people shown"),
    "fields": _("fields"),
    "format": _("format"),
    "kind": _("kind"),
    "identity": _("with identity"),
    "role": _("role"),
    "purpose": _("purpose"),
    "status": _("status"),
    "into": _("into"),
    "code": _("code"),
    "reason": _("reason"),
    "username": _("user name"),
    "filter": _("filter"),
    "done": _("done"),
    "organization": _("organization"),
    "person": _("person"),
    "cohort": _("cohort"),
    "session": _("session"),
    "year": _("year"),
    "dry_run": _("dry run"),
    "imported": _("imported"),
    "updated": _("updated"),
    "ignored": _("ignored"),
    "deleted": _("deleted"),
    "conflicts": _("conflicts"),
    "left_out": _("left out (small groups)"),
    "names": _("with organization names"),
    "letters": _("organizations as letters"),
}

# Detail values that are choices of a model field, worded by that field's labels.
VALUE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "role": (("accounts.membership", "role"), ("registry.personrole", "role")),
    "kind": (("imports.importjob", "kind"),),
    "purpose": (("registry.consent", "purpose"),),
}


def _value_words() -> dict[str, dict[str, str]]:
    words: dict[str, dict[str, str]] = defaultdict(dict)
    for key, fields in VALUE_FIELDS.items():
        for label, name in fields:
            try:
                field = apps.get_model(label)._meta.get_field(name)
            except LookupError:
                continue
            words[key].update({str(v): str(w) for v, w in field.choices or []})
    return words


def action_choices() -> list[tuple[str, str]]:
    """The actions a reader can filter by, worded, in alphabetical order of the words."""
    return sorted(((key, str(words)) for key, words in ACTIONS.items()), key=lambda kv: kv[1])


@dataclass
class Worded:
    """One audit row as the page shows it."""

    event: AuditEvent
    action: str
    target: str
    source: str
    detail: list[tuple[str, str]]


def _value(value: Any, words: dict[str, str]) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(words.get(str(v), str(v)) for v in value)
    return words.get(str(value), str(value))


# How a target is named on the page: a person's code (never a name), a user's name, a
# cohort's or program's name. Read through the app registry: audit sits below these apps.
TARGET_LABEL = {
    PERSON: "code",
    ENROLMENT: "person__code",
    "accounts.user": "username",
    "trainings.cohort": "name",
    "trainings.program": "name",
    "registry.organization": "name",
    "networks.network": "name",
    "networks.campaign": "name",
}


def _names(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """The label of each target of the page: one query per kind of record."""
    ids: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.target_type in TARGET_LABEL and e.target_id.isdigit():
            ids[e.target_type].add(int(e.target_id))
    found: dict[tuple[str, str], str] = {}
    for kind, pks in ids.items():
        model = apps.get_model(kind)
        rows = model._default_manager.filter(pk__in=pks).values_list("pk", TARGET_LABEL[kind])
        found.update({(kind, str(pk)): str(label) for pk, label in rows})
    return found


def audit_events_worded(events: Iterable[AuditEvent]) -> list[Worded]:
    """Rows of one page in words (a few queries for the whole page, not one per row)."""
    events = list(events)
    names = _names(events)
    values = _value_words()
    out = []
    for e in events:
        action = ACTION_ON.get((e.action, e.target_type)) or ACTIONS.get(e.action) or e.action
        target = ""
        if e.target_type and e.target_id:  # a list or an export has a kind, no record
            kind = str(TARGETS.get(e.target_type, e.target_type))
            label = names.get((e.target_type, e.target_id))
            if label is None and e.target_type == PERSON:  # removed: its code is in detail
                label = (e.detail or {}).get("code")
            label = label or e.target_id
            target = f"{kind} {label}".strip()
        detail = [
            (str(DETAIL_KEYS.get(k, k)), _value(v, values.get(k, {})))
            for k, v in (e.detail or {}).items()
            if v not in (None, "", [])
        ]
        out.append(
            Worded(
                event=e,
                action=str(action),
                target=target,
                source=str(SOURCES.get(e.source, e.source)),
                detail=detail,
            )
        )
    return out
