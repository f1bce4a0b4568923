"""The project's URLs plus views that fail under /api/: inside DRF and outside it, to see
that every API error, a server error too, answers in the one JSON error shape."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cascada.config.urls import urlpatterns as project_urlpatterns

BOOM = "boom-canary-K4TW: failing with personal data in the message"


class DrfBoom(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError(BOOM)


def plain_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(BOOM)


urlpatterns = [
    path("api/boom/", DrfBoom.as_view(), name="api-test-boom"),
    path("api/boom-plain/", plain_boom, name="api-test-boom-plain"),
    *project_urlpatterns,
]

handler400 = "cascada.config.errors.bad_request"
handler403 = "cascada.config.errors.permission_denied"
handler404 = "cascada.config.errors.page_not_found"
handler500 = "cascada.config.errors.server_error"
