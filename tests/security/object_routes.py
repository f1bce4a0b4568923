"""For every route with path parameters: how to fill them for an object of a World.

S2's isolation test fails when a route with parameters is missing here, so that every new
object route is checked for organization isolation. Values are strings as they appear in
URLs. ``None`` marks a parameter-only-in-format route or one that carries no object.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.security.world import World

KwargsFor = Callable[[World], dict[str, str]]


def _pk(attr: str, key: str = "pk") -> KwargsFor:
    return lambda w: {key: str(getattr(w, attr).pk)}


def _code(attr: str, key: str = "code") -> KwargsFor:
    return lambda w: {key: str(getattr(w, attr).code)}


_person = _pk("person")
_org = _pk("org")
_curriculum = _pk("curriculum")
_version = _pk("version")
_module = _pk("module")
_plan = _pk("plan")
_program = _pk("program")
_cohort = _pk("cohort")
_session = _pk("session")
_enrolment = _pk("enrolment")
_certificate = _pk("certificate")
_trainer = _pk("facilitator_person")
_import_job = _pk("import_job")
_round = _pk("survey_round")
_network = _pk("network")
_action = _pk("community_action")
_commitment = _pk("commitment")
_study = _pk("study")
_recruit = _pk("recruit")
_event = _pk("event")
_transcript = _pk("transcript")
_finding = _pk("finding")
_dissemination = _pk("dissemination")
_case = _pk("disclosure")


def _indicator(w: World) -> dict[str, str]:
    return {"pk": str(w.program.pk), "code": "people_enrolled"}


def _reported(w: World) -> dict[str, str]:
    return {"pk": str(w.program.pk), "code": w.reported_indicator.code}


def _place_dashboard(w: World) -> dict[str, str]:
    """A department of the organization's figures: the World is not filled, so one empty
    fact (no value, changing no sum) puts its place's department there. It reads
    ``w.place``: S17's namespaces have none and skip the route (its viewers get 404)."""
    import datetime as dt

    from cascada.indicators.models import Fact
    from tests.registry.factories import make_place

    department = make_place(code=w.place.code[:2], name="Lima", level="department")
    Fact.objects.get_or_create(
        source="participants",
        organization=w.org,
        program=w.program,
        month=dt.date(2026, 1, 1),
        department=department,
    )
    return {"pk": str(w.org.pk), "place": str(department.pk)}


def _network_year(w: World) -> dict[str, str]:
    return {"pk": str(w.network.pk), "year": "2026"}


