from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import commitments

urlpatterns: list = [
    path("commitments/", commitments.commitment_list, name="commitment_list"),
    path("commitments/due/", commitments.commitment_due, name="commitment_due"),
    path("commitments/<id:pk>/", commitments.commitment_detail, name="commitment_detail"),
    path(
        "commitments/<id:pk>/milestone/",
        commitments.milestone_report,
        name="commitment_milestone",
    ),
    path("commitments/<id:pk>/mentor/", commitments.mentor_assign, name="commitment_mentor"),
    path("commitments/<id:pk>/rate/", commitments.rate_record, name="commitment_rate"),
    path("commitments/<id:pk>/consent/", commitments.consent_set, name="commitment_consent"),
    path(
        "commitments/evidence/<id:pk>/",
        commitments.evidence_file,
        name="commitment_evidence",
    ),
    path("commitments/<id:pk>/session/", commitments.session_record, name="commitment_session"),
    path("commitments/<id:pk>/release/", commitments.tranche_release, name="commitment_release"),
    path(
        "commitments/<id:pk>/disbursement/",
        commitments.disbursement_record,
        name="commitment_disbursement",
    ),
    path("commitments/<id:pk>/spending/", commitments.spending_record, name="commitment_spending"),
    path("commitments/<id:pk>/outcome/", commitments.outcome_record, name="commitment_outcome"),
    path("commitments/<id:pk>/lesson/", commitments.lesson_record, name="commitment_lesson"),
    path(
        "commitments/<id:pk>/testimony/",
        commitments.testimony_record,
        name="commitment_testimony",
    ),
]
