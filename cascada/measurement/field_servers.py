"""Pulling a round's submissions straight from KoboToolbox or ODK Central (instead of
downloading the export and uploading it). One method per server, behind one interface:
``export()`` returns the file the server would let a user download, and the rest is the
upload path (``importers.upload_submissions``: the same check and import jobs).

- KoboToolbox: ``GET {base}/api/v2/assets/{asset}/export-settings/{setting}/data.csv``
  (a synchronous export of a saved export setting), ``Authorization: Token <key>``.
- ODK Central: ``GET {base}/v1/projects/{project}/forms/{form}/submissions.csv.zip
  ?attachments=false``, ``Authorization: Bearer <token>`` (a session or app-user token).

The address is the coordinator's: the server makes the request, so only ``https`` to a
public address is allowed (no private, loopback or link-local host; ``CASCADA_FIELD_SERVER_
PRIVATE_OK`` lifts that for a server on the organization's own network, and the tests).
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cascada.accounts import scope
from cascada.accounts.roles import Cap
from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.imports.parsers import import_limits
from cascada.trainings.services import program_org_ids

from .importers import _may_import, upload_submissions
from .models import FieldServer, Round, ServerKind, SubmissionUpload

TIMEOUT = 60


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is never followed: it could lead past the address check, and urllib
    would send the token along to wherever it points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Server(Protocol):
    def export(self) -> tuple[bytes, str]:
        """The submissions export and its file name."""
        ...


def _fetch(url: str, header: tuple[str, str], name: str) -> tuple[bytes, str]:
    _check_address(url)
    request = urllib.request.Request(url, headers=dict([header]))  # noqa: S310 (checked)
    limit = import_limits().max_bytes
    try:
        # Scheme and address checked above (https to a public host): nosec for B310.
        with _OPENER.open(request, timeout=TIMEOUT) as response:  # nosec B310
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise ApplicationError(
                _(
                    "The server sent Cascada to another address (%(code)s): give the "
                    "server's final address instead."
                )
                % {"code": error.code},
                code="server_redirect",
            ) from error
        if error.code in (401, 403):
            raise ApplicationError(
                _("The server refused the access token (%(code)s): check it, or make a new one.")
                % {"code": error.code},
                code="server_refused",
            ) from error
        if error.code == 404:
            raise ApplicationError(
                _("The server does not know this project or form (404): check the ids."),
                code="server_not_found",
            ) from error
        raise ApplicationError(
            _("The server answered with an error (%(code)s). Try again later.")
            % {"code": error.code},
            code="server_error",
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ApplicationError(
            _("The server could not be reached: %(why)s")
            % {"why": getattr(error, "reason", error)},
            code="server_unreachable",
        ) from error
    if len(data) > limit:
        raise ApplicationError(_("The export is too large."), code="file_too_large")
    return data, name


def _check_address(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    private_ok = getattr(settings, "CASCADA_FIELD_SERVER_PRIVATE_OK", False)
    if parts.scheme != "https" and not private_ok:
        raise ApplicationError(
            _("The server's address must start with https://."), code="not_https"
        )
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ApplicationError(_("This is not a server address."), code="bad_address")
    if private_ok:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, None)}
    except OSError as error:
        raise ApplicationError(
            _("The server's name could not be found."), code="server_unreachable"
        ) from error
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise ApplicationError(
                _("This address is on a private network: Cascada does not connect there."),
                code="private_address",
            )


class KoboServer:
    def __init__(self, link: FieldServer) -> None:
        self.link = link

    def export(self) -> tuple[bytes, str]:
        base = self.link.base_url.rstrip("/")
        asset = urllib.parse.quote(self.link.project, safe="")
        setting = urllib.parse.quote(self.link.form, safe="")
        url = f"{base}/api/v2/assets/{asset}/export-settings/{setting}/data.csv"
        return _fetch(url, ("Authorization", f"Token {self.link.token}"), f"{asset}.csv")


class OdkServer:
    def __init__(self, link: FieldServer) -> None:
        self.link = link

    def export(self) -> tuple[bytes, str]:
        base = self.link.base_url.rstrip("/")
        project = urllib.parse.quote(self.link.project, safe="")
        form = urllib.parse.quote(self.link.form, safe="")
        url = f"{base}/v1/projects/{project}/forms/{form}/submissions.csv.zip?attachments=false"
        return _fetch(url, ("Authorization", f"Bearer {self.link.token}"), f"{form}.csv.zip")


SERVERS: dict[str, Any] = {ServerKind.KOBO: KoboServer, ServerKind.ODK: OdkServer}


def _may(actor: Any, survey: Round) -> None:
    if actor is None:
        return
    orgs = program_org_ids(survey.cohort.program)
    if not scope.org_ids(actor, Cap.MANAGE_MEASUREMENT) & orgs:
        raise PermissionDeniedError()


@transaction.atomic
def field_server_set(
    *, actor: Any, survey: Round, kind: str, base_url: str, project: str, form: str, token: str
) -> FieldServer:
    """Say where the round's submissions are (the token is kept encrypted)."""
    _may(actor, survey)
    if kind not in SERVERS:
        raise ApplicationError(_("Unknown server."), extra={"field": "kind"})
    if not (project.strip() and form.strip() and token.strip()):
        raise ApplicationError(_("The project, the form and the token are all needed."))
    _check_address(base_url.strip())
    link, _created = FieldServer.objects.update_or_create(
        round=survey,
        defaults={
            "kind": kind,
            "base_url": base_url.strip(),
            "project": project.strip(),
            "form": form.strip(),
            "token": token.strip(),
        },
    )
    audit_record(actor=actor, action="update", target=survey, detail={"kind": kind})
    return link


def pull_submissions(
    *, actor: Any, survey: Round, server: Server | None = None
) -> SubmissionUpload:
    """Fetch the round's export from its server and hand it to the upload path."""
    _may(actor, survey)
    if server is None:
        link = FieldServer.objects.filter(round=survey).first()
        if link is None:
            raise ApplicationError(_("This round has no server to pull from."), code="no_server")
        server = SERVERS[link.kind](link)
    # Allowed to import before the server is even contacted.
    _may_import(actor, survey)
    data, name = server.export()
    return upload_submissions(
        actor=actor, survey=survey, upload=SimpleUploadedFile(name, data), filename=name
    )
