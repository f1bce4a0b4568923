"""Actions recorded in the field (ODK Collect, KoboCollect): the form, the upload of its
submissions and their check (``views/network_field.py``)."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import network_field

urlpatterns: list = [
    path(
        "networks/<id:pk>/actions/xlsform.xlsx",
        network_field.actions_xlsform,
        name="network_field_xlsform",
    ),
    path(
        "networks/<id:pk>/actions/upload/",
        network_field.actions_upload,
        name="network_field_upload",
    ),
    path(
        "networks/action-uploads/<id:pk>/",
        network_field.actions_upload_report,
        name="network_field_report",
    ),
]
