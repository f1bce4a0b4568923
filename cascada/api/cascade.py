"""The cascade through the API: the same figures as the pages, through the same selectors
and the same suppression (S17). Read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

import cascada.core.converters  # noqa: F401 (registers <id:>)
from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.cascade import selectors
from cascada.cascade.forecast import assumptions_from_figures, cascade_forecast
from cascada.core.errors import NotFoundError, PermissionDeniedError
from cascada.networks.selectors import community_reach, community_reach_present
from cascada.registry.models import Place
from cascada.trainings.selectors import program_get

from .common import COUNT_SCHEMA, ERRORS, ApiViewSet
from .params import query_id, query_param


@extend_schema_field(COUNT_SCHEMA)
class Count(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value.as_json() if hasattr(value, "as_json") else value


class LevelSerializer(serializers.Serializer):
    generation = serializers.IntegerField()
    enrolled = Count()
    completed = Count()
    completion = serializers.CharField()
    attrition = serializers.CharField()
    thin = serializers.BooleanField()
    trained_trainers = Count()
    replicating = Count()
    replication = serializers.CharField()


class DepartmentSerializer(serializers.Serializer):
    department_id = serializers.IntegerField(allow_null=True)
    department = serializers.CharField()
    enrolled = Count()
    completed = Count()
    completion = serializers.CharField()


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    # A declared field shadows ``Field.label`` only in the stubs: the serializer metaclass
    # moves declared fields out of the class attributes.
    label = serializers.CharField()  # type: ignore[assignment]
    completed = Count()


class DepthSerializer(serializers.Serializer):
    depth = serializers.IntegerField()
    people = Count()


class FiguresSerializer(serializers.Serializer):
    enrolled = Count()
    completed = Count()
    merely_enrolled = Count()
    contacts = Count()
    headcount_contacts = Count()
    cohorts = Count()
    tot_cohorts = Count()
    direct = Count()
    multiplier = serializers.CharField()
    completion = serializers.CharField()
    trained_trainers = Count()
    replicating = Count()
    replication_rate = serializers.CharField()
    median_days_to_first_cohort = serializers.IntegerField(allow_null=True)
    levels = LevelSerializer(many=True)
    by_sex = GroupSerializer(many=True)
    by_age = GroupSerializer(many=True)
    departments = DepartmentSerializer(many=True)
    idle_trainers = Count()
    idle_months = serializers.IntegerField()
    version_mismatch_cohorts = Count()
    uncertified_cohorts = Count()
    thin_generations = serializers.ListField(child=serializers.IntegerField())
    completion_threshold = serializers.IntegerField()
    tree = DepthSerializer(many=True)
    suppressed = serializers.BooleanField()
    breakdowns_published = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="Per breakdown (generation, sex, age, department): whether it is published.",
    )


class CommunityGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    contacts = Count()


class CommunityKindSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    actions = Count()
    contacts = Count()


class CommunityDepartmentSerializer(serializers.Serializer):
    department_id = serializers.IntegerField(allow_null=True)
    department = serializers.CharField()
    actions = Count()
    contacts = Count()


class CommunityReachSerializer(serializers.Serializer):
    """Community actions run by the program's promoters: contacts (summed headcounts,
    never distinct people) and actions, through the same disclosure control."""

    actions = Count()
    contacts = Count()
    by_sex_age = CommunityGroupSerializer(many=True)
    by_kind = CommunityKindSerializer(many=True)
    departments = CommunityDepartmentSerializer(
        many=True, help_text="Only for roles with access to the people; empty otherwise."
    )
    published = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="Per breakdown (sex_age, kind): whether it is published.",
    )
    suppressed = serializers.BooleanField()


class ProgramFiguresSerializer(FiguresSerializer):
    community_reach = CommunityReachSerializer(
        help_text="What the program's promoters did in their communities: contacts, not people."
    )


class StepSerializer(serializers.Serializer):
    generation = serializers.IntegerField()
    trainers = serializers.IntegerField()
    new_people = serializers.IntegerField()
    cumulative = serializers.IntegerField()
    month = serializers.FloatField()


class AssumptionsSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    reached = serializers.IntegerField()
    trainers = serializers.IntegerField()
    replication_rate = serializers.FloatField()
    cohorts_per_trainer = serializers.FloatField()
    cohort_size = serializers.FloatField()
    completion = serializers.FloatField()
    trainer_share = serializers.FloatField()
    months_to_first_cohort = serializers.FloatField()
    max_generations = serializers.IntegerField()


class ForecastSerializer(serializers.Serializer):
    assumptions = AssumptionsSerializer()
    steps = StepSerializer(many=True)
    reached_target = serializers.BooleanField()
    generations_needed = serializers.IntegerField(allow_null=True)
    months_needed = serializers.FloatField(allow_null=True)
    extra_trainers_needed = serializers.IntegerField()


_VIEWERS = (
    " Ignored for roles without access to people: they get the whole program's release (ADR 0006)."
)
FILTERS = [
    OpenApiParameter("department", int, description="Department (place id)." + _VIEWERS),
    OpenApiParameter("start", dt.date, description="Cohorts starting on or after." + _VIEWERS),
    OpenApiParameter("end", dt.date, description="Cohorts starting on or before." + _VIEWERS),
]


def _filters(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {"department": None, "start": None, "end": None}
    dep = query_id(request, "department")
    if dep is not None:
        out["department"] = Place.objects.filter(pk=dep, level="department").first()
    for key in ("start", "end"):
        try:
            value = request.query_params.get(key)
            out[key] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise serializers.ValidationError({key: ["YYYY-MM-DD"]}) from None
    return out


def _need(request: Request) -> None:
    if not scope.has(request.user, Cap.VIEW_AGGREGATES):
        raise PermissionDeniedError()


class CascadeProgramViewSet(ApiViewSet):
    """A program's cascade: reach, generations, departments, where it thins, forecast."""

    serializer_class = FiguresSerializer

    @extend_schema(
        summary="A program's cascade figures",
        parameters=FILTERS,
        responses={200: ProgramFiguresSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        _need(request)
        program = program_get(user=request.user, pk=pk)
        sc = selectors.Scope(user=request.user, program=program, **_filters(request))
        shown = selectors.figures_present(selectors.cascade_figures(sc), sc)
        shown["community_reach"] = community_reach_present(community_reach(sc), sc)
        return Response(ProgramFiguresSerializer(shown).data)

    @extend_schema(
        summary="How long the cascade needs to reach a target",
        parameters=[OpenApiParameter("target", int, description="People to reach"), *FILTERS],
        responses={200: ForecastSerializer, 404: ERRORS[404]},
    )
    def forecast(self, request: Request, pk: Any = None) -> Response:
        _need(request)
        program = program_get(user=request.user, pk=pk)
        sc = selectors.Scope(user=request.user, program=program, **_filters(request))
        target = query_param(request, "target", minimum=1) or 85_000
        fig = selectors.cascade_figures(sc)
        if not sc.sees_people:  # its assumptions are exact figures (ADR 0006)
            raise NotFoundError()
        forecast = cascade_forecast(assumptions_from_figures(fig, target=target))
        return Response(ForecastSerializer(forecast.as_dict()).data)


class CascadeTrainerViewSet(ApiViewSet):
    """A trainer's reach and tree (roles with access to people only)."""

    serializer_class = FiguresSerializer

    @extend_schema(
        summary="A trainer's cascade figures",
        responses={200: FiguresSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        _need(request)
        trainer = selectors.trainer_get(user=request.user, pk=pk)
        sc = selectors.Scope(user=request.user, trainer=trainer)
        shown = selectors.figures_present(selectors.cascade_figures(sc), sc)
        return Response(FiguresSerializer(shown).data)


# Included by ``cascada.api.urls`` as ``path("cascade/", include("cascada.api.cascade"))``.
urlpatterns = [
    path(
        "programs/<id:pk>/",
        CascadeProgramViewSet.as_view({"get": "retrieve"}),
        name="api-cascade-program",
    ),
    path(
        "programs/<id:pk>/forecast/",
        CascadeProgramViewSet.as_view({"get": "forecast"}),
        name="api-cascade-forecast",
    ),
    path(
        "trainers/<id:pk>/",
        CascadeTrainerViewSet.as_view({"get": "retrieve"}),
        name="api-cascade-trainer",
    ),
]
