"""What never leaves a case (issue 13): a canary planted in every free text of safeguarding
(the notes, the override's reason, the reason for letting someone in, the follow-up and
closing notes) appears in no log record, no audit row, no export and no API answer (S11,
S3); the database holds it only as ciphertext (S13); counts reach everyone but the leads
only through the disclosure control, never by cohort or facilitator (S17)."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.core import crypto
from cascada.core.errors import NotFoundError
from cascada.registry import arco
from cascada.registry import exports as registry_exports
from cascada.research.exports import analysis_xlsx
from cascada.safeguarding import selectors
from cascada.safeguarding.models import Source
from cascada.safeguarding.services import (
    case_access_grant,
    case_close,
    court_agreement_set,
    court_notice_record,
    referral_make,
    referral_step,
)
from cascada.trainings.exports import EXPORTS
from tests.safeguarding.conftest import record_case
from tests.security.routes import all_routes, build_url

pytestmark = pytest.mark.django_db
D = dt.date
CANARY = "CANARIO-SALV-5d2f"


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.getMessage(), repr(record.args), repr(vars(record))]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        self.records.append("\n".join(parts))


@pytest.fixture
def every_log() -> Iterator[_Everything]:
    """Every logger at DEBUG, those that do not propagate and the disabled ones too, and
    the database's query log (with its parameters) switched on."""
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(lg, lg.level, lg.disabled) for lg in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(handler)
    debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield handler
    finally:
        connection.force_debug_cursor = debug_cursor
        for logger, level, disabled in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.disabled = disabled


@pytest.fixture
def planted(
    every_log,
    facilitator,
    safeguarding_lead,
    staff,
    participant,
    court_program,
    court_session,
    directory,
    researcher,
    interview,
    promoter,
    community_action,
) -> dict[str, Any]:
    """A whole flow through the services with the canary in every free text: three cases
    (a session, a participant's page, an interview, an action), an override, a consented
    referral followed up, access given, the court notified, a case closed, every read."""
    lead = safeguarding_lead
    session_case = record_case(facilitator, Source.SESSION, court_session.pk,
                               notes=f"Su pareja corre peligro {CANARY}")  # fmt: skip
    override = referral_make(actor=lead, case=session_case, service=directory["cem_vmt"],
                             made_on=D(2026, 3, 10), basis="override",
                             override_reason=f"Riesgo para la pareja sin consentimiento {CANARY}")  # fmt: skip
    referral_step(actor=lead, referral=override, step="received", on=D(2026, 3, 11),
                  notes=f"La recibió {CANARY}")  # fmt: skip
    person_case = record_case(facilitator, Source.PERSON, participant.pk, at_risk="participant",
                              kind="self", notes=f"{CANARY} en su ficha")  # fmt: skip
    consented = referral_make(actor=facilitator, case=person_case,
                              service=directory["health_vmt"], made_on=D(2026, 3, 10),
                              basis="consent", consent_from="person", consent_on=D(2026, 3, 10),
                              consent_text_version="CONS-DERIV v2", notes=f"Cita {CANARY}")  # fmt: skip
    case_access_grant(actor=lead, case=session_case, user=staff[Role.COORDINATOR],
                      reason=f"Coordina con el CEM {CANARY}")  # fmt: skip
    court_agreement_set(actor=lead, program=court_program, court="Juzgado de Familia",
                        signed_on=D(2026, 2, 1), sharing="risk")  # fmt: skip
    court_notice_record(actor=lead, case=session_case, shared_on=D(2026, 3, 12))
    case_close(actor=lead, case=session_case, on=D(2026, 3, 20), note=f"Cerrado {CANARY}")
    research_case = record_case(researcher, Source.EVENT, interview.pk, at_risk="participant",
                                kind="distress", urgency="routine", notes=f"Llanto {CANARY}")  # fmt: skip
    action_case = record_case(promoter, Source.ACTION, community_action.pk,
                              notes=f"Una vecina {CANARY}")  # fmt: skip
    for user in (lead, facilitator, staff[Role.COORDINATOR], researcher, promoter):
        for case in selectors.case_list_reveal(user=user):
            selectors.case_reveal(user=user, pk=case.pk)
        selectors.reminders(user=user, today=D(2026, 12, 1))
    for user in (lead, staff[Role.VIEWER]):
        selectors.summary(user=user, organization_id=session_case.organization_id, year=2026)
    return {
        "cases": [session_case, person_case, research_case, action_case],
        "referrals": [override, consented],
        "participant": participant,
    }


