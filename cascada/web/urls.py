"""Web routes. Sign-in and two-factor pages live in urls_auth (prefix /accounts/)."""

from django.urls import include, path

from .views import errors, pages

app_name = "web"

urlpatterns = [
    path("accounts/", include("cascada.web.urls_auth")),
    path("", pages.home, name="home"),
    path("health", errors.health, name="health"),
]
