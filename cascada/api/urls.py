"""API routes, versionless under /api/. One router for the resources; add an area with one
``path("<area>/", include(...))`` line at the end of ``urlpatterns``.

URL names carry an ``api-`` prefix (``api-person-detail``, ``api-cohort-enrolments``...);
the schema, the docs and the token sign-in are on ``cascada.accounts.public``'s list."""

from typing import Any

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

import cascada.core.converters  # noqa: F401 (registers <id:>)

from . import auth, curricula, registry, trainings


class Router(SimpleRouter):
    """Django path converters instead of regexes; a viewset's lookup is ``<id:pk>`` unless it
    sets ``lookup_value_converter``: a number too large for the database never reaches it
    (``cascada.core.converters``), the route just does not match (404)."""

    def __init__(self) -> None:
        super().__init__(use_regex_path=False)

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or field
        converter = getattr(viewset, "lookup_value_converter", None) or "id"
        return f"<{converter}:{lookup_prefix}{kwarg}>"


router = Router()
router.register("organizations", registry.OrganizationViewSet, basename="api-organization")
router.register("places", registry.PlaceViewSet, basename="api-place")
router.register("people", registry.PersonViewSet, basename="api-person")
router.register("curricula", curricula.CurriculumViewSet, basename="api-curriculum")
router.register(
    "curriculum-versions", curricula.CurriculumVersionViewSet, basename="api-curriculum-version"
)
router.register("modules", curricula.ModuleViewSet, basename="api-module")
router.register("session-plans", curricula.SessionPlanViewSet, basename="api-session-plan")
router.register("programs", trainings.ProgramViewSet, basename="api-program")
router.register("cohorts", trainings.CohortViewSet, basename="api-cohort")
router.register("sessions", trainings.SessionViewSet, basename="api-session")
router.register("enrolments", trainings.EnrolmentViewSet, basename="api-enrolment")
router.register("certificates", trainings.CertificateViewSet, basename="api-certificate")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
    path("cascade/", include("cascada.api.cascade")),
    path("measurement/", include("cascada.api.measurement")),
    path("", include("cascada.api.arco")),
    path("commitments/", include("cascada.api.commitments")),
    path("research/", include("cascada.api.research")),
]
