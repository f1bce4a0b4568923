"""Talking to a DHIS2 server: ``POST {base}/api/dataValueSets`` with basic auth, and its
import summary read back (FORMATS.md §5; docs/decisions/dhis2.md).

- The address is an administrator's, and the server makes the request with a password:
  ``https`` only, to a public address. ``http`` and loopback are for development and the
  tests (``DEBUG`` or ``CASCADA_DHIS2_LOCAL_OK``); a DHIS2 on the organization's own
  network needs ``CASCADA_DHIS2_PRIVATE_OK``. No user or password in the address, no
  redirect followed (it could lead past the check, with the password).
- The password goes in the ``Authorization`` header only: it is never logged, never put
  in an error message, never stored outside its encrypted column.
- A synchronous import: DHIS2 answers with the import summary, bare (before 2.38) or in a
  web message (``{"httpStatus", "status", "response": {...}}``), with HTTP 200 when all
  went in and 409 when there were conflicts (WARNING) or the import was refused (ERROR).
  Both are summaries to show, not failures; anything else becomes a clear message.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from cascada.core.errors import ApplicationError

MAX_ANSWER = 10 * 1024 * 1024
MAX_CONFLICTS = 500
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def timeout() -> float:
    return float(getattr(settings, "CASCADA_DHIS2_TIMEOUT", 120))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _local_ok() -> bool:
    return bool(settings.DEBUG or getattr(settings, "CASCADA_DHIS2_LOCAL_OK", False))


def _private_ok() -> bool:
    return bool(getattr(settings, "CASCADA_DHIS2_PRIVATE_OK", False))


def _bad(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, extra={"field": "base_url"})


def clean_base_url(url: str) -> str:
    """The server's address as stored: scheme, host, port and path (DHIS2 often lives
    under /dhis or /hmis), without "/api" or a trailing "/"."""
    url = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad(_("This is not a server address."), "bad_address") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _bad(
            _("Write the server's address in full, e.g. https://dhis2.example.org."),
            "bad_address",
        )
    if parts.username or parts.password or "@" in parts.netloc:
        raise _bad(
            _("Do not put a user or password in the address: give them in their own fields."),
            "credentials_in_url",
        )
    if parts.query or parts.fragment:
        raise _bad(_("The address ends at its path: no ? or #."), "bad_address")
    path = parts.path.rstrip("/")
    if path.endswith("/api"):
        path = path[: -len("/api")]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host + (f":{port}" if port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))


def check_address(url: str) -> None:
    """Refuse what the server must not connect to (called when saved and before each push:
    a name may point elsewhere since)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    loopback = host in LOOPBACK_NAMES
    if loopback and not _local_ok():
        raise _bad(_("Cascada does not send figures to its own machine."), "private_address")
    if parts.scheme != "https" and not (loopback and _local_ok()):
        raise _bad(
            _(
                "The server's address must start with https://: the password and the "
                "figures must not travel in the clear."
            ),
            "not_https",
        )
    if loopback or _private_ok():
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        raise _bad(
            _("The server's name could not be found: check the address."), "server_unreachable"
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise _bad(
                _("This address is on a private network: Cascada does not connect there."),
                "private_address",
            )


@dataclass
class Summary:
    """DHIS2's import summary, as stored and shown."""

    http_status: int
    status: str  # SUCCESS, WARNING or ERROR
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[dict[str, str]] = field(default_factory=list)
    description: str = ""


def _text(value: Any, limit: int = 300) -> str:
    return str(value if value is not None else "")[:limit]


def parse_summary(http_status: int, body: bytes) -> Summary:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise ApplicationError(
            _(
                "DHIS2 answered (%(code)s) but not with an import summary: is this the "
                "address of a DHIS2 server?"
            )
            % {"code": http_status},
            code="not_a_summary",
        )
    summary = data
    if isinstance(data.get("response"), dict):  # 2.38 and later: a web message around it
        summary = data["response"]
    if summary.get("responseType") not in (None, "ImportSummary") or "status" not in summary:
        message = _text(data.get("message") or data.get("description"))
        raise ApplicationError(
            _("DHIS2 did not import the figures (%(code)s): %(why)s")
            % {"code": http_status, "why": message or _("no reason given")},
            code="not_a_summary",
        )
    status = str(summary.get("status") or "").upper()
    if status == "OK":
        status = "SUCCESS"
    if status not in ("SUCCESS", "WARNING", "ERROR"):
        status = "ERROR"
    counts = summary.get("importCount") or {}
    conflicts = []
    for conflict in (summary.get("conflicts") or [])[:MAX_CONFLICTS]:
        if isinstance(conflict, dict):
            conflicts.append(
                {
                    "object": _text(conflict.get("object"), 230),
                    "value": _text(conflict.get("value")),
                    "errorCode": _text(conflict.get("errorCode"), 20),
                }
            )

    def count(key: str) -> int:
        try:
            return max(0, int(counts.get(key) or 0))
        except (TypeError, ValueError):
            return 0

    return Summary(
        http_status=http_status,
        status=status,
        imported=count("imported"),
        updated=count("updated"),
        ignored=count("ignored"),
        deleted=count("deleted"),
        conflicts=conflicts,
        description=_text(summary.get("description") or data.get("message")),
    )


def send(
    *,
    base_url: str,
    username: str,
    password: str,
    body: bytes,
    content_type: str,
    params: dict[str, str],
) -> Summary:
    """POST the payload; the import summary, or an ``ApplicationError`` that says what went
    wrong in words (never the password, never a traceback)."""
    check_address(base_url)
    url = f"{base_url}/api/dataValueSets?{urllib.parse.urlencode(params)}"
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    request = urllib.request.Request(  # noqa: S310 (scheme and address checked above)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "Accept": "application/json",
            "Authorization": f"Basic {token}",
        },
    )
    try:
        # Scheme and address checked by check_address: nosec for B310.
        with _OPENER.open(request, timeout=timeout()) as response:  # nosec B310
            return parse_summary(response.status, response.read(MAX_ANSWER))
    except urllib.error.HTTPError as error:
        code = error.code
        if code == 409:  # conflicts, or refused: the summary says which
            return parse_summary(code, error.read(MAX_ANSWER))
        if 300 <= code < 400:
            raise ApplicationError(
                _(
                    "The server sent Cascada to another address (%(code)s): give the "
                    "server's final address (with https://)."
                )
                % {"code": code},
                code="server_redirect",
            ) from None
        if code == 401:
            raise ApplicationError(
                _("DHIS2 refused the user or the password (401): check them in the settings."),
                code="server_refused",
            ) from None
        if code == 403:
            raise ApplicationError(
                _(
                    "The DHIS2 user may not import data (403): ask the server's "
                    "administrator for the authority to import data values."
                ),
                code="server_forbidden",
            ) from None
        if code == 404:
            raise ApplicationError(
                _("There is no DHIS2 at this address (404): check the server's address."),
                code="server_not_found",
            ) from None
        if code in (400, 413, 415):
            raise ApplicationError(
                _("DHIS2 could not read what Cascada sent (%(code)s).") % {"code": code},
                code="server_bad_request",
            ) from None
        raise ApplicationError(
            _("The DHIS2 server had a problem (%(code)s). Try again later.") % {"code": code},
            code="server_error",
        ) from None
    except TimeoutError:
        raise ApplicationError(
            _("DHIS2 did not answer in time. Try again later, or send fewer periods."),
            code="server_timeout",
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise ApplicationError(
                _("DHIS2 did not answer in time. Try again later, or send fewer periods."),
                code="server_timeout",
            ) from None
        raise ApplicationError(
            _("The DHIS2 server could not be reached. Check the address, or try again later."),
            code="server_unreachable",
        ) from None