# ---------------------------------------------------------------- S11


def test_s11_the_canary_is_in_no_log_record(planted, every_log):
    assert every_log.records  # the capture works: the flow logged its queries
    for text in every_log.records:
        assert CANARY not in text, text[:500]


def test_s11_the_canary_is_in_no_column_of_any_audit_row(planted):
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "safeguarding.record",
        "safeguarding.override",
        "safeguarding.refer",
        "safeguarding.follow_up",
        "safeguarding.access_grant",
        "safeguarding.close",
        "safeguarding.court_notice",
        "safeguarding.view",
        "safeguarding.list",
    } <= actions
    for row in AuditEvent.objects.values():
        assert CANARY not in json.dumps(row, default=str), row


def _export_text(export) -> str:
    return json.dumps([export.headers, *export.rows], default=str, ensure_ascii=False)


def test_s11_the_canary_is_in_no_export(planted, staff, researcher, study):
    for role in (Role.COORDINATOR, Role.ADMINISTRATOR, Role.ME_OFFICER):
        user = staff[role]
        for name, export in EXPORTS.items():
            text = _export_text(export(user=user))
            assert planted["participant"].code in text or name != "people", name
            assert CANARY not in text, (role, name)
        assert CANARY not in _export_text(registry_exports.people_export(user=user))
    # The person's own copy (ARCO): a case is not part of it (docs/decisions/safeguarding.md).
    copy = arco.person_export_reveal(actor=staff[Role.COORDINATOR], person=planted["participant"])
    assert CANARY not in json.dumps(copy, default=str, ensure_ascii=False)
    # The study's analysis workbook, as a member of the study where a case was recorded.
    book = load_workbook(io.BytesIO(analysis_xlsx(user=researcher, study=study)))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
    assert cells and not any(CANARY in c for c in cells)


def _api_urls(planted: dict[str, Any], session: Any) -> list[str]:
    """Every API route that can be read: lists, and the objects the cases came from."""
    person = planted["participant"]
    cohort = session.cohort
    ids = {
        "api-organization": person.organization_id,
        "api-person": person.pk,
        "api-program": cohort.program_id,
        "api-cascade-program": cohort.program_id,
        "api-cohort": cohort.pk,
        "api-session": session.pk,
    }
    urls = []
    for route in all_routes():
        if not route.name.startswith("api-") or route.name in {"api-docs", "api-schema"}:
            continue
        if route.params and route.params[-1] == "format":
            continue
        if not route.params:
            urls.append(build_url(route))
            continue
        prefix = next((p for p in ids if route.name.startswith(p)), None)
        if prefix is not None and route.params == ("pk",):
            urls.append(build_url(route, {"pk": str(ids[prefix])}))
    return urls


def test_s11_the_canary_is_in_no_api_answer(planted, staff, court_session, every_log):
    urls = _api_urls(planted, court_session)
    assert "/api/people/" in urls and f"/api/sessions/{court_session.pk}/" in urls
    for role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        client = APIClient()
        client.force_authenticate(staff[role])
        answered, named = 0, 0
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            answered += response.status_code == 200
            text = response.content.decode("utf-8", "replace")
            assert CANARY not in text, (role, url)
            named += planted["participant"].code in text
        # The participant the cases are about is in the answers; his cases are not.
        assert answered > 20 and named >= 3
    assert not any(CANARY in text for text in every_log.records)


# ---------------------------------------------------------------- S13


def test_s13_a_raw_select_returns_ciphertext(planted):
    columns = {
        "safeguarding_disclosure": ("notes", "closing_note"),
        "safeguarding_referral": ("notes", "override_reason"),
        "safeguarding_caseaccess": ("reason",),
    }
    found = 0
    with connection.cursor() as cursor:
        for table, names in columns.items():
            cursor.execute(f"SELECT {', '.join(names)} FROM {table}")  # noqa: S608 (fixed names)
            for row in cursor.fetchall():
                for raw in row:
                    if not raw:
                        continue
                    assert CANARY not in raw and "pareja" not in raw
                    assert raw.startswith(crypto.PREFIX)
                    found += CANARY in crypto.decrypt(raw)
    # Every planted text is there, encrypted: 4 notes of cases, the closing note, the
    # override's reason, 2 referral notes, the reason for the access.
    assert found == 9


