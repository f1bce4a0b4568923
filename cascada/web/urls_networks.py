from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import networks

urlpatterns: list = [
    path("networks/", networks.network_list, name="network_list"),
    path("networks/new/", networks.network_new, name="network_new"),
    path("networks/<id:pk>/", networks.network_detail, name="network_detail"),
    path("networks/<id:pk>/members/add/", networks.network_members_add, name="network_members_add"),
    path("networks/members/<id:pk>/", networks.membership_edit, name="membership_edit"),
    path("networks/<id:pk>/plans/<smallint:year>/", networks.plan_detail, name="network_plan"),
    path(
        "networks/<id:pk>/plans/<smallint:year>/revise/",
        networks.plan_revise,
        name="network_plan_revise",
    ),
    path("networks/<id:pk>/actions/new/", networks.action_new, name="network_action_new"),
    path("networks/actions/<id:pk>/", networks.action_detail, name="network_action"),
    path("networks/actions/<id:pk>/photos/add/", networks.photo_add, name="network_photo_add"),
    path("networks/photos/<id:pk>/", networks.photo_file, name="network_photo"),
    path("networks/campaigns/new/", networks.campaign_new, name="campaign_new"),
    path("networks/campaigns/<id:pk>/", networks.campaign_detail, name="campaign_detail"),
    path(
        "networks/<id:pk>/report/<smallint:year>/", networks.network_report, name="network_report"
    ),
    path(
        "networks/<id:pk>/report/<smallint:year>.pdf",
        networks.network_report_pdf_view,
        name="network_report_pdf",
    ),
    path("networks/offline.js", networks.service_worker, name="network_service_worker"),
]
