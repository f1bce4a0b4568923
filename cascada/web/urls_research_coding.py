from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

urlpatterns: list = []
