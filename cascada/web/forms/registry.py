"""Forms for people, consent and merging."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.core.converters import MAX_ID, bounded_int
from cascada.registry.models import (
    ConsentPurpose,
    IdDocument,
    Organization,
    PersonRoleKind,
    Place,
    Sex,
)
from cascada.registry.selectors import place_list

from . import model_choice_field


class PlaceOption(forms.ModelChoiceField):
    def label_from_instance(self, obj: Place) -> str:
        return obj.name


class PlacePickerMixin(forms.Form):
    """Three chained selects: department, then province (or Bolivian municipality), then
    district. Each list holds only the children of the choice above it, so a bound form
    also checks that the chain is consistent."""

    place1 = PlaceOption(
        label=_("Department"), queryset=Place.objects.none(), required=False, empty_label="—"
    )
    place2 = PlaceOption(
        label=_("Province or municipality"),
        queryset=Place.objects.none(),
        required=False,
        empty_label="—",
    )
    place3 = PlaceOption(
        label=_("District"), queryset=Place.objects.none(), required=False, empty_label="—"
    )

    def setup_places(self, place: Place | None = None) -> None:
        chain: list[Place] = []
        if place is not None and not self.is_bound:
            node: Place | None = place
            while node is not None:
                chain.insert(0, node)
                node = node.parent
            for i, p in enumerate(chain[:3], start=1):
                self.initial[f"place{i}"] = p.pk
        model_choice_field(self, "place1").queryset = place_list(level="department").order_by(
            "country", "name"
        )
        parents = [self._chosen(1), self._chosen(2)]
        for level, parent_id in ((2, parents[0]), (3, parents[1])):
            qs = (
                place_list(parent=Place(pk=parent_id)).order_by("name")
                if parent_id
                else Place.objects.none()
            )
            model_choice_field(self, f"place{level}").queryset = qs
        for level in (1, 2, 3):
            self.fields[f"place{level}"].widget.attrs.update({"data-place-level": str(level)})

    def _chosen(self, level: int) -> int | None:
        key = f"place{level}"
        raw = self.data.get(self.add_prefix(key)) if self.is_bound else self.initial.get(key)
        if raw in (None, ""):
            return None
        try:  # an id too large for the database is no choice (cascada.core.converters)
            return bounded_int(str(raw), minimum=1, maximum=MAX_ID)
        except ValueError:
            return None

    def chosen_place(self) -> Place | None:
        data = self.cleaned_data
        return data.get("place3") or data.get("place2") or data.get("place1")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("place3") and not data.get("place2"):
            self.add_error("place2", _("Choose the province first."))
        if data.get("place2") and not data.get("place1"):
            self.add_error("place1", _("Choose the department first."))
        return data


class PersonForm(PlacePickerMixin):
    given_name = forms.CharField(label=_("Given names"), max_length=120)
    family_name = forms.CharField(label=_("Family names"), max_length=120, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.NOT_STATED)
    birth_year = forms.IntegerField(
        label=_("Birth year"), required=False, min_value=1900, max_value=2100
    )
    age = forms.IntegerField(
        label=_("Age"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("If the birth year is not known."),
    )
    id_document = forms.ChoiceField(
        label=_("ID document"), choices=[("", "—"), *IdDocument.choices], required=False
    )
    national_id = forms.CharField(label=_("ID number"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    field_order = [
        "given_name",
        "family_name",
        "sex",
        "birth_year",
        "age",
        "place1",
        "place2",
        "place3",
        "id_document",
        "national_id",
        "phone",
        "address",
    ]

    def __init__(self, *args: Any, place: Place | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_places(place)
        self.fields["given_name"].widget.attrs["autocomplete"] = "off"
        self.fields["family_name"].widget.attrs["autocomplete"] = "off"
        self.fields["national_id"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
        for name in ("birth_year", "age"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("Birth year cannot be in the future."))
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("national_id") and not data.get("id_document"):
            self.add_error("id_document", _("Say which document this number belongs to."))
        return data


class PersonCreateForm(PersonForm):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=PersonRoleKind.choices,
        initial=[PersonRoleKind.PARTICIPANT],
        widget=forms.CheckboxSelectMultiple,
    )
    allow_duplicate = forms.BooleanField(
        label=_("This is a different person: register anyway"), required=False
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organization").queryset = organizations
        self.only_organization = organizations.first() if organizations.count() == 1 else None
        if self.only_organization is not None:
            # One organization: no choice to make, so no field to show.
            self.fields["organization"].required = False
            self.fields["organization"].widget = forms.HiddenInput()

    def clean_organization(self) -> Any:
        return self.cleaned_data.get("organization") or self.only_organization


class PersonEditForm(PersonForm):
    """Rectification. Without access to identity, only the pseudonymous fields show."""

    IDENTITY = ("given_name", "family_name", "id_document", "national_id", "phone", "address")

    def __init__(self, *args: Any, with_identity: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["age"]
        if not with_identity:
            for name in self.IDENTITY:
                del self.fields[name]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Code, ID number or full name"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Code, ID number or full name"),
            }
        ),
    )


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    decision = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Gives consent")), ("withdraw", _("Withdraws or refuses"))],
        widget=forms.RadioSelect,
        initial="grant",
    )
    text_version = forms.CharField(
        label=_("Consent text version"),
        max_length=40,
        help_text=_("As printed on the form read to the person, e.g. v2-2026."),
    )
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_date(self) -> Any:
        date = self.cleaned_data.get("date")
        if date and date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date


class MergeForm(forms.Form):
    duplicate_code = forms.CharField(
        label=_("Code of the duplicate record"),
        max_length=12,
        help_text=_("Its enrolments, attendance, consents and roles move to this person."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_duplicate_code(self) -> str:
        return self.cleaned_data["duplicate_code"].strip().upper()
