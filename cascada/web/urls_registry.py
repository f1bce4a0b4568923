"""People, organizations, places and curricula."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:> and <smallint:>)

from .views import curricula, registry

urlpatterns = [
    path("people/", registry.person_list, name="person_list"),
    path("people/search/", registry.person_search, name="person_search"),
    path("people/new/", registry.person_create, name="person_create"),
    path("people/<id:pk>/", registry.person_detail, name="person_detail"),
    path("people/<id:pk>/edit/", registry.person_edit, name="person_edit"),
    path("people/<id:pk>/consent/", registry.person_consent, name="person_consent"),
    path("people/<id:pk>/merge/", registry.person_merge, name="person_merge"),
    path("places/options/", registry.place_options, name="place_options"),
    path("organizations/", registry.organization_list, name="organization_list"),
    path("organizations/<id:pk>/", registry.organization_detail, name="organization_detail"),
    path("curricula/", curricula.curriculum_list, name="curriculum_list"),
    path("curricula/new/", curricula.curriculum_create, name="curriculum_create"),
    path("curricula/<id:pk>/", curricula.curriculum_detail, name="curriculum_detail"),
    path(
        "curricula/<id:pk>/versions/new/",
        curricula.curriculum_version_new,
        name="curriculum_version_new",
    ),
    path("curricula/versions/<id:pk>/", curricula.curriculum_version, name="curriculum_version"),
    path("curricula/versions/<id:pk>/modules/", curricula.module_add, name="module_add"),
    path("curricula/modules/<id:pk>/plans/", curricula.session_plan_add, name="session_plan_add"),
]
