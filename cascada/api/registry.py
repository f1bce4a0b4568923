"""API for organizations, places and people. Adapts only: reads through
``cascada.registry.selectors``, writes through ``cascada.registry.services``.

S3: identity fields (names, ID, phone, address) appear in a person's output only when
the identity rule (``selectors.identity_visible_ids``) lets the user read them; otherwise
the keys are absent, not null. Lists and searches that show them are audited (S10).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.fields import SkipField
from rest_framework.request import Request
from rest_framework.response import Response

from cascada.registry import selectors, services
from cascada.registry.models import (
    ConsentPurpose,
    Country,
    IdDocument,
    Organization,
    Person,
    PersonRoleKind,
    Place,
    PlaceLevel,
    Sex,
)

from .common import ERRORS, ApiViewSet, ErrorSerializer, resolve
from .params import QueryIdField

IDENTITY_FIELDS = services.IDENTITY_FIELDS

# ---------------------------------------------------------------- organizations and places


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "short_name", "kind", "country", "place"]


@extend_schema_view(
    list=extend_schema(summary="Organizations you belong to or work with"),
    retrieve=extend_schema(responses={200: OrganizationSerializer, 404: ERRORS[404]}),
)
class OrganizationViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organization_list(user=self.request.user).order_by("name")

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        org = selectors.organization_get(user=request.user, pk=pk)
        return Response(self.get_serializer(org).data)


class PlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "country", "code", "name", "level", "parent", "department"]


class PlaceFilterSerializer(serializers.Serializer):
    country = serializers.ChoiceField(choices=Country.choices, required=False)
    level = serializers.ChoiceField(choices=PlaceLevel.choices, required=False)
    # A declared field shadows ``Field.parent`` only in the stubs: the serializer metaclass
    # moves declared fields out of the class attributes.
    parent = QueryIdField(  # type: ignore[assignment]
        required=False, help_text=_("Id of the parent place.")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Places (reference data: ubigeo, Bolivian municipalities)",
        parameters=[PlaceFilterSerializer],
        responses={200: PlaceSerializer(many=True), 400: ERRORS[400]},
    ),
    retrieve=extend_schema(responses={200: PlaceSerializer, 404: ERRORS[404]}),
)
class PlaceViewSet(mixins.ListModelMixin, ApiViewSet):
    """Public reference data, still behind authentication (S1)."""

    serializer_class = PlaceSerializer
    queryset = Place.objects.none()

    def get_queryset(self) -> QuerySet[Place]:
        if getattr(self, "swagger_fake_view", False):
            return Place.objects.none()
        filters = PlaceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        parent = None
        if data.get("parent") is not None:
            parent = resolve("parent", selectors.place_get, pk=data["parent"])
        return selectors.place_list(
            country=data.get("country"), level=data.get("level"), parent=parent
        )

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return Response(self.get_serializer(selectors.place_get(pk=pk)).data)


# ---------------------------------------------------------------- people


class IdentityField(serializers.CharField):
    """A value of the person's identity, or no key at all when the user may not read it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Person) -> Any:
        # Declared only on PersonSerializer; the stubs know the parent as any serializer.
        identity = cast("PersonSerializer", self.parent).identity_of(instance)
        if identity is None:
            raise SkipField()
        assert self.field_name is not None  # set by bind(), before any get_attribute()
        return getattr(identity, self.field_name)


class PersonSerializer(serializers.ModelSerializer):
    """A person as the requesting user may see them (S3)."""

    roles = serializers.SerializerMethodField()
    merged_into: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    given_name = IdentityField()
    family_name = IdentityField()
    id_document = IdentityField()
    national_id = IdentityField()
    phone = IdentityField()
    address = IdentityField()

    class Meta:
        model = Person
        fields = [
            "id",
            "code",
            "sex",
            "birth_year",
            "birth_year_estimated",
            "place",
            "organization",
            "roles",
            "reporting_consent",
            "merged_into",
            "created_at",
            *IDENTITY_FIELDS,
        ]
        read_only_fields = fields

    def identity_of(self, person: Person) -> Any:
        # A list or search response reads the identities of its page at once, audited
        # (``identity_records_reveal``, ``person_search_reveal``) and passes them here.
        known = self.context.get("identities")
        if known is not None:
            return known.get(person.pk)
        cache = self.__dict__.setdefault("_identities", {})
        if person.pk not in cache:
            cache[person.pk] = selectors.identity_for(
                user=self.context["request"].user, person=person
            )
        return cache[person.pk]

    def get_roles(self, person: Person) -> list[str]:
        return sorted(r.role for r in person.roles.all())


class PersonCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    given_name = serializers.CharField(max_length=200)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.NOT_STATED)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    age = serializers.IntegerField(required=False, allow_null=True)
    place = serializers.IntegerField(required=False, allow_null=True)
    id_document = serializers.ChoiceField(
        choices=IdDocument.choices, required=False, allow_blank=True
    )
    national_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonRoleKind.choices), required=False
    )
    allow_duplicate = serializers.BooleanField(
        default=False,
        help_text=_("Register even though a possible duplicate was reported (409)."),
    )


