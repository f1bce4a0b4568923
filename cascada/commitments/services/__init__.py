"""Writes of Commitments to Action (docs/decisions/commitments.md): commitments revised
without losing what was committed first, milestones reported, seed grants released tranche
by tranche only when their condition is met and never beyond the grant, spending in the
grant's currency (another currency only at a rate the grant manager recorded), mentoring,
lessons and testimonies. Every amount is an exact ``Decimal`` (``money.py``)."""

from .evidence import (
    CONTENT_TYPES,
    EVIDENCE_MAX_BYTES,
    evidence_add,
    evidence_bytes,
    evidence_download_name,
    evidence_kind,
)
from .grants import (
    disbursement_record,
    exchange_rate_record,
    grant_create,
    spending_record,
    tranche_release,
)
from .plans import (
    Plan,
    commitment_create,
    commitment_revise,
    initiative_create,
    mentor_assign,
    milestone_set_status,
)
from .results import (
    MAX_DECLARED_REACH,
    lesson_record,
    mentoring_session_record,
    outcome_record,
    testimony_consent_set,
    testimony_record,
)

__all__ = [
    "MAX_DECLARED_REACH",
    "CONTENT_TYPES",
    "EVIDENCE_MAX_BYTES",
    "Plan",
    "commitment_create",
    "commitment_revise",
    "disbursement_record",
    "evidence_add",
    "evidence_bytes",
    "evidence_download_name",
    "evidence_kind",
    "exchange_rate_record",
    "grant_create",
    "initiative_create",
    "lesson_record",
    "mentor_assign",
    "mentoring_session_record",
    "outcome_record",
    "milestone_set_status",
    "spending_record",
    "testimony_consent_set",
    "testimony_record",
    "tranche_release",
]
