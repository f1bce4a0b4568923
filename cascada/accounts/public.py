"""S1 deny by default: the ONE list of routes that need no sign-in, and the short list of
routes any signed-in user reaches without a role. Every other route needs a capability.

``DenyByDefaultMiddleware`` sends anonymous visitors of any other web route to the login
page, and ``tests/security/test_s1_deny_by_default.py`` walks the URL resolver so that a
route added later is covered automatically. Names are URL names (``namespace:name``).
"""

from __future__ import annotations

# Reachable without signing in. Each shows no personal data.
PUBLIC_URL_NAMES = frozenset(
    {
        "web:login",  # the sign-in form
        "web:health",  # {"status": "ok"} for load balancers
        "set_language",  # Django's i18n language switch (POST)
        "web:certificate_verify",  # confirms a certificate code; shows no holder (trainings)
        "web:certificate_check",  # the form that asks for a code
        "api-schema",  # OpenAPI description of the API: structure only, no data
        "api-docs",  # Swagger UI over that schema, served from our own static files
        "api-token",  # exchanges username, password (and TOTP code) for a token
    }
)

# Reachable by any signed-in user, even one without a role: they concern only the user.
SIGNED_IN_URL_NAMES = frozenset(
    {
        "web:home",  # the start page shows only what the user's roles allow
        "web:logout",
        "web:two_factor_verify",
        "web:two_factor_setup",
        # Networks the user may open: their organizations' and those they are a member
        # of (a promoter holds no role), and the script that keeps the action form offline.
        "web:network_list",
        "web:network_service_worker",
        # Commitments to Action: a mentor or a focal point holds no role; each sees the
        # commitments assigned to them only (commitments.selectors), others an empty page.
        "web:commitment_list",
        "web:commitment_due",
    }
)

# Paths a signed-in but not yet two-factor-verified user may reach (S6).
TWO_FACTOR_EXEMPT_URL_NAMES = PUBLIC_URL_NAMES | frozenset(
    {"web:logout", "web:two_factor_verify", "web:two_factor_setup"}
)


def is_public(view_name: str | None) -> bool:
    return bool(view_name) and view_name in PUBLIC_URL_NAMES
