"""Commitments to Action in the API (issue 11; docs/decisions/commitments.md). Read-only.

Who may open what is ``cascada.commitments.selectors``' answer, never this module's:

- ``initiatives/``: the initiatives the user may open (``initiative_list``): the funder's
  staff, and the mentors and focal points of one of its commitments;
- ``initiatives/{id}/commitments/`` and ``commitments/{id}/``: the commitments whose rows
  the user may open (``commitment_list``): the grant manager all of the funder's, a
  mentor and a focal point their own, a viewer none (an empty list; 404 on one, S2);
- ``initiatives/{id}/testimonies/``: only through ``testimonies_publishable`` (consent to
  publish, with its date), of the commitments the user may open, as the booklet does;
  attributed to the author's institution, never to the person. The commitment endpoints
  hold no testimony at all;
- ``initiatives/{id}/summary/``: for those who see the initiative's aggregates
  (``sees_aggregates``): exact for the grant manager, through
  ``core.privacy.counts_release`` for everyone else (S17).

A mentor or a focal point holds no role (they are assignments on a commitment), so these
routes let in a signed-in user with a role **or** a commitment assigned to them; anyone
else is refused as everywhere in the API (S1).

Money is exact: decimal strings to the cent in the grant's currency, never floats, never
summed across currencies. No personal data of the registry is given out (no focal point,
no author of a testimony, none of a version's free texts that may name people: activities,
people responsible, what changed), so these reads write no audit rows (S10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

import cascada.core.converters  # noqa: F401 (registers <id:>)
from cascada.accounts import scope
from cascada.commitments import selectors
from cascada.commitments.models import (
    Commitment,
    CommitmentStatus,
    CommitmentVersion,
    Currency,
    Grant,
    Initiative,
    Milestone,
    MilestoneStatus,
    Theme,
)
from cascada.core.errors import PermissionDeniedError

from .common import ERRORS, ApiViewSet
from .common import CellField as CountField

# ---------------------------------------------------------------- who may call these routes


class HasRoleOrCommitment(BasePermission):
    """S1 for Commitments to Action: a role in some organization (what it sees is then the
    selectors' answer), or a commitment the user is assigned to as mentor or focal point
    (they hold no role)."""

    message = gettext_lazy("You do not have permission to do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(scope.roles(user)) or selectors.commitment_list(user=user).exists()


# ---------------------------------------------------------------- serializers


def _money(**kwargs: Any) -> serializers.DecimalField:
    """An amount to the cent, as a string ("1234.50"): exact, never a float."""
    return serializers.DecimalField(
        max_digits=kwargs.pop("max_digits", 14),
        decimal_places=2,
        coerce_to_string=True,
        read_only=True,
        **kwargs,
    )


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InitiativeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    funder = NamedRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    institutions = NamedRefSerializer(
        many=True, source="organizations.all", help_text="Participating institutions."
    )
    trainings = serializers.SerializerMethodField(help_text="Ids of the training cohorts.")

    def get_trainings(self, obj: Initiative) -> list[int]:
        return sorted(c.pk for c in obj.trainings.all())


class BudgetLineSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    amount = _money()


class IndicatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField()
    baseline = _money()
    target = _money()


class PlannedMilestoneSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    due_on = serializers.DateField()


class CommitmentVersionSerializer(serializers.Serializer):
    """What the institution committed to, as agreed on ``created_on``; never changed."""

    number = serializers.IntegerField()
    created_on = serializers.DateField()
    presented_at = serializers.IntegerField(
        source="presented_at_id", allow_null=True, help_text="Cohort it was presented at."
    )
    aim = serializers.CharField()
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices), help_text="Codes of the themes."
    )
    target_populations = serializers.CharField()
    places = NamedRefSerializer(many=True, source="places.all")
    milestones = PlannedMilestoneSerializer(many=True, source="milestones.all")
    indicators = IndicatorSerializer(many=True, source="indicators.all")
    budget_lines = BudgetLineSerializer(many=True, source="budget_lines.all")


class MilestoneStateSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=MilestoneStatus.choices)
    done_on = serializers.DateField(allow_null=True)
    days_late = serializers.SerializerMethodField(
        help_text="Days past the due date as of ``as_of`` (a done one: on the day it was "
        "done); 0 when on time or dropped."
    )

    def get_days_late(self, obj: Milestone) -> int:
        return obj.days_late(self.context["today"])


class GrantMoneySerializer(serializers.Serializer):
    """One grant's money in its one currency (``selectors.grant_balance``)."""

    id = serializers.IntegerField()
    currency = serializers.ChoiceField(choices=Currency.choices)
    awarded_on = serializers.DateField()
    committed = _money()
    released = _money()
    disbursed = _money()
    spent = _money()
    balance = _money(help_text="Disbursed minus spent: received and not reported spent.")
    to_disburse = _money(help_text="Committed minus disbursed.")


class CommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    initiative = serializers.IntegerField(source="commitment.initiative_id")
    institution = NamedRefSerializer(source="commitment.institution")
    status = serializers.ChoiceField(choices=CommitmentStatus.choices, source="commitment.status")
    mentor = serializers.CharField(
        allow_null=True, help_text="The mentor's username; null when none is assigned."
    )
    as_of = serializers.DateField(help_text="The day lateness is counted to.")
    latest_version = CommitmentVersionSerializer(allow_null=True)
    milestones = MilestoneStateSerializer(many=True)
    grants = GrantMoneySerializer(many=True)


class CommitmentDetailSerializer(CommitmentSerializer):
    versions = CommitmentVersionSerializer(
        many=True, help_text="Every version, the first (as committed at the training) first."
    )


class TestimonySerializer(serializers.Serializer):
    """A consented testimony, attributed to the institution (never to the person)."""

    id = serializers.IntegerField()
    commitment = serializers.IntegerField(source="commitment_id")
    quote = serializers.CharField()
    author_institution = serializers.CharField(source="author_institution.name")
    consent_on = serializers.DateField()


COUNT_SCHEMA = {
    "oneOf": [{"type": "integer"}, {"type": "string", "example": "<5"}],
    "nullable": True,
    "description": (
        "A count. Exact for the initiative's grant manager; for other roles through the "
        "disclosure control (S17): '<k' for a count from 1 to k, null when withheld."
    ),
}


class ThemeCountSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=Theme.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    commitments = CountField()


class StatusCountSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=CommitmentStatus.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    commitments = CountField()


class MilestoneCountsSerializer(serializers.Serializer):
    total = CountField()
    done = CountField()
    late = CountField(help_text="Past the due date, neither done nor dropped.")
    pending = CountField(help_text="Open and not yet due.")
    dropped = CountField()


class CurrencyTotalsSerializer(serializers.Serializer):
    currency = serializers.ChoiceField(choices=Currency.choices)
    committed = _money(max_digits=18)
    released = _money(max_digits=18)
    disbursed = _money(max_digits=18)
    spent = _money(max_digits=18)


class ReachSerializer(serializers.Serializer):
    people_enrolled = CountField(
        source="enrolled.total",
        help_text="Distinct people enrolled in trainings linked to outcomes (counted once).",
    )
    people_completed = CountField(source="completed.total")
    contacts = CountField(
        source="contacts.total",
        help_text="Headcounts at linked community actions: contacts, not distinct people.",
    )
    declared = CountField(
        source="declared.total",
        help_text="People reached as the institutions declared, for activities not in Cascada.",
    )


class SummarySerializer(serializers.Serializer):
    initiative = serializers.IntegerField()
    exact = serializers.BooleanField(help_text="False: counts went through the S17 control.")
    k = serializers.IntegerField(help_text="Small-number threshold (0 when exact).")
    as_of = serializers.DateField()
    commitments = CountField()
    by_theme = ThemeCountSerializer(
        many=True,
        help_text="Commitments whose latest version names the theme; one commitment may "
        "name several, so these do not add up to the total.",
    )
    by_status = StatusCountSerializer(many=True)
    milestones = MilestoneCountsSerializer()
    money = CurrencyTotalsSerializer(
        many=True, help_text="One entry per currency; never summed across currencies."
    )
    reach = ReachSerializer()


# ---------------------------------------------------------------- reads


@dataclass
class CommitmentRow:
    commitment: Commitment
    today: dt.date
    versions: list[CommitmentVersion]
    milestones: list[Milestone]
    grants: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.commitment.pk)

    @property
    def mentor(self) -> str | None:
        mentor = self.commitment.mentor
        return mentor.get_username() if mentor is not None else None

    @property
    def as_of(self) -> dt.date:
        return self.today

    @property
    def latest_version(self) -> CommitmentVersion | None:
        return self.versions[-1] if self.versions else None


