"""Web forms: they parse and validate input shape; the services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from cascada.core.errors import ApplicationError


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """``form.fields[name]`` as the ``ModelChoiceField`` the form declared (the stubs type
    ``form.fields`` as plain ``Field``), to set its queryset per request."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """``form.fields[name]`` as the ``ChoiceField`` the form declared, to set its choices."""
    return cast(forms.ChoiceField, form.fields[name])


def add_service_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's error next to the field it names, or above the form."""
    field = exc.extra.get("field") if exc.extra else None
    form.add_error(field if field in form.fields else None, str(exc.message))


def add_validation_error(form: forms.Form, exc: Exception) -> None:
    """Attach a Django ``ValidationError`` raised by ``full_clean`` in a service."""
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
