"""Forms of registering a participant at a session and of the enrolment picker. They
parse input only; ``trainings.services`` decides (docs/decisions/roster.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cascada.core.converters import MAX_ID, bounded_int
from cascada.registry.models import IdDocument, Sex


class ParticipantRegisterForm(forms.Form):
    """Quick registration from the roster: what a facilitator asks a man at the door."""

    given_name = forms.CharField(label=_("Given names"), max_length=120)
    family_name = forms.CharField(
        label=_("Family names"),
        max_length=120,
        help_text=_("Both family names, if he has two: the roster tells people apart by them."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[
            (Sex.MALE, Sex.MALE.label),
            (Sex.FEMALE, Sex.FEMALE.label),
            (Sex.OTHER, Sex.OTHER.label),
        ],
        initial=Sex.MALE,
        widget=forms.RadioSelect,
    )
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("Instead of the age, if he knows it."),
    )
    id_document = forms.ChoiceField(
        label=_("ID document"), choices=[("", "—"), *IdDocument.choices], required=False
    )
    national_id = forms.CharField(label=_("ID number"), max_length=40, required=False)
    participation_consent = forms.BooleanField(
        label=_("He was read the consent form and agrees to take part"), required=False
    )
    reporting_consent = forms.BooleanField(
        label=_("He agrees to be counted in anonymous reports"), required=False
    )
    consent_text_version = forms.CharField(
        label=_("Consent form version"),
        max_length=40,
        help_text=_("As printed on the form read to him, e.g. v2-2026."),
    )
    allow_duplicate = forms.BooleanField(
        label=_("He is none of them: register him anyway"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_name", "family_name", "national_id"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        for name in ("age", "birth_year"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("Birth year cannot be in the future."))
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("national_id") and not data.get("id_document"):
            self.add_error("id_document", _("Say which document this number belongs to."))
        return data


def picker_search_field(label: Any) -> forms.CharField:
    """A people picker's search box (enrolment, facilitators): posted, never in a URL (S9);
    empty gives a hint, never everyone."""
    return forms.CharField(
        label=label,
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Code, ID number or full name"),
            }
        ),
    )


def picker_typed_field() -> forms.BooleanField:
    """Sent by the search-as-you-type request (htmx ``hx-vals``), never by the button or
    Enter: such a search runs only for a name (``enrol_search_while_typing``)."""
    return forms.BooleanField(required=False, widget=forms.HiddenInput)


class EnrolSearchForm(forms.Form):
    q = picker_search_field(_("Search people to enrol"))
    typed = picker_typed_field()


class PeopleField(forms.Field):
    """Ids of people ticked in the picker. Which of them the user may enrol is for the
    selectors and the service to say, not the form."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if value in (None, "", []):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        out: list[int] = []
        for raw in values:
            try:  # an id too large for the database is no person (cascada.core.converters)
                out.append(bounded_int(str(raw), minimum=1, maximum=MAX_ID))
            except ValueError:
                raise forms.ValidationError(_("Choose people from the list.")) from None
        return out

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class EnrolPeopleForm(forms.Form):
    people = PeopleField(label=_("People to enrol"))
