"""Forms for mending what was entered (edit a cohort). They parse input only; the rules
are in ``trainings.services.cohort_update``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cascada.trainings.models import CohortKind, CompletionRule, Modality

from .places import PlacePickerMixin
from .trainings import DATE


class CohortEditForm(PlacePickerMixin):
    EDITABLE = (
        "name",
        "kind",
        "modality",
        "start_date",
        "end_date",
        "completion_rule",
        "min_attendance_pct",
    )

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CohortKind.choices)
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE, required=False)
    completion_rule = forms.ChoiceField(label=_("Completion rule"), choices=CompletionRule.choices)
    min_attendance_pct = forms.IntegerField(
        label=_("Minimum attendance (%)"), min_value=1, max_value=100
    )

    def __init__(
        self, *args: Any, place: Any = None, country: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_places(place, country=country)
