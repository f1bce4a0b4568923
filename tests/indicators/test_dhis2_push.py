"""Pushing to DHIS2 as a background job, against the fake DHIS2 (fake_dhis2.py): dry run
first, then send; the import summary stored (counts, conflicts with their messages);
sending twice is idempotent; a failing server gives a clear message; the password never
leaves its encrypted column (docs/decisions/dhis2.md)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.db import connection

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError
from cascada.indicators.dhis2 import client, services
from cascada.indicators.fill import fill_due
from cascada.indicators.models import (
    Dhis2Mapping,
    Dhis2OrgUnit,
    Dhis2Push,
    Dhis2PushStatus,
    Dhis2Server,
    Fact,
)
from cascada.jobs.models import Job, JobStatus
from cascada.registry.services import consent_record
from tests.accounts.factories import make_user
from tests.indicators.fake_dhis2 import (
    COC_FEMALE,
    COC_MALE,
    DATA_SET,
    DE_COMPLETED,
    DE_ENROLLED,
    OU,
    PASSWORD,
    FakeDhis2,
    configure,
    dhis2,  # noqa: F401 (fixture)
    world_metadata,
)
from tests.jobs.support import run_queued_jobs

pytestmark = pytest.mark.django_db
HALF = "2025Q1, 2025Q2"
END = dt.date(2025, 12, 31)


@pytest.fixture
def ready(filled, dhis2):  # noqa: F811
    configure(filled["org"], dhis2.url)
    filled["user"] = make_user(role="me_officer", organization=filled["org"])
    # The push runs as a job in its asker's language: English, for these assertions.
    filled["user"].language = "en"
    filled["user"].save(update_fields=["language"])
    return filled


def push(world, *, dry_run, periods=HALF, fmt="json"):
    row = services.push_request(
        actor=world["user"], organization=world["org"], periods=periods, fmt=fmt, dry_run=dry_run
    )
    run_queued_jobs()
    row.refresh_from_db()
    return row


def nonzero(world):
    """The values the payload carries that are not zero (zeros of new values are ignored)."""
    from cascada.indicators.dhis2.payloads import data_value_sets

    payload = data_value_sets(organization=world["org"], periods=["2025Q1", "2025Q2"])
    return [v for v in payload["dataValues"] if float(v["value"])]


def test_a_dry_run_keeps_nothing_then_sending_imports_every_value(ready, dhis2):  # noqa: F811
    dry = push(ready, dry_run=True)
    assert dry.status == Dhis2PushStatus.SUCCESS and dry.http_status == 200
    sent_values = len(nonzero(ready))
    assert dry.imported == sent_values and dhis2.values == {}
    assert dhis2.requests[-1]["params"]["dryRun"] == "true"
    sent = push(ready, dry_run=False)
    assert sent.status == Dhis2PushStatus.SUCCESS
    assert (sent.imported, sent.updated, sent.deleted) == (sent_values, 0, 0)
    assert sent.ignored == sent.values_sent - sent_values  # the zeros of values never sent
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_MALE) == "2"
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_FEMALE) == "1"
    assert dhis2.value(DE_ENROLLED, "2025Q2", OU["050101"], COC_MALE) == "4"
    assert dhis2.value(DE_COMPLETED, "2025Q2", OU["050101"]) == "3"
    params = dhis2.requests[-1]["params"]
    assert params["dryRun"] == "false" and params["importStrategy"] == "CREATE_AND_UPDATE"
    assert params["orgUnitIdScheme"] == "code" and params["dataElementIdScheme"] == "uid"
    job = Job.objects.get(pk=sent.job_id)
    assert job.status == JobStatus.SUCCEEDED and job.result["status"] == "SUCCESS"


def test_sending_twice_changes_nothing(ready, dhis2):  # noqa: F811
    push(ready, dry_run=True)
    first = push(ready, dry_run=False)
    stored = dict(dhis2.values)
    push(ready, dry_run=True)
    second = push(ready, dry_run=False)
    assert second.status == Dhis2PushStatus.SUCCESS
    assert (second.imported, second.updated, second.deleted) == (0, 0, 0)
    assert second.ignored == second.values_sent == first.values_sent
    assert dhis2.values == stored


def test_a_consent_withdrawn_lowers_the_value_in_dhis2(ready, dhis2):  # noqa: F811
    push(ready, dry_run=True)
    push(ready, dry_run=False)
    a1 = ready["a"][0]  # a man of Lima, enrolled and completed in January
    consent_record(
        actor=None, person=a1, purpose="aggregate_reporting", granted=False, text_version="v1"
    )
    fill_due(today=END)
    push(ready, dry_run=True)
    again = push(ready, dry_run=False)
    assert (again.imported, again.updated) == (0, 2)  # enrolled men, completed
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_MALE) == "1"
    assert dhis2.value(DE_COMPLETED, "2025Q1", OU["150101"]) == "1"


def test_a_zero_where_a_value_was_deletes_it(ready, dhis2):  # noqa: F811
    push(ready, dry_run=True)
    push(ready, dry_run=False)
    a2 = ready["a"][1]  # the only woman
    consent_record(
        actor=None, person=a2, purpose="aggregate_reporting", granted=False, text_version="v1"
    )
    fill_due(today=END)
    push(ready, dry_run=True)
    again = push(ready, dry_run=False)
    assert again.deleted == 1
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_FEMALE) is None


def test_figures_that_moved_or_went_away_leave_nothing_behind(ready, dhis2):  # noqa: F811
    push(ready, dry_run=True)
    push(ready, dry_run=False)
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_FEMALE) == "1"
    # A correction: Lima's people were in fact new in April (Q2), and the only woman
    # was recorded by mistake (her rows are gone from the fill table altogether).
    lima = Fact.objects.filter(program=ready["program"], district__code="150101")
    lima.filter(sex="female").delete()
    lima.update(month=dt.date(2025, 4, 1))
    push(ready, dry_run=True)
    again = push(ready, dry_run=False)
    assert again.deleted == 3  # Q1 Lima: enrolled men, enrolled woman, completed
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_MALE) is None
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_FEMALE) is None
    assert dhis2.value(DE_COMPLETED, "2025Q1", OU["150101"]) is None
    assert dhis2.value(DE_ENROLLED, "2025Q2", OU["150101"], COC_MALE) == "2"


def test_sending_for_real_needs_an_accepted_dry_run_with_nothing_changed(ready):
    with pytest.raises(ApplicationError) as refused:
        services.push_request(
            actor=ready["user"], organization=ready["org"], periods=HALF, dry_run=False
        )
    assert refused.value.code == "dry_run_first"
    push(ready, dry_run=True)
    with pytest.raises(ApplicationError):  # another period, or format: another dry run
        services.push_request(
            actor=ready["user"], organization=ready["org"], periods="2025Q1", dry_run=False
        )
    mapping = Dhis2Mapping.objects.get(data_element=DE_COMPLETED)
    services.mapping_save(
        actor=ready["user"],
        organization=ready["org"],
        mapping=mapping,
        indicator=mapping.indicator,
        measure="value",
        data_element="dePersComp2",
    )
    with pytest.raises(ApplicationError) as refused:
        services.push_request(
            actor=ready["user"], organization=ready["org"], periods=HALF, dry_run=False
        )
    assert refused.value.code == "dry_run_first"


def test_conflicts_are_stored_with_dhis2s_messages(ready, dhis2):  # noqa: F811
    mapping = Dhis2Mapping.objects.get(data_element=DE_COMPLETED)
    mapping.data_element = "deNoExiste1"
    mapping.save()
    Dhis2OrgUnit.objects.filter(place__code="050101", place__country="PE").update(org_unit="999999")
    dry = push(ready, dry_run=True)
    assert dry.status == Dhis2PushStatus.WARNING and dry.http_status == 409
    codes = {(c["errorCode"], c["object"]) for c in dry.conflicts}
    assert ("E7610", "deNoExiste1") in codes
    assert ("E7612", "999999") in codes
    messages = " ".join(c["value"] for c in dry.conflicts)
    assert "Data element not found or not accessible" in messages
    assert "Organisation unit not found or not accessible" in messages
    assert dry.ignored >= len(dry.conflicts)
    # A dry run with conflicts may still be sent: the values DHIS2 accepts go in.
    sent = push(ready, dry_run=False)
    assert sent.status == Dhis2PushStatus.WARNING
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_MALE) == "2"


def test_a_refused_import_is_an_error_with_its_reason(ready, dhis2):  # noqa: F811
    Dhis2Server.objects.filter(organization=ready["org"]).update(data_set="dsNoExiste1")
    dry = push(ready, dry_run=True)
    assert dry.status == Dhis2PushStatus.ERROR
    assert dry.conflicts[0]["errorCode"] == "E7600"
    assert "Data set not found" in dry.conflicts[0]["value"]
    with pytest.raises(ApplicationError):  # an ERROR dry run does not clear a push
        services.push_request(
            actor=ready["user"], organization=ready["org"], periods=HALF, dry_run=False
        )


def test_adx_imports_the_same_values(ready, dhis2):  # noqa: F811
    push(ready, dry_run=True, fmt="adx")
    sent = push(ready, dry_run=False, fmt="adx")
    assert sent.status == Dhis2PushStatus.SUCCESS, sent.conflicts
    assert dhis2.requests[-1]["content_type"] == "application/adx+xml"
    assert dhis2.requests[-1]["params"]["categoryIdScheme"] == "code"
    assert sent.imported == len(nonzero(ready))
    assert dhis2.value(DE_ENROLLED, "2025Q1", OU["150101"], COC_FEMALE) == "1"
    json_twice = push(ready, dry_run=True)  # the same values as JSON: nothing new
    assert (json_twice.imported, json_twice.updated) == (0, 0)


def test_codes_and_an_attribute_as_id_schemes(ready, dhis2):  # noqa: F811
    server = Dhis2Server.objects.get(organization=ready["org"])
    services.server_set(
        actor=None,
        organization=ready["org"],
        base_url=server.base_url,
        username="cascada",
        id_scheme="code",
        org_unit_id_scheme="attribute:UbigeoAttr1",
        data_set="VARONES",
    )
    for mapping, code, cocs in (
        (
            Dhis2Mapping.objects.get(data_element=DE_ENROLLED),
            "PERS_INSC",
            {"male": "HOMBRE", "female": "MUJER"},
        ),
        (Dhis2Mapping.objects.get(data_element=DE_COMPLETED), "PERS_COMP", {}),
    ):
        services.mapping_save(
            actor=None,
            organization=ready["org"],
            mapping=mapping,
            indicator=mapping.indicator,
            measure=mapping.measure,
            data_element=code,
            dimensions=mapping.dimensions,
            category_option_combos=cocs,
        )
    dry = push(ready, dry_run=True)
    assert dry.status == Dhis2PushStatus.SUCCESS, dry.conflicts
    assert dhis2.requests[-1]["params"]["orgUnitIdScheme"] == "attribute:UbigeoAttr1"
    push(ready, dry_run=False)
    assert dhis2.value(DE_ENROLLED, "2025Q2", OU["050101"], COC_MALE) == "4"


def test_the_older_bare_import_summary_is_read_too(filled, settings):
    settings.CASCADA_DHIS2_LOCAL_OK = True
    fake = FakeDhis2(world_metadata(), password=PASSWORD, legacy=True)
    fake.start()
    try:
        configure(filled["org"], fake.url)
        world = {**filled, "user": make_user(role="coordinator", organization=filled["org"])}
        dry = push(world, dry_run=True)
    finally:
        fake.stop()
    assert dry.status == Dhis2PushStatus.SUCCESS and dry.imported == len(nonzero(world))


@pytest.mark.parametrize(
    "status,words", [(500, "had a problem"), (401, "user or the password"), (404, "no DHIS2")]
)
def test_a_failing_server_gives_a_clear_message(ready, dhis2, status, words):  # noqa: F811
    dhis2.fail_with = status
    dry = push(ready, dry_run=True)
    assert dry.status == Dhis2PushStatus.FAILED and words in dry.message
    job = Job.objects.get(pk=dry.job_id)
    assert job.status == JobStatus.FAILED and words in job.message
    # The organization may push again once the server is back.
    dhis2.fail_with = None
    assert push(ready, dry_run=True).status == Dhis2PushStatus.SUCCESS


def test_a_wrong_password_and_an_unreachable_server(ready, dhis2):  # noqa: F811
    Dhis2Server.objects.filter(organization=ready["org"]).update(password="otra-clave")
    assert "user or the password" in push(ready, dry_run=True).message
    dhis2.stop()
    refused = push(ready, dry_run=True)
    assert refused.status == Dhis2PushStatus.FAILED and "could not be reached" in refused.message


def test_one_push_at_a_time_and_nothing_to_send(ready):
    services.push_request(actor=ready["user"], organization=ready["org"], periods=HALF)
    with pytest.raises(ApplicationError) as busy:
        services.push_request(actor=ready["user"], organization=ready["org"], periods=HALF)
    assert busy.value.code == "push_busy"
    run_queued_jobs()
    Dhis2Mapping.objects.all().delete()
    empty = push(ready, dry_run=True)
    assert empty.status == Dhis2PushStatus.FAILED and "Nothing to send" in empty.message


@pytest.mark.parametrize(
    "url,code",
    [
        ("http://dhis2.example.org", "not_https"),
        ("https://admin:district@dhis2.example.org", "credentials_in_url"),
        ("https://10.0.0.5/dhis", "private_address"),
        ("https://169.254.169.254", "private_address"),
        ("ftp://dhis2.example.org", "bad_address"),
        ("https://dhis2.example.org/api?x=1", "bad_address"),
    ],
)
def test_addresses_cascada_refuses(org, url, code):
    with pytest.raises(ApplicationError) as refused:
        services.server_set(
            actor=None, organization=org, base_url=url, username="cascada", password="x" * 12
        )
    assert refused.value.code == code


def test_http_and_loopback_only_in_development(org, settings):
    settings.CASCADA_DHIS2_LOCAL_OK = False
    settings.DEBUG = False
    for url in ("http://127.0.0.1:8080", "https://localhost"):
        with pytest.raises(ApplicationError):
            services.server_set(
                actor=None, organization=org, base_url=url, username="c", password="x" * 12
            )
    settings.CASCADA_DHIS2_LOCAL_OK = True
    server = services.server_set(
        actor=None,
        organization=org,
        base_url="http://127.0.0.1:8080/dhis/api/",
        username="c",
        password="x" * 12,
    )
    assert server.base_url == "http://127.0.0.1:8080/dhis"


def test_the_password_is_encrypted_and_never_logged_audited_or_kept_elsewhere(
    ready,
    dhis2,  # noqa: F811
    caplog,
):
    caplog.set_level(logging.DEBUG)
    dhis2.fail_with = 500
    push(ready, dry_run=True)  # a failure, logged or not
    dhis2.fail_with = None
    push(ready, dry_run=True)
    push(ready, dry_run=False)
    with connection.cursor() as cur:
        cur.execute(f"SELECT password FROM {Dhis2Server._meta.db_table}")  # noqa: S608
        (stored,) = cur.fetchone()
    assert PASSWORD not in stored and stored.startswith("enc1:")  # S13
    assert Dhis2Server.objects.get().password == PASSWORD
    assert PASSWORD not in caplog.text
    for event in AuditEvent.objects.all():
        assert PASSWORD not in json.dumps(event.detail) + event.target_id
    for job in Job.objects.all():
        assert PASSWORD not in json.dumps([job.params, job.result, job.message])
    for row in Dhis2Push.objects.values():
        assert PASSWORD not in json.dumps(row, default=str)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"dhis2.server_set", "dhis2.push", "dhis2.pushed"} <= actions


def test_the_import_summary_parser_reads_what_dhis2_answers():
    warning = {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "WARNING",
        "message": "One more conflicts encountered, please check import summary.",
        "response": {
            "responseType": "ImportSummary",
            "status": "WARNING",
            "importCount": {"imported": 2, "updated": 1, "ignored": 1, "deleted": 0},
            "conflicts": [
                {
                    "object": "x",
                    "objects": {"dataElement": "x"},
                    "value": "Data element not found or not accessible: `x`",
                    "errorCode": "E7610",
                    "property": "dataElement",
                    "indexes": [3],
                }
            ],
        },
    }
    summary = client.parse_summary(409, json.dumps(warning).encode())
    assert (summary.status, summary.imported, summary.updated, summary.ignored) == (
        "WARNING",
        2,
        1,
        1,
    )
    assert summary.conflicts == [
        {
            "object": "x",
            "value": "Data element not found or not accessible: `x`",
            "errorCode": "E7610",
        }
    ]
    for body in (b"<html>login</html>", b'{"httpStatus": "Conflict", "message": "Invalid"}'):
        with pytest.raises(ApplicationError):
            client.parse_summary(409, body)


def test_nobody_outside_the_organization_pushes_or_maps(ready, other_org):
    for role, organization in (
        ("viewer", ready["org"]),
        ("facilitator", ready["org"]),
        ("administrator", other_org),
    ):
        user = make_user(role=role, organization=organization)
        with pytest.raises(ApplicationError):
            services.push_request(actor=user, organization=ready["org"], periods=HALF)
        with pytest.raises(ApplicationError):
            services.org_units_from_ubigeo(actor=user, organization=ready["org"])
        with pytest.raises(ApplicationError):
            services.export_download(
                actor=user, organization=ready["org"], periods=HALF, fmt="json"
            )
    assert DATA_SET  # the fake's data set, used by configure()
