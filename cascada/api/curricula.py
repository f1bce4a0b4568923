"""API for curricula, versions, modules and session plans. A version in use by a cohort
is frozen: editing it answers 400 with code ``frozen``; ``POST .../versions/`` makes a
new editable copy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cascada.curricula import selectors, services
from cascada.curricula.models import Audience, Curriculum, CurriculumVersion, Module, SessionPlan
from cascada.registry.selectors import organization_get

from .common import ERRORS, ApiViewSet, resolve


class SessionPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionPlan
        fields = [
            "id",
            "module",
            "order",
            "title",
            "objectives",
            "techniques",
            "materials",
            "duration_minutes",
            "audience",
        ]
        read_only_fields = ["id", "module", "order"]


class ModuleSerializer(serializers.ModelSerializer):
    session_plans = SessionPlanSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "version", "order", "title", "is_core", "session_plans"]
        read_only_fields = ["id", "version", "order", "session_plans"]


class VersionSummarySerializer(serializers.ModelSerializer):
    is_frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = CurriculumVersion
        fields = ["id", "number", "notes", "frozen_at", "is_frozen", "created_at"]


class VersionSerializer(VersionSummarySerializer):
    curriculum: serializers.PrimaryKeyRelatedField[Curriculum] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    modules = ModuleSerializer(many=True, read_only=True)
    total_hours = serializers.SerializerMethodField()

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "curriculum", "total_hours", "modules"]

    def get_total_hours(self, version: CurriculumVersion) -> float:
        return services.version_total_hours(version)


class CurriculumSerializer(serializers.ModelSerializer):
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Curriculum
        fields = ["id", "organization", "title", "description", "audience", "versions"]
        read_only_fields = ["id", "organization", "title", "description", "audience", "versions"]


class CurriculumCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.MEN)


class VersionCreateSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True)


class ModuleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    is_core = serializers.BooleanField(default=True)


class SessionPlanWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    objectives = serializers.CharField(required=False, allow_blank=True)
    techniques = serializers.CharField(required=False, allow_blank=True)
    materials = serializers.CharField(required=False, allow_blank=True)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    audience = serializers.ChoiceField(choices=Audience.choices, required=False, allow_blank=True)


@extend_schema_view(
    retrieve=extend_schema(responses={200: CurriculumSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        request=CurriculumCreateSerializer, responses={201: CurriculumSerializer, 400: ERRORS[400]}
    ),
)
class CurriculumViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = CurriculumSerializer
    queryset = Curriculum.objects.none()

    def get_queryset(self) -> QuerySet[Curriculum]:
        return selectors.curriculum_list(user=self.request.user).prefetch_related("versions")

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(
            self.get_serializer(selectors.curriculum_get(user=request.user, pk=pk)).data
        )

    def create(self, request: Request) -> Response:
        data = CurriculumCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organization"] = resolve(
            "organization", organization_get, user=request.user, pk=values["organization"]
        )
        curriculum = services.curriculum_create(actor=request.user, **values)
        curriculum = selectors.curriculum_get(user=request.user, pk=curriculum.pk)
        return Response(self.get_serializer(curriculum).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Create a new version, copied from the latest one",
        request=VersionCreateSerializer,
        responses={201: VersionSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: Any = None) -> Response:
        curriculum = selectors.curriculum_get(user=request.user, pk=pk)
        data = VersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.curriculum_version_new(
            actor=request.user, curriculum=curriculum, **data.validated_data
        )
        version = selectors.version_get(user=request.user, pk=version.pk)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="A version with its modules and session plans",
        responses={200: VersionSerializer, 404: ERRORS[404]},
    )
)
class CurriculumVersionViewSet(ApiViewSet):
    serializer_class = VersionSerializer
    queryset = CurriculumVersion.objects.none()

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        version = selectors.version_get(user=request.user, pk=pk)
        return Response(self.get_serializer(version).data)

    @extend_schema(
        summary="Add a module (refused with code `frozen` when the version is in use)",
        request=ModuleCreateSerializer,
        responses={201: ModuleSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def modules(self, request: Request, pk: Any = None) -> Response:
        version = selectors.version_get(user=request.user, pk=pk)
        data = ModuleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        module = services.module_add(actor=request.user, version=version, **data.validated_data)
        return Response(ModuleSerializer(module).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change a module (code `frozen` when the version is in use)",
        request=ModuleCreateSerializer,
        responses={200: ModuleSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    ),
    destroy=extend_schema(
        summary="Delete a module and its session plans (code `frozen` when in use)",
        responses={204: None, 400: ERRORS[400], 404: ERRORS[404]},
    ),
)
class ModuleViewSet(ApiViewSet):
    serializer_class = ModuleSerializer
    queryset = Module.objects.none()

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        module = selectors.module_get(user=request.user, pk=pk)
        data = ModuleCreateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        module = services.module_update(actor=request.user, module=module, **data.validated_data)
        return Response(ModuleSerializer(module).data)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        module = selectors.module_get(user=request.user, pk=pk)
        services.module_delete(actor=request.user, module=module)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add a session plan to a module (code `frozen` when the version is in use)",
        request=SessionPlanWriteSerializer,
        responses={201: SessionPlanSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"], url_path="session-plans")
    def session_plans(self, request: Request, pk: Any = None) -> Response:
        module = selectors.module_get(user=request.user, pk=pk)
        data = SessionPlanWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.session_plan_add(actor=request.user, module=module, **data.validated_data)
        return Response(SessionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    partial_update=extend_schema(
        summary="Change a session plan (code `frozen` when the version is in use)",
        request=SessionPlanWriteSerializer,
        responses={200: SessionPlanSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    ),
    destroy=extend_schema(
        summary="Delete a session plan (code `frozen` when the version is in use)",
        responses={204: None, 400: ERRORS[400], 404: ERRORS[404]},
    ),
)
class SessionPlanViewSet(ApiViewSet):
    serializer_class = SessionPlanSerializer
    queryset = SessionPlan.objects.none()

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        plan = selectors.session_plan_get(user=request.user, pk=pk)
        data = SessionPlanWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = services.session_plan_update(actor=request.user, plan=plan, **data.validated_data)
        return Response(SessionPlanSerializer(plan).data)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        plan = selectors.session_plan_get(user=request.user, pk=pk)
        services.session_plan_delete(actor=request.user, plan=plan)
        return Response(status=status.HTTP_204_NO_CONTENT)
