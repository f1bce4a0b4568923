"""Forms for people, consent and merging."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.registry.models import (
    ConsentPurpose,
    IdDocument,
    Organization,
    PersonRoleKind,
    Place,
    Sex,
)

from . import model_choice_field
from .places import PlacePickerMixin


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
        "place0",
        "place1",
        "place2",
        "place3",
        "id_document",
        "national_id",
        "phone",
        "address",
    ]

    def __init__(
        self, *args: Any, place: Place | None = None, country: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_places(place, country=country)
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
        label=_("Code, ID number or name"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Code, ID number or name"),
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
