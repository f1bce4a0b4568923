# ruff: noqa: F811 (fixtures imported from tests/commitments/conftest.py)
"""Commitments to Action (issue 11) attacked as each role would: a viewer and a facilitator
of the funder, a mentor and a focal point of another commitment, another organization's
coordinator, a signed-in user without a role and an anonymous visitor. Each test names the
protection it proves (it fails when that protection goes); ``xfail(strict=True)`` marks a
finding: the test asserts the correct behaviour and fails until the finding is fixed."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import time
import zipfile
import zlib
from email.message import Message

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cascada.accounts.roles import Role
from cascada.audit.models import AuditEvent
from cascada.commitments.models import Commitment, Initiative, Milestone, Tranche
from cascada.commitments.models import Testimony as Quote
from cascada.commitments.services import (
    evidence_add,
    grant_create,
    milestone_set_status,
    outcome_record,
    tranche_release,
)
from cascada.commitments.services import testimony_record as quote_record
from cascada.networks.models import Network
from cascada.networks.services import action_record
from tests.accounts.factories import login_verified, make_user
from tests.commitments.conftest import (  # noqa: F401 (fixtures: Bolivia's initiative)
    alianza,
    alianza_commitment,
    cies,
    commitment,
    el_alto,
    focal,
    funder,
    initiative,
    manager,
    mentor,
    other_mentor,
)
from tests.registry.factories import consent_to_reporting, make_org, make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET = "Canario de testimonio sin consentimiento"
AIM = "Incorporar el enfoque"  # CIES's aim: a row of a commitment


def finding(what: str) -> pytest.MarkDecorator:
    """A problem found: the test asserts the correct behaviour and fails until it is fixed."""
    return pytest.mark.xfail(strict=True, reason=f"finding: {what}")


OUTSIDERS = ["viewer", "facilitator", "other_mentor", "alianza_focal", "outsider", "nobody"]


# ---------------------------------------------------------------- the cast


@pytest.fixture
def focal_user(focal):
    return make_user(username="juana-cies", person=focal)


@pytest.fixture
def viewer(funder):
    return make_user(role=Role.VIEWER, organization=funder)


@pytest.fixture
def facilitator(funder):
    return make_user(role=Role.FACILITATOR, organization=funder)


@pytest.fixture
def alianza_focal(alianza, alianza_commitment):
    """The focal point of another commitment (Alianza's)."""
    person = make_person(organization=alianza, given_name="Rosa", family_name="Condori")
    Commitment.objects.filter(pk=alianza_commitment.pk).update(focal_point=person)
    return make_user(username="rosa-alianza", person=person)


@pytest.fixture
def other_org(db):
    return make_org(name="Organización Ajena")


@pytest.fixture
def outsider(other_org):
    return make_user(role=Role.COORDINATOR, organization=other_org)


@pytest.fixture
def nobody(db):
    return make_user(username="sin-rol")


@pytest.fixture
def world(commitment, alianza_commitment, cies):
    """CIES's grant (tranche 1 released, 2 pending, 3 waiting on the mid-term report), an
    unconsented testimony and a PDF evidence file."""
    mid = commitment.milestones.get(key="informe-medio")
    tranches = [{"amount": "12000"}, {"amount": "3000"}, {"amount": "5000"}]
    tranches[2]["condition_milestone"] = mid
    grant = grant_create(actor=None, commitment=commitment, amount="20000", currency="BOB",
                         awarded_on=D(2019, 3, 20), tranches=tranches)  # fmt: skip
    t1, t2, t3 = grant.tranches.order_by("number")
    tranche_release(actor=None, tranche=t1, released_on=D(2019, 4, 1))
    quote = quote_record(actor=None, commitment=commitment, quote=SECRET,
                         author_institution=cies, recorded_on=D(2019, 9, 1))  # fmt: skip
    diag = commitment.milestones.get(key="diagnostico")
    evidence = evidence_add(actor=None, milestone=diag, name="acta.pdf", data=PDF)
    return {"grant": grant, "t1": t1, "t2": t2, "t3": t3, "quote": quote, "diag": diag,
            "evidence": evidence, "c": commitment, "other": alianza_commitment}  # fmt: skip


def _in(client, user):
    if user is not None:
        login_verified(client, user)
    return client


def _api(user):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def _state():
    """Every row of the commitments app, and the fields a form may change in place."""
    app = apps.get_app_config("commitments")
    return (
        {m.__name__: m.objects.count() for m in app.get_models()},
        list(Milestone.objects.order_by("pk").values_list("status", "note")),
        list(Commitment.objects.order_by("pk").values_list("mentor_id", "focal_point_id")),
        list(Tranche.objects.order_by("pk").values_list("released_on", flat=True)),
        list(Quote.objects.order_by("pk").values_list("consent_to_publish", "consent_on")),
        Initiative.objects.count(),
    )


def _payloads(w, cies):
    """A valid post for each form of CIES's page (the grant manager's are all written)."""
    g, day = w["grant"].pk, "2019-07-01"
    return {
        "milestone": {"ms-milestone": w["diag"].pk, "ms-status": "on_track", "ms-on": day},
        "session": {"se-held_on": day, "se-mode": "call", "se-topics": "Avance"},
        "release": {"re-tranche": w["t2"].pk, "re-released_on": day},
        "disbursement": {"di-tranche": w["t1"].pk, "di-date": day, "di-amount": "100"},
        "rate": {"ra-grant": g, "ra-currency": "USD", "ra-rate": "6,96", "ra-valid_from": day},
        "spending": {"sp-grant": g, "sp-budget_line": "Talleres", "sp-date": day, "sp-amount": "1"},
        "outcome": {"ou-description": "Feria", "ou-recorded_on": day, "ou-people_reached": "5"},
        "lesson": {"le-text": "Escuchar primero", "le-recorded_on": day},
        "testimony": {"te-quote": "Cita", "te-author_institution": cies.pk, "te-recorded_on": day},
        "consent": {"co-testimony": w["quote"].pk, "co-consent": "yes", "co-on": day},
        "mentor": {"mn-mentor": ""},  # last: removing the mentor changes who may open it
    }


ROUTES = "milestone session release disbursement rate spending outcome lesson testimony consent"
MAY_WRITE = {
    "manager": {*ROUTES.split(), "mentor"},
    "mentor": {"session", "lesson", "testimony", "consent"},
    "focal_user": {"milestone", "spending", "outcome", "lesson", "testimony", "consent"},
}


# ---------------------------------------------------------------- S1/S2: who opens, who writes


@pytest.mark.parametrize("who", ["manager", "mentor", "focal_user", *OUTSIDERS, "anonymous"])
def test_each_role_writes_only_its_own_forms(client, world, cies, who, request):
    """Protections: ``selectors.commitment_get`` (404 outside the commitment, S2);
    ``_Page.form`` with ``may_report``/``may_mentor``/``may_manage_grant`` (403 for a form
    not one's own) and the services' ``_allow``; ``DenyByDefaultMiddleware`` (anonymous).
    The three roles' own forms are written (302): every payload is valid, so each refusal
    is the protection's, not the form's."""
    user = None if who == "anonymous" else request.getfixturevalue(who)
    _in(client, user)
    for route, data in _payloads(world, cies).items():
        before = _state()
        answer = client.post(f"/commitments/{world['c'].pk}/{route}/", data)
        if route in MAY_WRITE.get(who, ()):
            assert answer.status_code == 302 and _state() != before, route
            continue
        expected = 302 if user is None else 403 if who in MAY_WRITE else 404
        assert answer.status_code == expected, (route, answer.status_code)
        assert _state() == before, route


@pytest.mark.parametrize("who", [*OUTSIDERS, "anonymous"])
def test_outsiders_open_no_commitment_file_or_plan_page(client, world, initiative, who, request):
    """Protections: ``commitment_list`` behind ``commitment_get``, the evidence route's
    filter on it, ``initiative_get`` (404 to another organization), ``may_manage_initiative``
    and MANAGE_PROGRAMS (403 on the plan pages), the API's ``HasRoleOrCommitment``."""
    user = None if who == "anonymous" else request.getfixturevalue(who)
    _in(client, user)
    c = world["c"].pk
    for url in (f"/commitments/{c}/", f"/commitments/{c}/?version=1", f"/commitments/{c}/revise/",
                f"/commitments/evidence/{world['evidence'].pk}/"):  # fmt: skip
        answer = client.get(url)
        assert answer.status_code == (302 if user is None else 404), url
        assert SECRET.encode() not in answer.content and PDF not in answer.content
    sees_initiative = who in {"viewer", "facilitator", "other_mentor", "alianza_focal"}
    new = client.get(f"/commitments/initiatives/{initiative.pk}/new/").status_code
    assert new == (302 if user is None else 403 if sees_initiative else 404)
    if who != "outsider":  # he manages his own organization: see the plan-page test
        assert client.get("/commitments/initiatives/new/").status_code == (403 if user else 302)
    for url in (f"/commitments/initiatives/{initiative.pk}/booklet/", "/commitments/"):
        assert AIM not in client.get(url).content.decode(), url
    pdf = client.get(f"/commitments/initiatives/{initiative.pk}/booklet.pdf").status_code
    assert pdf == (302 if user is None else 404 if who in {"outsider", "nobody"} else 200)
    api = _api(user)
    detail = api.get(f"/api/commitments/commitments/{c}/").status_code
    assert detail == 404 if user and who != "nobody" else detail in (401, 403)
    for tail in ("", "commitments/", "testimonies/", "summary/"):
        text = api.get(f"/api/commitments/initiatives/{initiative.pk}/{tail}").content.decode()
        assert SECRET not in text and AIM not in text, tail


def test_ids_of_another_commitment_or_organization_are_refused(client, world, manager, other_org):
    """The grant manager may write both commitments: only the forms' choices, built from
    the page's own rows (``_Page``, ``_pick``, ``outcome_cohorts``, ``outcome_actions``,
    ``mentor_candidates``, the initiative's institutions), stop another's id."""
    other, alianza = world["other"], world["other"].institution
    their_grant = grant_create(actor=None, commitment=other, amount="900", currency="USD",
                               awarded_on=D(2019, 3, 20), tranches=[{"amount": "900"}])  # fmt: skip
    their_quote = quote_record(actor=None, commitment=other, quote="Ajeno",
                               author_institution=alianza, recorded_on=D(2019, 9, 1))  # fmt: skip
    their_cohort = make_cohort(program=make_program(owner=alianza, name="Jóvenes"), sessions=0)
    network = Network.objects.create(organization=alianza, name="Red juvenil", kind="municipal")
    their_action = action_record(actor=None, network=network, date=D(2019, 10, 5), kind="fair",
                                 title="Feria", women=4, men=3, children=0)[0]  # fmt: skip
    stranger = make_user(role=Role.COORDINATOR, organization=other_org)
    ok = _payloads(world, world["c"].institution)
    outcome = {"ou-description": "x", "ou-recorded_on": "2019-10-01"}
    attacks = [
        ("release", {**ok["release"], "re-tranche": their_grant.tranches.get().pk}),
        ("disbursement", {**ok["disbursement"], "di-tranche": their_grant.tranches.get().pk}),
        ("milestone", {**ok["milestone"], "ms-milestone": other.milestones.get().pk}),
        ("consent", {**ok["consent"], "co-testimony": their_quote.pk}),
        ("spending", {**ok["spending"], "sp-grant": their_grant.pk}),
        ("rate", {**ok["rate"], "ra-grant": their_grant.pk}),
        ("outcome", {**outcome, "ou-link": f"c{their_cohort.pk}"}),
        ("outcome", {**outcome, "ou-link": f"a{their_action.pk}"}),
        ("testimony", {**ok["testimony"], "te-author_institution": other_org.pk}),
        ("mentor", {"mn-mentor": stranger.pk}),
    ]
    _in(client, manager)
    for route, data in attacks:
        before = _state()
        answer = client.post(f"/commitments/{world['c'].pk}/{route}/", data)
        assert answer.status_code == 400 and _state() == before, route
    # An assessment of another commitment's milestone is no field of the form: ignored.
    their_milestone = other.milestones.get()
    data = {**ok["session"], f"se-assess_{their_milestone.pk}": "delayed"}
    client.post(f"/commitments/{world['c'].pk}/session/", data)
    assert not their_milestone.assessments.exists()


# ---------------------------------------------------------------- odd input


@pytest.mark.parametrize(
    "route, field, value",
    [
        ("spending", "sp-amount", "²"),
        ("spending", "sp-amount", "-5"),
        ("spending", "sp-amount", "9" * 40),
        ("spending", "sp-amount", "1E+999999999"),
        ("spending", "sp-amount", "NaN"),
        ("spending", "sp-amount", "0,001"),
        ("spending", "sp-date", "2019-02-30"),
        ("outcome", "ou-people_reached", "²"),
        ("outcome", "ou-people_reached", "-1"),
        ("outcome", "ou-people_reached", "9" * 30),
        ("outcome", "ou-link", "c²"),
        ("lesson", "le-text", "x" * 10_000),
        ("milestone", "ms-on", "9999-12-31"),
        ("milestone", "ms-status", "done'; --"),
    ],
)
def test_odd_input_is_a_message_never_a_server_error(
    client, world, focal_user, route, field, value
):
    """Protections: the form fields' bounds, ``money.money`` (finite, not negative, two
    decimals, fits the column), ``MAX_DECLARED_REACH``, ``_text`` limits, the future-date
    check of ``milestone_set_status``."""
    _in(client, focal_user)
    before = _state()
    data = {**_payloads(world, world["c"].institution)[route], field: value}
    answer = client.post(f"/commitments/{world['c'].pk}/{route}/", data)
    assert answer.status_code == 400 and b"errorlist" in answer.content
    assert _state() == before


def test_odd_query_strings_answer_404_or_the_page(client, world, manager):
    """Protections: ``_version`` (ASCII digits, five at most), ``query_id``, ``<id:>``."""
    _in(client, manager)
    c = world["c"].pk
    for url in (f"/commitments/{c}/?version=²", f"/commitments/{c}/?version=99999999",
                "/commitments/99999999999999999999999/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for query in ("place=²", "institution=-1", "place=99999999999999999999", "theme=<script>"):
        assert client.get(f"/commitments/?{query}").status_code == 200, query
    huge = "/api/commitments/commitments/99999999999999999999/"
    assert _api(manager).get(huge).status_code == 404


# ---------------------------------------------------------------- the plan pages


def test_a_coordinator_elsewhere_funds_nothing_of_ours_nor_reads_its_names(client, world, outsider):
    """Protections: ``InitiativeForm``'s querysets (the funders one manages,
    ``institutions_known``, one's own cohorts); ``initiative_create``'s check."""
    cies, funder = world["c"].institution, world["c"].initiative.funder
    theirs = make_cohort(program=make_program(owner=cies, name="Programa reservado"), sessions=0)
    _in(client, outsider)
    page = client.get("/commitments/initiatives/new/").content.decode()
    for name in ("Promundo", "CIES", "Alianza", "Programa reservado"):
        assert name not in page, name
    mine = outsider.memberships.get().organization_id
    base = {"name": "Ajena", "starts_on": "2020-01-01", "ends_on": "2020-12-31", "funder": mine}
    for extra in ({"funder": funder.pk}, {"organizations": [cies.pk]}, {"trainings": [theirs.pk]}):
        before = _state()
        answer = client.post("/commitments/initiatives/new/", {**base, **extra})
        assert answer.status_code == 400 and _state() == before, extra


def test_a_focal_point_code_one_may_not_see_reads_as_unknown(client, world, manager, other_org):
    """Protection: ``CommitmentNewForm.clean_focal_point`` looks among ``person_list`` only:
    another organization's person answers exactly as a code that does not exist."""
    initiative = world["c"].initiative
    late = make_org(name="Institución Tardía")
    initiative.organizations.add(late)
    hidden = make_person(organization=other_org, given_name="Oculto", family_name="Ajeno")
    rows = {f"{g}-{k}": "0" for g in ("budget", "milestones", "indicators")
            for k in ("TOTAL_FORMS", "INITIAL_FORMS")}  # fmt: skip
    _in(client, manager)
    answers = []
    for code in (hidden.code, "ZZZZZZZZ"):
        before = _state()
        data = {"institution": late.pk, "focal_point": code, "created_on": "2019-03-15",
                "aim": "Algo", "themes": ["youth"], **rows}  # fmt: skip
        answer = client.post(f"/commitments/initiatives/{initiative.pk}/new/", data)
        assert answer.status_code == 400 and _state() == before
        answers.append(answer.content.decode().replace(code, "CODE"))
        assert "Oculto" not in answers[-1] and "Ajeno" not in answers[-1]
    assert answers[0].count("CODE") == answers[1].count("CODE") >= 1


# ---------------------------------------------------------------- testimonies and names


def test_an_unconsented_quote_and_names_stay_off_every_other_output(
    client, world, manager, mentor, focal_user
):
    """Protections: ``testimonies_publishable`` for every output but the commitment's own
    page; no page or API answer prints a registry name (the focal point's, a testimony's
    author's), so none of them needs an S10 audit row."""
    c = world["c"]
    quote_record(actor=None, commitment=c, quote="Publicable", author=c.focal_point,
                 author_institution=c.institution, recorded_on=D(2019, 9, 1),
                 consent_to_publish=True, consent_on=D(2019, 9, 2))  # fmt: skip
    i, page = c.initiative_id, f"/commitments/{c.pk}/"
    booklet = f"/commitments/initiatives/{i}/booklet/"
    web = ["/commitments/", "/commitments/due/", booklet, page, f"{page}revise/"]
    api = ["initiatives/", f"initiatives/{i}/", f"initiatives/{i}/commitments/",
           f"initiatives/{i}/testimonies/", f"commitments/{c.pk}/"]  # fmt: skip
    for user in (manager, mentor, focal_user):
        client.logout()
        _in(client, user)
        texts = {url: client.get(url).content.decode() for url in web}
        texts |= {u: json.dumps(_api(user).get(f"/api/commitments/{u}").json()) for u in api}
        assert SECRET in texts[page] and "Publicable" in texts[booklet]
        for url, text in texts.items():
            assert "Mamani" not in text and "Juana" not in text, (user, url)
            assert url == page or SECRET not in text, (user, url)


# ---------------------------------------------------------------- evidence files


def _report(client, w, name, data):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(f"/commitments/{w['c'].pk}/milestone/", {
        "ms-milestone": w["diag"].pk, "ms-status": "done", "ms-on": "2019-07-29",
        "ms-evidence": upload})  # fmt: skip


def _png_bomb(side: int = 100_000) -> bytes:
    """A PNG header claiming ``side`` × ``side`` pixels, with next to no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def _zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data",
    [
        ("informe.pdf", b"<html><script>alert(document.cookie)</script></html>"),
        ("informe.pdf", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("informe.pdf", b"alert(document.domain)//"),
        ("informe.docx", _zipped({"index.html": b"<script>alert(1)</script>"})),
        ("foto.png", _png_bomb()),
        ("grande.pdf", PDF + b"0" * (10 * 1024 * 1024)),
    ],
    ids=["html", "svg", "js", "zip-with-html", "png-decompression-bomb", "over-10-mb"],
)
def test_files_that_are_not_evidence_are_refused_and_the_status_kept(
    client, world, focal_user, name, data
):
    """Protections: ``evidence_kind`` (what a file is comes from its bytes), the 10 MB read
    limit, ``photo_clean``'s refusal of a decompression bomb, ``_milestone``'s atomic block
    (a refused file leaves the milestone's status as it was)."""
    _in(client, focal_user)
    before = _state()
    answer = _report(client, world, name, data)
    assert answer.status_code == 400 and b"errorlist" in answer.content
    assert _state() == before


POLYGLOT = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>"
BOMB = _zipped({"word/document.xml": b"\0" * (40 * 1024 * 1024)})  # 40 MB in 40 KB


@pytest.mark.parametrize(
    "name, data, kind",
    [
        ("../../../etc/x<img src=x onerror=alert(1)>.html", POLYGLOT, "pdf"),
        ("a\"; filename*=UTF-8''evil.html; x=.pdf", PDF, "pdf"),
        ("..\\..\\bomba.docx", BOMB, "docx"),
    ],
    ids=["pdf-html-polyglot-traversal", "header-injection", "zip-bomb-docx"],
)
def test_an_accepted_file_is_only_ever_a_download_under_a_tame_name(
    client, world, focal_user, mentor, name, data, kind
):
    """Protections: ``evidence_file`` answers ``attachment`` with the type of what the bytes
    are, ``nosniff`` and ``no-store``; ``_name`` drops folders and control characters and
    ``evidence_download_name`` the extension typed; the page escapes the name; the zip is
    never inflated on the server."""
    _in(client, focal_user)
    started = time.monotonic()
    assert _report(client, world, name, data).status_code == 302
    assert time.monotonic() - started < 5
    evidence = world["diag"].evidence.order_by("-pk").first()
    assert evidence.kind == kind and not {"/", "\\"} & set(evidence.original_name)
    assert "<img src=x" not in client.get(f"/commitments/{world['c'].pk}/").content.decode()
    client.logout()
    answer = _in(client, mentor).get(f"/commitments/evidence/{evidence.pk}/")
    assert answer.status_code == 200 and answer.content == data
    assert answer["Content-Type"].rsplit(".", 1)[-1] in {"application/pdf", "document"}
    assert answer["X-Content-Type-Options"] == "nosniff" and "no-store" in answer["Cache-Control"]
    header = answer["Content-Disposition"]
    assert header.startswith("attachment;") and not {"\r", "\n"} & set(header)
    parsed = Message()
    parsed["Content-Disposition"] = header
    assert parsed.get_content_disposition() == "attachment"
    assert parsed.get_filename().endswith(f".{kind}") and "/" not in parsed.get_filename()


def test_the_name_kept_has_no_folder_nor_control_character(world):
    """Protection: ``evidence._name`` (Django strips folders from a browser's upload; the
    service strips them, and control and bidi characters, for every caller)."""
    name = "..\\../acta\u202e\r\nfdp.pdf"
    kept = evidence_add(actor=None, milestone=world["diag"], name=name, data=PDF)
    assert kept.original_name == "actafdp.pdf"


def test_each_download_writes_one_audit_row_and_the_booklet_pdf_one_export(client, world, mentor):
    """Protection: ``audit_record`` in ``evidence_file`` and ``booklet_pdf_view`` (S10)."""
    _in(client, mentor)
    before = AuditEvent.objects.count()
    client.get(f"/commitments/evidence/{world['evidence'].pk}/")
    client.get(f"/commitments/initiatives/{world['c'].initiative_id}/booklet.pdf")
    rows = AuditEvent.objects.order_by("pk")[before:]
    assert [(r.action, r.actor_id) for r in rows] == [("view", mentor.pk), ("export", mentor.pk)]


def test_evidence_needs_the_second_factor(client, world, mentor):
    client.force_login(mentor)  # the password only: no TOTP step
    answer = client.get(f"/commitments/evidence/{world['evidence'].pk}/")
    assert answer.status_code == 302 and "two-factor" in answer["Location"]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_photo_too_large_to_decode_safely_is_refused_from_its_header(
    client, world, focal_user, monkeypatch
):
    from PIL import Image, ImageFile

    decoded, load = [], ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size[0] * self.size[1])
        return load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    _in(client, focal_user)
    answer = _report(client, world, "foto.png", _png_bomb(12_000))  # 144 MP, data truncated
    assert answer.status_code == 400
    assert not [n for n in decoded if n > Image.MAX_IMAGE_PIXELS]


# ---------------------------------------------------------------- aggregates (S15, S17)


def _linked(commitment, people, *, court=False, name="Taller"):
    owner = commitment.institution
    program = make_program(owner=owner, name=f"Programa {name}", is_court_mandated=court)
    cohort = make_cohort(program=program, sessions=0, name=name)
    enrol(cohort, *people)
    outcome_record(actor=None, commitment=commitment, description=name,
                   recorded_on=D(2019, 11, 1), cohort=cohort)  # fmt: skip


def _people(org, n, *, consent=True):
    people = [make_person(organization=org) for _ in range(n)]
    if consent:
        consent_to_reporting(*people)
    return people


def _summary(user, initiative):
    answer = _api(user).get(f"/api/commitments/initiatives/{initiative.pk}/summary/")
    assert answer.status_code == 200
    return answer.json()


def _reach_shown(client, commitment):
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    return page.split('data-test="reach-enrolled">', 1)[1].split("<", 1)[0]


@pytest.mark.parametrize("who", ["viewer", "facilitator"])
def test_the_funders_staff_see_small_counts_hidden_and_no_rows(client, world, who, request):
    """Protection: ``initiative_summary`` through ``counts_release`` for whoever does not
    manage the initiative (the page and the API); ``portfolio`` gives them no rows."""
    _linked(world["c"], _people(world["c"].institution, 3))
    user = request.getfixturevalue(who)
    body = _summary(user, world["c"].initiative)
    assert body["exact"] is False and body["commitments"] == "<5"
    assert body["reach"]["people_enrolled"] == "<5"
    assert all(v in ("<5", None, 0) for v in body["milestones"].values())
    page = _in(client, user).get("/commitments/").content.decode()
    assert 'data-test="summary-commitments">&lt;5<' in page
    assert 'data-test="summary-enrolled">&lt;5<' in page and "portfolio-row" not in page


def test_a_viewers_reach_counts_only_people_who_consented(world, viewer):
    cies = world["c"].institution
    _linked(world["c"], _people(cies, 7) + _people(cies, 3, consent=False))
    assert _summary(viewer, world["c"].initiative)["reach"]["people_enrolled"] == 7


def test_reach_of_a_court_program_is_hidden_below_ten(world, viewer):
    _linked(world["c"], _people(world["c"].institution, 7), court=True)
    reach = _summary(viewer, world["c"].initiative)["reach"]
    assert reach["people_enrolled"] in ("<10", None)


def test_the_grant_manager_cannot_difference_reach(client, world, manager):
    _linked(world["c"], _people(world["c"].institution, 8), name="Docentes")
    _linked(world["other"], _people(world["other"].institution, 3), name="Jóvenes")
    _in(client, manager)
    assert _reach_shown(client, world["other"]) == "&lt;5"  # hidden on its own page...
    total = _summary(manager, world["c"].initiative)["reach"]["people_enrolled"]
    mine = _reach_shown(client, world["c"])
    worked_out = isinstance(total, int) and mine.isdigit() and 1 <= total - int(mine) <= 5
    assert not worked_out, f"{total} - {mine} = {total - int(mine)}"  # ...and worked out


def test_a_facilitator_focal_point_sees_no_exact_reach_of_others_cohorts(client, world, focal):
    user = make_user(role=Role.FACILITATOR, organization=world["c"].institution, person=focal)
    _linked(world["c"], _people(world["c"].institution, 2), name="Ajeno a él")  # not his cohort
    assert _reach_shown(_in(client, user), world["c"]) == "&lt;5"


# ---------------------------------------------------------------- the money's trail


def test_a_release_is_not_dated_before_its_condition_was_met(client, world, manager):
    mid = world["c"].milestones.get(key="informe-medio")
    milestone_set_status(actor=None, milestone=mid, status="done", on=D(2019, 9, 30))
    _in(client, manager)
    url = f"/commitments/{world['c'].pk}/release/"
    before = _state()
    answer = client.post(url, {"re-tranche": world["t3"].pk, "re-released_on": "2019-04-01"})
    assert answer.status_code == 400 and _state() == before
    future = {"re-tranche": world["t2"].pk, "re-released_on": "9999-12-31"}
    assert client.post(url, future).status_code == 400
