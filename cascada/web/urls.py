"""Web routes, one module per area so each area owns its own list."""

from django.urls import include, path

from .views import errors, pages

app_name = "web"

urlpatterns = [
    path("accounts/", include("cascada.web.urls_auth")),  # sign-in, two-factor, audit
    path("", pages.home, name="home"),
    path("health", errors.health, name="health"),
    path("", include("cascada.web.urls_registry")),  # people, organizations, curricula
    path("", include("cascada.web.urls_trainings")),  # programs, cohorts, sessions, certificates
    path("", include("cascada.web.urls_imports")),  # imports and exports
    path("", include("cascada.web.urls_cascade")),  # the cascade
    path("", include("cascada.web.urls_measurement")),  # attitude measurement
    path("", include("cascada.web.urls_networks")),  # promoter networks and their actions
    path("", include("cascada.web.urls_network_field")),  # actions from ODK Collect, KoboCollect
    path("", include("cascada.web.urls_commitments_booklet")),  # an initiative's booklet
    path("", include("cascada.web.urls_commitments")),  # Commitments to Action
    path("", include("cascada.web.urls_commitments_plan")),  # initiatives, commitments, revisions
    path("", include("cascada.web.urls_research")),  # studies, their sample and recruitment
    path("", include("cascada.web.urls_research_coding")),  # fieldwork, transcripts, coding
    path("", include("cascada.web.urls_research_findings")),  # findings, curriculum, dissemination
    path("", include("cascada.web.urls_safeguarding")),  # the guide, the directory, leads, counts
    path("", include("cascada.web.urls_safeguarding_cases")),  # disclosures and referrals
    path("", include("cascada.web.urls_indicators_exports")),  # anonymised microdata (S18)
    path("", include("cascada.web.urls_indicators")),  # indicators, dashboards, targets
    path("", include("cascada.web.urls_dhis2")),  # DHIS2: mapping, downloads, pushes
]
