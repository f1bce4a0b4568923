"""Imports and exports."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:> and <smallint:>)

from .views import imports

urlpatterns = [
    path("imports/", imports.import_start, name="import_start"),
    path("imports/<id:pk>/", imports.import_review, name="import_review"),
    path("imports/<id:pk>/done/", imports.import_done, name="import_done"),
    path("imports/<id:pk>/progress/", imports.import_progress, name="import_progress"),
    path("exports/", imports.export_start, name="export_start"),
    path("exports/people/", imports.export_people, name="export_people"),
    path("exports/enrolments/", imports.export_enrolments, name="export_enrolments"),
    path("exports/attendance/", imports.export_attendance, name="export_attendance"),
]
