"""Forms of the trainings pages. They parse input only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.core.converters import MAX_ID, bounded_int
from cascada.core.errors import ApplicationError
from cascada.curricula.models import CurriculumVersion
from cascada.registry.models import Organization, Person
from cascada.registry.selectors import default_country, person_list
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

from . import model_choice_field
from .places import PlacePickerMixin
from .roster import PeopleField, picker_search_field, picker_typed_field

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


class FacilitatorSearchForm(forms.Form):
    """The facilitator picker's search box on the new-cohort form. Posted with the whole
    form (S9: the text never goes in a URL); ``web:cohort_facilitator_search`` answers."""

    fac_q = picker_search_field(_("Search facilitators"))
    fac_typed = picker_typed_field()

    def chosen_ids(self) -> list[int]:
        """The ids ticked (``facilitators``), as posted, once each; what is no id is left
        out here (``CohortForm.clean_facilitators`` refuses it when the cohort is saved)."""
        if not isinstance(self.data, QueryDict):
            return []
        out: list[int] = []
        for raw in self.data.getlist("facilitators"):
            try:
                out.append(bounded_int(str(raw), minimum=1, maximum=MAX_ID))
            except ValueError:
                continue
        return list(dict.fromkeys(out))


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
    # Ticked in the picker's search results (``FacilitatorSearchForm``): no list of people
    # is built here; the ids posted are checked against the user's scope when cleaned.
    # Checkboxes drawn by the picker's templates, never a hidden field (``form_errors.html``
    # would post hidden ids back, unticked or not).
    facilitators = PeopleField(
        label=_("Facilitators"), required=False, widget=forms.CheckboxSelectMultiple
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

    def __init__(
        self, *args: Any, user: Any, place: Any = None, search_step: bool = False, **kwargs: Any
    ) -> None:
        """``search_step``: the form was posted only to search facilitators (without
        JavaScript): show it again with what was typed, no errors, save nothing."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.search_step = search_step
        model_choice_field(self, "program").queryset = selectors.program_list(
            user=user, cap=Cap.MANAGE_PROGRAMS
        ).order_by("name")
        model_choice_field(
            self, "curriculum_version"
        ).queryset = selectors.curriculum_version_choices(user=user)
        self.setup_places(place, country=default_country(user=user))

    def full_clean(self) -> None:
        if self.search_step:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.search_step and super().is_valid()

    def clean_facilitators(self) -> list[Person]:
        """The people ticked, in one query over those the user may see: an id of anyone
        else (another organization's man, a forged post) is a field error, never a 500."""
        ids = list(dict.fromkeys(self.cleaned_data.get("facilitators") or []))
        if not ids:
            return []
        people = {p.pk: p for p in person_list(user=self.user).filter(pk__in=ids)}
        if len(people) != len(ids):
            raise forms.ValidationError(
                _(
                    "A facilitator ticked is not among the people you can choose. Search "
                    "for the facilitators again and tick them."
                ),
                code="invalid_choice",
            )
        return [people[pk] for pk in ids]

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
