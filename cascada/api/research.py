"""Formative research in the API (issue 12; docs/decisions/research.md). Read-only.

Who may open what is ``cascada.research.selectors``' answer, never this module's:

- ``studies/``: the studies the user may open (``study_list``): the study's members and
  the organization's staff;
- ``studies/{id}/``: the protocol, ethics approvals, sites, age groups, and the sample's
  progress per quota: exact for members and the organization's program managers, through
  ``core.privacy.counts_release`` for everyone else (S17);
- ``studies/{id}/codebook/``: the codes with their nesting and definitions, for members
  and program managers (a code's memo never: it may quote a transcript).

Transcripts, excerpts, memos and recruits' identities are never in the API: they are read
on the study's pages only, by its members (S3, S11). A member of a study may hold no
organization role, so these routes let in a signed-in user with a role **or** a study
membership counts only while the user holds a role in the study's organization, so the
API's usual role check applies (S1)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

import cascada.core.converters  # noqa: F401 (registers <id:>)
from cascada.core.errors import NotFoundError
from cascada.research import selectors
from cascada.research.models import Method, StudyStatus

from .common import ERRORS, ApiViewSet
from .common import CellField as CountField


class StudySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.CharField(source="organization.name")
    title = serializers.CharField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=StudyStatus.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)


class ApprovalSerializer(serializers.Serializer):
    committee = serializers.CharField()
    number = serializers.CharField()
    approved_on = serializers.DateField()
    expires_on = serializers.DateField()


class QuotaProgressSerializer(serializers.Serializer):
    site = serializers.CharField(source="quota.site.name")
    place_code = serializers.CharField(source="quota.site.place.code")
    age_group = serializers.CharField(source="quota.stratum.name")
    method = serializers.ChoiceField(choices=Method.choices, source="quota.method")
    target = serializers.IntegerField()
    screened = CountField()
    eligible = CountField()
    excluded = CountField()
    consented = CountField()
    took_part = CountField()


class StudyDetailSerializer(StudySerializer):
    aims = serializers.CharField()
    research_objectives = serializers.CharField()
    intervention_objectives = serializers.CharField()
    methods = serializers.CharField()
    approvals = ApprovalSerializer(many=True)
    sites = serializers.ListField(child=serializers.CharField())
    age_groups = serializers.ListField(child=serializers.CharField())
    progress = QuotaProgressSerializer(many=True)
    took_part = CountField()
    target = serializers.IntegerField()


class CodeSerializer(serializers.Serializer):
    guid = serializers.UUIDField()
    parent_guid = serializers.UUIDField(allow_null=True)
    name = serializers.CharField()
    definition = serializers.CharField()


class ResearchApiViewSet(ApiViewSet):
    """A study's members hold a role in its organization (``selectors.memberships``), so
    the API's role check (S1) lets them in."""


class StudyViewSet(ResearchApiViewSet):
    """Studies, their protocol and sample, their codebook."""

    serializer_class = StudySerializer

    @extend_schema(summary="Studies the user may open", responses={200: StudySerializer(many=True)})
    def list(self, request: Request) -> Response:
        rows = selectors.study_list(user=request.user).order_by("pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(StudySerializer(page, many=True).data)

    @extend_schema(
        summary="A study: protocol, approvals and the sample's progress per quota",
        responses={200: StudyDetailSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        study = selectors.study_get(user=request.user, pk=pk)
        progress = selectors.quota_progress(user=request.user, study=study)
        data = {
            "id": study.pk,
            "organization": study.organization,
            "title": study.title,
            "code": study.code,
            "status": study.status,
            "starts_on": study.starts_on,
            "ends_on": study.ends_on,
            "aims": study.aims,
            "research_objectives": study.research_objectives,
            "intervention_objectives": study.intervention_objectives,
            "methods": study.methods,
            "approvals": list(study.approvals.all()),
            "sites": [s.name for s in study.sites.all()],
            "age_groups": [s.name for s in study.strata.all()],
            "progress": progress.rows,
            "took_part": progress.took_part,
            "target": progress.target,
        }
        return Response(StudyDetailSerializer(data).data)

    @extend_schema(
        summary="The study's codebook (members and the organization's program managers)",
        responses={200: CodeSerializer(many=True), 404: ERRORS[404]},
    )
    def codebook(self, request: Request, pk: Any = None) -> Response:
        study = selectors.study_get(user=request.user, pk=pk)
        codes = selectors.code_list(user=request.user, study=study).select_related("parent")
        if not (
            selectors.is_member(request.user, study) or selectors.may_oversee(request.user, study)
        ):
            raise NotFoundError()
        rows = [
            {
                "guid": c.guid,
                "parent_guid": c.parent.guid if c.parent else None,
                "name": c.name,
                "definition": c.definition,
            }
            for c in codes.order_by("parent_id", "order", "name")
        ]
        return Response(CodeSerializer(rows, many=True).data)


urlpatterns = [
    path("studies/", StudyViewSet.as_view({"get": "list"}), name="api-study-list"),
    path("studies/<id:pk>/", StudyViewSet.as_view({"get": "retrieve"}), name="api-study-detail"),
    path(
        "studies/<id:pk>/codebook/",
        StudyViewSet.as_view({"get": "codebook"}),
        name="api-study-codebook",
    ),
]
