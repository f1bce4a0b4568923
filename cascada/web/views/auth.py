"""Sign-in, sign-out and the second factor (S5, S6, S8). Views only adapt: the TOTP
device is created and confirmed by ``cascada.accounts.services``; lockout is django-axes."""

from __future__ import annotations

import base64

import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from cascada.accounts.services import totp_device_confirm, totp_device_create
from cascada.accounts.sessions import second_factor_passed, signed_out
from cascada.audit.services import audit_record

from .common import AuthenticatedHttpRequest


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    """Django's login: it rotates the session key on success (S8); axes counts failures
    per username and address and locks out after five (S5)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True


login_view = LoginView.as_view()


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): flushes the session (S8) and ends the
    user's API tokens too, so signing out ends every way in."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        signed_out(request.user)
        return super().post(request, *args, **kwargs)


logout_view = LogoutView.as_view()


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _done(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(_next_url(request) or "/")


def _token(request: HttpRequest) -> str:
    return "".join((request.POST.get("token") or "").split())[:12]


@sensitive_post_parameters("token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the six-digit code of an enrolled authenticator app."""
    if request.user.is_verified():
        return _done(request)
    devices = list(devices_for_user(request.user, confirmed=True))
    if not devices:
        return redirect("web:two_factor_setup")
    error = ""
    if request.method == "POST":
        token = _token(request)
        for device in devices:
            if token and device.verify_token(token):
                second_factor_passed(request, device)
                audit_record(actor=request.user, action="two_factor_passed", target=request.user)
                return _done(request)
        audit_record(actor=request.user, action="two_factor_failed", target=request.user)
        error = _("That code is not valid. Check the time on your phone and try again.")
    return render(
        request,
        "web/two_factor_verify.html",
        {"error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )


@sensitive_post_parameters("token")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the secret and a QR code drawn here (no external
    service), then confirm with a first code. Someone who already has an app must use it:
    a stolen password alone cannot enrol a new one."""
    user = request.user
    if any(True for _d in devices_for_user(user, confirmed=True)):
        if user.is_verified():
            return _done(request)
        return redirect("web:two_factor_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = totp_device_create(user=user)
    error = ""
    if request.method == "POST":
        if totp_device_confirm(user=user, device=device, token=_token(request)):
            second_factor_passed(request, device)
            return _done(request)
        error = _("That code is not valid. Check the time on your phone and try again.")
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)
    return render(
        request,
        "web/two_factor_setup.html",
        {"secret": secret, "qr_svg": qr_svg, "error": error, "next": _next_url(request)},
        status=400 if error else 200,
    )
