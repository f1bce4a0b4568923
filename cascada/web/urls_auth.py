from django.urls import path

from .views import audit, auth

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("two-factor/", auth.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", auth.two_factor_setup, name="two_factor_setup"),
    path("audit/", audit.audit_list, name="audit_list"),
]
