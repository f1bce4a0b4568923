"""The form of a person's erasure (ARCO cancellation, docs/decisions/arco.md)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cascada.registry.arco import ERASE_REASONS


class EraseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are the personal data erased?"),
        choices=list(ERASE_REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the personal data are erased.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that this cannot be undone.")},
    )
