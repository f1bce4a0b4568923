from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import commitments_booklet

urlpatterns: list = [
    path(
        "commitments/initiatives/<id:pk>/booklet/",
        commitments_booklet.booklet,
        name="initiative_booklet",
    ),
    path(
        "commitments/initiatives/<id:pk>/booklet.pdf",
        commitments_booklet.booklet_pdf_view,
        name="initiative_booklet_pdf",
    ),
]
