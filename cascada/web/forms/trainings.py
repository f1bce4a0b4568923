"""Forms of the trainings pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.errors import ApplicationError
from cascada.curricula.models import CurriculumVersion
from cascada.registry.models import Organization
from cascada.registry.selectors import default_country
from cascada.trainings import selectors
from cascada.trainings.models import (
    AttendanceStatus,
    CohortKind,
    CohortStatus,
    CompletionRule,
    Modality,
    Program,
)
from cascada.trainings.services import schedule_dates

from . import choice_field, model_choice_field
from .places import PlacePickerMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the field it names, else on the whole form."""
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, str(error.message))


class ProgramForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organization"))
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    is_court_mandated = forms.BooleanField(
        label=_("Participants are in criminal proceedings (court-mandated)"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = Organization.objects.filter(pk__in=scope.org_ids(user, Cap.MANAGE_PROGRAMS))
        owner = model_choice_field(self, "owner")
        owner.queryset = owners
        if owners.count() == 1:
            owner.initial = owners.first()


class ShareForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Partner organization")
    )

    def __init__(self, *args: Any, user: Any, program: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organization").queryset = selectors.program_share_candidates(
            user=user, program=program
        )


WEEKDAY_CHOICES = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]
PATTERN_CHOICES = [
    ("weekly", _("Once a week")),
    ("weekdays", _("On chosen weekdays")),
    ("daily", _("Every day (consecutive days)")),
]


class CohortForm(PlacePickerMixin):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CohortKind.choices)
    modality = forms.ChoiceField(
        label=_("Modality"), choices=Modality.choices, initial=Modality.IN_PERSON
    )
    curriculum_version = forms.ModelChoiceField(
        queryset=CurriculumVersion.objects.none(), label=_("Curriculum version"), required=False
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    completion_rule = forms.ChoiceField(
        label=_("Completion rule"),
        choices=CompletionRule.choices,
        initial=CompletionRule.ATTENDANCE,
    )
    min_attendance_pct = forms.IntegerField(
        label=_("Minimum attendance (%)"), min_value=1, max_value=100, initial=80
    )
    facilitators = forms.TypedMultipleChoiceField(
        label=_("Facilitators"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    # The schedule the sessions are generated from.
    session_count = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=400, initial=12
    )
    pattern = forms.ChoiceField(
        label=_("Repeat"), choices=PATTERN_CHOICES, initial="weekly", widget=forms.RadioSelect
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TIME)

    def __init__(self, *args: Any, user: Any, place: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "program").queryset = selectors.program_list(
            user=user, cap=Cap.MANAGE_PROGRAMS
        ).order_by("name")
        model_choice_field(
            self, "curriculum_version"
        ).queryset = selectors.curriculum_version_choices(user=user)
        self.setup_places(place, country=default_country(user=user))
        choice_field(self, "facilitators").choices = [
            (c.pk, c.label) for c in selectors.person_choices(user=user)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("start_date") and data.get("session_count") and data.get("pattern"):
            try:
                data["dates"] = schedule_dates(
                    start=data["start_date"],
                    count=data["session_count"],
                    pattern=data["pattern"],
                    weekdays=data.get("weekdays") or (),
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return data


class CohortFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), label=_("Program"), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *CohortKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *CohortStatus.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    q = forms.CharField(label=_("Name contains"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "program").queryset = selectors.program_list(user=user).order_by(
            "name"
        )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TIME)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    cancelled = forms.BooleanField(label=_("Cancelled"), required=False)


class HeadcountForm(forms.Form):
    headcount = forms.IntegerField(
        label=_("How many people came"),
        min_value=0,
        max_value=100000,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class MarkForm(forms.Form):
    """One tap on the roster."""

    status = forms.ChoiceField(choices=AttendanceStatus.choices)
