"""Forms of the safeguarding pages other than the cases: the directory of services, the
place of the guide and the card, the leads, the court agreement, the yearly counts. They
parse input only; ``cascada.safeguarding.services`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cascada.safeguarding.models import CourtSharing, ServiceKind

from . import choice_field
from .places import PlacePickerMixin
from .trainings import DATE

EMPTY = [("", "—")]


class OrganizationChoice(forms.TypedChoiceField):
    """The organization to work in: a choice only when the user has several (the only one
    otherwise, whether sent or not)."""

    only: Any = None

    def clean(self, value: Any) -> Any:
        if value in self.empty_values and self.only is not None:
            return self.only
        return super().clean(value)


def _organization_field(form: forms.Form, organizations: list[Any]) -> None:
    field = form.fields["org"]
    assert isinstance(field, OrganizationChoice)
    field.choices = [(o.pk, o.name) for o in organizations]
    if len(organizations) == 1:
        field.only = organizations[0].pk
        field.initial = organizations[0].pk
        field.widget = forms.HiddenInput()


class ServiceForm(PlacePickerMixin):
    """A service of the directory. No place: it serves the whole country."""

    org = OrganizationChoice(label=_("Organization"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of service"), choices=[*EMPTY, *ServiceKind.choices])
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        help_text=_("As it is dialled from a mobile phone, e.g. 100 or 01 419 7260."),
    )
    phone_other = forms.CharField(label=_("Other phone"), max_length=40, required=False)
    hours = forms.CharField(
        label=_("Opening hours"),
        max_length=120,
        required=False,
        help_text=_("e.g. 24 hours, every day; Monday to Friday 8:00–16:00"),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    takes = forms.CharField(
        label=_("What it takes"),
        max_length=300,
        required=False,
        help_text=_("e.g. violence against women and family members; children at risk"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    active = forms.BooleanField(label=_("Active (shown in the guide and the card)"), required=False)

    field_order = ["org", "name", "kind", "phone", "phone_other", "hours", "address", "takes"]

    def __init__(
        self,
        *args: Any,
        organizations: list[Any],
        country: str,
        place: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _organization_field(self, organizations)
        self.setup_places(place, country=country)
        for name in ("phone", "phone_other"):
            self.fields[name].widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
        self.fields["place1"].help_text = _(
            "Leave the place empty for a service of the whole country (Línea 100, the police's "
            "emergency number)."
        )


class PlaceChoiceForm(forms.Form):
    """The place of the guide or the card: a short list (the places of the directory and of
    the organization's activities, with their department and province), never the ~1,900
    districts of Peru at once."""

    org = OrganizationChoice(label=_("Organization"), coerce=int)
    place = forms.TypedChoiceField(label=_("Place"), coerce=int, required=False)

    def __init__(
        self,
        *args: Any,
        organizations: list[Any],
        places: list[tuple[str, list[Any]]],
        national: bool = True,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        _organization_field(self, organizations)
        self.fields["org"].required = False
        field = choice_field(self, "place")
        field.choices = [("", _("The whole country") if national else "—"), *places]
        field.required = not national


class DirectoryFilterForm(PlaceChoiceForm):
    kind = forms.ChoiceField(
        label=_("Kind of service"), choices=[*EMPTY, *ServiceKind.choices], required=False
    )


class LeadForm(forms.Form):
    user = forms.TypedChoiceField(label=_("User"), coerce=int)

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "user").choices = [*EMPTY, *candidates]


class CourtAgreementForm(forms.Form):
    court = forms.CharField(
        label=_("Court or prosecutor's office"),
        max_length=200,
        help_text=_("e.g. Juzgado de Paz Letrado de San Juan de Lurigancho"),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=80,
        required=False,
        help_text=_("The number of the agreement or the official letter, if there is one."),
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    sharing = forms.ChoiceField(
        label=_("What is shared with the court about cases"),
        choices=CourtSharing.choices,
        widget=forms.RadioSelect,
    )
    attendance_shared = forms.BooleanField(
        label=_("Attendance is reported to the court"), required=False
    )


class SummaryForm(forms.Form):
    org = OrganizationChoice(label=_("Organization"), coerce=int)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, organizations: list[Any], years: list[int], **kw: Any) -> None:
        super().__init__(*args, **kw)
        _organization_field(self, organizations)
        self.fields["org"].required = False
        choice_field(self, "year").choices = [(y, str(y)) for y in years]
