"""People, organizations, places and curricula."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:> and <smallint:>)

from .views import arco, curricula, mending, places, registry

urlpatterns = [
    path("people/", registry.person_list, name="person_list"),
    path("people/search/", registry.person_search, name="person_search"),
    path("people/new/", registry.person_create, name="person_create"),
    path("people/<id:pk>/", registry.person_detail, name="person_detail"),
    path("people/<id:pk>/edit/", registry.person_edit, name="person_edit"),
    path("people/<id:pk>/consent/", registry.person_consent, name="person_consent"),
    path("people/<id:pk>/merge/", registry.person_merge, name="person_merge"),
    path("people/<id:pk>/remove/", registry.person_remove, name="person_remove"),
    # A person's rights (S14, ARCO): docs/decisions/arco.md
    path("people/<id:pk>/data/", arco.person_data, name="person_data"),
    path("people/<id:pk>/data.json", arco.person_data_json, name="person_data_json"),
    path("people/<id:pk>/erase/", arco.person_erase, name="person_erase"),
    path("places/options/", registry.place_options, name="place_options"),
    path("places/picker/", places.place_picker, name="place_picker"),
    # Places are public reference data: the type-ahead is a GET, unlike searches of people
    # (S9), and is not named "search".
    path("places/suggest/", places.place_suggestions, name="place_suggestions"),
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
    path("curricula/modules/<id:pk>/edit/", mending.module_edit, name="module_edit"),
    path("curricula/modules/<id:pk>/delete/", mending.module_delete, name="module_delete"),
    path("curricula/plans/<id:pk>/edit/", mending.session_plan_edit, name="session_plan_edit"),
    path(
        "curricula/plans/<id:pk>/delete/", mending.session_plan_delete, name="session_plan_delete"
    ),
    path("curricula/versions/<id:pk>/modules/", curricula.module_add, name="module_add"),
    path("curricula/modules/<id:pk>/plans/", curricula.session_plan_add, name="session_plan_add"),
]
