"""Attitude measurement in the API (docs/decisions/measurement.md): survey rounds, one
respondent's answers (those who may read answers; recording them needs
``Cap.RECORD_ANSWERS``), and a program's before/after analysis (exact only for those who
read answers, else the protected analysis, as on the web)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

import cascada.core.converters  # noqa: F401 (registers <id:>)
from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError, PermissionDeniedError
from cascada.measurement import analysis, selectors, services
from cascada.measurement.instrument_import import instrument_from_xlsform
from cascada.measurement.models import InstrumentVersion, Round
from cascada.registry.models import Organization, Person
from cascada.trainings.selectors import program_get

from .common import ERRORS, ApiViewSet


class RoundSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="version.instrument.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    higher_means = serializers.CharField(source="version.higher_means_es", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "cohort",
            "kind",
            "label",
            "opens_on",
            "closes_on",
            "anonymous",
            "instrument",
            "version",
            "higher_means",
        ]


class ResponseSerializer(serializers.Serializer):
    respondent = serializers.SerializerMethodField()
    source = serializers.CharField()  # type: ignore[assignment]
    submitted_at = serializers.DateTimeField(allow_null=True)
    answers = serializers.DictField(child=serializers.CharField())
    total = serializers.FloatField(allow_null=True)
    subscales = serializers.DictField(child=serializers.FloatField(allow_null=True))
    category = serializers.CharField()
    answered = serializers.IntegerField()

    def get_respondent(self, obj: Any) -> str:
        return obj.person.code if obj.person is not None else ""


class RecordSerializer(serializers.Serializer):
    person = serializers.CharField(required=False, allow_blank=True, help_text="Person code")
    self_code = serializers.CharField(required=False, allow_blank=True)
    consent = serializers.BooleanField()
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True))


class AnalysisChangeSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)
    mean_difference = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    cohen_dz = serializers.FloatField(allow_null=True)
    share_improved = serializers.FloatField(allow_null=True)
    t_p_value = serializers.FloatField(allow_null=True, source="t_test.p_value")
    wilcoxon_p_value = serializers.FloatField(allow_null=True, source="wilcoxon.p_value")


class AnalysisGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    n = serializers.SerializerMethodField(help_text="None when the group is too small to show")
    change = AnalysisChangeSerializer(allow_null=True)

    def get_n(self, obj: Any) -> int | None:
        return obj.n if obj.shown or self.context.get("exact") else None


class AnalysisSerializer(serializers.Serializer):
    instrument = serializers.CharField(source="instrument.code")
    higher_means = serializers.CharField()
    exact = serializers.BooleanField()
    k = serializers.IntegerField()
    overall = AnalysisGroupSerializer()
    breakdowns = serializers.DictField(child=AnalysisGroupSerializer(many=True))
    alpha = serializers.FloatField(allow_null=True, source="reliability.alpha", default=None)


class InstrumentItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    position = serializers.IntegerField()
    text_es = serializers.CharField()
    text_en = serializers.CharField()
    wording_es = serializers.CharField()
    scale = serializers.CharField()
    reverse = serializers.BooleanField()
    scored = serializers.BooleanField()


class InstrumentOptionSerializer(serializers.Serializer):
    scale = serializers.CharField()
    code = serializers.CharField()
    label_es = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)


class InstrumentVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.CharField(source="instrument.code")
    name = serializers.CharField(source="instrument.name_es")
    number = serializers.IntegerField()
    status = serializers.CharField()
    scoring = serializers.CharField()
    higher_means = serializers.CharField(source="higher_means_es")
    max_missing = serializers.IntegerField()
    category_rule = serializers.JSONField()
    items = InstrumentItemSerializer(many=True, source="items.all")
    options = InstrumentOptionSerializer(many=True, source="options.all")


class XlsformUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An XLSForm workbook (.xlsx)")
    organization = serializers.IntegerField()


def _round(request: Request, pk: Any, cap: str = Cap.VIEW_AGGREGATES) -> Round:
    return selectors.round_get(user=request.user, pk=pk, cap=cap)


class RoundViewSet(ApiViewSet):
    """Survey rounds of the cohorts the user reaches."""

    serializer_class = RoundSerializer

    def get_queryset(self) -> Any:
        return selectors.round_list(user=self.request.user).order_by("pk")

    @extend_schema(summary="Survey rounds", responses={200: RoundSerializer(many=True)})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RoundSerializer(page, many=True).data)

    @extend_schema(summary="A survey round", responses={200: RoundSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(RoundSerializer(_round(request, pk)).data)

    @extend_schema(
        summary="Respondents' answers and scores (roles that may read answers)",
        responses={200: ResponseSerializer(many=True), 404: ERRORS[404]},
    )
    def responses(self, request: Request, pk: Any = None) -> Response:
        survey = _round(request, pk, Cap.VIEW_ANSWERS)
        rows = selectors.response_list_reveal(user=request.user, survey=survey)
        page = self.paginate_queryset(rows.order_by("pk"))
        return self.get_paginated_response(ResponseSerializer(page, many=True).data)

    @extend_schema(
        summary="Record one respondent's answers (replaces earlier ones)",
        request=RecordSerializer,
        responses={201: ResponseSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def record(self, request: Request, pk: Any = None) -> Response:
        survey = _round(request, pk, Cap.RECORD_ANSWERS)
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = None
        code = (data.validated_data.get("person") or "").strip().upper()
        if code:
            person = Person.objects.filter(code=code).first()
            if person is None:
                raise NotFoundError()
        saved = services.response_record(
            actor=request.user,
            survey=survey,
            person=person,
            self_code=data.validated_data.get("self_code") or "",
            answers=data.validated_data["answers"],
            consent=data.validated_data["consent"],
        )
        return Response(ResponseSerializer(saved).data, status=201)


class InstrumentVersionViewSet(ApiViewSet):
    """Instruments: the shipped ones and the user's organizations' (each version with its
    items, answers and scoring rules); a new one from an XLSForm; publishing a draft."""

    serializer_class = InstrumentVersionSerializer

    @extend_schema(
        summary="Instrument versions", responses={200: InstrumentVersionSerializer(many=True)}
    )
    def list(self, request: Request) -> Response:
        versions = InstrumentVersion.objects.filter(
            instrument__in=selectors.instrument_list(user=request.user)
        ).order_by("pk")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(InstrumentVersionSerializer(page, many=True).data)

    @extend_schema(
        summary="An instrument version",
        responses={200: InstrumentVersionSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(
            InstrumentVersionSerializer(selectors.version_get(user=request.user, pk=pk)).data
        )

    @extend_schema(
        summary="A new instrument (draft) from an XLSForm workbook",
        request={"multipart/form-data": XlsformUploadSerializer},
        responses={201: InstrumentVersionSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def create(self, request: Request) -> Response:
        data = XlsformUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = Organization.objects.filter(
            pk=data.validated_data["organization"],
            pk__in=scope.org_ids(request.user, Cap.MANAGE_MEASUREMENT),
        ).first()
        if organization is None:
            raise NotFoundError()
        version = instrument_from_xlsform(
            actor=request.user, organization=organization, data=data.validated_data["file"].read()
        )
        return Response(InstrumentVersionSerializer(version).data, status=201)

    @extend_schema(
        summary="Publish a draft version",
        request=None,
        responses={200: InstrumentVersionSerializer},
    )
    def publish(self, request: Request, pk: Any = None) -> Response:
        version = selectors.version_get(user=request.user, pk=pk)
        if not scope.has(request.user, Cap.MANAGE_MEASUREMENT):
            raise PermissionDeniedError()
        return Response(
            InstrumentVersionSerializer(
                services.version_publish(actor=request.user, version=version)
            ).data
        )


class AnalysisViewSet(ApiViewSet):
    serializer_class = AnalysisSerializer

    @extend_schema(
        summary="A program's before/after analysis of an instrument",
        parameters=[OpenApiParameter("instrument", str, description="Instrument code (gem)")],
        responses={200: AnalysisSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        if not scope.has(request.user, Cap.VIEW_AGGREGATES):
            raise PermissionDeniedError()
        program = program_get(user=request.user, pk=pk)
        code = str(request.query_params.get("instrument") or "gem")
        instrument = selectors.instrument_list(user=request.user).filter(code=code).first()
        if instrument is None:
            raise NotFoundError()
        result = analysis.analyse(user=request.user, instrument=instrument, program=program)
        return Response(AnalysisSerializer(result, context={"exact": result.exact}).data)


urlpatterns = [
    path(
        "instruments/",
        InstrumentVersionViewSet.as_view({"get": "list", "post": "create"}),
        name="api-instrument-list",
    ),
    path(
        "instruments/<id:pk>/",
        InstrumentVersionViewSet.as_view({"get": "retrieve"}),
        name="api-instrument-detail",
    ),
    path(
        "instruments/<id:pk>/publish/",
        InstrumentVersionViewSet.as_view({"post": "publish"}),
        name="api-instrument-publish",
    ),
    path("rounds/", RoundViewSet.as_view({"get": "list"}), name="api-round-list"),
    path("rounds/<id:pk>/", RoundViewSet.as_view({"get": "retrieve"}), name="api-round-detail"),
    path(
        "rounds/<id:pk>/responses/",
        RoundViewSet.as_view({"get": "responses", "post": "record"}),
        name="api-round-responses",
    ),
    path(
        "programs/<id:pk>/analysis/",
        AnalysisViewSet.as_view({"get": "retrieve"}),
        name="api-program-analysis",
    ),
]
