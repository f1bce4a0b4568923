from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

login_view = auth_views.LoginView.as_view(template_name="web/login.html")
logout_view = auth_views.LogoutView.as_view()


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
