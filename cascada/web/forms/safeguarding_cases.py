"""Forms of a safeguarding case (issue 13): recording a disclosure with the least data, a
referral, its next step, closing the case, letting someone in, a notice to the court. They
check the shape of the input only; who may and what is allowed is the service's
(``cascada.safeguarding.services``), whose refusals the view shows beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cascada.safeguarding import services
from cascada.safeguarding.models import (
    AtRisk,
    ConsentFrom,
    FirstAction,
    HarmKind,
    ReferralBasis,
    Step,
    Urgency,
)

from . import choice_field
from .trainings import DATE

RADIOS = forms.RadioSelect
CHECKS = forms.CheckboxSelectMultiple


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CaseForm(forms.Form):
    """A disclosure: no narrative, no names."""

    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    at_risk = forms.ChoiceField(label=_("Who is at risk?"), choices=AtRisk.choices, widget=RADIOS)
    kind = forms.ChoiceField(label=_("What kind of harm?"), choices=HarmKind.choices, widget=RADIOS)
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=Urgency.choices, widget=RADIOS
    )
    first_actions = forms.MultipleChoiceField(
        label=_("What was done at once?"),
        choices=FirstAction.choices,
        widget=CHECKS,
        required=False,
        help_text=_("Tick everything that was done, or “Nothing yet”."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=_textarea(),
        required=False,
        max_length=services.NOTES_MAX,
        help_text=_(
            "No names and no account of what happened are needed: only what the lead must "
            "know to follow up. Notes are kept encrypted."
        ),
    )
    # Which activity the form was opened from (the query string says it too): two cases
    # with the same answers from two sessions are two cases, not one sent twice.
    origin = forms.CharField(widget=forms.HiddenInput, required=False)


class ReferralForm(forms.Form):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    made_on = forms.DateField(label=_("Referred on"), widget=DATE)
    basis = forms.ChoiceField(
        label=_("Basis of the referral"),
        choices=ReferralBasis.choices,
        initial=ReferralBasis.CONSENT,
        widget=RADIOS,
    )
    consent_from = forms.ChoiceField(
        label=_("Consent given by"),
        choices=[("", "—"), *ConsentFrom.choices],
        required=False,
        initial=ConsentFrom.PERSON,
    )
    consent_on = forms.DateField(label=_("Date of the consent"), widget=DATE, required=False)
    consent_text_version = forms.CharField(
        label=_("Version of the consent text"),
        max_length=40,
        required=False,
        help_text=_("As printed on the consent sheet read to the person, e.g. “v1 2026”."),
    )
    override_reason = forms.CharField(
        label=_("Reason for referring without consent"),
        widget=_textarea(),
        required=False,
        max_length=services.REASON_MAX,
        help_text=_("Only the safeguarding lead; write why in a sentence. It is audited."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=_textarea(2), required=False, max_length=services.NOTES_MAX
    )

    def __init__(self, *args: Any, services_offered: list[tuple[int, str]], **kwargs: Any) -> None:
        """``services_offered``: (id, label) of the services, nearest first."""
        super().__init__(*args, **kwargs)
        choice_field(self, "service").choices = [("", "—"), *services_offered]


class StepForm(forms.Form):
    """The next step of one referral (the step itself is fixed by the page)."""

    step = forms.ChoiceField(label=_("Next step"), choices=Step.choices, widget=forms.HiddenInput)
    on = forms.DateField(label=_("On"), widget=DATE)
    notes = forms.CharField(
        label=_("Follow-up notes"), widget=_textarea(2), required=False,
        max_length=services.NOTES_MAX,
    )  # fmt: skip


class CloseForm(forms.Form):
    on = forms.DateField(label=_("Closed on"), widget=DATE)
    note = forms.CharField(
        label=_("Why it is closed"), widget=_textarea(2), required=False,
        max_length=services.REASON_MAX,
    )  # fmt: skip


class AccessForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Person of the organization"), coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        widget=_textarea(2),
        max_length=services.REASON_MAX,
        help_text=_("Why this person must read the case. It is kept encrypted."),
    )

    def __init__(self, *args: Any, users: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "user").choices = [("", "—")] + [(u.pk, _user_label(u)) for u in users]


def _user_label(user: Any) -> str:
    name = user.get_full_name().strip()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class CourtNoticeForm(forms.Form):
    shared_on = forms.DateField(label=_("Shared with the court on"), widget=DATE)
    consent_on = forms.DateField(
        label=_("Date of the participant's consent"), widget=DATE, required=False
    )
