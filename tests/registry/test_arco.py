"""A person's rights (S14, ARCO): the whole copy, and erasure that leaves nothing that
identifies the person while every figure stays exactly the same (docs/decisions/arco.md).

The cascade is ``tests/cascade/conftest.known``: P1 (female) completed W1 and runs W3,
where P6 completed; erasing P1 touches a trainee, a trainer and a certificate holder."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile

from cascada.accounts.roles import CAPABILITIES, Cap, Role
from cascada.audit.models import AuditEvent
from cascada.cascade.models import Lineage, Reach, TrainingEdge
from cascada.cascade.selectors import Scope, cascade_figures
from cascada.core.crypto import decrypt_bytes
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.imports.models import ImportJob, ImportStatus
from cascada.imports.storage import stored_upload_names, upload_store
from cascada.registry import arco
from cascada.registry.hooks import person_erased, person_exported
from cascada.registry.models import Consent, Identity, NameToken, Person, PersonRole
from cascada.registry.selectors import person_get, person_search_reveal
from cascada.registry.services import consent_record, person_merge, person_update
from cascada.trainings.exports import people_export
from cascada.trainings.models import Attendance, Certificate, Enrolment
from cascada.trainings.selectors import certificate_verify
from cascada.trainings.services import certificate_issue
from tests.accounts.factories import make_user
from tests.cascade.conftest import known  # noqa: F401  (the fixture)
from tests.registry.factories import make_person, make_place

NAME = ("Teodora", "Quispe Huamán")
DNI = "45123456"


@pytest.fixture
def p1(known, coordinator):  # noqa: F811
    """P1 with a full identity, consents, a certificate and roles."""
    person = known.people["P1"]
    person_update(
        actor=coordinator,
        person=person,
        given_name=NAME[0],
        family_name=NAME[1],
        id_document="dni",
        national_id=DNI,
        phone="987654321",
        address="Jr. Los Pinos 123",
        place=make_place(code="150143", name="Villa María del Triunfo"),
    )
    consent_record(
        actor=None, person=person, purpose="aggregate_reporting", granted=True, text_version="v1"
    )
    consent_record(
        actor=None, person=person, purpose="participation", granted=True, text_version="v1"
    )
    PersonRole.objects.get_or_create(person=person, role="promoter")
    certificate_issue(actor=None, enrolment=Enrolment.objects.get(person=person, cohort=known.w1))
    person.refresh_from_db()
    return person


def _pending_upload(org, text: str) -> ImportJob:
    job = ImportJob(kind="people", organization=org, original_name="lista.csv")
    upload_store(job, text.encode("utf-8"))
    job.save()
    return job


def _uploads_text() -> str:
    storage = ImportJob._meta.get_field("file").storage
    out = []
    for name in stored_upload_names(storage):
        with storage.open(name, "rb") as f:
            out.append(decrypt_bytes(f.read()).decode("utf-8", "replace"))
    return "\n".join(out)


def _figures(known, **kw):  # noqa: F811
    """Every figure the cascade publishes, for the program, per trainer, as a viewer."""
    people = known.people
    return [
        cascade_figures(Scope(program=known.program, **kw), today=known.today),
        cascade_figures(Scope(trainer=people["A"], **kw), today=known.today),
        cascade_figures(Scope(trainer=people["P1"], **kw), today=known.today),
        cascade_figures(Scope(organization=known.program.owner, **kw), today=known.today),
    ]


def _export_text(user) -> str:
    export = people_export(user=user)
    return "\n".join(json.dumps(row, default=str) for row in [export.headers, *export.rows])


# ---------------------------------------------------------------- access (export)


def test_export_has_every_section_from_every_app(p1, known, coordinator):  # noqa: F811
    data = arco.person_export_reveal(actor=coordinator, person=p1)
    for section in (
        "person",
        "identity",
        "roles",
        "consents",
        "merged_records",
        "enrolments",
        "attendance",
        "certificates",
        "facilitation",
        "cascade",
        "imports",
        "audit",
    ):
        assert section in data, section
    assert data["identity"]["given_name"] == NAME[0]
    assert data["identity"]["national_id"] == DNI
    assert data["person"]["code"] == p1.code
    assert {c["purpose"] for c in data["consents"]} == {"aggregate_reporting", "participation"}
    assert {e["cohort"] for e in data["enrolments"]} == {known.w1.name}
    assert data["certificates"][0]["code"] == Certificate.objects.get(enrolment__person=p1).code
    assert [f["cohort"] for f in data["facilitation"]] == [known.w3.name]
    # The cascade: who trained her and whom she trained, by code only.
    cascade = data["cascade"]
    assert [t["trainer"] for t in cascade["trained_by"]] == [known.people["A"].code]
    assert [t["trainee"] for t in cascade["trained"]] == [known.people["P6"].code]
    assert cascade["reach"] == 1
    assert {a["action"] for a in data["audit"]} >= {"create", "update", "consent_grant"}
    # Events about her enrolments and certificate are hers too.
    assert {a["record"] for a in data["audit"]} >= {"registry.person", "trainings.certificate"}
    # Others appear by code only: no other person's name anywhere in the copy.
    text = json.dumps(data)
    other = Identity.objects.get(person=known.people["A"])
    assert other.given_name not in text
    # JSON all the way, and a read that reveals names is audited, without values.
    json.loads(text)
    row = AuditEvent.objects.filter(action="arco_export").get()
    assert row.target_id == str(p1.pk)
    assert NAME[0] not in json.dumps(row.detail)


def test_export_names_the_imports_whose_errors_mention_the_person(p1, org, coordinator):
    job = ImportJob.objects.create(
        kind="people",
        organization=org,
        status=ImportStatus.REJECTED,
        errors=[{"row": 3, "column": "DNI", "code": "id_registered", "params": {"code": p1.code}}],
    )
    data = arco.person_export_reveal(actor=coordinator, person=p1)
    assert [i["import"] for i in data["imports"]] == [job.pk]


def test_export_includes_records_merged_into_the_person(p1, org, coordinator):
    duplicate = make_person(
        organization=org, given_name="Teo", national_id="", allow_duplicate=True
    )
    person_merge(actor=coordinator, keep=p1, duplicate=duplicate)
    data = arco.person_export_reveal(actor=coordinator, person=p1)
    assert [m["code"] for m in data["merged_records"]] == [duplicate.code]
    assert data["merged_records"][0]["identity"]["given_name"] == "Teo"


@pytest.mark.parametrize("role", ["viewer", "auditor", "facilitator", "me_officer"])
def test_only_who_manages_people_exports(p1, org, role):
    user = make_user(role=role, organization=org)
    with pytest.raises(PermissionDeniedError):
        arco.person_export_reveal(actor=user, person=p1)


def test_another_organization_cannot_export(p1, other_org):
    stranger = make_user(role="coordinator", organization=other_org)
    with pytest.raises(PermissionDeniedError):
        arco.person_export_reveal(actor=stranger, person=p1)


# ---------------------------------------------------------------- rectification


def test_correction_is_audited_with_the_fields_changed_never_the_values(p1, coordinator):
    person_update(actor=coordinator, person=p1, phone="912345678", family_name="Quispe Rojas")
    row = AuditEvent.objects.filter(action="update", target_id=str(p1.pk)).latest("id")
    assert sorted(row.detail["fields"]) == ["family_name", "phone"]
    assert "912345678" not in json.dumps(row.detail)
    assert "Rojas" not in json.dumps(row.detail)


# ---------------------------------------------------------------- erasure


def test_erasure_leaves_nothing_that_identifies_the_person(p1, known, org, coordinator):  # noqa: F811
    old_code, pk = p1.code, p1.pk
    certificate = Certificate.objects.get(enrolment__person=p1)
    old_certificate = certificate.code
    mentioning = _pending_upload(org, f"nombres;apellidos;dni\n{NAME[0]};{NAME[1]};{DNI}\n")
    by_number = _pending_upload(org, "nombres;apellidos;dni\nOtro;Nombre;0045123456\n")
    unrelated = _pending_upload(org, "nombres;apellidos;dni\nRosa;Mamani Condori;70112233\n")
    coordinator.refresh_from_db()

    receipt = arco.person_erase(actor=coordinator, person=p1, reason="holder_request")

    p1.refresh_from_db()
    assert p1.pk == pk and p1.code != old_code
    # The registry's rows about who she is are gone; the stub keeps what figures count.
    assert not Identity.objects.filter(person_id=pk).exists()
    assert not NameToken.objects.filter(person_id=pk).exists()
    assert not Consent.objects.filter(person_id=pk).exists()
    assert not PersonRole.objects.filter(person_id=pk).exists()
    assert p1.place is None
    assert (p1.sex, p1.birth_year, p1.organization_id, p1.reporting_consent) == (
        "female",
        1990,
        org.pk,
        True,
    )
    # Nobody finds her by name, ID number or old code.
    for text in (NAME[0], NAME[1], f"{NAME[0]} {NAME[1]}", DNI, old_code):
        assert person_search_reveal(user=coordinator, text=text).people == [], text
    with pytest.raises(NotFoundError):
        person_get(user=coordinator, code=old_code)
    # The people export holds no value of hers.
    exported = _export_text(coordinator)
    for value in (NAME[0], "Quispe", DNI, "987654321", "Los Pinos", old_code):
        assert value not in exported
    # Uploads waiting for a decision that mention her are rejected and deleted.
    for job in (mentioning, by_number):
        job.refresh_from_db()
        assert (job.status, job.file.name) == (ImportStatus.REJECTED, "")
    unrelated.refresh_from_db()
    assert unrelated.status == ImportStatus.VALIDATED and unrelated.file
    stored = _uploads_text()
    assert NAME[0] not in stored and DNI not in stored and "Mamani" in stored
    # Her certificate is still issued (figures) but its printed code no longer verifies.
    certificate.refresh_from_db()
    assert not certificate.revoked and certificate.code != old_certificate
    assert not certificate_verify(code=old_certificate).valid
    # The audit trail stays, with no name, number or old code in it.
    trail = json.dumps(list(AuditEvent.objects.values("action", "target_id", "detail")))
    for value in (NAME[0], "Quispe", DNI, old_code, old_certificate):
        assert value not in trail
    erase = AuditEvent.objects.get(action="erase")
    assert erase.detail["reason"] == "holder_request"
    assert erase.detail["identities"] == 1 and erase.detail["uploads"] == 2
    assert receipt["certificates"] == 1
    # Nothing in the database holds her values any more (every text column of every row).
    _assert_nowhere(NAME[0], DNI, old_code, old_certificate)


def _assert_nowhere(*values: str) -> None:
    """Search every text and JSON column of every table (decrypting encrypted ones)."""
    from django.apps import apps
    from django.db import connection, models

    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.db_table not in tables:  # an app still without its migration
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*(f.name for f in fields)):
            text = json.dumps(row, default=str)
            for value in values:
                assert value not in text, (model._meta.label, value)


def test_erasure_keeps_the_cascade_and_every_figure_exactly(p1, known, org):  # noqa: F811
    viewer = make_user(role="viewer", organization=org)
    before = _figures(known)
    before_viewer = _figures(known, user=viewer)
    lineage = sorted(Lineage.objects.values_list("person_id", "generation", "first_trained_on"))
    reach = sorted(Reach.objects.values_list("ancestor_id", "descendant_id", "depth"))
    edges = sorted(TrainingEdge.objects.values_list("trainer_id", "trainee_id", "cohort_id"))
    enrolments = sorted(Enrolment.objects.values_list("pk", "person_id", "completed"))
    attendance = Attendance.objects.count()

    arco.person_erase(actor=None, person=p1, reason="holder_request")

    assert _figures(known) == before
    assert _figures(known, user=viewer) == before_viewer
    assert sorted(Lineage.objects.values_list("person_id", "generation", "first_trained_on")) == (
        lineage
    )
    assert sorted(Reach.objects.values_list("ancestor_id", "descendant_id", "depth")) == reach
    assert sorted(TrainingEdge.objects.values_list("trainer_id", "trainee_id", "cohort_id")) == (
        edges
    )
    assert sorted(Enrolment.objects.values_list("pk", "person_id", "completed")) == enrolments
    assert Attendance.objects.count() == attendance


def test_records_merged_into_the_person_are_erased_too(p1, org, coordinator):
    duplicate = make_person(
        organization=org, given_name="Teodorita", national_id="", allow_duplicate=True
    )
    old = duplicate.code
    person_merge(actor=coordinator, keep=p1, duplicate=duplicate)
    arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    duplicate.refresh_from_db()
    assert duplicate.code != old
    assert not Identity.objects.filter(person=duplicate).exists()
    _assert_nowhere("Teodorita", old)


def test_an_erased_record_is_frozen(p1, coordinator):
    arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    with pytest.raises(ApplicationError) as err:
        person_update(actor=coordinator, person=p1, sex="male")
    assert err.value.code == "erased"
    with pytest.raises(ApplicationError) as err:
        arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    assert err.value.code == "already_erased"
    assert AuditEvent.objects.filter(action="erase").count() == 1


def test_an_erased_record_is_never_merged_with_a_named_one(p1, org, coordinator):
    """Merging a named duplicate into the stub (or the stub into it) would tie the erased
    history to a name again."""
    arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    p1.refresh_from_db()
    named = make_person(organization=org, given_name="Teodoro", allow_duplicate=True)
    for keep, duplicate in ((p1, named), (named, p1)):
        with pytest.raises(ApplicationError) as err:
            person_merge(actor=coordinator, keep=keep, duplicate=duplicate)
        assert err.value.code == "erased"
    named.refresh_from_db()
    assert named.merged_into_id is None


def test_erasure_needs_a_reason_from_the_list(p1, coordinator):
    with pytest.raises(ApplicationError) as err:
        arco.person_erase(actor=coordinator, person=p1, reason="Teodora lo pidió")
    assert err.value.extra == {"field": "reason"}
    assert Identity.objects.filter(person=p1).exists()


def test_a_merged_record_is_erased_through_the_one_it_was_merged_into(p1, org, coordinator):
    duplicate = make_person(organization=org, given_name="Teo", allow_duplicate=True)
    person_merge(actor=coordinator, keep=p1, duplicate=duplicate)
    duplicate.refresh_from_db()
    with pytest.raises(ApplicationError) as err:
        arco.person_erase(actor=coordinator, person=duplicate, reason="holder_request")
    assert err.value.code == "merged" and p1.code in str(err.value.message)


def test_someone_with_a_user_account_is_not_erased_until_it_is_closed(p1, org, coordinator):
    make_user(role="facilitator", organization=org, person=p1)
    with pytest.raises(ApplicationError) as err:
        arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    assert err.value.code == "has_user"
    assert Identity.objects.filter(person=p1).exists()


def test_a_failing_receiver_undoes_the_whole_erasure(p1, coordinator):
    def boom(event):
        raise RuntimeError("disk full")

    person_erased.subscribe(boom)
    try:
        with pytest.raises(RuntimeError):
            arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    finally:
        person_erased._receivers.remove(boom)
    assert Identity.objects.filter(person=p1).exists()
    assert not AuditEvent.objects.filter(action="erase").exists()


@pytest.mark.parametrize("role", ["viewer", "auditor", "facilitator", "me_officer"])
def test_only_coordinators_and_administrators_erase(p1, org, role):
    user = make_user(role=role, organization=org)
    with pytest.raises(PermissionDeniedError):
        arco.person_erase(actor=user, person=p1, reason="holder_request")
    assert Identity.objects.filter(person=p1).exists()


def test_another_organizations_coordinator_cannot_erase(p1, other_org):
    stranger = make_user(role="coordinator", organization=other_org)
    with pytest.raises(PermissionDeniedError):
        arco.person_erase(actor=stranger, person=p1, reason="holder_request")


def test_erase_capability_belongs_to_coordinators_and_administrators_only():
    holders = {role for role, caps in CAPABILITIES.items() if Cap.ERASE_PEOPLE in caps}
    assert holders == {Role.COORDINATOR, Role.ADMINISTRATOR}


# ---------------------------------------------------------------- the wiring


def test_every_app_holding_a_person_answers_erasure_and_export():
    """Each app above the registry that holds rows about a person answers both hooks
    (apps below it, audit and imports, are called by ``registry/arco.py`` directly)."""
    expected_erased = {"cascada.trainings.arco.person_erased", "cascada.cascade.arco.person_erased"}
    expected_exported = {
        "cascada.trainings.arco.person_exported",
        "cascada.cascade.arco.person_exported",
    }
    assert expected_erased <= set(person_erased.receivers)
    assert expected_exported <= set(person_exported.receivers)


def test_every_model_pointing_at_a_person_belongs_to_an_app_that_answers():
    """A new model with a foreign key to ``Person`` in an app that does not answer
    ``person_erased`` fails here (S14: every app added later answers too)."""
    from django.apps import apps

    answering = {r.split(".")[1] for r in person_erased.receivers}
    called_directly = {"registry", "accounts"}  # the registry strips; users are refused
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Person:
                app = model._meta.app_label
                assert app in answering | called_directly, f"{model._meta.label}.{field.name}"


def test_uploads_are_matched_by_row_number_and_name_words():
    from cascada.imports.arco import Needles, upload_mentions

    needles = Needles(codes=("K7P2QX9A",), id_numbers=("00451234",), names=("José Pérez Díaz",))
    assert upload_mentions(b"nombre;apellido\nJOSE;perez diaz\n", needles)
    assert upload_mentions(b"dni\n451234\n", needles)  # Excel dropped the zeros
    assert upload_mentions(b"codigo\nk7p2qx9a\n", needles)
    # The words of the name on different rows are not the person.
    assert not upload_mentions(b"nombre;apellido\nJose;Rojas\nAna;Perez Diaz\n", needles)
    assert not upload_mentions(io.BytesIO(b"x\n1\n").read(), Needles(names=("Jose",)))


def test_stored_replays_that_mention_the_person_are_deleted(p1, coordinator):
    import datetime as dt

    from django.utils import timezone

    from cascada.core.models import IdempotencyRecord

    now = timezone.now()
    body = json.dumps({"code": p1.code, "given_name": NAME[0], "family_name": NAME[1]})
    IdempotencyRecord.objects.create(
        user=coordinator,
        kind="api",
        key="a" * 64,
        fingerprint="f",
        status=201,
        body=body,
        expires_at=now + dt.timedelta(hours=1),
    )
    other = IdempotencyRecord.objects.create(
        user=coordinator,
        kind="api",
        key="b" * 64,
        fingerprint="f",
        status=201,
        body=json.dumps({"code": "OTHER123"}),
        expires_at=now + dt.timedelta(hours=1),
    )
    arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [other.pk]


def test_files_of_no_job_that_mention_the_person_are_deleted(p1, coordinator):
    from cascada.core.crypto import encrypt_bytes

    storage = ImportJob._meta.get_field("file").storage
    his = storage.save("imports/2026/12/a.upload", ContentFile(encrypt_bytes(DNI.encode())))
    other = storage.save("imports/2026/12/b.upload", ContentFile(encrypt_bytes(b"70112233")))
    arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    assert not storage.exists(his) and storage.exists(other)


def test_erasure_waits_for_a_running_import_that_mentions_the_person(p1, org, coordinator):
    job = _pending_upload(org, f"dni\n{DNI}\n")
    ImportJob.objects.filter(pk=job.pk).update(status="importing")
    with pytest.raises(ApplicationError) as err:
        arco.person_erase(actor=coordinator, person=p1, reason="holder_request")
    assert err.value.code == "import_running"
    assert Identity.objects.filter(person=p1).exists()
