"""Forms for curricula, modules and session plans."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cascada.curricula.models import Audience
from cascada.registry.models import Organization

from . import model_choice_field


class CurriculumForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
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


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Module title"), max_length=200)
    is_core = forms.BooleanField(
        label=_("Core module (counts for completion)"), required=False, initial=True
    )


class SessionPlanForm(forms.Form):
    title = forms.CharField(label=_("Session title"), max_length=200)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=1440, initial=120
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=[("", _("Same as the curriculum")), *Audience.choices],
        required=False,
    )
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    techniques = forms.CharField(
        label=_("Participatory techniques"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    materials = forms.CharField(
        label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].widget.attrs["inputmode"] = "numeric"


class VersionNewForm(forms.Form):
    notes = forms.CharField(
        label=_("What will change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
