from django.urls import path

from .views import cascade

urlpatterns: list = [
    path("cascade/", cascade.cascade_home, name="cascade_home"),
    path("cascade/programs/<int:pk>/", cascade.cascade_program, name="cascade_program"),
    path(
        "cascade/programs/<int:pk>/generations/<int:generation>/",
        cascade.cascade_level,
        name="cascade_level",
    ),
    path(
        "cascade/programs/<int:pk>/export.<str:fmt>",
        cascade.cascade_export,
        name="cascade_export",
    ),
    path("cascade/trainers/<int:pk>/", cascade.cascade_trainer, name="cascade_trainer"),
    path("cascade/trainers/<int:pk>/tree/", cascade.cascade_tree, name="cascade_tree"),
]
