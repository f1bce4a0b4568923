"""People, organizations, places and curricula."""

from django.urls import path

from .views import curricula, registry

urlpatterns = [
    path("people/", registry.person_list, name="person_list"),
    path("people/search/", registry.person_search, name="person_search"),
    path("people/new/", registry.person_create, name="person_create"),
    path("people/<int:pk>/", registry.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", registry.person_edit, name="person_edit"),
    path("people/<int:pk>/consent/", registry.person_consent, name="person_consent"),
    path("people/<int:pk>/merge/", registry.person_merge, name="person_merge"),
    path("places/options/", registry.place_options, name="place_options"),
    path("organizations/", registry.organization_list, name="organization_list"),
    path("organizations/<int:pk>/", registry.organization_detail, name="organization_detail"),
    path("curricula/", curricula.curriculum_list, name="curriculum_list"),
    path("curricula/new/", curricula.curriculum_create, name="curriculum_create"),
    path("curricula/<int:pk>/", curricula.curriculum_detail, name="curriculum_detail"),
    path(
        "curricula/<int:pk>/versions/new/",
        curricula.curriculum_version_new,
        name="curriculum_version_new",
    ),
    path("curricula/versions/<int:pk>/", curricula.curriculum_version, name="curriculum_version"),
    path("curricula/versions/<int:pk>/modules/", curricula.module_add, name="module_add"),
    path("curricula/modules/<int:pk>/plans/", curricula.session_plan_add, name="session_plan_add"),
]
