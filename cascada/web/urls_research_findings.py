"""From findings to the curriculum (issue 12): a study's findings and its dissemination
plan, and the curriculum version's validations with community activists and its
accreditations (pages of ``views.curricula``: facts about a version, recorded here with
the rest of this area)."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import curricula
from .views import research_findings as findings

urlpatterns: list = [
    # findings
    path("studies/<id:pk>/findings/", findings.study_findings, name="study_findings"),
    path("studies/<id:pk>/findings/new/", findings.finding_create, name="finding_create"),
    path("findings/<id:pk>/edit/", findings.finding_edit, name="finding_edit"),
    path("findings/<id:pk>/delete/", findings.finding_delete, name="finding_delete"),
    # the dissemination plan
    path(
        "studies/<id:pk>/dissemination/", findings.study_dissemination, name="study_dissemination"
    ),
    path(
        "studies/<id:pk>/dissemination/new/",
        findings.dissemination_create,
        name="dissemination_create",
    ),
    path("dissemination/<id:pk>/edit/", findings.dissemination_edit, name="dissemination_edit"),
    path(
        "dissemination/<id:pk>/delete/", findings.dissemination_delete, name="dissemination_delete"
    ),
    # a curriculum version's validations and accreditations
    path(
        "curricula/versions/<id:pk>/validations/new/",
        curricula.validation_record,
        name="validation_record",
    ),
    path(
        "curricula/versions/<id:pk>/accreditations/new/",
        curricula.accreditation_record,
        name="accreditation_record",
    ),
]
