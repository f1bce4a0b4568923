from django.urls import include, path

urlpatterns = [
    path("api/", include("cascada.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cascada.web.urls")),
]

handler400 = "cascada.config.errors.bad_request"  # web page, or the API's error shape
handler403 = "cascada.config.errors.permission_denied"
handler404 = "cascada.config.errors.page_not_found"
handler500 = "cascada.config.errors.server_error"