# url name -> kwargs of a World's object. S2 hits each with the other organization's
# object and expects 404; S1 hits each as a user without a role.
OBJECT_ROUTES: dict[str, KwargsFor] = {
    # web: registry
    "web:person_detail": _person,
    "web:person_edit": _person,
    "web:person_consent": _person,
    "web:person_merge": _person,
    "web:person_remove": _person,
    "web:person_data": _person,
    "web:person_data_json": _person,
    "web:person_erase": _person,
    "web:organization_detail": _org,
    # web: curricula
    "web:curriculum_detail": _curriculum,
    "web:curriculum_version_new": _curriculum,
    "web:curriculum_version": _version,
    "web:module_add": _version,
    "web:session_plan_add": _module,
    "web:module_edit": _module,
    "web:module_delete": _module,
    "web:session_plan_edit": _plan,
    "web:session_plan_delete": _plan,
    # web: trainings
    "web:program_detail": _program,
    "web:program_share": _program,
    "web:cohort_detail": _cohort,
    "web:cohort_enrol": _cohort,
    "web:cohort_enrol_search": _cohort,
    "web:participant_register": _cohort,
    "web:cohort_certificates_issue": _cohort,
    "web:certificate_issue": _enrolment,
    "web:session_edit": _session,
    "web:session_delete": _session,
    "web:cohort_edit": _cohort,
    "web:cohort_close": _cohort,
    "web:cohort_delete": _cohort,
    "web:enrolment_remove": _enrolment,
    "web:session_roster": _session,
    "web:session_headcount": _session,
    "web:certificate_pdf": _certificate,
    # web: indicators, dashboards, the donor report, microdata (issue 14)
    "web:indicators_program": _program,
    "web:indicators_program_indicator": _indicator,
    "web:indicator_plan": _indicator,
    "web:indicator_values": _reported,
    "web:indicator_value_delete": _reported,
    "web:indicators_report": _program,
    "web:indicators_report_pdf": _program,
    "web:indicators_organization": _org,
    "web:indicators_place": _place_dashboard,
    "web:indicator_new": _org,
    "web:indicators_refresh": _org,
    "web:microdata": _program,
    "web:microdata_download": _program,
    "web:microdata_codebook": _program,
    "web:dhis2_mapping_edit": _pk("dhis2_mapping"),
    "web:dhis2_mapping_delete": _pk("dhis2_mapping"),
    "web:dhis2_push_detail": _pk("dhis2_push"),
    # web: imports
    "web:import_review": _import_job,
    "web:import_done": _import_job,
    "web:import_progress": _import_job,
    # web: cascade
    "web:cascade_program": _program,
    "web:cascade_level": lambda w: {"pk": str(w.program.pk), "generation": "1"},
    "web:cascade_idle": _program,
    "web:cascade_export": lambda w: {"pk": str(w.program.pk), "fmt": "csv"},
    "web:cascade_trainer": _trainer,
    "web:cascade_tree": _trainer,
    # web: measurement
    "web:round_new": lambda w: {"cohort_pk": str(w.cohort.pk)},
    "web:version_detail": lambda w: {"pk": str(w.instrument_version.pk)},
    "web:round_detail": _round,
    "web:round_xlsform": _round,
    "web:round_answer": _round,
    "web:program_analysis": _program,
    "web:program_analysis_pdf": _program,
    "web:round_upload": _round,
    "web:round_server": _round,
    "web:round_export": lambda w: {"pk": str(w.survey_round.pk), "fmt": "csv"},
    "web:submissions_upload": _pk("submissions_upload"),
    # web: networks
    "web:network_detail": _network,
    "web:network_members_add": _network,
    "web:membership_edit": _pk("membership"),
    "web:network_plan": _network_year,
    "web:network_plan_revise": _network_year,
    "web:network_action_new": _network,
    "web:network_action": _action,
    "web:network_photo_add": _action,
    "web:network_photo": _pk("action_photo"),
    "web:campaign_detail": _pk("campaign"),
    "web:network_report": _network_year,
    "web:network_report_pdf": _network_year,
    "web:network_field_xlsform": _network,
    "web:network_field_upload": _network,
    "web:network_field_report": _pk("action_upload"),
    # research (issue 12)
    "api-study-detail": _study,
    "api-study-codebook": _study,
    "web:study_detail": _study,
    "web:study_update": _study,
    "web:study_member": _study,
    "web:study_member_remove": _study,
    "web:study_approval": _study,
    "web:study_consent_form": _study,
    "web:study_site_add": _study,
    "web:study_stratum": _study,
    "web:study_quota": _study,
    "web:study_question": _study,
    "web:study_recruits": _study,
    "web:study_screen": _study,
    "web:study_events": _study,
    "web:study_codebook": _study,
    "web:study_code_add": _study,
    "web:study_code_edit": _study,
    "web:study_code_delete": _study,
    "web:study_code_memo": _study,
    "web:study_codebook_version": _study,
    "web:study_refi_codebook": _study,
    "web:study_refi_project": _study,
    "web:study_refi_import": _study,
    "web:study_reliability": _study,
    "web:study_analysis": _study,
    "web:study_analysis_print": _study,
    "web:study_analysis_xlsx": _study,
    "web:study_findings": _study,
    "web:finding_create": _study,
    "web:study_dissemination": _study,
    "web:dissemination_create": _study,
    "web:recruit_detail": _recruit,
    "web:recruit_consent": _recruit,
    "web:recruit_status": _recruit,
    "web:recruit_identity": _recruit,
    "web:event_detail": _event,
    "web:event_audio": _event,
    "web:event_audio_upload": _event,
    "web:event_transcript": _event,
    "web:transcript_detail": _transcript,
    "web:transcript_code": _transcript,
    "web:transcript_coding_remove": _transcript,
    "web:transcript_coding_memo": _transcript,
    "web:transcript_double_code": _transcript,
    "web:transcript_speakers": _transcript,
    "web:transcript_deidentify": _transcript,
    "web:transcript_merge": _transcript,
    "web:finding_edit": _finding,
    "web:finding_delete": _finding,
    "web:dissemination_edit": _dissemination,
    "web:dissemination_delete": _dissemination,
    "web:validation_record": _version,
    "web:accreditation_record": _version,
    # web: safeguarding (issue 13). A case is opened by its organization's leads, its
    # recorder and users let in only: the World's coordinator recorded its case and its
    # administrator is a lead, so that both open their own and get 404 on the other's.
    "web:service_edit": _pk("service"),
    "web:court_agreement": _pk("court_program"),
    "web:case_detail": _case,
    "web:case_referral": _case,
    "web:case_referral_step": lambda w: {
        "pk": str(w.disclosure.pk),
        "referral": str(w.referral.pk),
    },
    "web:case_close": _case,
    "web:case_access": _case,
    "web:case_access_revoke": lambda w: {
        "pk": str(w.disclosure.pk),
        "access": str(w.case_access.pk),
    },
    "web:case_court_notice": _case,
    # web: commitments to action
    "web:commitment_detail": _commitment,
    "web:commitment_milestone": _commitment,
    "web:commitment_session": _commitment,
    "web:commitment_release": _commitment,
    "web:commitment_disbursement": _commitment,
    "web:commitment_spending": _commitment,
    "web:commitment_lesson": _commitment,
    "web:commitment_testimony": _commitment,
    "web:commitment_mentor": _commitment,
    "web:commitment_rate": _commitment,
    "web:commitment_consent": _commitment,
    "web:commitment_outcome": _commitment,
    "web:commitment_evidence": _pk("evidence"),
    "web:initiative_booklet": _pk("initiative"),
    "web:initiative_booklet_pdf": _pk("initiative"),
    "web:commitment_new": _pk("initiative"),  # the plan pages (views/commitments_plan.py)
    "web:commitment_revise": _commitment,
    # api: commitments to action
    "api-initiative-detail": _pk("initiative"),
    "api-initiative-commitments": _pk("initiative"),
    "api-initiative-testimonies": _pk("initiative"),
    "api-initiative-summary": _pk("initiative"),
    "api-commitment-detail": _commitment,
    # api: registry
    "api-organization-detail": _org,
    "api-person-detail": _person,
    "api-person-consents": _person,
    "api-person-merge": _person,
    "api-person-data": _person,
    "api-person-erase": _person,
    # api: curricula
    "api-curriculum-detail": _curriculum,
    "api-curriculum-versions": _curriculum,
    "api-curriculum-version-detail": _version,
    "api-curriculum-version-modules": _version,
    "api-module-session-plans": _module,
    "api-module-detail": _module,
    "api-session-plan-detail": _plan,
    # api: trainings
    "api-program-detail": _program,
    "api-program-share": _program,
    "api-cohort-detail": _cohort,
    "api-cohort-enrolments": _cohort,
    "api-cohort-participants": _cohort,
    "api-cohort-facilitators": _cohort,
    "api-cohort-sessions": _cohort,
    "api-cohort-sessions-generate": _cohort,
    "api-cohort-close": _cohort,
    "api-session-detail": _session,
    "api-session-attendance": _session,
    "api-session-headcount": _session,
    "api-enrolment-detail": _enrolment,
    "api-enrolment-withdraw": _enrolment,
    "api-certificate-detail": _certificate,
    "api-certificate-pdf": _certificate,
    # api: cascade
    "api-cascade-program": _program,
    "api-cascade-forecast": _program,
    "api-cascade-trainer": _trainer,
    # api: measurement
    "api-round-detail": _round,
    "api-instrument-detail": lambda w: {"pk": str(w.instrument_version.pk)},
    "api-instrument-publish": lambda w: {"pk": str(w.instrument_version.pk)},
    "api-round-responses": _round,
    "api-program-analysis": _program,
}

# Routes with parameters that address no organization's object: checked by S1 only.
NOT_ORGANIZATION_SCOPED: dict[str, str] = {
    "api-place-detail": "places (ubigeo) are public reference data",
    "web:certificate_verify": "public check of a certificate code; shows no holder (S1 public list)",
}

# Kwargs for S1 where a route is not organization-scoped but needs a real value.
PUBLIC_ROUTE_VALUES: dict[str, KwargsFor] = {
    "api-place-detail": _pk("place"),
    "web:certificate_verify": _code("certificate"),
}
