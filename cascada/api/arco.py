"""A person's rights through the API (S14, ARCO; docs/decisions/arco.md): everything held
about the person as JSON (access, portability) and the erasure of their personal data
(cancellation). The rules are in ``registry/arco.py``; the web and the CLI call the same.

Included by ``cascada.api.urls`` as ``path("", include("cascada.api.arco"))``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

import cascada.core.converters  # noqa: F401 (registers <id:>)
from cascada.registry import arco, selectors

from .common import ERRORS, ApiViewSet, ErrorSerializer


class EraseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=sorted(arco.ERASE_REASONS),
        help_text="Why: the person asked, their representative asked, an authority "
        "ordered it, or the person withdrew consent to take part.",
    )


class ErasedSerializer(serializers.Serializer):
    erased = serializers.BooleanField()
    removed = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="What was removed or stripped, by kind of record: counts, never values.",
    )


FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not allowed for your role.")


class PersonArcoViewSet(ApiViewSet):
    serializer_class = EraseSerializer

    @extend_schema(
        summary="Everything held about a person (ARCO access and portability; audited)",
        responses={
            200: OpenApiResponse(
                description="Sections: person, identity, roles, consents, merged_records, "
                "enrolments, attendance, certificates, facilitation, cascade, imports, "
                "audit. Other people appear by code only."
            ),
            403: FORBIDDEN,
            404: ERRORS[404],
        },
    )
    def data(self, request: Request, pk: Any = None) -> Response:
        person = selectors.person_get(user=request.user, pk=pk, audit=False)
        return Response(arco.person_export_reveal(actor=request.user, person=person))

    @extend_schema(
        summary="Erase a person's personal data (ARCO cancellation; cannot be undone)",
        request=EraseSerializer,
        responses={200: ErasedSerializer, 400: ERRORS[400], 403: FORBIDDEN, 404: ERRORS[404]},
    )
    def erase(self, request: Request, pk: Any = None) -> Response:
        person = selectors.person_get(user=request.user, pk=pk, audit=False)
        data = EraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        removed = arco.person_erase(
            actor=request.user, person=person, reason=data.validated_data["reason"]
        )
        return Response(ErasedSerializer({"erased": True, "removed": removed}).data)


urlpatterns = [
    path(
        "people/<id:pk>/data/",
        PersonArcoViewSet.as_view({"get": "data"}),
        name="api-person-data",
    ),
    path(
        "people/<id:pk>/erase/",
        PersonArcoViewSet.as_view({"post": "erase"}),
        name="api-person-erase",
    ),
]
