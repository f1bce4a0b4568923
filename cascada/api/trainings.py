"""API for programs, cohorts, sessions, attendance, enrolments and certificates. Reads go
through ``cascada.trainings.selectors``, writes through ``cascada.trainings.services``.
Counts shown to roles without access to personal data go through ``cascada.core.privacy``
(S17, see ``CountField``)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cascada.accounts.roles import Cap
from cascada.core.errors import NotFoundError
from cascada.curricula.selectors import module_get, version_get
from cascada.registry.models import IdDocument, Sex
from cascada.registry.selectors import (
    organization_find,
    organization_get,
    person_get,
    place_get,
)
from cascada.trainings import selectors, services
from cascada.trainings.models import (
    AttendanceStatus,
    Certificate,
    Cohort,
    CohortKind,
    CohortStatus,
    CompletionRule,
    Enrolment,
    Modality,
    Program,
    Session,
)

from .common import ERRORS, ApiViewSet, CountField, ErrorSerializer, resolve
from .params import QueryIdField

# ---------------------------------------------------------------- programs


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "name", "owner", "shared_with", "description", "is_court_mandated"]
        read_only_fields = fields


class ProgramCreateSerializer(serializers.Serializer):
    owner = serializers.IntegerField(help_text=_("Id of the organization that runs it."))
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    is_court_mandated = serializers.BooleanField(default=False)


class ProgramShareSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text=_("Id of the partner organization."))


@extend_schema_view(
    retrieve=extend_schema(responses={200: ProgramSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        request=ProgramCreateSerializer, responses={201: ProgramSerializer, 400: ERRORS[400]}
    ),
)
class ProgramViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = ProgramSerializer
    queryset = Program.objects.none()

    def get_queryset(self) -> QuerySet[Program]:
        return selectors.program_list(user=self.request.user).prefetch_related("shared_with")

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(self.get_serializer(selectors.program_get(user=request.user, pk=pk)).data)

    def create(self, request: Request) -> Response:
        data = ProgramCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["owner"] = resolve("owner", organization_get, user=request.user, pk=values["owner"])
        program = services.program_create(actor=request.user, **values)
        return Response(self.get_serializer(program).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Share the program with a partner organization",
        request=ProgramShareSerializer,
        responses={200: ProgramSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: Any = None) -> Response:
        program = selectors.program_get(user=request.user, pk=pk)
        data = ProgramShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = resolve("organization", organization_find, pk=data.validated_data["organization"])
        services.program_share(actor=request.user, program=program, organization=partner)
        program = selectors.program_get(user=request.user, pk=pk)
        return Response(self.get_serializer(program).data)


# ---------------------------------------------------------------- cohorts


def _program_of_cohort(cohort: Cohort) -> Any:
    return cohort.program


def _program_of_session(session: Session) -> Any:
    return session.cohort.program


class FacilitatorSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    is_lead = serializers.BooleanField(default=True)


class CohortSerializer(serializers.ModelSerializer):
    facilitators = serializers.SerializerMethodField()
    # From the dates, or closed by hand (trainings/clock.py); not the stored column.
    status = serializers.ChoiceField(
        choices=CohortStatus.choices, source="current_status", read_only=True
    )
    n_enrolled = CountField(program=_program_of_cohort)
    n_completed = CountField(program=_program_of_cohort)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "program",
            "name",
            "kind",
            "modality",
            "curriculum_version",
            "place",
            "start_date",
            "end_date",
            "status",
            "closed_on",
            "completion_rule",
            "min_attendance_pct",
            "facilitators",
            "n_enrolled",
            "n_completed",
        ]
        read_only_fields = fields

    @extend_schema_field(FacilitatorSerializer(many=True))
    def get_facilitators(self, cohort: Cohort) -> list[dict[str, Any]]:
        if not selectors.sees_exact(user=self.context["request"].user, program=cohort.program):
            return []
        # many=True builds a ListSerializer (the stubs cannot tell), whose data is a list.
        return cast(
            "list[dict[str, Any]]",
            FacilitatorSerializer(cohort.facilitations.all(), many=True).data,
        )


class CohortCreateSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CohortKind.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    modality = serializers.ChoiceField(choices=Modality.choices, default=Modality.IN_PERSON)
    curriculum_version = serializers.IntegerField(required=False, allow_null=True)
    place = serializers.IntegerField(required=False, allow_null=True)
    completion_rule = serializers.ChoiceField(
        choices=CompletionRule.choices, default=CompletionRule.ATTENDANCE
    )
    min_attendance_pct = serializers.IntegerField(default=80)
    facilitators = serializers.ListField(child=serializers.IntegerField(), required=False)


class CohortUpdateSerializer(serializers.Serializer):
    """The status is not edited: it follows the dates; ``POST .../close/`` closes early."""

    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=CohortKind.choices, required=False)
    modality = serializers.ChoiceField(choices=Modality.choices, required=False)
    place = serializers.IntegerField(required=False, allow_null=True)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    completion_rule = serializers.ChoiceField(choices=CompletionRule.choices, required=False)
    min_attendance_pct = serializers.IntegerField(required=False)


class CohortCloseSerializer(serializers.Serializer):
    reopen = serializers.BooleanField(default=False)


class SessionsGenerateSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=400)
    pattern = serializers.ChoiceField(
        choices=[("daily", "daily"), ("weekly", "weekly"), ("weekdays", "weekdays")],
        help_text=_("daily: consecutive days; weekly: same weekday; weekdays: the given days."),
    )
    start = serializers.DateField(required=False, allow_null=True)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        help_text=_("0 = Monday … 6 = Sunday; e.g. [0, 2, 4] for Monday, Wednesday, Friday."),
    )
    start_time = serializers.TimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["pattern"] == "weekdays" and not attrs.get("weekdays"):
            raise serializers.ValidationError({"weekdays": [_("Choose at least one weekday.")]})
        return attrs


class FacilitatorAddSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    is_lead = serializers.BooleanField(default=True)


class EnrolmentSerializer(serializers.ModelSerializer):
    person_code = serializers.CharField(source="person.code", read_only=True)
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "cohort",
            "person",
            "person_code",
            "status",
            "enrolled_on",
            "meets_rule",
            "completed",
            "completed_on",
            "sessions_attended",
            "certificate",
        ]
        read_only_fields = fields

    def get_certificate(self, enrolment: Enrolment) -> str | None:
        cert = getattr(enrolment, "certificate", None)
        return cert.code if cert is not None and not cert.revoked else None


class EnrolmentCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    enrolled_on = serializers.DateField(required=False, allow_null=True)


class ParticipantRegisterSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=120)
    family_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.NOT_STATED)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    age = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("If the birth year is not known.")
    )
    id_document = serializers.ChoiceField(
        choices=IdDocument.choices, required=False, allow_blank=True
    )
    national_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    participation_consent = serializers.BooleanField(
        help_text=_("He was read the consent form and agrees to take part (required).")
    )
    reporting_consent = serializers.BooleanField(
        default=False, help_text=_("He agrees to be counted in anonymous reports.")
    )
    consent_text_version = serializers.CharField(max_length=40)
    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text=_("Register him although a likely duplicate was reported (409)."),
    )


class SessionSerializer(serializers.ModelSerializer):
    headcount = CountField(program=_program_of_session)
    n_present = CountField(program=_program_of_session)
    n_marked = CountField(program=_program_of_session)

    class Meta:
        model = Session
        fields = [
            "id",
            "cohort",
            "number",
            "date",
            "start_time",
            "module",
            "title",
            "cancelled",
            "headcount",
            "attendance_taken_at",
            "n_present",
            "n_marked",
        ]
        read_only_fields = fields


def _place(value: Any) -> Any:
    return None if value is None else resolve("place", place_get, pk=value)


@extend_schema_view(
    retrieve=extend_schema(responses={200: CohortSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        request=CohortCreateSerializer, responses={201: CohortSerializer, 400: ERRORS[400]}
    ),
    partial_update=extend_schema(
        request=CohortUpdateSerializer,
        responses={200: CohortSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    ),
    destroy=extend_schema(
        summary="Delete a cohort entered by mistake (code `has_attendance`: close it instead)",
        responses={204: None, 400: ERRORS[400], 404: ERRORS[404]},
    ),
)
class CohortViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = CohortSerializer
    queryset = Cohort.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Cohort]:
        return selectors.cohort_list(user=self.request.user).prefetch_related("facilitations")

    def _cohort(self, pk: Any) -> Cohort:
        return selectors.cohort_get(user=self.request.user, pk=pk)

    def _out(self, cohort: Cohort) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=cohort.pk)).data

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(self.get_serializer(self._cohort(pk)).data)

    def create(self, request: Request) -> Response:
        data = CohortCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = request.user
        values["program"] = resolve(
            "program", selectors.program_get, user=user, pk=values["program"]
        )
        if values.get("curriculum_version") is not None:
            values["curriculum_version"] = resolve(
                "curriculum_version",
                version_get,
                user=user,
                pk=values["curriculum_version"],
            )
        values["place"] = _place(values.get("place"))
        values["facilitators"] = [
            resolve("facilitators", person_get, user=user, pk=pk, audit=False)
            for pk in values.get("facilitators", [])
        ]
        cohort = services.cohort_create(actor=user, **values)
        return Response(self._out(cohort), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        cohort = self._cohort(pk)
        data = CohortUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "place" in changes:
            changes["place"] = _place(changes["place"])
        cohort = services.cohort_update(actor=request.user, cohort=cohort, **changes)
        return Response(self._out(cohort))

    def destroy(self, request: Request, pk: Any = None) -> Response:
        services.cohort_delete(actor=request.user, cohort=self._cohort(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Close the cohort today (completion final, certificates), or reopen it",
        request=CohortCloseSerializer,
        responses={200: CohortSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        cohort = self._cohort(pk)
        data = CohortCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["reopen"]:
            cohort = services.cohort_reopen(actor=request.user, cohort=cohort)
        else:
            cohort = services.cohort_close(actor=request.user, cohort=cohort)
        return Response(self._out(cohort))

    @extend_schema(
        summary="Sessions of the cohort",
        responses={200: SessionSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get"])
    def sessions(self, request: Request, pk: Any = None) -> Response:
        cohort = self._cohort(pk)
        rows = selectors.session_list_visible(user=request.user, cohort_id=cohort.pk)
        page = self.paginate_queryset(rows)
        data = SessionSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Generate sessions on a schedule (daily, weekly or given weekdays)",
        request=SessionsGenerateSerializer,
        responses={201: SessionSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"], url_path="sessions/generate", pagination_class=None)
    def sessions_generate(self, request: Request, pk: Any = None) -> Response:
        cohort = self._cohort(pk)
        data = SessionsGenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.sessions_generate(
            actor=request.user, cohort=cohort, **data.validated_data
        )
        rows = selectors.session_list_visible(user=request.user, cohort_id=cohort.pk).filter(
            pk__in=[s.pk for s in created]
        )
        data_out = SessionSerializer(rows, many=True, context=self.get_serializer_context()).data
        return Response(data_out, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Name a facilitator of the cohort",
        request=FacilitatorAddSerializer,
        responses={201: CohortSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def facilitators(self, request: Request, pk: Any = None) -> Response:
        cohort = self._cohort(pk)
        data = FacilitatorAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = resolve(
            "person", person_get, user=request.user, pk=data.validated_data["person"], audit=False
        )
        services.cohort_facilitator_add(
            actor=request.user,
            cohort=cohort,
            person=person,
            is_lead=data.validated_data["is_lead"],
        )
        return Response(self._out(cohort), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Register a new participant, record his consent and enrol him",
        description=_(
            "For coordinators, and for facilitators in the cohorts they facilitate. A likely "
            "duplicate among the people the user sees answers 409 duplicate_person with their "
            "codes: enrol one of them (POST enrolments) or repeat with allow_duplicate."
        ),
        request=ParticipantRegisterSerializer,
        responses={
            201: EnrolmentSerializer,
            400: ERRORS[400],
            404: ERRORS[404],
            409: OpenApiResponse(
                ErrorSerializer, description="He may already be registered (duplicate_person)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def participants(self, request: Request, pk: Any = None) -> Response:
        cohort = self._cohort(pk)
        data = ParticipantRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enrolment = services.participant_register(
            actor=request.user,
            cohort=cohort,
            given_name=values["given_name"],
            family_name=values.get("family_name", ""),
            sex=values["sex"],
            birth_year=values.get("birth_year"),
            age=values.get("age") if values.get("birth_year") is None else None,
            id_document=values.get("id_document", ""),
            national_id=values.get("national_id", ""),
            participation_consent=values["participation_consent"],
            reporting_consent=values["reporting_consent"],
            consent_text_version=values["consent_text_version"],
            allow_duplicate=values["allow_duplicate"],
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Enrolments of the cohort, with completion",
        responses={200: EnrolmentSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="Enrol a person (enrolling again returns the same enrolment)",
        request=EnrolmentCreateSerializer,
        responses={201: EnrolmentSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get", "post"])
    def enrolments(self, request: Request, pk: Any = None) -> Response:
        if request.method == "GET":
            # Enrolments are about people: only roles that see people reach them.
            cohort = selectors.cohort_get(user=request.user, pk=pk, cap=Cap.VIEW_PEOPLE)
            page = self.paginate_queryset(
                selectors.enrolment_list(user=request.user, cohort=cohort)
            )
            page = selectors.enrolments_reveal(  # audited (S10)
                user=request.user, cohort=cohort, enrolments=list(page or [])
            )
            return self.get_paginated_response(EnrolmentSerializer(page, many=True).data)
        cohort = self._cohort(pk)
        data = EnrolmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = resolve(
            "person", person_get, user=request.user, pk=data.validated_data["person"], audit=False
        )
        enrolment = services.enrolment_create(
            actor=request.user,
            cohort=cohort,
            person=person,
            enrolled_on=data.validated_data.get("enrolled_on"),
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- sessions and attendance


class SessionUpdateSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    start_time = serializers.TimeField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    cancelled = serializers.BooleanField(required=False)
    module = serializers.IntegerField(required=False, allow_null=True)


class SessionFilterSerializer(serializers.Serializer):
    cohort = QueryIdField(required=False, help_text=_("Only this cohort's sessions."))


class MissingAttendanceSerializer(serializers.ModelSerializer):
    cohort_name = serializers.CharField(source="cohort.name", read_only=True)
    program = serializers.IntegerField(source="cohort.program_id", read_only=True)

    class Meta:
        model = Session
        fields = ["id", "cohort", "cohort_name", "program", "number", "date", "title"]
        read_only_fields = fields


class RosterRowSerializer(serializers.Serializer):
    enrolment_id = serializers.IntegerField(source="enrolment.pk")
    person_code = serializers.CharField(source="enrolment.person.code")
    name = serializers.CharField(
        help_text=_(
            "Full name for roles that read identities, given name and initial for "
            "facilitators, else the person's code (S3)."
        )
    )
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, allow_null=True)


class RosterSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    rows = RosterRowSerializer(many=True)


class AttendanceMarksSerializer(serializers.Serializer):
    marks = serializers.DictField(
        child=serializers.ChoiceField(choices=AttendanceStatus.choices),
        allow_empty=False,
        help_text=_('Enrolment id to status, e.g. {"12": "present", "13": "absent"}.'),
    )

    def validate_marks(self, value: dict[str, str]) -> dict[int, str]:
        try:
            return {int(k): v for k, v in value.items()}
        except (TypeError, ValueError):
            raise serializers.ValidationError(_("Keys must be enrolment ids.")) from None


class HeadcountSerializer(serializers.Serializer):
    headcount = serializers.IntegerField(
        min_value=0, allow_null=True, help_text=_("null clears the headcount.")
    )


@extend_schema_view(
    list=extend_schema(parameters=[SessionFilterSerializer]),
    retrieve=extend_schema(responses={200: SessionSerializer, 404: ERRORS[404]}),
    partial_update=extend_schema(
        request=SessionUpdateSerializer,
        responses={200: SessionSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    ),
    destroy=extend_schema(
        summary="Delete a session entered by mistake (code `has_attendance` once recorded)",
        responses={204: None, 400: ERRORS[400], 404: ERRORS[404]},
    ),
)
class SessionViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = SessionSerializer
    queryset = Session.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Session]:
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        filters = SessionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.session_list_visible(
            user=self.request.user, cohort_id=filters.validated_data.get("cohort")
        )

    def _session(self, pk: Any) -> Session:
        try:
            return selectors.session_list_visible(user=self.request.user).get(pk=pk)
        except (Session.DoesNotExist, ValueError, TypeError):
            raise NotFoundError() from None

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(self.get_serializer(self._session(pk)).data)

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        session = self._session(pk)
        data = SessionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if changes.get("module") is not None:
            module = resolve("module", module_get, user=request.user, pk=changes["module"])
            if module.version_id != session.cohort.curriculum_version_id:
                raise serializers.ValidationError(
                    {"module": [_("This module is not in the cohort's curriculum version.")]}
                )
            changes["module"] = module
        services.session_update(actor=request.user, session=session, **changes)
        return Response(self.get_serializer(self._session(pk)).data)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        services.session_delete(actor=request.user, session=self._session(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _roster(self, session: Session) -> dict[str, Any]:
        rows = selectors.session_roster_reveal(user=self.request.user, session=session)  # audited
        return RosterSerializer({"session": session.pk, "rows": rows}).data

    @extend_schema(
        methods=["GET"],
        summary="The roster: who is enrolled and how each was marked",
        responses={200: RosterSerializer, 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="Mark attendance for many people at once",
        request=AttendanceMarksSerializer,
        responses={200: RosterSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request: Request, pk: Any = None) -> Response:
        session = selectors.session_get(user=request.user, pk=pk, cap=Cap.VIEW_PEOPLE)
        if request.method == "POST":
            data = AttendanceMarksSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.attendance_record(
                actor=request.user, session=session, marks=data.validated_data["marks"]
            )
        return Response(self._roster(session))

    @extend_schema(
        summary="Record a headcount for a session where names are not taken",
        request=HeadcountSerializer,
        responses={200: SessionSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def headcount(self, request: Request, pk: Any = None) -> Response:
        session = self._session(pk)
        data = HeadcountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.session_headcount_set(
            actor=request.user, session=session, headcount=data.validated_data["headcount"]
        )
        return Response(self.get_serializer(self._session(pk)).data)

    @extend_schema(
        summary="Past sessions with no attendance and no headcount recorded",
        responses={200: MissingAttendanceSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="missing-attendance")
    def missing_attendance(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.sessions_missing_attendance(user=request.user))
        return self.get_paginated_response(MissingAttendanceSerializer(page, many=True).data)


# ---------------------------------------------------------------- enrolments


@extend_schema_view(retrieve=extend_schema(responses={200: EnrolmentSerializer, 404: ERRORS[404]}))
class EnrolmentViewSet(ApiViewSet):
    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.none()

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        enrolment = selectors.enrolment_get(user=request.user, pk=pk, audit=True)
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(
        summary="Withdraw from the cohort",
        request=None,
        responses={200: EnrolmentSerializer, 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        enrolment = selectors.enrolment_get(user=request.user, pk=pk)
        enrolment = services.enrolment_withdraw(actor=request.user, enrolment=enrolment)
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(
        summary="Delete an enrolment made by mistake (code `has_attendance`: withdraw instead)",
        responses={204: None, 400: ERRORS[400], 404: ERRORS[404]},
    )
    def destroy(self, request: Request, pk: Any = None) -> Response:
        enrolment = selectors.enrolment_get(user=request.user, pk=pk)
        services.enrolment_delete(actor=request.user, enrolment=enrolment)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- certificates


class CertificateSerializer(serializers.ModelSerializer):
    cohort = serializers.IntegerField(source="enrolment.cohort_id", read_only=True)
    person_code = serializers.CharField(source="enrolment.person.code", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "enrolment",
            "cohort",
            "person_code",
            "issued_on",
            "hours",
            "revoked",
        ]
        read_only_fields = fields


class CertificateIssueSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(required=False, help_text=_("Issue for one enrolment."))
    cohort = serializers.IntegerField(
        required=False, help_text=_("Issue for every completer of a cohort.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("enrolment" in attrs) == ("cohort" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give either an enrolment or a cohort.")]}
            )
        return attrs


class CertificateFilterSerializer(serializers.Serializer):
    cohort = QueryIdField(required=False)


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data


@extend_schema_view(
    list=extend_schema(parameters=[CertificateFilterSerializer]),
    retrieve=extend_schema(responses={200: CertificateSerializer, 404: ERRORS[404]}),
    create=extend_schema(
        summary="Issue certificates for one enrolment or for every completer of a cohort",
        request=CertificateIssueSerializer,
        responses={201: CertificateSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
    ),
)
class CertificateViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = CertificateSerializer
    queryset = Certificate.objects.none()

    def get_queryset(self) -> QuerySet[Certificate]:
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        filters = CertificateFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.certificate_list(
            user=self.request.user, cohort_id=filters.validated_data.get("cohort")
        )

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(
            self.get_serializer(selectors.certificate_get(user=request.user, pk=pk)).data
        )

    def create(self, request: Request) -> Response:
        data = CertificateIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if "enrolment" in data.validated_data:
            enrolment = resolve(
                "enrolment", selectors.enrolment_get, user=user, pk=data.validated_data["enrolment"]
            )
            issued = [services.certificate_issue(actor=user, enrolment=enrolment)]
        else:
            cohort = resolve(
                "cohort", selectors.cohort_get, user=user, pk=data.validated_data["cohort"]
            )
            issued = services.certificates_issue_for_cohort(actor=user, cohort=cohort)
        rows = selectors.certificate_list(user=user).filter(pk__in=[c.pk for c in issued])
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The certificate as a PDF",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (404, "application/json"): ERRORS[404],
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer, renderers.JSONRenderer])
    def pdf(self, request: Request, pk: Any = None) -> HttpResponse:
        certificate = selectors.certificate_get(user=request.user, pk=pk)
        content = services.certificate_download(
            actor=request.user, certificate=certificate, base_url=request.build_absolute_uri("/")
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="certificado-{certificate.code}.pdf"'
        )
        return response
