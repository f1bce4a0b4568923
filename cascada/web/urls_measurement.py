from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import measurement

urlpatterns: list = [
    path("measurement/", measurement.measurement_home, name="measurement_home"),
    path(
        "measurement/instruments/upload/",
        measurement.instrument_upload,
        name="instrument_upload",
    ),
    path(
        "measurement/instruments/versions/<id:pk>/",
        measurement.version_detail,
        name="version_detail",
    ),
    path("measurement/cohorts/<id:cohort_pk>/rounds/new/", measurement.round_new, name="round_new"),
    path("measurement/rounds/<id:pk>/", measurement.round_detail, name="round_detail"),
    path(
        "measurement/rounds/<id:pk>/xlsform.xlsx", measurement.round_xlsform, name="round_xlsform"
    ),
    path("measurement/rounds/<id:pk>/answer/", measurement.round_answer, name="round_answer"),
    path("measurement/rounds/<id:pk>/upload/", measurement.round_upload, name="round_upload"),
    path("measurement/rounds/<id:pk>/server/", measurement.round_server, name="round_server"),
    path(
        "measurement/rounds/<id:pk>/scores.<str:fmt>",
        measurement.round_export,
        name="round_export",
    ),
    path(
        "measurement/uploads/<id:pk>/",
        measurement.submissions_upload,
        name="submissions_upload",
    ),
    path(
        "measurement/programs/<id:pk>/analysis.pdf",
        measurement.program_analysis_pdf,
        name="program_analysis_pdf",
    ),
    path(
        "measurement/programs/<id:pk>/analysis/",
        measurement.program_analysis,
        name="program_analysis",
    ),
]
