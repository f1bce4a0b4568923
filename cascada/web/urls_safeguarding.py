"""Safeguarding routes (issue 13): the guide "What to do now?", the printable card, the
directory of services, the leads, a court-ordered program's agreement and the yearly
counts. The cases and their referrals: ``urls_safeguarding_cases``."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import safeguarding as v

urlpatterns: list = [
    path("safeguarding/guide/", v.guide, name="safeguarding_guide"),
    path("safeguarding/card/", v.card, name="safeguarding_card"),
    path("safeguarding/directory/", v.service_list, name="service_list"),
    path("safeguarding/directory/new/", v.service_new, name="service_new"),
    path("safeguarding/directory/<id:pk>/edit/", v.service_edit, name="service_edit"),
    path("safeguarding/leads/", v.leads, name="safeguarding_leads"),
    path("safeguarding/summary/", v.summary, name="safeguarding_summary"),
    path("programs/<id:pk>/court-agreement/", v.court_agreement, name="court_agreement"),
]
