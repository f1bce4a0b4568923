"""Token sign-in for API clients.

``POST /api/auth/token/`` with username, password and, for every role that must use
two-factor (S6), a current TOTP code. Passwords are checked by Django's
``authenticate(request=...)``, so the lockout (S5) and the failed-login audit (S10)
apply; a wrong TOTP code counts as a failed sign-in too. Every sign-in issues a new token
and the previous one stops working; a token ends after an hour without use, like a web
session (``cascada.accounts.tokens``). ``DELETE`` signs out: it deletes the token.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, user_logged_in, user_logged_out, user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cascada.accounts import scope
from cascada.accounts.tokens import api_token_issue, api_tokens_revoke

from .authentication import ExpiringTokenAuthentication
from .common import ErrorSerializer
from .exceptions import error_body


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})
    otp_code = serializers.RegexField(
        r"^\d{6,8}$",
        required=False,
        allow_blank=True,
        help_text=_("Current code from the authenticator app; required for roles with 2FA."),
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()


class TokenView(APIView):
    # Token only: signing in by session is the web's job, and this keeps CSRF out of it.
    authentication_classes = [ExpiringTokenAuthentication]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Wrong credentials or code."),
            429: OpenApiResponse(ErrorSerializer, description="Locked out (S5)."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        raw = request._request  # Django's request: axes reads the address from it
        user = authenticate(
            request=raw, username=username, password=data.validated_data["password"]
        )
        if user is None:
            return _refused(_("Wrong username or password."))
        code = data.validated_data.get("otp_code") or ""
        if scope.needs_two_factor(user):
            if not code:
                # Not a failed attempt: the password was right, the client must ask for a code.
                return Response(
                    error_body(
                        "two_factor_required",
                        _("This account uses two-factor sign-in: send otp_code too."),
                        fields={"otp_code": [str(_("This field is required."))]},
                    ),
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if match_token(user, code) is None:
                user_login_failed.send(
                    sender=__name__, credentials={"username": username}, request=raw
                )
                return _refused(_("The two-factor code is not valid."), field="otp_code")
        elif code and match_token(user, code) is None:
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=raw)
            return _refused(_("The two-factor code is not valid."), field="otp_code")
        user_logged_in.send(sender=user.__class__, request=raw, user=user)
        token = api_token_issue(user=user)
        return Response({"token": token.key, "username": user.get_username()})

    @extend_schema(operation_id="auth_token_destroy", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        user = request.user
        if user.is_authenticated:  # always: IsAuthenticated guards DELETE
            api_tokens_revoke(user=user)
            user_logged_out.send(sender=user.__class__, request=request._request, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _refused(message: Any, field: str | None = None) -> Response:
    fields = {field: [str(message)]} if field else None
    return Response(
        error_body("authentication_failed", message, fields=fields),
        status=status.HTTP_400_BAD_REQUEST,
    )
