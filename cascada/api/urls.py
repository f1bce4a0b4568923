"""API routes, versionless under /api/. One router for the resources; add an area with one
``path("<area>/", include(...))`` line at the end of ``urlpatterns``.

URL names carry an ``api-`` prefix (``api-person-detail``, ``api-cohort-enrolments``...);
the schema, the docs and the token sign-in are on ``cascada.accounts.public``'s list."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import auth, curricula, registry, trainings

router = SimpleRouter()
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
]
