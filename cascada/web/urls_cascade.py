from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:> and <smallint:>)

from .views import cascade

urlpatterns: list = [
    path("cascade/", cascade.cascade_home, name="cascade_home"),
    path("cascade/programs/<id:pk>/", cascade.cascade_program, name="cascade_program"),
    path(
        "cascade/programs/<id:pk>/generations/<smallint:generation>/",
        cascade.cascade_level,
        name="cascade_level",
    ),
    path("cascade/programs/<id:pk>/idle/", cascade.cascade_idle, name="cascade_idle"),
    path(
        "cascade/programs/<id:pk>/export.<str:fmt>",
        cascade.cascade_export,
        name="cascade_export",
    ),
    path("cascade/trainers/<id:pk>/", cascade.cascade_trainer, name="cascade_trainer"),
    path("cascade/trainers/<id:pk>/tree/", cascade.cascade_tree, name="cascade_tree"),
]
