"""Safeguarding routes (issue 13): the cases (disclosures), their referrals and follow-up,
who else may read a case, notices to the court. The guide, the directory, the leads and
the counts are ``urls_safeguarding``."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import safeguarding_cases as cases

urlpatterns: list = [
    path("safeguarding/", cases.case_list, name="case_list"),
    path("safeguarding/new/", cases.case_new, name="case_new"),
    path("safeguarding/cases/<id:pk>/", cases.case_detail, name="case_detail"),
    path("safeguarding/cases/<id:pk>/referrals/", cases.referral_make, name="case_referral"),
    path(
        "safeguarding/cases/<id:pk>/referrals/<id:referral>/step/",
        cases.referral_step,
        name="case_referral_step",
    ),
    path("safeguarding/cases/<id:pk>/close/", cases.case_close, name="case_close"),
    path("safeguarding/cases/<id:pk>/access/", cases.access_grant, name="case_access"),
    path(
        "safeguarding/cases/<id:pk>/access/<id:access>/revoke/",
        cases.access_revoke,
        name="case_access_revoke",
    ),
    path("safeguarding/cases/<id:pk>/court/", cases.court_notice, name="case_court_notice"),
]
