"""Trainings: programs, cohorts, sessions, roster, certificates, public verification."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:> and <smallint:>)

from .views import mending, roster
from .views import trainings as v

urlpatterns = [
    path("programs/", v.program_list, name="program_list"),
    path("programs/new/", v.program_create, name="program_create"),
    path("programs/<id:pk>/", v.program_detail, name="program_detail"),
    path("programs/<id:pk>/share/", v.program_share, name="program_share"),
    path("cohorts/", v.cohort_list, name="cohort_list"),
    path("cohorts/new/", v.cohort_create, name="cohort_create"),
    path(
        "cohorts/new/facilitators/",
        v.cohort_facilitator_search,
        name="cohort_facilitator_search",
    ),
    path("cohorts/<id:pk>/", v.cohort_detail, name="cohort_detail"),
    path("cohorts/<id:pk>/edit/", mending.cohort_edit, name="cohort_edit"),
    path("cohorts/<id:pk>/close/", mending.cohort_close, name="cohort_close"),
    path("cohorts/<id:pk>/delete/", mending.cohort_delete, name="cohort_delete"),
    path("cohorts/dates/", mending.date_problems, name="date_report"),
    path("sessions/<id:pk>/delete/", mending.session_delete, name="session_delete"),
    path("enrolments/<id:pk>/remove/", mending.enrolment_remove, name="enrolment_remove"),
    path("cohorts/<id:pk>/enrol/", v.cohort_enrol, name="cohort_enrol"),
    path("cohorts/<id:pk>/enrol/search/", roster.cohort_enrol_search, name="cohort_enrol_search"),
    path("cohorts/<id:pk>/register/", roster.participant_register, name="participant_register"),
    path(
        "cohorts/<id:pk>/certificates/",
        v.cohort_certificates_issue,
        name="cohort_certificates_issue",
    ),
    path("enrolments/<id:pk>/certificate/", v.certificate_issue, name="certificate_issue"),
    path("sessions/<id:pk>/", v.session_edit, name="session_edit"),
    path("sessions/<id:pk>/roster/", v.session_roster, name="session_roster"),
    path("sessions/<id:pk>/headcount/", v.session_headcount, name="session_headcount"),
    path("certificates/<id:pk>/pdf/", v.certificate_pdf, name="certificate_pdf"),
    # Public: printed on certificates (QR code); no sign-in, no personal data.
    path("verify/", v.certificate_check, name="certificate_check"),
    path("verify/<str:code>/", v.certificate_verify, name="certificate_verify"),
]
