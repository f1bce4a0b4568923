"""``{% form_token %}``: the one-time token of a form that creates something
(``cascada.web.idempotency``). Put it beside ``{% csrf_token %}``."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..idempotency import FIELD

register = template.Library()


@register.simple_tag
def form_token() -> SafeString:
    """A fresh random token per rendering: both copies of one double-tapped form carry the
    same token, a form loaded again carries a new one. It is no secret (CSRF protects the
    form); it only names this copy of the form for the user who sends it."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_urlsafe(18)
    )
