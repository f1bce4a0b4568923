from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import commitments_plan

urlpatterns: list = [
    path(
        "commitments/initiatives/new/",
        commitments_plan.initiative_new,
        name="commitment_initiative_new",
    ),
    path(
        "commitments/initiatives/<id:pk>/new/",
        commitments_plan.commitment_new,
        name="commitment_new",
    ),
    path(
        "commitments/<id:pk>/revise/",
        commitments_plan.commitment_revise,
        name="commitment_revise",
    ),
]