class PersonUpdateSerializer(serializers.Serializer):
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    place = serializers.IntegerField(required=False, allow_null=True)
    given_name = serializers.CharField(max_length=200, required=False)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    id_document = serializers.ChoiceField(
        choices=IdDocument.choices, required=False, allow_blank=True
    )
    national_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PersonMergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(
        help_text=_("Id of the duplicate record, folded into this one.")
    )


class PersonSearchSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=200, help_text=_("A person's code, ID number, or any words of the name.")
    )


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    granted = serializers.BooleanField()
    date = serializers.DateField(required=False)
    text_version = serializers.CharField(max_length=40)
    recorded_at = serializers.DateTimeField(read_only=True)


def _place(value: Any) -> Place | None:
    return None if value is None else resolve("place", selectors.place_get, pk=value)


DUPLICATE = OpenApiResponse(
    ErrorSerializer,
    description="Possible duplicate: error code `duplicate_person`, `detail.matches` "
    "holds the codes of the matching people.",
)


@extend_schema_view(
    list=extend_schema(summary="People you may see"),
    retrieve=extend_schema(
        summary="One person (the view is audited)",
        responses={200: PersonSerializer, 404: ERRORS[404]},
    ),
    create=extend_schema(
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, 400: ERRORS[400], 409: DUPLICATE},
    ),
    partial_update=extend_schema(
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    ),
    destroy=extend_schema(
        summary="Remove a person registered by mistake (audited)",
        responses={
            204: None,
            404: ERRORS[404],
            409: OpenApiResponse(
                ErrorSerializer,
                description="Other records depend on this person (enrolments, attendance, "
                "facilitations, certificates, merged records): error code `person_in_use`, "
                "`detail.held_by` names them. Merge or withdraw instead.",
            ),
        },
    ),
)
class PersonViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = PersonSerializer
    queryset = Person.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    idempotency_exempt = ("search",)  # a read sent by POST (S9)

    def get_queryset(self) -> QuerySet[Person]:
        # Identities are read per page through the identity rule (``_page_data``).
        return selectors.person_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._page_data(page))

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        person = selectors.person_get(user=request.user, pk=pk)
        return Response(self.get_serializer(person).data)

    def create(self, request: Request) -> Response:
        data = PersonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        organization = resolve(
            "organization", selectors.organization_get, user=request.user, pk=values["organization"]
        )
        values["organization"] = organization
        values["place"] = _place(values.get("place"))
        person = services.person_create(actor=request.user, **values)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: Any = None) -> Response:
        person = selectors.person_get(user=request.user, pk=pk, audit=False)
        data = PersonUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if selectors.identity_for(user=request.user, person=person) is None:
            # S3: a role that cannot read the identity does not write it either.
            for field in IDENTITY_FIELDS:
                changes.pop(field, None)
        if "place" in changes:
            changes["place"] = _place(changes["place"])
        person = services.person_update(actor=request.user, person=person, **changes)
        return Response(self.get_serializer(person).data)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        person = selectors.person_get(user=request.user, pk=pk, audit=False)
        services.person_delete(actor=request.user, person=person)  # checks and audits
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Fold a duplicate record into this person",
        request=PersonMergeSerializer,
        responses={200: PersonSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: Any = None) -> Response:
        keep = selectors.person_get(user=request.user, pk=pk, audit=False)
        data = PersonMergeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duplicate = resolve(
            "duplicate",
            selectors.person_get,
            user=request.user,
            pk=data.validated_data["duplicate"],
            audit=False,
        )
        result = services.person_merge(actor=request.user, keep=keep, duplicate=duplicate)
        return Response(self.get_serializer(result.kept).data)

    @extend_schema(
        summary="Search people by code, ID number or words of the name (POST, S9)",
        request=PersonSearchSerializer,
        responses={
            200: PersonSerializer(many=True),
            400: ERRORS[400],
            429: OpenApiResponse(ErrorSerializer, description="Too many look-ups by ID number."),
        },
    )
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        data = PersonSearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            found = selectors.person_search_reveal(
                user=request.user, text=data.validated_data["text"]
            )  # audited, and look-ups by ID number are limited (S10)
        except selectors.LookupLimitError as exc:
            raise Throttled(detail=str(exc.message)) from None
        page = self.paginate_queryset(found.people)
        return self.get_paginated_response(self._serialize(page, found.identities))

    def _page_data(self, page: Any) -> Any:
        """Serialize a page of people; showing identities is audited (S10), as a count."""
        identities = selectors.identity_records_reveal(user=self.request.user, people=page)
        return self._serialize(page, identities)

    def _serialize(self, page: Any, identities: dict[int, Any]) -> Any:
        context = {**self.get_serializer_context(), "identities": identities}
        return self.get_serializer(page, many=True, context=context).data

    @extend_schema(
        methods=["GET"],
        summary="Consent decisions of a person",
        responses={200: ConsentSerializer(many=True), 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a consent decision or its withdrawal (S15)",
        request=ConsentSerializer,
        responses={201: ConsentSerializer, 400: ERRORS[400], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consents(self, request: Request, pk: Any = None) -> Response:
        person = selectors.person_get(user=request.user, pk=pk, audit=False)
        if request.method == "GET":
            rows = selectors.consent_list(user=request.user, person=person)
            return Response(ConsentSerializer(rows, many=True).data)
        data = ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_record(actor=request.user, person=person, **data.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
