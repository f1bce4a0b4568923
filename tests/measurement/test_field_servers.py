"""Pulling submissions from KoboToolbox and ODK Central, against a fake server that answers
as they do (paths, authorization headers, errors), then the same check as an upload."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from cascada.accounts.roles import Role
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.measurement.field_servers import field_server_set, pull_submissions
from cascada.measurement.models import FieldServer, Instrument, SubmissionUpload
from cascada.measurement.services import round_create
from tests.accounts.factories import make_user
from tests.jobs.support import run_queued_jobs
from tests.measurement.test_submissions import (
    ALL_AGREE,
    kobo_csv,
    kobo_headers,
    kobo_row,
    odk_csv,
    odk_headers,
    odk_row,
)
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db


class FakeServer:
    """One file at one path, for one authorization header; anything else: 401 or 404."""

    def __init__(self, path: str, authorization: str, body: bytes) -> None:
        expected = (path, authorization, body)
        self.seen: list[str] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                seen.append(self.path)
                want_path, want_auth, data = expected
                if self.headers.get("Authorization") != want_auth:
                    self.send_response(401)
                    self.end_headers()
                    return
                if self.path != want_path:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def world(org, settings):
    settings.CASCADA_FIELD_SERVER_PRIVATE_OK = True  # the fake server is on 127.0.0.1
    cohort = make_cohort(program=make_program(owner=org), sessions=2)
    men = [make_person(organization=org) for _ in range(3)]
    enrol(cohort, *men)
    gem = Instrument.objects.get(code="gem", organization=None).versions.get()
    survey = round_create(
        actor=None, cohort=cohort, version=gem, kind="baseline", opens_on=dt.date(2026, 3, 2)
    )
    coordinator = make_user(organization=org, role=Role.COORDINATOR)
    return survey, men, coordinator


def test_pulling_from_kobotoolbox(world):
    survey, men, coordinator = world
    rows = [kobo_row(n + 1, man.code, ALL_AGREE) for n, man in enumerate(men)]
    for row in rows:
        row["cascada_round"] = str(survey.pk)
    server = FakeServer(
        "/api/v2/assets/aXk3/export-settings/esT9/data.csv",
        "Token s3cr3t-kobo",
        kobo_csv(kobo_headers(), rows),
    )
    try:
        field_server_set(
            actor=coordinator,
            survey=survey,
            kind="kobo",
            base_url=server.url,
            project="aXk3",
            form="esT9",
            token="s3cr3t-kobo",
        )
        record = pull_submissions(actor=coordinator, survey=survey)
    finally:
        server.close()
    run_queued_jobs()
    record.refresh_from_db()
    assert record.status == "checked" and record.usable == 3 and record.source == "kobo"
    # The token is kept encrypted.
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM measurement_fieldserver")
        (stored,) = cursor.fetchone()
    assert "s3cr3t-kobo" not in stored


def test_pulling_from_odk_central_its_zip(world):
    survey, men, coordinator = world
    rows = [odk_row(f"uuid:k{n}", f"uuid:k{n}", man.code, ALL_AGREE) for n, man in enumerate(men)]
    for row in rows:
        row["cascada_round"] = str(survey.pk)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("gem_base.csv", odk_csv(odk_headers(), rows))
    server = FakeServer(
        "/v1/projects/4/forms/gem_base/submissions.csv.zip?attachments=false",
        "Bearer app-user-token",
        archive.getvalue(),
    )
    try:
        field_server_set(
            actor=coordinator,
            survey=survey,
            kind="odk",
            base_url=server.url + "/",
            project="4",
            form="gem_base",
            token="app-user-token",
        )
        record = pull_submissions(actor=coordinator, survey=survey)
    finally:
        server.close()
    run_queued_jobs()
    record.refresh_from_db()
    assert record.usable == 3 and record.source == "odk"


def test_a_refused_token_is_said_plainly_and_nothing_is_kept(world):
    survey, _men, coordinator = world
    server = FakeServer("/any", "Token right", b"")
    try:
        field_server_set(
            actor=coordinator,
            survey=survey,
            kind="kobo",
            base_url=server.url,
            project="a",
            form="b",
            token="wrong",
        )
        with pytest.raises(ApplicationError, match="token"):
            pull_submissions(actor=coordinator, survey=survey)
    finally:
        server.close()
    assert not SubmissionUpload.objects.exists()


def test_addresses_cascada_will_not_call(world, settings):
    survey, _men, coordinator = world
    settings.CASCADA_FIELD_SERVER_PRIVATE_OK = False
    for address, why in (
        ("http://kobo.example.org", "https"),
        ("https://127.0.0.1", "private"),
        ("https://10.0.0.5", "private"),
    ):
        with pytest.raises(ApplicationError, match=why):
            field_server_set(
                actor=coordinator,
                survey=survey,
                kind="kobo",
                base_url=address,
                project="a",
                form="b",
                token="t",
            )
    assert not FieldServer.objects.exists()


def test_a_viewer_cannot_configure_or_pull(world, org):
    survey, _men, _coordinator = world
    viewer = make_user(organization=org, role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        pull_submissions(actor=viewer, survey=survey)


def test_a_redirect_is_not_followed_and_the_token_goes_nowhere_else(world):
    """A server that answers with a redirect (to a private or metadata address, say) is
    refused: urllib would follow it and send the token along."""
    survey, _men, coordinator = world
    hits: list[str] = []

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.headers.get("Authorization") or "")
            if self.path.startswith("/elsewhere"):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"stolen")
                return
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        field_server_set(
            actor=coordinator,
            survey=survey,
            kind="kobo",
            base_url=f"http://127.0.0.1:{httpd.server_address[1]}",
            project="a",
            form="b",
            token="s3cr3t",
        )
        with pytest.raises(ApplicationError, match="another address"):
            pull_submissions(actor=coordinator, survey=survey)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert hits == ["Token s3cr3t"]  # asked once; the redirect was not followed


def test_an_me_officer_without_the_import_right_is_refused_before_any_request(world, org):
    survey, _men, coordinator = world
    server = FakeServer("/x", "Token t", b"")
    try:
        field_server_set(
            actor=coordinator,
            survey=survey,
            kind="kobo",
            base_url=server.url,
            project="a",
            form="b",
            token="t",
        )
        officer = make_user(organization=org, role=Role.ME_OFFICER)
        with pytest.raises(PermissionDeniedError):
            pull_submissions(actor=officer, survey=survey)
    finally:
        server.close()
    assert server.seen == []
