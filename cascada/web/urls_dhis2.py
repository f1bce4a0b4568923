"""DHIS2 exchange routes (issue 14; docs/decisions/dhis2.md): the overview, the server,
the mapping of indicators and places, downloads, pushes and their import summaries."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import dhis2 as v

urlpatterns: list = [
    path("dhis2/", v.home, name="dhis2_home"),
    path("dhis2/server/", v.server, name="dhis2_server"),
    path("dhis2/mappings/new/", v.mapping_new, name="dhis2_mapping_new"),
    path("dhis2/mappings/<id:pk>/", v.mapping_edit, name="dhis2_mapping_edit"),
    path("dhis2/mappings/<id:pk>/delete/", v.mapping_delete, name="dhis2_mapping_delete"),
    path("dhis2/org-units/", v.org_units, name="dhis2_org_units"),
    path("dhis2/download/", v.download, name="dhis2_download"),
    path("dhis2/push/", v.push, name="dhis2_push"),
    path("dhis2/pushes/<id:pk>/", v.push_detail, name="dhis2_push_detail"),
]
