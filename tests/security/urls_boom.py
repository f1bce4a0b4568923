"""The project's URLs plus a view that fails, to see what a server error shows (S20)."""

from django.urls import path

from cascada.config.urls import urlpatterns as project_urlpatterns

BOOM = "boom-canary-Z9QX: failing with personal data in the message"


def boom(request):
    raise RuntimeError(BOOM)


urlpatterns = [path("boom/", boom, name="boom"), *project_urlpatterns]

handler400 = "cascada.config.errors.bad_request"
handler403 = "cascada.config.errors.permission_denied"
handler404 = "cascada.config.errors.page_not_found"
handler500 = "cascada.config.errors.server_error"
