"""Anonymised microdata of a program (S18, issue 14)."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import indicators_exports as v

urlpatterns: list = [
    path("programs/<id:pk>/microdata/", v.microdata_page, name="microdata"),
    path("programs/<id:pk>/microdata/download/", v.microdata_download, name="microdata_download"),
    path("programs/<id:pk>/microdata/codebook/", v.microdata_codebook, name="microdata_codebook"),
]