# ---------------------------------------------------------------- S17: counts


def _shown(release) -> list[Any]:
    """Every figure of a release as shown (``Cell.as_json``)."""
    cells = [release.total] + [c for counts in release.breakdowns.values() for c in counts.values()]
    return [c.as_json() for c in cells]


def test_s17_a_viewer_sees_small_counts_hidden_the_lead_sees_them_exactly(
    facilitator, court_session, safeguarding_lead, staff, directory
):
    cases = [
        record_case(facilitator, Source.SESSION, court_session.pk, urgency=urgency, at_risk=risk)
        for urgency, risk in (("urgent", "partner"), ("immediate", "child"), ("urgent", "partner"))
    ]
    referral_make(actor=safeguarding_lead, case=cases[0], service=directory["cem_vmt"],
                  made_on=D(2026, 3, 10), basis="override",
                  override_reason="La pareja corre peligro inminente.")  # fmt: skip
    org_id = cases[0].organization_id

    lead = selectors.summary(user=safeguarding_lead, organization_id=org_id, year=2026)
    assert lead.exact
    assert lead.disclosures.total.value == 3
    assert {k: c.value for k, c in lead.disclosures.breakdowns["urgency"].items()} == {
        "immediate": 1,
        "urgent": 2,
        "routine": 0,
    }
    assert lead.disclosures.breakdowns["at_risk"]["child"].value == 1
    assert lead.referrals.total.value == 1 and lead.referrals.breakdowns["step"]["made"].value == 1

    for role in (Role.VIEWER, Role.COORDINATOR, Role.ME_OFFICER):
        shown = selectors.summary(user=staff[role], organization_id=org_id, year=2026)
        assert not shown.exact
        assert shown.disclosures.total.suppressed and shown.referrals.total.suppressed
        # No figure from 1 to k leaks, neither a total nor a row.
        for value in _shown(shown.disclosures) + _shown(shown.referrals):
            assert not isinstance(value, int) or value == 0 or value > shown.disclosures.k, role


def test_s17_disclosures_of_a_court_ordered_group_are_hidden_up_to_the_court_threshold(
    facilitator, court_session, staff, settings
):
    for _n in range(7):
        record_case(facilitator, Source.SESSION, court_session.pk)
    shown = selectors.summary(user=staff[Role.VIEWER], organization_id=court_session.cohort.program.owner_id, year=2026)  # fmt: skip
    assert shown.disclosures.k == settings.CASCADA_SMALL_NUMBER_K_COURT
    assert str(shown.disclosures.total) == f"<{settings.CASCADA_SMALL_NUMBER_K_COURT}"


def test_s17_above_k_the_total_shows_and_a_small_row_stays_hidden(
    promoter, community_action, staff, safeguarding_lead
):
    """Six disclosures at the network's fairs (no court program): the total shows, the one
    immediate danger does not, nor the row it could be worked out from."""
    for urgency in ("urgent",) * 5 + ("immediate",):
        record_case(promoter, Source.ACTION, community_action.pk, urgency=urgency)
    org_id = community_action.network.organization_id
    shown = selectors.summary(user=staff[Role.VIEWER], organization_id=org_id, year=2026)
    urgency = shown.disclosures.breakdowns["urgency"]
    assert shown.disclosures.total.value == 6
    assert urgency["immediate"].suppressed
    assert urgency["urgent"].as_json() != 5
    exact = selectors.summary(user=safeguarding_lead, organization_id=org_id, year=2026)
    assert exact.disclosures.breakdowns["urgency"]["immediate"].value == 1


def test_s17_counts_exist_for_the_whole_organization_and_year_only(
    session_case, safeguarding_lead, staff, other_org_lead
):
    assert set(inspect.signature(selectors.summary).parameters) == {
        "user",
        "organization_id",
        "year",
    }
    summary = selectors.summary(
        user=safeguarding_lead, organization_id=session_case.organization_id, year=2026
    )
    assert set(summary.disclosures.breakdowns) == {"urgency", "at_risk"}
    assert set(summary.referrals.breakdowns) == {"step"}
    # Without the aggregates' capability, or of another organization: nothing at all.
    for user in (staff[Role.AUDITOR], other_org_lead):
        with pytest.raises(NotFoundError):
            selectors.summary(user=user, organization_id=session_case.organization_id, year=2026)
