"""Indicators and dashboards (issue 14): the dashboards of a program and an organization,
one indicator with its breakdowns and downloads, targets, an organization's own
indicators and the values of those typed by hand, "Refresh now"."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import indicators as v
from .views import indicators_places as places
from .views import indicators_reported as typed

urlpatterns: list = [
    path("indicators/", v.home, name="indicators_home"),
    path("indicators/programs/<id:pk>/", v.program_dashboard, name="indicators_program"),
    path("indicators/programs/<id:pk>/report/", v.program_report, name="indicators_report"),
    path(
        "indicators/programs/<id:pk>/report.pdf", v.program_report_pdf, name="indicators_report_pdf"
    ),
    path(
        "indicators/programs/<id:pk>/<slug:code>/",
        v.program_indicator,
        name="indicators_program_indicator",
    ),
    path("indicators/programs/<id:pk>/<slug:code>/targets/", v.plan_edit, name="indicator_plan"),
    path("indicators/programs/<id:pk>/<slug:code>/values/", typed.values, name="indicator_values"),
    path(
        "indicators/programs/<id:pk>/<slug:code>/values/delete/",
        typed.value_delete,
        name="indicator_value_delete",
    ),
    path(
        "indicators/organizations/<id:pk>/",
        v.organization_dashboard,
        name="indicators_organization",
    ),
    path(
        "indicators/organizations/<id:pk>/places/<id:place>/",
        places.place_dashboard,
        name="indicators_place",
    ),
    path("indicators/organizations/<id:pk>/new/", v.indicator_new, name="indicator_new"),
    path("indicators/organizations/<id:pk>/refresh/", v.refresh, name="indicators_refresh"),
]
