from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import research

urlpatterns: list = [
    path("studies/", research.study_list, name="study_list"),
    path("studies/new/", research.study_new, name="study_new"),
    path("studies/<id:pk>/", research.study_detail, name="study_detail"),
    path("studies/<id:pk>/protocol/", research.study_update, name="study_update"),
    path("studies/<id:pk>/members/", research.study_member, name="study_member"),
    path(
        "studies/<id:pk>/members/remove/",
        research.study_member_remove,
        name="study_member_remove",
    ),
    path("studies/<id:pk>/approvals/", research.study_approval, name="study_approval"),
    path(
        "studies/<id:pk>/consent-forms/",
        research.study_consent_form,
        name="study_consent_form",
    ),
    path("studies/<id:pk>/sites/", research.study_site_add, name="study_site_add"),
    path("studies/<id:pk>/strata/", research.study_stratum, name="study_stratum"),
    path("studies/<id:pk>/quotas/", research.study_quota, name="study_quota"),
    path("studies/<id:pk>/questions/", research.study_question, name="study_question"),
    path("studies/<id:pk>/recruits/", research.study_recruits, name="study_recruits"),
    path("studies/<id:pk>/recruits/screen/", research.study_screen, name="study_screen"),
    path("recruits/<id:pk>/", research.recruit_detail, name="recruit_detail"),
    path("recruits/<id:pk>/consent/", research.recruit_consent, name="recruit_consent"),
    path("recruits/<id:pk>/status/", research.recruit_status, name="recruit_status"),
    path("recruits/<id:pk>/identity/", research.recruit_identity, name="recruit_identity"),
]