def _today() -> dt.date:
    return timezone.localdate()


def _with_rows(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    return commitments.select_related("institution", "mentor").prefetch_related(
        Prefetch(
            "versions",
            queryset=CommitmentVersion.objects.order_by("number").prefetch_related(
                "places", "budget_lines", "indicators", "milestones"
            ),
        ),
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        Prefetch("grants", queryset=Grant.objects.order_by("awarded_on", "pk")),
    )


def _row(commitment: Commitment, today: dt.date) -> CommitmentRow:
    grants = []
    for grant in commitment.grants.all():
        money = selectors.grant_balance(grant)
        grants.append(
            {
                "id": grant.pk,
                "currency": money.currency,
                "awarded_on": grant.awarded_on,
                "committed": money.committed,
                "released": money.released,
                "disbursed": money.disbursed,
                "spent": money.spent,
                "balance": money.balance,
                "to_disburse": money.to_disburse,
            }
        )
    return CommitmentRow(
        commitment=commitment,
        today=today,
        versions=list(commitment.versions.all()),
        milestones=list(commitment.milestones.all()),
        grants=grants,
    )


def _initiative(request: Request, pk: Any) -> Initiative:
    return selectors.initiative_get(user=request.user, pk=pk)


def _initiatives(request: Request) -> QuerySet[Initiative]:
    return (
        selectors.initiative_list(user=request.user)
        .prefetch_related("organizations", "trainings")
        .order_by("-starts_on", "name", "pk")
    )


# ---------------------------------------------------------------- views


class CommitmentsApiViewSet(ApiViewSet):
    permission_classes = [IsAuthenticated, HasRoleOrCommitment]


class InitiativeViewSet(CommitmentsApiViewSet):
    """Initiatives, their commitments, consented testimonies and aggregates."""

    serializer_class = InitiativeSerializer

    @extend_schema(
        summary="Initiatives the user may open", responses={200: InitiativeSerializer(many=True)}
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(_initiatives(request))
        return self.get_paginated_response(InitiativeSerializer(page, many=True).data)

    @extend_schema(summary="An initiative", responses={200: InitiativeSerializer, 404: ERRORS[404]})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        initiative = _initiatives(request).filter(pk=_initiative(request, pk).pk).get()
        return Response(InitiativeSerializer(initiative).data)

    @extend_schema(
        summary="The initiative's commitments the user may open (none for a viewer)",
        responses={200: CommitmentSerializer(many=True), 404: ERRORS[404]},
    )
    def commitments(self, request: Request, pk: Any = None) -> Response:
        initiative = _initiative(request, pk)
        rows = _with_rows(
            selectors.commitment_list(user=request.user)
            .filter(initiative=initiative)
            .order_by("pk")
        )
        page = self.paginate_queryset(rows)
        today = _today()
        data = CommitmentSerializer(
            [_row(c, today) for c in page or []], many=True, context={"today": today}
        ).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Testimonies with consent to publish, of the commitments the user may open",
        responses={200: TestimonySerializer(many=True), 404: ERRORS[404]},
    )
    def testimonies(self, request: Request, pk: Any = None) -> Response:
        initiative = _initiative(request, pk)
        rows = selectors.testimonies_publishable(
            initiative=initiative,
            commitments=selectors.commitment_list(user=request.user).filter(initiative=initiative),
        ).order_by("commitment_id", "consent_on", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(TestimonySerializer(page, many=True).data)

    @extend_schema(
        summary="The initiative's aggregates (the funder's staff; protected for viewers)",
        responses={200: SummarySerializer, 404: ERRORS[404]},
    )
    def summary(self, request: Request, pk: Any = None) -> Response:
        initiative = _initiative(request, pk)
        if not selectors.sees_aggregates(request.user, initiative):
            raise PermissionDeniedError()
        data = selectors.initiative_summary(
            user=request.user, initiative=initiative, today=_today()
        )
        return Response(SummarySerializer(data).data)


class CommitmentViewSet(CommitmentsApiViewSet):
    serializer_class = CommitmentDetailSerializer

    @extend_schema(
        summary="A commitment with every version, its milestones and its grants' money",
        responses={200: CommitmentDetailSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        commitment = selectors.commitment_get(user=request.user, pk=pk)
        today = _today()
        row = _row(_with_rows(Commitment.objects.filter(pk=commitment.pk)).get(), today)
        return Response(CommitmentDetailSerializer(row, context={"today": today}).data)


# Included by ``cascada.api.urls`` as ``path("commitments/", include(...))``.
urlpatterns = [
    path(
        "initiatives/",
        InitiativeViewSet.as_view({"get": "list"}),
        name="api-initiative-list",
    ),
    path(
        "initiatives/<id:pk>/",
        InitiativeViewSet.as_view({"get": "retrieve"}),
        name="api-initiative-detail",
    ),
    path(
        "initiatives/<id:pk>/commitments/",
        InitiativeViewSet.as_view({"get": "commitments"}),
        name="api-initiative-commitments",
    ),
    path(
        "initiatives/<id:pk>/testimonies/",
        InitiativeViewSet.as_view({"get": "testimonies"}),
        name="api-initiative-testimonies",
    ),
    path(
        "initiatives/<id:pk>/summary/",
        InitiativeViewSet.as_view({"get": "summary"}),
        name="api-initiative-summary",
    ),
    path(
        "commitments/<id:pk>/",
        CommitmentViewSet.as_view({"get": "retrieve"}),
        name="api-commitment-detail",
    ),
]
