from django.urls import include, path

urlpatterns = [
    path("api/", include("cascada.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cascada.web.urls")),
]

handler400 = "cascada.web.views.errors.bad_request"
handler403 = "cascada.web.views.errors.permission_denied"
handler404 = "cascada.web.views.errors.page_not_found"
handler500 = "cascada.web.views.errors.server_error"
