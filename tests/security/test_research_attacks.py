# ruff: noqa: F811 (fixtures imported from tests/research/conftest.py)
"""Formative research (issue 12) attacked as each account would: a coder, a researcher and
the lead of the study; the organization's coordinator and administrator who are not
members; its viewer, facilitator and M&E officer; a member of ANOTHER study of the same
organization; a user of another organization; a member whose organization membership was
revoked; a user of the organization's audit; a signed-in user without any role.

Each test names the protection it proves and fails when that protection goes;
``finding(...)`` (``xfail(strict=True)``) marks a problem found: the test asserts the
correct behaviour and fails loudly ("XPASS strict") once the problem is fixed.

Canaries (strings that must never leave the study's members) are planted in a
transcript, a speaker label, a coding memo, a code memo, a recruit's name and contact and
an audio file's name; every section checks where they may and may not appear."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import uuid
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cascada.accounts.models import Membership
from cascada.accounts.roles import Role
from cascada.accounts.services import membership_revoke
from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.curricula.services import curriculum_create, module_add, session_plan_add
from cascada.research import refi, selectors
from cascada.research.models import (
    Audio,
    Code,
    Coding,
    ConsentForm,
    Event,
    Finding,
    MemberRole,
    Method,
    Quota,
    Recruit,
    RecruitStatus,
    Site,
    Stratum,
    StudyMember,
    Transcript,
    Turn,
)
from cascada.research.services.coding import (
    code_create,
    code_update,
    coding_add,
    coding_memo_set,
    coding_remove,
    transcript_double_code,
    transcript_merge,
)
from cascada.research.services.fieldwork import (
    audio_attach,
    event_record,
    transcript_deidentify,
    transcript_save,
    turns_map,
)
from cascada.research.services.results import dissemination_add, finding_create, finding_update
from cascada.research.services.sample import recruit_consent, recruit_screen
from cascada.research.services.study import (
    approval_add,
    consent_form_add,
    member_remove,
    member_set,
    quota_set,
    site_add,
    stratum_add,
    study_create,
)
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person, make_place
from tests.research.conftest import (  # noqa: F401 (fixtures: seed 002 in miniature)
    answers,
    coder,
    coder2,
    iquitos,
    lead,
    researcher,
    stranger,
    study,
    upch,
    upch_coordinator,
    upch_viewer,
    vmt,
)

pytestmark = pytest.mark.django_db

D = dt.date
HELD = D(2024, 2, 5)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40

# The canaries: letters only, so that the transcript's tools treat them as words.
CANARY_TEXT = "Canariotexto"  # in what a participant said (a transcript)
CANARY_LABEL = "Canarioetiqueta"  # a speaker label (may be a name)
CANARY_NAME = "Canarionombre"  # a recruit's name
CANARY_CONTACT = "Canariocontacto"  # a recruit's phone or contact
CANARY_MEMO = "Canariomemo"  # a coding's memo
CANARY_CODE_MEMO = "Canariocodigo"  # a code's memo
CANARY_BLIND = "Canariociego"  # the second coder's memo on a blind coding
CANARY_AUDIO = "Canarioaudio"  # an audio file's name
CANARIES = (
    CANARY_TEXT,
    CANARY_LABEL,
    CANARY_NAME,
    CANARY_CONTACT,
    CANARY_MEMO,
    CANARY_CODE_MEMO,
    CANARY_BLIND,
    CANARY_AUDIO,
)
# What members may read but nobody else: the transcripts and memos (not the identity).
TRANSCRIPT_CANARIES = (CANARY_TEXT, CANARY_LABEL, CANARY_MEMO, CANARY_CODE_MEMO)
IDENTITY_CANARIES = (CANARY_NAME, CANARY_CONTACT)

SAID = f"Mi papá tomaba mucho y le pegaba a mi mamá, {CANARY_TEXT} lo vio todo."
TEXT = (
    "E: ¿Cómo era la relación de sus padres?\n"
    f"P: {SAID}\n"
    "E: ¿Y usted qué aprendió de eso?\n"
    f"{CANARY_LABEL}: Que no quiero ser así con mis hijos."
)
BLIND_TEXT = (
    "E: ¿Qué es ser hombre en su barrio?\n"
    "P: Mandar en la casa y no llorar nunca.\n"
    "E: ¿Y el alcohol?\n"
    "P: Los sábados se toma con los amigos; ahí empiezan los problemas."
)


def finding(what: str) -> pytest.MarkDecorator:
    """A problem found: the test asserts the correct behaviour and fails until it is fixed."""
    return pytest.mark.xfail(strict=True, reason=f"FINDING: {what}")


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _token() -> str:
    return "tok" + uuid.uuid4().hex


# ---------------------------------------------------------------- the cast


@pytest.fixture
def upch_admin(upch):
    return make_user(username="admin-upch", role=Role.ADMINISTRATOR, organization=upch)


@pytest.fixture
def upch_facilitator(upch):
    return make_user(username="facilitador-upch", role=Role.FACILITATOR, organization=upch)


@pytest.fixture
def upch_me(upch):
    return make_user(username="mye-upch", role=Role.ME_OFFICER, organization=upch)


@pytest.fixture
def upch_auditor(upch):
    return make_user(username="auditor-upch", role=Role.AUDITOR, organization=upch)


@pytest.fixture
def other_member(upch):
    """A viewer of UPCH and a coder of ANOTHER study of UPCH (``world["same_org"]``)."""
    return make_user(username="codificador-otro", role=Role.VIEWER, organization=upch)


@pytest.fixture
def other_lead(upch):
    return make_user(username="investigador-otro", role=Role.VIEWER, organization=upch)


@pytest.fixture
def revoked(upch):
    """A coder of the study whose membership of UPCH was revoked (the study membership row
    stays: nobody removed it)."""
    return make_user(username="codificador-revocado", role=Role.VIEWER, organization=upch)


@pytest.fixture
def nobody(db):
    return make_user(username="sin-rol")


OUTSIDERS = (
    "upch_coordinator",
    "upch_admin",
    "upch_viewer",
    "upch_facilitator",
    "upch_me",
    "upch_auditor",
    "other_member",
    "stranger",
    "revoked",
    "nobody",
)
MEMBERS = ("lead", "researcher", "coder")


# ---------------------------------------------------------------- the world


def _recruit(study, by, site, *, age, name="", contact="", audio=True, method=Method.INTERVIEW):
    person = recruit_screen(
        actor=by,
        study=study,
        site=site,
        method=method,
        age=age,
        answers=answers(study) if study.questions.exists() else {},
        screened_on=D(2024, 2, 1),
        name=name,
        contact=contact,
    )
    return recruit_consent(
        actor=by,
        recruit=person,
        consent_form=study.consent_forms.order_by("pk").first(),
        consented_on=D(2024, 2, 2),
        audio_consent=audio,
    )


def _interview(study, by, person, text):
    event = event_record(
        actor=by,
        study=study,
        method=Method.INTERVIEW,
        site=person.site,
        held_on=HELD,
        participants=[person],
        duration_minutes=60,
        interviewer=by,
    )
    return event, transcript_save(actor=by, event=event, text=text)


def _skeleton(org, creator, lead_user, code, place) -> dict[str, Any]:
    """Another study, with what fieldwork needs and one coded interview."""
    s = study_create(
        actor=creator,
        organization=org,
        title=f"Estudio {code}",
        code=code,
        starts_on=D(2024, 1, 1),
        lead=lead_user,
    )
    approval_add(
        actor=lead_user,
        study=s,
        committee="Comité",
        number="1",
        approved_on=D(2024, 1, 2),
        expires_on=D(2025, 1, 1),
    )
    form = consent_form_add(actor=lead_user, study=s, version="v1", approved_on=D(2024, 1, 2))
    site = site_add(actor=lead_user, study=s, place=place)
    stratum = stratum_add(actor=lead_user, study=s, name="Todos", age_min=18, age_max=60)
    quota_set(
        actor=lead_user, study=s, site=site, stratum=stratum, method=Method.INTERVIEW, target=3
    )
    person = _recruit(s, lead_user, site, age=30, name=f"Ajeno {code}")
    event, transcript = _interview(s, lead_user, person, f"E: Hola.\nP: Texto ajeno de {code}.")
    codebook_code = code_create(actor=lead_user, study=s, name=f"Código {code}")
    coding = coding_add(actor=lead_user, transcript=transcript, code=codebook_code, start=0, end=5)
    curriculum = curriculum_create(actor=creator, organization=org, title=f"Currículo {code}")
    module = module_add(actor=creator, version=curriculum.versions.get(), title="Módulo ajeno")
    plan = session_plan_add(actor=creator, module=module, title="Sesión ajena")
    its_finding = finding_create(
        actor=lead_user, study=s, statement=f"Hallazgo {code}", excerpts=[coding]
    )
    line = dissemination_add(
        actor=lead_user,
        study=s,
        level="local",
        audience="Vecinos",
        product="Taller",
        channel="Local comunal",
        planned_on=D(2024, 6, 1),
    )
    return {
        "finding": its_finding,
        "plan_line": line,
        "study": s,
        "site": site,
        "stratum": stratum,
        "consent_form": form,
        "recruit": person,
        "event": event,
        "transcript": transcript,
        "turn": transcript.turns.order_by("order").first(),
        "code": codebook_code,
        "coding": coding,
        "module": module,
        "plan": plan,
        "question": None,
    }


@pytest.fixture
def world(
    study,
    upch,
    lead,
    researcher,
    coder,
    coder2,
    upch_coordinator,
    other_member,
    other_lead,
    revoked,
    stranger,
    vmt,
):
    """The study with two coded interviews (one single-coded, one double-coded not merged),
    the canaries planted everywhere; another study of UPCH and one of another
    organization, each coded."""
    vmt_site = study.sites.get(place=vmt)
    r1 = _recruit(study, researcher, vmt_site, age=24, name=CANARY_NAME, contact=CANARY_CONTACT)
    r2 = _recruit(study, researcher, vmt_site, age=40)
    event1, t1 = _interview(study, researcher, r1, TEXT)
    event2, t2 = _interview(study, researcher, r2, BLIND_TEXT)
    audio = audio_attach(actor=researcher, event=event1, name=f"{CANARY_AUDIO}.wav", data=WAV)

    risk = code_create(actor=lead, study=study, name="Factores de riesgo")
    alcohol = code_create(actor=lead, study=study, name="Consumo de alcohol", parent=risk)
    protective = code_create(actor=lead, study=study, name="Factores de protección")
    code_update(actor=coder, code=risk, memo=f"Memo del código: {CANARY_CODE_MEMO}.")
    start, end = _span(TEXT, SAID)
    excerpt = coding_add(
        actor=coder,
        transcript=t1,
        code=risk,
        start=start,
        end=end,
        memo=f"Memo de la codificadora: {CANARY_MEMO}.",
    )

    transcript_double_code(actor=lead, transcript=t2, double_coded=True)
    t2.refresh_from_db()
    drink = _span(BLIND_TEXT, "Los sábados se toma con los amigos")
    house = _span(BLIND_TEXT, "Mandar en la casa")
    own = coding_add(actor=coder, transcript=t2, code=alcohol, start=drink[0], end=drink[1])
    theirs = coding_add(
        actor=coder2,
        transcript=t2,
        code=protective,
        start=house[0],
        end=house[1],
        memo=f"Del segundo codificador: {CANARY_BLIND}.",
    )
    coding_add(actor=coder2, transcript=t2, code=alcohol, start=drink[0], end=drink[1])

    curriculum = curriculum_create(
        actor=upch_coordinator, organization=upch, title="Formación de formadores MRV"
    )
    version = curriculum.versions.get()
    module = module_add(actor=upch_coordinator, version=version, title="Sexualidad masculina")
    plan = session_plan_add(actor=upch_coordinator, module=module, title="Mandatos")
    the_finding = finding_create(
        actor=lead,
        study=study,
        statement="La violencia vista en la niñez se repite.",
        codes=[risk],
        excerpts=[excerpt],
        modules=[module],
        session_plans=[plan],
    )
    plan_line = dissemination_add(
        actor=lead,
        study=study,
        level="national",
        audience="Ministerio de la Mujer",
        product="Informe",
        channel="Reunión",
        planned_on=D(2024, 6, 1),
    )

    # a coder whose membership of UPCH is revoked afterwards
    member_set(actor=lead, study=study, user=revoked, role=MemberRole.CODER)
    membership_revoke(actor=None, membership=Membership.objects.get(user=revoked))
    selectors.forget(revoked)

    same_org = _skeleton(upch, upch_coordinator, other_lead, "OTRO", make_place(code="150101"))
    member_set(actor=other_lead, study=same_org["study"], user=other_member, role="coder")
    other_org = stranger.memberships.get().organization
    foreign = _skeleton(other_org, stranger, stranger, "AJENO", make_place(code="080101"))
    for user in (lead, researcher, coder, coder2, other_member, other_lead, stranger):
        selectors.forget(user)
    return {
        "study": study,
        "site": vmt_site,
        "r1": r1,
        "r2": r2,
        "event1": event1,
        "event2": event2,
        "t1": t1,
        "t2": t2,
        "audio": audio,
        "risk": risk,
        "alcohol": alcohol,
        "protective": protective,
        "excerpt": excerpt,
        "own": own,
        "theirs": theirs,
        "version": version,
        "module": module,
        "plan": plan,
        "finding": the_finding,
        "plan_line": plan_line,
        "same_org": same_org,
        "foreign": foreign,
    }


def _in(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _api(user) -> APIClient:
    client = APIClient()
    login_verified(client, user)
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    content = response.content
    if content[:2] == b"PK":  # a workbook or a project: every part, uncompressed
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8", "replace")


def _state() -> tuple[int, ...]:
    """How many rows of each kind a refused write must leave as they were."""
    return (
        Recruit.objects.count(),
        Event.objects.count(),
        Transcript.objects.count(),
        Turn.objects.count(),
        Code.objects.count(),
        Coding.objects.count(),
        Finding.objects.count(),
        StudyMember.objects.count(),
        Quota.objects.count(),
        Site.objects.count(),
        Stratum.objects.count(),
        ConsentForm.objects.count(),
        Audio.objects.count(),
    )


# ---------------------------------------------------------------- S1/S2/S3: who opens what

OPENS_STUDY = MEMBERS + (
    "upch_coordinator",
    "upch_admin",
    "upch_viewer",
    "upch_facilitator",
    "upch_me",
    "other_member",
)
OVERSEERS = ("upch_coordinator", "upch_admin")
CANNOT_OPEN = ("upch_auditor", "stranger", "revoked", "nobody")

# (route name, the world's object its id is taken from, who gets 200)
ROUTES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("web:study_detail", "study", OPENS_STUDY),
    ("web:study_recruits", "study", MEMBERS + OVERSEERS),
    ("web:recruit_detail", "r1", MEMBERS + OVERSEERS),
    ("web:study_events", "study", MEMBERS),
    ("web:event_detail", "event1", MEMBERS),
    ("web:event_audio", "event1", ("lead", "researcher")),
    ("web:transcript_detail", "t1", MEMBERS),
    ("web:transcript_detail", "t2", MEMBERS),
    ("web:transcript_deidentify", "t1", ("lead", "researcher")),
    ("web:study_codebook", "study", MEMBERS + OVERSEERS),
    ("web:study_refi_codebook", "study", ("lead",)),
    ("web:study_refi_project", "study", ("lead",)),
    ("web:study_reliability", "study", MEMBERS),
    ("web:study_analysis", "study", MEMBERS),
    ("web:study_analysis_print", "study", MEMBERS),
    ("web:study_analysis_xlsx", "study", MEMBERS),
    ("web:study_findings", "study", OPENS_STUDY),
    ("web:finding_edit", "finding", ("lead",)),
    ("web:study_dissemination", "study", OPENS_STUDY),
    ("web:dissemination_edit", "plan_line", ("lead",)),
    ("web:curriculum_version", "version", OPENS_STUDY),
)


def _reach(world, request, name: str, obj: str, allowed: tuple[str, ...], who: str) -> list[str]:
    """What is wrong with one account's answer to one route (empty: nothing)."""
    user = request.getfixturevalue(who)
    response = _in(user).get(reverse(name, kwargs={"pk": world[obj].pk}))
    status = response.status_code
    problems = []
    if who in allowed:
        if status != 200:
            problems.append(f"{who}: {status}, not 200")
    elif who in CANNOT_OPEN:
        if status != 404:
            problems.append(f"{who}: {status}, not 404")
    elif status not in (403, 404):
        problems.append(f"{who}: {status}, not 403/404")
    body = _body(response) if status == 200 else response.content.decode()
    never = IDENTITY_CANARIES + (CANARY_BLIND, CANARY_AUDIO)
    hidden = never if who in MEMBERS else CANARIES
    if name == "web:curriculum_version":
        hidden = CANARIES  # findings' excerpts never reach the curriculum's page
    leaked = [c for c in hidden if c in body]
    if leaked:
        problems.append(f"{who} reads {leaked}")
    return problems


@pytest.mark.parametrize(
    ("name", "obj", "allowed"), ROUTES, ids=[f"{n}-{o}" for n, o, _a in ROUTES]
)
def test_each_page_and_download_opens_only_for_its_roles_and_leaks_no_canary(
    world, name, obj, allowed, request
):
    """S1/S2/S3: every research page and download by its id, as every account: 200 for the
    roles it is for, 403/404 for the others (404 for whoever cannot open the study); the
    transcript's words, memos and speaker labels only in members' answers; a recruit's
    name and contact, the audio's file name and the second coder's blind memo in no GET
    answer at all, whoever asks. (The revoked member on the event's page is a finding of
    its own, below.)"""
    problems = [
        problem
        for who in MEMBERS + OUTSIDERS
        if not (who == "revoked" and name == "web:event_detail")
        for problem in _reach(world, request, name, obj, allowed, who)
    ]
    assert not problems, problems


def test_the_home_page_and_the_study_list_carry_no_canary(world, request):
    """Home and the studies' list, as everyone: titles and progress only."""
    for who in MEMBERS + OUTSIDERS:
        _home_and_list(world, request, who)


def _home_and_list(world, request, who: str) -> None:
    client = _in(request.getfixturevalue(who))
    for url in (reverse("web:home"), reverse("web:study_list")):
        response = client.get(url)
        assert response.status_code in (200, 403)
        body = response.content.decode()
        assert not [c for c in CANARIES if c in body]
    listed = client.get(reverse("web:study_list"))
    if who in CANNOT_OPEN:
        assert world["study"].title not in listed.content.decode()


def test_a_user_without_any_role_reaches_no_research_page(world, nobody):
    """S1: the list answers 403, every object 404."""
    client = _in(nobody)
    assert client.get(reverse("web:study_list")).status_code == 403
    assert client.get(reverse("web:study_new")).status_code == 403


def test_the_api_holds_no_transcript_memo_or_identity(world, request):
    """S3: the API's research routes are the protocol, the sample's figures and the
    codebook (names, definitions): never a transcript, a memo or an identity; another
    organization's user gets 404 for the study and no row in the list."""
    for who in MEMBERS + OUTSIDERS:
        _api_as(world, request, who)


def _api_as(world, request, who: str) -> None:
    client = _api(request.getfixturevalue(who))
    study = world["study"]
    listed = client.get("/api/research/studies/")
    detail = client.get(f"/api/research/studies/{study.pk}/")
    codebook = client.get(f"/api/research/studies/{study.pk}/codebook/")
    for response in (listed, detail, codebook):
        assert response.status_code in (200, 401, 403, 404)
        body = response.content.decode()
        assert not [c for c in CANARIES if c in body]
    if who in CANNOT_OPEN:
        assert detail.status_code in (403, 404)
        assert study.title not in listed.content.decode()
    if who in OPENS_STUDY:
        assert detail.status_code == 200 and study.title in detail.content.decode()
    if who in ("upch_viewer", "upch_facilitator", "upch_me", "other_member"):
        assert codebook.status_code == 404
    if who in MEMBERS + OVERSEERS:
        assert codebook.status_code == 200 and "Factores de riesgo" in codebook.content.decode()


def test_foreign_objects_by_id_answer_404_to_the_lead(world, lead):
    """S2: the lead of this study opens none of the other studies' objects by id, of the
    same organization or another."""
    client = _in(lead)
    for key in ("same_org", "foreign"):
        other = world[key]
        for name, obj in (
            ("web:study_events", "study"),
            ("web:event_detail", "event"),
            ("web:event_audio", "event"),
            ("web:transcript_detail", "transcript"),
            ("web:transcript_deidentify", "transcript"),
            ("web:study_codebook", "study"),
            ("web:study_reliability", "study"),
            ("web:study_analysis", "study"),
            ("web:study_analysis_xlsx", "study"),
            ("web:study_refi_project", "study"),
        ):
            response = client.get(reverse(name, kwargs={"pk": other[obj].pk}))
            if key == "same_org" and name in ("web:study_codebook",):
                # the lead is a viewer of UPCH: the study opens, its codebook does not
                assert response.status_code == 404
            else:
                assert response.status_code in (403, 404), (key, name)
            assert "Texto ajeno" not in response.content.decode()
        assert (
            client.get(
                reverse("web:recruit_detail", kwargs={"pk": other["recruit"].pk})
            ).status_code
            == 404
        )


def test_the_canaries_do_reach_the_members_who_may_read_them(world, lead, researcher, coder):
    """The checks above would prove nothing if the canaries never showed: the members read
    the transcript, its speaker label and memos; the lead and researchers the identity, on
    its POST answer only."""
    for user in (lead, researcher, coder):
        page = _in(user).get(reverse("web:transcript_detail", kwargs={"pk": world["t1"].pk}))
        body = page.content.decode()
        assert CANARY_TEXT in body and CANARY_LABEL in body and CANARY_MEMO in body
        book = _in(user).get(reverse("web:study_codebook", kwargs={"pk": world["study"].pk}))
        assert CANARY_CODE_MEMO in book.content.decode()
    findings = _in(coder).get(reverse("web:study_findings", kwargs={"pk": world["study"].pk}))
    assert CANARY_TEXT in findings.content.decode()  # the excerpt, to members
    shown = _in(researcher).post(reverse("web:recruit_identity", kwargs={"pk": world["r1"].pk}))
    assert CANARY_NAME in shown.content.decode() and CANARY_CONTACT in shown.content.decode()


# ---------------------------------------------------------------- identities and audio


@pytest.mark.parametrize("who", ("coder", "upch_coordinator", "upch_admin", "upch_viewer"))
def test_only_the_lead_and_researchers_read_an_identity_and_a_refusal_is_not_audited_as_a_read(
    world, who, request
):
    """S3: the identity's POST answers 403/404 to a coder and to the organization's staff;
    no "view" row is written for them (only a read writes one)."""
    user = request.getfixturevalue(who)
    before = AuditEvent.objects.filter(action="view", target_type="research.recruit").count()
    response = _in(user).post(reverse("web:recruit_identity", kwargs={"pk": world["r1"].pk}))
    assert response.status_code in (403, 404)
    assert CANARY_NAME not in response.content.decode()
    after = AuditEvent.objects.filter(action="view", target_type="research.recruit").count()
    assert after == before


def test_an_identity_is_never_read_by_get_and_its_answer_is_not_cached(world, researcher):
    """S9: no GET reveals it (405), the POST answer is no-store and writes one audit row
    that names the recruit, never the values."""
    client = _in(researcher)
    url = reverse("web:recruit_identity", kwargs={"pk": world["r1"].pk})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    row = AuditEvent.objects.filter(action="view", target_type="research.recruit").latest("pk")
    assert row.target_id == str(world["r1"].pk)
    assert CANARY_NAME not in json.dumps(row.detail)


def test_a_withdrawal_erases_the_identity(world, researcher):
    client = _in(researcher)
    client.post(
        reverse("web:recruit_status", kwargs={"pk": world["r1"].pk}),
        {"status": RecruitStatus.WITHDRAWN, "form_token": _token()},
    )
    r1 = Recruit.objects.get(pk=world["r1"].pk)
    assert r1.status == RecruitStatus.WITHDRAWN and r1.name == "" and r1.contact == ""


@pytest.mark.parametrize("who", ("coder", "upch_coordinator", "upch_admin", "stranger"))
def test_the_recording_is_served_to_the_lead_and_researchers_only(world, who, request):
    """S3: 404 for a coder too (no audit row written for them); the download is an
    attachment under a name of its own (never the file's), never cached, audited."""
    user = request.getfixturevalue(who)
    url = reverse("web:event_audio", kwargs={"pk": world["event1"].pk})
    before = AuditEvent.objects.filter(target_type="research.audio", action="view").count()
    assert _in(user).get(url).status_code == 404
    assert AuditEvent.objects.filter(target_type="research.audio", action="view").count() == before


def test_the_recording_download_is_a_tame_attachment(world, researcher):
    response = _in(researcher).get(reverse("web:event_audio", kwargs={"pk": world["event1"].pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Disposition"].startswith("attachment")
    assert CANARY_AUDIO not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == WAV
    assert AuditEvent.objects.filter(target_type="research.audio", action="view").count() == 1


# ---------------------------------------------------------------- S11: no canary in audit rows or logs


@pytest.fixture
def debug_logs(caplog):
    """Every logger at DEBUG from before the world is built."""
    caplog.set_level(logging.DEBUG)
    return caplog


def test_a_whole_flow_leaves_no_canary_in_audit_rows_logs_or_the_audit_page(
    debug_logs, world, lead, researcher, coder, upch_auditor
):
    """S10/S11: screening with a name and contact, consent, an interview, a transcript with
    a canary in its text and a speaker label, speakers mapped, the identity read, the audio
    uploaded under a canary name and downloaded, codings with memos, a code memo, a
    finding, the exports, a withdrawal: the audit trail names rows and counts, never a
    canary, and so does every log line (DEBUG) and the auditor's audit page."""
    study = world["study"]
    site = world["site"]
    q1, q2 = study.questions.order_by("order")
    res = _in(researcher)
    screened = res.post(
        reverse("web:study_screen", kwargs={"pk": study.pk}),
        {
            "site": site.pk,
            "method": Method.INTERVIEW,
            "age": 25,
            "screened_on": "2024-02-01",
            f"q_{q1.pk}": "no",
            f"q_{q2.pk}": "yes",
            "name": f"{CANARY_NAME} Segundo",
            "contact": f"{CANARY_CONTACT} 999",
            "form_token": _token(),
        },
    )
    assert screened.status_code == 302
    person = Recruit.objects.filter(study=study).latest("pk")
    res.post(
        reverse("web:recruit_consent", kwargs={"pk": person.pk}),
        {
            "co-consent_form": study.consent_forms.get().pk,
            "co-consented_on": "2024-02-02",
            "co-audio_consent": "on",
            "form_token": _token(),
        },
    )
    assert Recruit.objects.get(pk=person.pk).status == RecruitStatus.CONSENTED
    res.post(
        reverse("web:study_events", kwargs={"pk": study.pk}),
        {
            "ev-method": Method.INTERVIEW,
            "ev-site": site.pk,
            "ev-held_on": HELD.isoformat(),
            "ev-participants": [person.pk],
            "ev-interviewer": researcher.pk,
            "ev-note_taker": "",
            "ev-duration_minutes": 45,
            "ev-language": "es",
            "form_token": _token(),
        },
    )
    event = Event.objects.filter(study=study).latest("pk")
    assert list(event.participants.all()) == [person]
    res.post(
        reverse("web:event_transcript", kwargs={"pk": event.pk}),
        {"tr-name": "", "tr-text": TEXT, "form_token": _token()},
    )
    transcript = Transcript.objects.get(event=event)
    res.post(
        reverse("web:transcript_speakers", kwargs={"pk": transcript.pk}),
        {"label_0": CANARY_LABEL, "speaker_0": f"p{person.pk}", "form_token": _token()},
    )
    assert transcript.turns.filter(participant=person).exists()
    res.post(reverse("web:recruit_identity", kwargs={"pk": person.pk}))
    res.post(
        reverse("web:event_audio_upload", kwargs={"pk": event.pk}),
        {
            "au-audio": SimpleUploadedFile(f"{CANARY_AUDIO}-2.wav", WAV, "audio/wav"),
            "form_token": _token(),
        },
    )
    assert Audio.objects.filter(event=event).exists()
    res.get(reverse("web:event_audio", kwargs={"pk": event.pk}))

    cod = _in(coder)
    start, end = _span(TEXT, SAID)
    cod.post(
        reverse("web:transcript_code", kwargs={"pk": transcript.pk}),
        {
            "start": start,
            "end": end,
            "quote": SAID,
            "codes": [world["protective"].pk],
            "memo": f"{CANARY_MEMO} web",
            "form_token": _token(),
        },
    )
    made = Coding.objects.get(transcript=transcript)
    cod.post(
        reverse("web:transcript_coding_memo", kwargs={"pk": transcript.pk}),
        {"coding": made.pk, "memo": f"{CANARY_MEMO} otra vez", "form_token": _token()},
    )
    cod.post(
        reverse("web:study_code_memo", kwargs={"pk": study.pk}),
        {
            "code": world["alcohol"].pk,
            f"m{world['alcohol'].pk}-memo": f"{CANARY_CODE_MEMO} web",
            "form_token": _token(),
        },
    )
    assert CANARY_CODE_MEMO in Code.objects.get(pk=world["alcohol"].pk).memo

    boss = _in(lead)
    for name in ("web:study_refi_project", "web:study_analysis_xlsx", "web:study_refi_codebook"):
        assert boss.get(reverse(name, kwargs={"pk": study.pk})).status_code == 200
    boss.post(
        reverse("web:finding_create", kwargs={"pk": study.pk}),
        {"statement": "Otra conclusión.", "excerpts": [made.pk], "form_token": _token()},
    )
    assert Finding.objects.filter(study=study).count() == 2
    res.post(
        reverse("web:recruit_status", kwargs={"pk": person.pk}),
        {"status": RecruitStatus.WITHDRAWN, "form_token": _token()},
    )

    rows = [
        json.dumps(
            [e.actor_username, e.action, e.target_type, e.target_id, e.detail, e.address],
            ensure_ascii=False,
        )
        for e in AuditEvent.objects.all()
    ]
    assert len(rows) > 30
    assert not [(c, r) for r in rows for c in CANARIES if c in r]
    logged = "\n".join(
        r.getMessage() + repr(getattr(r, "args", ""))
        for phase in ("setup", "call")
        for r in debug_logs.get_records(phase)
    )
    assert not [c for c in CANARIES if c in logged]
    audit = _in(upch_auditor).get(reverse("web:audit_list"))
    assert audit.status_code == 200
    assert not [c for c in CANARIES if c in audit.content.decode()]


# ---------------------------------------------------------------- blind double coding

BLIND_WORDS = ("Mandar en la casa", "Los sábados se toma")


def _stable(html: str) -> str:
    """A page without what changes on every answer (tokens)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="form_token" value="[^"]*"', "", html)


def test_before_the_merge_a_coder_sees_only_their_own_codings(world, coder, coder2):
    """Blind coding: the transcript page lists and highlights the coder's own coding only;
    the other coder's memo, code and username are nowhere on it."""
    page = _in(coder).get(reverse("web:transcript_detail", kwargs={"pk": world["t2"].pk}))
    body = page.content.decode()
    assert body.count('data-test="coding"') == 1
    assert CANARY_BLIND not in body and coder2.username not in body
    assert f'id="k{world["theirs"].pk}"' not in body
    assert f'id="k{world["own"].pk}"' in body


@pytest.mark.parametrize(
    "name",
    (
        "web:study_analysis",
        "web:study_analysis_print",
        "web:study_analysis_xlsx",
        "web:study_findings",
    ),
)
@pytest.mark.parametrize("who", ("lead", "coder", "coder2"))
def test_no_output_shows_blind_codings_before_the_merge(world, name, who, request):
    """Analysis, its print page and workbook, the findings' excerpt choices (the lead's
    form) read final codings only: the double-coded transcript's passages are in none of
    them until the merge."""
    response = _in(request.getfixturevalue(who)).get(
        reverse(name, kwargs={"pk": world["study"].pk})
    )
    assert response.status_code == 200
    body = _body(response)
    assert not [w for w in BLIND_WORDS if w in body]
    assert CANARY_BLIND not in body


def test_the_project_export_holds_no_blind_coding(world, lead):
    """The .qdpx holds the transcripts (the lead reads them) but only final codings."""
    data = _in(lead).get(reverse("web:study_refi_project", kwargs={"pk": world["study"].pk}))
    with zipfile.ZipFile(io.BytesIO(data.content)) as archive:
        project = archive.read("project.qde").decode()
    for coding in (world["own"], world["theirs"]):
        assert str(coding.guid) not in project
    assert str(world["excerpt"].guid) in project
    assert CANARY_BLIND not in project


def test_the_reliability_page_names_no_coder_of_a_disagreement_to_a_coder(world, coder, coder2):
    """Who applied which code in a disagreement is the lead's until the merge."""
    body = (
        _in(coder)
        .get(reverse("web:study_reliability", kwargs={"pk": world["study"].pk}))
        .content.decode()
    )
    assert 'data-test="disagreement"' not in body and coder2.username not in body
    assert not [w for w in BLIND_WORDS if w in body]
    lead_page = _in(world["study"].members.get(role="lead").user).get(
        reverse("web:study_reliability", kwargs={"pk": world["study"].pk})
    )
    assert 'data-test="disagreement"' in lead_page.content.decode()


def test_the_reliability_page_is_no_oracle_of_the_other_coders_work(world, coder, coder2):
    """A coder's view before the merge must not change when only the other coder's codings
    change: else adding a coding and watching the disagreement count tells whether the
    other coder applied that code in that turn."""
    url = reverse("web:study_reliability", kwargs={"pk": world["study"].pk})
    before = _stable(_in(coder).get(url).content.decode())
    drink = _span(BLIND_TEXT, "Los sábados se toma con los amigos")
    coding_add(
        actor=coder2,
        transcript=world["t2"],
        code=world["protective"],
        start=drink[0],
        end=drink[1],
    )
    after = _stable(_in(coder).get(url).content.decode())
    assert after == before


@pytest.mark.parametrize("who", ("coder", "researcher", "upch_coordinator", "upch_admin"))
def test_only_the_lead_merges(world, who, request):
    """A coder, a researcher (403) or the organization's staff (404) posting the merge's
    decisions writes no final coding and leaves the transcript blind."""
    t2 = world["t2"]
    turn = t2.turns.order_by("order")[1]
    response = _in(request.getfixturevalue(who)).post(
        reverse("web:transcript_merge", kwargs={"pk": t2.pk}),
        {f"d_{turn.pk}_{world['protective'].pk}": "keep", "form_token": _token()},
    )
    assert response.status_code == (403 if who in MEMBERS else 404)
    t2.refresh_from_db()
    assert t2.merged_at is None
    assert not Coding.objects.filter(transcript=t2, final=True).exists()
    with pytest.raises(PermissionDeniedError):
        transcript_merge(actor=request.getfixturevalue("coder"), transcript=t2, decisions={})


def test_a_coder_cannot_remove_or_annotate_the_other_coders_blind_coding(world, coder, lead):
    """Blind codings of others are not even found (404), for a coder and for the lead."""
    t2 = world["t2"]
    theirs = world["theirs"]
    for user in (coder, lead):
        client = _in(user)
        for name, extra in (
            ("web:transcript_coding_remove", {}),
            ("web:transcript_coding_memo", {"memo": "sobrescrito"}),
        ):
            response = client.post(
                reverse(name, kwargs={"pk": t2.pk}),
                {"coding": theirs.pk, "form_token": _token(), **extra},
            )
            assert response.status_code == 404
    theirs.refresh_from_db()
    assert CANARY_BLIND in theirs.memo
    with pytest.raises(PermissionDeniedError):
        coding_remove(actor=coder, coding=theirs)
    with pytest.raises(PermissionDeniedError):
        coding_memo_set(actor=coder, coding=theirs, memo="x")


def test_a_coder_cannot_remove_another_coders_final_coding(world, coder2):
    """A final coding (single-coded transcript) is removed by its coder or the lead."""
    response = _in(coder2).post(
        reverse("web:transcript_coding_remove", kwargs={"pk": world["t1"].pk}),
        {"coding": world["excerpt"].pk, "form_token": _token()},
    )
    assert response.status_code in (302, 403)  # refused with a message, or 403
    assert Coding.objects.filter(pk=world["excerpt"].pk).exists()


def test_a_coder_cannot_rewrite_another_coders_memo(world, coder2):
    excerpt = world["excerpt"]
    _in(coder2).post(
        reverse("web:transcript_coding_memo", kwargs={"pk": world["t1"].pk}),
        {"coding": excerpt.pk, "memo": "", "form_token": _token()},
    )
    excerpt.refresh_from_db()
    assert CANARY_MEMO in excerpt.memo


def _merge(world, lead) -> None:
    t2 = world["t2"]
    turn = t2.turns.order_by("order")[1]
    response = _in(lead).post(
        reverse("web:transcript_merge", kwargs={"pk": t2.pk}),
        {f"d_{turn.pk}_{world['protective'].pk}": "drop", "form_token": _token()},
    )
    assert response.status_code == 302
    t2.refresh_from_db()
    assert t2.merged_at is not None


def test_after_the_merge_nobody_codes_nor_touches_the_blind_codings(world, lead, coder):
    """A merged double-coded transcript takes no coding (the view answers with the
    service's refusal, nothing written); the coders' own codings are kept for reliability
    and no longer reachable to remove or annotate."""
    _merge(world, lead)
    t2 = world["t2"]
    before = Coding.objects.filter(transcript=t2).count()
    house = _span(BLIND_TEXT, "Mandar en la casa")
    for user in (coder, lead):
        response = _in(user).post(
            reverse("web:transcript_code", kwargs={"pk": t2.pk}),
            {
                "start": house[0],
                "end": house[1],
                "codes": [world["risk"].pk],
                "form_token": _token(),
            },
        )
        assert response.status_code == 400
    assert Coding.objects.filter(transcript=t2).count() == before
    with pytest.raises(ApplicationError):
        coding_add(actor=coder, transcript=t2, code=world["risk"], start=house[0], end=house[1])
    response = _in(coder).post(
        reverse("web:transcript_coding_remove", kwargs={"pk": t2.pk}),
        {"coding": world["own"].pk, "form_token": _token()},
    )
    assert response.status_code == 404
    assert Coding.objects.filter(pk=world["own"].pk).exists()


def test_merge_decisions_naming_turns_of_another_transcript_are_ignored(world, lead):
    """The decisions read are the transcript's own disagreements: a key naming a turn of
    another transcript (same study, another study) writes nothing there."""
    t2 = world["t2"]
    turn = t2.turns.order_by("order")[1]
    foreign_turn = world["t1"].turns.order_by("order")[1]
    other_turn = world["same_org"]["turn"]
    _in(lead).post(
        reverse("web:transcript_merge", kwargs={"pk": t2.pk}),
        {
            f"d_{turn.pk}_{world['protective'].pk}": "keep",
            f"d_{foreign_turn.pk}_{world['alcohol'].pk}": "keep",
            f"d_{other_turn.pk}_{world['same_org']['code'].pk}": "keep",
            "form_token": _token(),
        },
    )
    assert Coding.objects.filter(transcript=world["t1"]).count() == 1
    assert Coding.objects.filter(transcript=world["same_org"]["transcript"]).count() == 1
    finals = Coding.objects.filter(transcript=t2, final=True)
    assert finals.exists() and all(c.code.study_id == world["study"].pk for c in finals)


# ---------------------------------------------------------------- IDOR: foreign ids in POST bodies

FOREIGN = ("same_org", "foreign")


@pytest.mark.parametrize("where", FOREIGN)
def test_services_refuse_rows_of_another_study(world, where, lead, researcher, coder, upch):
    """Each service checks that the rows it links belong to the study it writes: a code, a
    coding, a recruit, a site, an age group, a consent form, a module or a session plan of
    another study (of the same organization, or another) is refused, nothing written."""
    other = world[where]
    study = world["study"]
    before = _state()
    start, end = _span(TEXT, SAID)
    calls = [
        lambda: coding_add(
            actor=coder, transcript=world["t1"], code=other["code"], start=start, end=end
        ),
        lambda: finding_create(actor=lead, study=study, statement="x", excerpts=[other["coding"]]),
        lambda: finding_create(actor=lead, study=study, statement="x", codes=[other["code"]]),
        lambda: finding_update(actor=lead, finding=world["finding"], excerpts=[other["coding"].pk]),
        lambda: event_record(
            actor=researcher,
            study=study,
            method=Method.INTERVIEW,
            site=world["site"],
            held_on=HELD,
            participants=[other["recruit"]],
            duration_minutes=30,
        ),
        lambda: event_record(
            actor=researcher,
            study=study,
            method=Method.INTERVIEW,
            site=other["site"],
            held_on=HELD,
            participants=[world["r1"]],
            duration_minutes=30,
        ),
        lambda: turns_map(
            actor=researcher,
            transcript=world["t1"],
            speakers={CANARY_LABEL: other["recruit"]},
        ),
        lambda: recruit_screen(
            actor=researcher,
            study=study,
            site=other["site"],
            method=Method.INTERVIEW,
            age=25,
            answers=answers(study),
            screened_on=D(2024, 2, 1),
        ),
        lambda: quota_set(
            actor=lead,
            study=study,
            site=other["site"],
            stratum=study.strata.first(),
            method=Method.INTERVIEW,
            target=3,
        ),
        lambda: quota_set(
            actor=lead,
            study=study,
            site=world["site"],
            stratum=other["stratum"],
            method=Method.INTERVIEW,
            target=3,
        ),
        lambda: code_create(actor=lead, study=study, name="Hijo ajeno", parent=other["code"]),
        lambda: code_update(actor=lead, code=world["risk"], parent=other["code"]),
    ]
    if where == "foreign":
        # (a study that names no curriculum may link any of its own organization's)
        calls += [
            lambda: finding_create(
                actor=lead, study=study, statement="x", modules=[other["module"]]
            ),
            lambda: finding_create(
                actor=lead, study=study, statement="x", session_plans=[other["plan"]]
            ),
        ]
    for n, call in enumerate(calls):
        with pytest.raises(ApplicationError):
            call()
        assert _state() == before, n
    # a recruit of this study waiting for consent, offered another study's form
    waiting = recruit_screen(
        actor=researcher,
        study=study,
        site=world["site"],
        method=Method.INTERVIEW,
        age=26,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
    )
    with pytest.raises(ApplicationError):
        recruit_consent(
            actor=researcher,
            recruit=waiting,
            consent_form=other["consent_form"],
            consented_on=D(2024, 2, 2),
        )
    assert Recruit.objects.get(pk=waiting.pk).status == RecruitStatus.ELIGIBLE
    # the other study's transcript is not this lead's to code, map or merge
    with pytest.raises(PermissionDeniedError):
        coding_add(actor=lead, transcript=other["transcript"], code=other["code"], start=0, end=3)
    with pytest.raises(PermissionDeniedError):
        turns_map(actor=lead, transcript=other["transcript"], speakers={})


def test_a_speaker_is_mapped_only_to_a_participant_of_that_event(world, researcher):
    """turns_map: a recruit of the same study who was not in this interview is refused."""
    with pytest.raises(ApplicationError):
        turns_map(actor=researcher, transcript=world["t1"], speakers={CANARY_LABEL: world["r2"]})
    assert not world["t1"].turns.filter(participant=world["r2"]).exists()


def test_a_member_of_another_organization_is_refused(world, lead, stranger):
    with pytest.raises(ApplicationError):
        member_set(actor=lead, study=world["study"], user=stranger, role=MemberRole.CODER)
    assert not StudyMember.objects.filter(study=world["study"], user=stranger).exists()


def _posts(world, where) -> list[tuple[str, str, dict[str, Any], str]]:
    """(who, url, body, what) posting another study's row to this study's forms."""
    other = world[where]
    study = world["study"]
    t1 = world["t1"]
    start, end = _span(TEXT, SAID)
    q1, q2 = study.questions.order_by("order")
    waiting = recruit_screen(
        actor=study.members.get(role="lead").user,
        study=study,
        site=world["site"],
        method=Method.INTERVIEW,
        age=27,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
    )

    def url(name, pk):
        return reverse(name, kwargs={"pk": pk})

    return [
        (
            "coder",
            url("web:transcript_code", t1.pk),
            {"start": start, "end": end, "codes": [other["code"].pk]},
            "a code of another study",
        ),
        (
            "coder",
            url("web:transcript_code", t1.pk),
            {"turn": other["turn"].pk, "codes": [world["risk"].pk]},
            "a turn of another transcript",
        ),
        (
            "coder",
            url("web:transcript_coding_remove", t1.pk),
            {"coding": other["coding"].pk},
            "a coding of another study",
        ),
        (
            "coder",
            url("web:transcript_coding_memo", t1.pk),
            {"coding": other["coding"].pk, "memo": "x"},
            "a coding of another study",
        ),
        (
            "lead",
            url("web:study_code_edit", study.pk),
            {"code": other["code"].pk, f"c{other['code'].pk}-name": "x"},
            "a code of another study",
        ),
        (
            "lead",
            url("web:study_code_edit", study.pk),
            {
                "code": world["alcohol"].pk,
                f"c{world['alcohol'].pk}-name": "Consumo de alcohol",
                f"c{world['alcohol'].pk}-parent": other["code"].pk,
            },
            "a parent of another study",
        ),
        (
            "lead",
            url("web:study_code_add", study.pk),
            {"new-name": "Nuevo", "new-parent": other["code"].pk},
            "a parent of another study",
        ),
        ("lead", url("web:study_code_delete", study.pk), {"code": other["code"].pk}, "delete"),
        (
            "coder",
            url("web:study_code_memo", study.pk),
            {"code": other["code"].pk, f"m{other['code'].pk}-memo": "x"},
            "a memo on another study's code",
        ),
        (
            "researcher",
            url("web:study_events", study.pk),
            {
                "ev-method": Method.INTERVIEW,
                "ev-site": world["site"].pk,
                "ev-held_on": HELD.isoformat(),
                "ev-participants": [other["recruit"].pk],
                "ev-duration_minutes": 30,
                "ev-language": "es",
            },
            "a recruit of another study",
        ),
        (
            "researcher",
            url("web:study_events", study.pk),
            {
                "ev-method": Method.INTERVIEW,
                "ev-site": other["site"].pk,
                "ev-held_on": HELD.isoformat(),
                "ev-participants": [world["r1"].pk],
                "ev-duration_minutes": 30,
                "ev-language": "es",
            },
            "a site of another study",
        ),
        (
            "researcher",
            url("web:study_screen", study.pk),
            {
                "site": other["site"].pk,
                "method": Method.INTERVIEW,
                "age": 25,
                "screened_on": "2024-02-01",
                f"q_{q1.pk}": "no",
                f"q_{q2.pk}": "yes",
            },
            "a site of another study",
        ),
        (
            "researcher",
            url("web:recruit_consent", waiting.pk),
            {"co-consent_form": other["consent_form"].pk, "co-consented_on": "2024-02-02"},
            "a consent form of another study",
        ),
        (
            "lead",
            url("web:study_quota", study.pk),
            {
                "qu-site": other["site"].pk,
                "qu-stratum": study.strata.first().pk,
                "qu-method": Method.INTERVIEW,
                "qu-target": 3,
            },
            "a site of another study",
        ),
        (
            "lead",
            url("web:study_quota", study.pk),
            {
                "qu-site": world["site"].pk,
                "qu-stratum": other["stratum"].pk,
                "qu-method": Method.INTERVIEW,
                "qu-target": 3,
            },
            "an age group of another study",
        ),
        (
            "lead",
            url("web:finding_create", study.pk),
            {"statement": "x", "excerpts": [other["coding"].pk]},
            "an excerpt of another study",
        ),
        (
            "lead",
            url("web:finding_create", study.pk),
            {"statement": "x", "codes": [other["code"].pk]},
            "a code of another study",
        ),
        (
            "lead",
            url("web:finding_edit", world["finding"].pk),
            {"statement": "x", "excerpts": [other["coding"].pk]},
            "an excerpt of another study",
        ),
        ("lead", url("web:transcript_merge", other["transcript"].pk), {}, "another transcript"),
        (
            "lead",
            url("web:transcript_double_code", other["transcript"].pk),
            {"double_coded": "1"},
            "another transcript",
        ),
        (
            "researcher",
            url("web:event_transcript", other["event"].pk),
            {"tr-text": "E: x\nP: y"},
            "another event",
        ),
        (
            "researcher",
            url("web:transcript_speakers", other["transcript"].pk),
            {"label_0": "P", "speaker_0": "other"},
            "another transcript",
        ),
        ("lead", url("web:finding_delete", other["finding"].pk), {}, "another's finding"),
        (
            "lead",
            url("web:finding_edit", other["finding"].pk),
            {"statement": "x"},
            "another's finding",
        ),
        (
            "lead",
            url("web:dissemination_delete", other["plan_line"].pk),
            {},
            "another's plan line",
        ),
    ] + (
        [
            (
                "lead",
                url("web:finding_create", study.pk),
                {"statement": "x", "modules": [other["module"].pk]},
                "a module of another organization's curriculum",
            ),
            (
                "lead",
                url("web:finding_create", study.pk),
                {"statement": "x", "session_plans": [other["plan"].pk]},
                "a session plan of another organization's curriculum",
            ),
        ]
        if where == "foreign"
        else []
    )


@pytest.mark.parametrize("where", FOREIGN)
def test_forms_refuse_rows_of_another_study_without_writing(world, where, request):
    """IDOR: every form of the study posted with another study's row (same organization or
    another) answers 400/403/404, and nothing is written anywhere."""
    cases = _posts(world, where)
    before = _state()
    other = world[where]
    other_memo = Code.objects.get(pk=other["code"].pk).memo
    for who, url, body, what in cases:
        response = _in(request.getfixturevalue(who)).post(url, {**body, "form_token": _token()})
        assert response.status_code in (400, 403, 404), (url, what, response.status_code)
        assert _state() == before, (url, what)
    assert Finding.objects.get(pk=other["finding"].pk).statement.startswith("Hallazgo")
    assert other["plan_line"].__class__.objects.filter(pk=other["plan_line"].pk).exists()
    other_code = Code.objects.get(pk=other["code"].pk)
    assert other_code.name.startswith("Código") and other_code.memo == other_memo
    assert other_code.parent_id is None
    assert Code.objects.get(pk=world["alcohol"].pk).parent_id == world["risk"].pk


def test_speakers_map_only_to_the_events_own_participants(world, researcher):
    """transcript_speakers: a participant of another study or of another event of this
    study, posted as a speaker, is ignored (nothing changes)."""
    t1 = world["t1"]
    turns = list(t1.turns.values_list("pk", "speaker", "participant_id"))
    for recruit in (world["r2"], world["same_org"]["recruit"], world["foreign"]["recruit"]):
        _in(researcher).post(
            reverse("web:transcript_speakers", kwargs={"pk": t1.pk}),
            {"label_0": CANARY_LABEL, "speaker_0": f"p{recruit.pk}", "form_token": _token()},
        )
    assert list(t1.turns.values_list("pk", "speaker", "participant_id")) == turns


def test_deidentification_replaces_only_spans_it_found(world, researcher):
    """A posted span that the de-identification did not find (outside the text, or
    anywhere else) replaces nothing; the service refuses spans outside the text or
    overlapping."""
    person = _recruit(world["study"], researcher, world["site"], age=41)
    _event, fresh = _interview(
        world["study"], researcher, person, "E: Hola.\nP: Vivo con Rosendo en Lima."
    )
    text = fresh.text
    page = _in(researcher).get(reverse("web:transcript_deidentify", kwargs={"pk": fresh.pk}))
    stamp = re.search(r'name="stamp" value="([^"]*)"', page.content.decode()).group(1)
    response = _in(researcher).post(
        reverse("web:transcript_deidentify", kwargs={"pk": fresh.pk}),
        {
            "stamp": stamp,
            "use": ["0"],
            "span_0": f"0:{len(text) + 50}",
            "pseudonym_0": "X",
            "form_token": _token(),
        },
    )
    assert response.status_code == 400
    fresh.refresh_from_db()
    assert fresh.text == text and fresh.deidentified_at is None
    for spans in ({(0, len(text) + 5): "X"}, {(0, 5): "X", (3, 8): "Y"}):
        with pytest.raises(ApplicationError):
            transcript_deidentify(actor=researcher, transcript=fresh, replacements=spans)
    fresh.refresh_from_db()
    assert fresh.text == text


# ---------------------------------------------------------------- S4: no self-promotion


def _member_post(client, study, user, role):
    return client.post(
        reverse("web:study_member", kwargs={"pk": study.pk}),
        {"me-user": user.pk, "me-role": role, "form_token": _token()},
    )


@pytest.mark.parametrize(
    "who",
    ("coder", "researcher", "upch_coordinator", "upch_admin", "upch_viewer", "other_member"),
)
def test_nobody_but_the_lead_adds_members_nor_raises_their_own_role(world, who, request):
    """S4: the member form (add, change a role, remove) is the lead's: a coder or a
    researcher raising themselves to lead, the organization's coordinator or administrator
    adding themselves to read the transcripts, a member of another study joining this one:
    403/404, nothing changed; the service refuses them too."""
    user = request.getfixturevalue(who)
    study = world["study"]
    roles = dict(StudyMember.objects.filter(study=study).values_list("user_id", "role"))
    client = _in(user)
    response = _member_post(client, study, user, MemberRole.LEAD)
    assert response.status_code in (403, 404)
    coder2 = request.getfixturevalue("coder2")
    response = _member_post(client, study, coder2, MemberRole.LEAD)
    assert response.status_code in (403, 404)
    response = client.post(
        reverse("web:study_member_remove", kwargs={"pk": study.pk}),
        {"user": coder2.pk, "form_token": _token()},
    )
    assert response.status_code in (403, 404)
    assert dict(StudyMember.objects.filter(study=study).values_list("user_id", "role")) == roles
    with pytest.raises(PermissionDeniedError):
        member_set(actor=user, study=study, user=user, role=MemberRole.LEAD)
    with pytest.raises(PermissionDeniedError):
        member_remove(actor=user, study=study, user=coder2)
    selectors.forget(user)
    assert selectors.role_in(user, study) == roles.get(user.pk)
    if who in OVERSEERS:
        page = client.get(reverse("web:transcript_detail", kwargs={"pk": world["t1"].pk}))
        assert page.status_code == 404


def test_the_lead_cannot_change_their_own_role_nor_remove_the_last_lead(world, lead):
    """S4: the lead is not among the member form's people (400) and the service refuses
    their own role; removing themselves while the only lead is refused."""
    study = world["study"]
    client = _in(lead)
    assert _member_post(client, study, lead, MemberRole.CODER).status_code == 400
    with pytest.raises(ApplicationError):
        member_set(actor=lead, study=study, user=lead, role=MemberRole.CODER)
    client.post(
        reverse("web:study_member_remove", kwargs={"pk": study.pk}),
        {"user": lead.pk, "form_token": _token()},
    )
    with pytest.raises(ApplicationError):
        member_remove(actor=lead, study=study, user=lead)
    assert StudyMember.objects.get(study=study, user=lead).role == MemberRole.LEAD


def test_a_coordinator_who_creates_a_study_reads_no_other_studys_transcript(
    world, upch_coordinator, upch
):
    """Creating a study (and naming oneself its lead) opens that study, not this one."""
    client = _in(upch_coordinator)
    response = client.post(
        reverse("web:study_new"),
        {
            "organization": upch.pk,
            "title": "Estudio propio",
            "code": "PROP",
            "starts_on": "2024-03-01",
            "lead": upch_coordinator.pk,
            "form_token": _token(),
        },
    )
    assert response.status_code == 302
    selectors.forget(upch_coordinator)
    for name, obj in (
        ("web:transcript_detail", "t1"),
        ("web:study_analysis", "study"),
        ("web:event_detail", "event1"),
    ):
        assert client.get(reverse(name, kwargs={"pk": world[obj].pk})).status_code == 404


# ---------------------------------------------------------------- S9: URLs and caches


@pytest.mark.parametrize(("name", "obj"), sorted({(n, o) for n, o, _a in ROUTES}))
def test_every_research_page_and_download_is_sent_no_store(world, lead, name, obj):
    response = _in(lead).get(reverse(name, kwargs={"pk": world[obj].pk}))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_get_forms_carry_no_name_and_names_travel_by_post(world, researcher):
    """S9: the recruitment log's only GET form filters by site and status; the screening
    form (with the name and contact) is a POST whose answer's address holds no name."""
    client = _in(researcher)
    page = client.get(
        reverse("web:study_recruits", kwargs={"pk": world["study"].pk})
    ).content.decode()
    gets = re.findall(r'<form method="get".*?</form>', page, flags=re.S)
    assert gets
    fields = set(re.findall(r'name="([^"]+)"', "".join(gets)))
    assert fields <= {"site", "status", "page"}
    screening = re.findall(r'<form[^>]*>(?:(?!</form>).)*name="name"', page, flags=re.S)
    assert screening and all('method="post"' in f for f in screening)
    study = world["study"]
    q1, q2 = study.questions.order_by("order")
    response = client.post(
        reverse("web:study_screen", kwargs={"pk": study.pk}),
        {
            "site": world["site"].pk,
            "method": Method.INTERVIEW,
            "age": 22,
            "screened_on": "2024-02-01",
            f"q_{q1.pk}": "no",
            f"q_{q2.pk}": "yes",
            "name": CANARY_NAME,
            "contact": CANARY_CONTACT,
            "form_token": _token(),
        },
    )
    assert response.status_code == 302
    assert CANARY_NAME not in response["Location"] and CANARY_CONTACT not in response["Location"]


# ---------------------------------------------------------------- S17: a viewer's numbers

AGGREGATE_ONLY = ("upch_viewer", "upch_facilitator", "upch_me", "other_member")
FIGURES = ("screened", "eligible", "excluded", "consented", "took_part")
SMALL = {"1", "2", "3", "4", "5"}  # k = 5: 1..5 are shown "<5"


def _screen(study, by, *, n, age, method=Method.INTERVIEW, activist=False):
    site = study.sites.get(name="Villa María del Triunfo")
    return [
        recruit_screen(
            actor=by,
            study=study,
            site=site,
            method=method,
            age=age,
            answers=answers(study, activist=activist),
            screened_on=D(2024, 2, 1),
        )
        for _ in range(n)
    ]


def _consent(study, by, people, audio=False):
    for person in people:
        recruit_consent(
            actor=by,
            recruit=person,
            consent_form=study.consent_forms.get(),
            consented_on=D(2024, 2, 2),
            audio_consent=audio,
        )


@pytest.fixture
def sample(study, researcher):
    """VMT young: 8 screened for interviews (2 GBV activists excluded), one interviewed;
    6 screened, consented and in a focus group."""
    eligible = _screen(study, researcher, n=6, age=24)
    _screen(study, researcher, n=2, age=24, activist=True)
    _consent(study, researcher, eligible[:1])
    event_record(
        actor=researcher,
        study=study,
        method=Method.INTERVIEW,
        site=eligible[0].site,
        held_on=HELD,
        participants=eligible[:1],
        duration_minutes=50,
    )
    group = _screen(study, researcher, n=6, age=22, method=Method.FOCUS_GROUP)
    _consent(study, researcher, group)
    event_record(
        actor=researcher,
        study=study,
        method=Method.FOCUS_GROUP,
        site=group[0].site,
        held_on=HELD,
        participants=group,
        duration_minutes=90,
    )
    return study


def _cells(html: str, test: str) -> list[str]:
    return [
        v.strip() for v in re.findall(rf'data-test="{test}"[^>]*>(?:<span[^>]*>)?([^<]*)<', html)
    ]


@pytest.mark.parametrize("who", AGGREGATE_ONLY)
def test_a_viewer_sees_no_exact_small_count_on_the_list_the_study_or_the_api(
    sample, who, request, lead
):
    """S17: 1..5 shows "<5" on the studies' list, the study's page and the API; the lead
    (a member) sees the exact figures."""
    user = request.getfixturevalue(who)
    if who == "other_member":  # a member of another study only
        other = _skeleton(
            sample.organization,
            request.getfixturevalue("upch_coordinator"),
            request.getfixturevalue("other_lead"),
            "OTRO",
            make_place(code="150101"),
        )
        member_set(
            actor=request.getfixturevalue("other_lead"),
            study=other["study"],
            user=user,
            role=MemberRole.CODER,
        )
        selectors.forget(user)
    client = _in(user)
    page = client.get(reverse("web:study_detail", kwargs={"pk": sample.pk})).content.decode()
    for test in ("cell-screened", "cell-eligible", "cell-excluded", "cell-consented"):
        assert not [v for v in _cells(page, test) if v in SMALL], test
    assert not [v for v in _cells(page, "cell-took-part") if v in SMALL]
    listed = client.get(reverse("web:study_list")).content.decode()
    row = re.search(
        rf"{re.escape(sample.title)}.*?data-test=\"study-progress\">([^<]*)<", listed, flags=re.S
    )
    assert row and row.group(1).split(":")[1].split("/")[0].strip() not in SMALL
    data = _api(user).get(f"/api/research/studies/{sample.pk}/").json()
    assert str(data["took_part"]) not in SMALL
    for line in data["progress"]:
        for figure in FIGURES:
            assert str(line[figure]) not in SMALL, (figure, line)
    exact = _in(lead).get(reverse("web:study_detail", kwargs={"pk": sample.pk})).content.decode()
    assert "1" in _cells(exact, "cell-took-part")


@pytest.mark.parametrize("who", AGGREGATE_ONLY[:1])
def test_a_suppressed_row_is_not_the_total_minus_the_rows_shown(sample, who, request):
    """S17 (differencing inside a column): where a column's total is shown, a hidden row
    never stands alone (another row is held back with it), so the total minus the rows
    shown is not one row's count; a quota's "met" mark is never on a hidden count."""
    user = request.getfixturevalue(who)
    progress = selectors.quota_progress(user=user, study=sample)
    assert not progress.exact
    for figure in FIGURES:
        cells = [getattr(row, figure) for row in progress.rows]
        total = {r.quota.pk: getattr(r, figure) for r in progress.rows}
        hidden = [c for c in cells if c.value is None]
        if hidden and any(c.value is not None for c in cells):
            assert len(hidden) >= 2 or all(c.value == 0 for c in cells if c.value is not None)
        assert total  # rows exist
    assert progress.took_part.value == 7
    took = [r.took_part for r in progress.rows]
    assert sum(1 for c in took if c.value is None) >= 2  # the 1 and the 6 both held back
    assert not [r for r in progress.rows if r.met and r.took_part.value is None]
    page = _in(user).get(reverse("web:study_detail", kwargs={"pk": sample.pk})).content.decode()
    assert 'data-test="quota-met"' not in page


@pytest.mark.parametrize("who", AGGREGATE_ONLY[:1])
def test_excluded_is_not_screened_minus_eligible_for_a_viewer(sample, who, request):
    user = request.getfixturevalue(who)
    progress = selectors.quota_progress(user=user, study=sample)
    k = progress.took_part.k

    def worked_out(screened: Any, eligible: Any, excluded: Any) -> bool:
        """A hidden count of excluded people that the two shown figures give away."""
        return (
            not isinstance(excluded, int)
            and isinstance(screened, int)
            and isinstance(eligible, int)
            and 0 < screened - eligible <= k
        )

    rows = [(r.screened.value, r.eligible.value, r.excluded.value) for r in progress.rows]
    assert not [row for row in rows if worked_out(*row)], rows
    data = _api(user).get(f"/api/research/studies/{sample.pk}/").json()
    rows = [(r["screened"], r["eligible"], r["excluded"]) for r in data["progress"]]
    assert not [row for row in rows if worked_out(*row)], rows
    page = _in(user).get(reverse("web:study_detail", kwargs={"pk": sample.pk})).content.decode()
    shown = list(
        zip(
            _cells(page, "cell-screened"),
            _cells(page, "cell-eligible"),
            _cells(page, "cell-excluded"),
            strict=True,
        )
    )
    as_ints = [tuple(int(v) if v.isdigit() else v for v in row) for row in shown]
    assert not [row for row in as_ints if worked_out(*row)], shown


# ---------------------------------------------------------------- REFI-QDA import as an attack

QDC_NS = "urn:QDA-XML:codebook:1.0"
QDE_NS = "urn:QDA-XML:project:1.0"
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>
"""


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _qde(sources: str, codes: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{QDE_NS}" name="x">'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>{sources}</Sources></Project>"
    ).encode()


def _code_el(guid: Any, name: str) -> str:
    return f'<Code guid="{guid}" name="{name}" isCodable="true"/>'


def _selection(start: Any, end: Any, code_guid: Any) -> str:
    return (
        f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{start}" '
        f'endPosition="{end}"><Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{code_guid}"/>'
        "</Coding></PlainTextSelection>"
    )


def _deep_qdc(depth: int) -> bytes:
    opened = "".join(
        f'<Code guid="{uuid.uuid4()}" name="c{i}" isCodable="true">' for i in range(depth)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="{QDC_NS}"><Codes>'
        + opened
        + "</Code>" * depth
        + "</Codes></CodeBook>"
    ).encode()


def _import(user, study, data: bytes, name: str = "proyecto.qdpx", *, codebook_only=False):
    client = _in(user)
    client.raise_request_exception = False  # a server error is an answer here, not a crash
    body: dict[str, Any] = {
        "refi-file": SimpleUploadedFile(name, data, "application/octet-stream"),
        "form_token": _token(),
    }
    if codebook_only:
        body["refi-codebook_only"] = "on"
    return client.post(reverse("web:study_refi_import", kwargs={"pk": study.pk}), body)


def _bomb() -> bytes:
    """project.qde of 520 MB of zeros, half a megabyte compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("project.qde")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as stream:
            chunk = b"\0" * (4 << 20)
            for _ in range(130):
                stream.write(chunk)
    return out.getvalue()


HOSTILE = {
    "billion-laughs-qdc": (
        LAUGHS
        + f'<CodeBook xmlns="{QDC_NS}"><Codes><Code guid="{uuid.uuid4()}" '
        'name="&lol9;" isCodable="true"/></Codes></CodeBook>'.encode(),
        "libro.qdc",
    ),
    "billion-laughs-qdpx": (
        _zip({"project.qde": LAUGHS + f'<Project xmlns="{QDE_NS}" name="&lol9;"/>'.encode()}),
        "p.qdpx",
    ),
    "external-entity": (
        EXTERNAL
        + f'<CodeBook xmlns="{QDC_NS}"><Codes><Code guid="{uuid.uuid4()}" '
        'name="&passwd;" isCodable="true"/></Codes></CodeBook>'.encode(),
        "libro.qdc",
    ),
    "junk": (bytes(range(256)) * 40, "basura.qdpx"),
    "zip-junk": (b"PK\x03\x04" + bytes(range(256)) * 40, "roto.qdpx"),
    "huge-position": (
        _zip(
            {
                "project.qde": _qde(
                    '<TextSource guid="{}" name="t"><PlainTextContent>E: hola</PlainTextContent>'
                    "{}</TextSource>".format(
                        uuid.uuid4(),
                        _selection(0, "9" * 30, "aa000001-0000-4000-8000-000000000001"),
                    ),
                    _code_el("aa000001-0000-4000-8000-000000000001", "C"),
                )
            }
        ),
        "p.qdpx",
    ),
    "position-beyond-int-digits": (
        _zip(
            {
                "project.qde": _qde(
                    '<TextSource guid="{}" name="t"><PlainTextContent>E: hola</PlainTextContent>'
                    "{}</TextSource>".format(
                        uuid.uuid4(),
                        _selection(0, "9" * 5000, "aa000001-0000-4000-8000-000000000001"),
                    ),
                    _code_el("aa000001-0000-4000-8000-000000000001", "C"),
                )
            }
        ),
        "p.qdpx",
    ),
    "negative-position": (
        _zip(
            {
                "project.qde": _qde(
                    '<TextSource guid="{}" name="t"><PlainTextContent>E: hola</PlainTextContent>'
                    "{}</TextSource>".format(
                        uuid.uuid4(), _selection(-3, 2, "aa000001-0000-4000-8000-000000000001")
                    ),
                    _code_el("aa000001-0000-4000-8000-000000000001", "C"),
                )
            }
        ),
        "p.qdpx",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_refi_files_are_refused_whole_never_a_server_error(world, lead, case):
    """XML bombs, external entities, junk, a damaged zip, positions beyond the text or
    beyond what an integer takes: 400 with the reason beside the field, nothing written."""
    data, name = HOSTILE[case]
    before = _state()
    response = _import(lead, world["study"], data, name)
    assert response.status_code == 400, response.status_code
    assert 'class="errorlist' in response.content.decode()
    assert "root:" not in response.content.decode()
    assert _state() == before


def test_a_zip_bomb_is_refused_from_the_web_form(world, lead):
    before = _state()
    response = _import(lead, world["study"], _bomb())
    assert response.status_code == 400
    assert "500 MB" in response.content.decode()
    assert _state() == before


def test_codes_nested_too_deep_are_refused_not_a_server_error(world, lead):
    before = _state()
    response = _import(lead, world["study"], _deep_qdc(1500), "libro.qdc")
    assert response.status_code == 400
    assert _state() == before


def test_source_paths_cannot_read_the_servers_files(world, lead):
    """Path traversal: sources whose text is ``internal://../../etc/passwd``, an absolute
    or a relative path, or a zip entry named ``../../etc/passwd`` never read a file of the
    server: only what the archive holds is read, what lives outside is not taken."""
    fake = "contenido del zip, no del servidor"
    sources = "".join(
        f'<TextSource guid="{uuid.uuid4()}" name="s{i}" plainTextPath="{path}"/>'
        for i, path in enumerate(
            (
                "internal://../../etc/passwd",
                "internal:///etc/passwd",
                "internal://..\\..\\etc\\hostname",
                "file:///etc/passwd",
                "relative://../../../../etc/passwd",
                "/etc/passwd",
            )
        )
    )
    data = _zip({"project.qde": _qde(sources), "../../etc/passwd": f"P: {fake}".encode()})
    response = _import(lead, world["study"], data)
    assert response.status_code == 200
    texts = [t.text for t in Transcript.objects.filter(study=world["study"], source="refi")]
    assert not [t for t in texts if "root:" in t or "/bin/" in t]
    assert all(fake in t for t in texts)


def test_an_import_never_attaches_to_another_studys_codes(world, lead):
    """A project naming another study's code by its GUID (defined in the file, or only
    referenced) gets a code of this study (or nothing): the other study's code keeps its
    name, memo and codings."""
    other = world["same_org"]["code"]
    foreign = world["foreign"]["code"]
    before = {c.pk: (c.name, c.memo, c.codings.count()) for c in (other, foreign)}
    note = uuid.uuid4()
    text = "E: ¿Y el barrio?\nP: Es peligroso de noche."
    sources = (
        f'<TextSource guid="{uuid.uuid4()}" name="Entrevista importada">'
        f"<PlainTextContent>{text}</PlainTextContent>"
        + _selection(0, 10, other.guid)
        + _selection(3, 12, foreign.guid)
        + "</TextSource>"
    )
    codes = (
        f'<Code guid="{other.guid}" name="Robado" isCodable="true"><NoteRef targetGUID="{note}"/>'
        "</Code>"
    )
    qde = _qde(sources, codes).replace(
        b"</Project>",
        f'<Notes><Note guid="{note}" name="n"><PlainTextContent>memo</PlainTextContent>'
        "</Note></Notes></Project>".encode(),
    )
    response = _import(lead, world["study"], _zip({"project.qde": qde}))
    assert response.status_code == 200
    after = {c.pk: (c.name, c.memo, c.codings.count()) for c in (other, foreign)}
    assert after == before
    mine = Code.objects.get(study=world["study"], guid=other.guid)
    assert mine.pk != other.pk and mine.name == "Robado"
    imported = Coding.objects.filter(transcript__study=world["study"], transcript__source="refi")
    assert imported.count() == 1 and imported.get().code == mine
    assert not Code.objects.filter(study=world["study"], guid=foreign.guid).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    (
        ("researcher", 403),
        ("coder", 403),
        ("upch_coordinator", 403),
        ("upch_admin", 403),
        ("upch_viewer", 404),
        ("stranger", 404),
    ),
)
def test_only_the_lead_imports(world, who, status, request):
    data = _zip(
        {
            "project.qde": _qde(
                f'<TextSource guid="{uuid.uuid4()}" name="x"><PlainTextContent>E: hola'
                "</PlainTextContent></TextSource>"
            )
        }
    )
    before = _state()
    response = _import(request.getfixturevalue(who), world["study"], data)
    assert response.status_code == status
    assert _state() == before
    with pytest.raises(PermissionDeniedError):
        refi.project_import(actor=request.getfixturevalue(who), study=world["study"], data=data)


# ---------------------------------------------------------------- transcript and audio uploads


def _docx(document_xml: bytes | None = None, *, big: int = 0) -> bytes:
    """A Word file (python-docx's own) whose main part is replaced, or padded to expand to
    ``big`` bytes from a few kilobytes."""
    import docx

    document = docx.Document()
    document.add_paragraph("E: Hola.")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    if document_xml is not None:
        parts["word/document.xml"] = document_xml
    if big:
        parts["word/document.xml"] = parts["word/document.xml"].replace(
            b"</w:body>", b"<!--" + b" " * big + b"--></w:body>"
        )
    return _zip(parts)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
UPLOADS: dict[str, Any] = {  # each built when its case runs
    "docx-bomb": lambda: _docx(big=45 * 1024 * 1024),
    "docx-billion-laughs": lambda: _docx(
        LAUGHS
        + f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>E: &lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>".encode()
    ),
    "over-5-mb": lambda: ("E: " + "palabra " * 700_000).encode(),
    "junk": lambda: bytes(range(256)) * 64,
    "a-zip-that-is-no-docx": lambda: _zip({"a.txt": b"E: hola"}),
    "pdf": lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n",
    "a-recording": lambda: WAV,
}


@pytest.mark.parametrize("case", sorted(UPLOADS))
def test_hostile_transcript_files_are_refused_beside_the_field(world, researcher, case):
    """A DOCX bomb (checked from the zip's directory), XML entities in a DOCX, a file over
    5 MB, junk, a zip that is no Word file, a PDF, a recording: 400 with the reason, no
    transcript written, never a server error."""
    person = _recruit(world["study"], researcher, world["site"], age=42)
    event = event_record(
        actor=researcher,
        study=world["study"],
        method=Method.INTERVIEW,
        site=world["site"],
        held_on=HELD,
        participants=[person],
        duration_minutes=30,
    )
    before = _state()
    client = _in(researcher)
    client.raise_request_exception = False
    response = client.post(
        reverse("web:event_transcript", kwargs={"pk": event.pk}),
        {
            "tr-file": SimpleUploadedFile("entrevista.docx", UPLOADS[case]()),
            "form_token": _token(),
        },
    )
    assert response.status_code == 400, response.status_code
    body = response.content.decode()
    assert 'class="errorlist' in body and "root:" not in body and "lollol" not in body
    assert _state() == before


def test_an_external_entity_in_a_docx_reads_no_file_of_the_server(world, researcher):
    """A DOCX whose text is an entity naming /etc/passwd: python-docx does not resolve
    entities, so the transcript holds only what the document itself says."""
    docx_data = _docx(
        EXTERNAL
        + f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>E: &passwd;</w:t></w:r></w:p>'
        "</w:body></w:document>".encode()
    )
    person = _recruit(world["study"], researcher, world["site"], age=42)
    event = event_record(
        actor=researcher,
        study=world["study"],
        method=Method.INTERVIEW,
        site=world["site"],
        held_on=HELD,
        participants=[person],
        duration_minutes=30,
    )
    _in(researcher).post(
        reverse("web:event_transcript", kwargs={"pk": event.pk}),
        {"tr-file": SimpleUploadedFile("e.docx", docx_data), "form_token": _token()},
    )
    saved = Transcript.objects.filter(event=event).first()
    assert saved is None or ("root:" not in saved.text and "/bin/" not in saved.text)


AUDIO = {
    "html-behind-an-id3-tag": (b"ID3<html><script>alert(1)</script></html>", True),
    "executable": (b"MZ\x90\x00" + b"\x00" * 60, False),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, False),
    "script": (b"<script>alert(1)</script>", False),
}


@pytest.mark.parametrize("case", sorted(AUDIO))
def test_audio_is_known_by_its_bytes_and_only_ever_served_as_an_audio_attachment(
    world, researcher, case
):
    """Audio is recognised by its first bytes, never its name: an executable, a picture or
    a script named .mp3 is refused. Magic bytes can be faked (a web page behind an ID3
    tag is kept as MPEG audio), so what is kept is only ever sent as an attachment with an
    audio type, ``nosniff`` and a name of Cascada's: a browser never renders it."""
    data, kept = AUDIO[case]
    event = world["event1"]
    response = _in(researcher).post(
        reverse("web:event_audio_upload", kwargs={"pk": event.pk}),
        {
            "au-audio": SimpleUploadedFile("grabacion.mp3", data, "audio/mpeg"),
            "form_token": _token(),
        },
    )
    if not kept:
        assert response.status_code == 400
        assert Audio.objects.get(event=event).size == len(WAV)
        return
    assert response.status_code == 302
    served = _in(researcher).get(reverse("web:event_audio", kwargs={"pk": event.pk}))
    assert served["Content-Type"] == "audio/mpeg"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "grabacion" not in served["Content-Disposition"]


def test_no_recording_is_kept_of_someone_who_did_not_agree(world, researcher):
    person = _recruit(world["study"], researcher, world["site"], age=43, audio=False)
    event = event_record(
        actor=researcher,
        study=world["study"],
        method=Method.INTERVIEW,
        site=world["site"],
        held_on=HELD,
        participants=[person],
        duration_minutes=30,
    )
    response = _in(researcher).post(
        reverse("web:event_audio_upload", kwargs={"pk": event.pk}),
        {"au-audio": SimpleUploadedFile("a.wav", WAV), "form_token": _token()},
    )
    assert response.status_code == 400
    assert not Audio.objects.filter(event=event).exists()


# ---------------------------------------------------------------- double taps


def _screening_body(world, token: str | None) -> dict[str, Any]:
    study = world["study"]
    q1, q2 = study.questions.order_by("order")
    body = {
        "site": world["site"].pk,
        "method": Method.INTERVIEW,
        "age": 28,
        "screened_on": "2024-02-01",
        f"q_{q1.pk}": "no",
        f"q_{q2.pk}": "yes",
        "name": "Doble Toque",
    }
    if token:
        body["form_token"] = token
    return body


@pytest.mark.parametrize("same_token", (True, False))
def test_screening_a_person_twice_by_a_double_tap_makes_one_recruit(world, researcher, same_token):
    """The form's one-time token (a double tap) and the user's last content (Back and send
    again with a new token) both answer the second copy with the first's result."""
    client = _in(researcher)
    url = reverse("web:study_screen", kwargs={"pk": world["study"].pk})
    token = _token()
    before = Recruit.objects.count()
    first = client.post(url, _screening_body(world, token))
    second = client.post(url, _screening_body(world, token if same_token else _token()))
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Recruit.objects.count() == before + 1


def test_a_double_tap_writes_one_coding_one_event_and_one_finding(world, researcher, coder, lead):
    t1 = world["t1"]
    house = _span(TEXT, "¿Y usted qué aprendió de eso?")
    body = {
        "start": house[0],
        "end": house[1],
        "codes": [world["protective"].pk],
        "form_token": _token(),
    }
    client = _in(coder)
    before = Coding.objects.count()
    for _ in range(2):
        client.post(reverse("web:transcript_code", kwargs={"pk": t1.pk}), body)
    assert Coding.objects.count() == before + 1

    person = _recruit(world["study"], researcher, world["site"], age=44)
    body = {
        "ev-method": Method.INTERVIEW,
        "ev-site": world["site"].pk,
        "ev-held_on": HELD.isoformat(),
        "ev-participants": [person.pk],
        "ev-duration_minutes": 30,
        "ev-language": "es",
        "form_token": _token(),
    }
    before = Event.objects.count()
    client = _in(researcher)
    for _ in range(2):
        client.post(reverse("web:study_events", kwargs={"pk": world["study"].pk}), body)
    assert Event.objects.count() == before + 1

    before = Finding.objects.count()
    client = _in(lead)
    body = {"statement": "Dos veces no.", "form_token": _token()}
    for _ in range(2):
        client.post(reverse("web:finding_create", kwargs={"pk": world["study"].pk}), body)
    assert Finding.objects.count() == before + 1


# ---------------------------------------------------------------- S6: two-factor


@pytest.mark.parametrize("who", ("coder", "researcher", "lead"))
def test_a_member_with_a_viewer_role_signs_in_with_the_second_factor(world, who, request):
    """S6: the members here are viewers of UPCH, a role that needs no second factor by
    itself; membership of a study does. Without it: the pages redirect to the second
    factor and the API refuses."""
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    for name, obj in (
        ("web:transcript_detail", "t1"),
        ("web:study_detail", "study"),
        ("web:study_codebook", "study"),
    ):
        response = client.get(reverse(name, kwargs={"pk": world[obj].pk}))
        assert response.status_code == 302
        assert CANARY_TEXT not in response.content.decode()
    api = APIClient()
    api.force_login(user)
    response = api.get(f"/api/research/studies/{world['study'].pk}/")
    assert response.status_code in (401, 403)


def test_a_viewer_who_is_no_member_needs_no_second_factor(world, upch_viewer):
    client = Client()
    client.force_login(upch_viewer)
    response = client.get(reverse("web:study_detail", kwargs={"pk": world["study"].pk}))
    assert response.status_code == 200


# ---------------------------------------------------------------- a revoked member


def test_a_revoked_member_reads_no_transcript_nor_the_api(world, revoked):
    """Leaving the organization ends the study's access (``selectors.memberships``):
    the transcript, the codebook, the analysis and the API answer 404."""
    client = _in(revoked)
    for name, obj in (
        ("web:transcript_detail", "t1"),
        ("web:study_codebook", "study"),
        ("web:study_analysis_xlsx", "study"),
        ("web:study_reliability", "study"),
    ):
        assert client.get(reverse(name, kwargs={"pk": world[obj].pk})).status_code == 404
    assert _api(revoked).get(f"/api/research/studies/{world['study'].pk}/").status_code in (
        403,
        404,
    )
    with pytest.raises(NotFoundError):
        selectors.transcript_get(user=revoked, pk=world["t1"].pk)


def test_a_revoked_member_opens_no_event_page(world, request):
    assert not _reach(world, request, "web:event_detail", "event1", MEMBERS, "revoked")


def test_a_revoked_member_opens_no_event(world, revoked):
    with pytest.raises(NotFoundError):
        selectors.event_get(user=revoked, pk=world["event1"].pk)


# ---------------------------------------------------------------- the de-identification pass


def test_the_deidentification_is_no_oracle_of_the_registry(world, researcher, upch):
    """A researcher who may not read the registry types a transcript with a rare surname:
    whether the page flags it must not depend on a registry person bearing it."""
    person = _recruit(world["study"], researcher, world["site"], age=45)
    _event, fresh = _interview(
        world["study"],
        researcher,
        person,
        "E: ¿Quién vino?\nP: Huamanchumo vino ayer. Quispicusi también.",
    )
    url = reverse("web:transcript_deidentify", kwargs={"pk": fresh.pk})
    before = _stable(_in(researcher).get(url).content.decode())
    make_person(organization=upch, given_name="Pedro", family_name="Huamanchumo")
    after = _stable(_in(researcher).get(url).content.decode())
    assert after == before


# ---------------------------------------------------------------- findings, the curriculum, withdrawal


@pytest.mark.parametrize("who", ("lead", "upch_coordinator", "upch_viewer", "upch_facilitator"))
def test_the_curriculum_version_shows_the_finding_never_its_excerpt(world, who, request):
    """A finding that shaped a module shows on the version's page with its statement and
    study: never the excerpt behind it, whoever reads the page (its lead included)."""
    body = (
        _in(request.getfixturevalue(who))
        .get(reverse("web:curriculum_version", kwargs={"pk": world["version"].pk}))
        .content.decode()
    )
    assert world["finding"].statement in body
    assert not [c for c in CANARIES if c in body]
    assert "Mi papá tomaba" not in body


@pytest.mark.parametrize("who", ("upch_viewer", "upch_facilitator", "upch_me", "other_member"))
def test_a_viewer_reads_the_findings_statements_without_codes_or_excerpts(world, who, request):
    body = (
        _in(request.getfixturevalue(who))
        .get(reverse("web:study_findings", kwargs={"pk": world["study"].pk}))
        .content.decode()
    )
    assert world["finding"].statement in body
    assert "Mi papá tomaba" not in body and CANARY_TEXT not in body
    assert "Factores de riesgo" not in body  # the codes: members and overseers


def test_after_a_withdrawal_the_outputs_leave_the_participants_words_out(world, researcher, lead):
    """S15: a withdrawn participant's words leave the findings' excerpts, the analysis, its
    print page and its workbook."""
    _in(researcher).post(
        reverse("web:recruit_status", kwargs={"pk": world["r1"].pk}),
        {"status": RecruitStatus.WITHDRAWN, "form_token": _token()},
    )
    for name in (
        "web:study_findings",
        "web:study_analysis",
        "web:study_analysis_print",
        "web:study_analysis_xlsx",
    ):
        body = _body(_in(lead).get(reverse(name, kwargs={"pk": world["study"].pk})))
        assert CANARY_TEXT not in body and CANARY_MEMO not in body, name


def test_after_a_withdrawal_the_project_export_leaves_the_participants_words_out(
    world, researcher, lead
):
    _in(researcher).post(
        reverse("web:recruit_status", kwargs={"pk": world["r1"].pk}),
        {"status": RecruitStatus.WITHDRAWN, "form_token": _token()},
    )
    body = _body(_in(lead).get(reverse("web:study_refi_project", kwargs={"pk": world["study"].pk})))
    assert CANARY_TEXT not in body and CANARY_MEMO not in body


# ---------------------------------------------------------------- writes by role


def _writes(world) -> list[tuple[str, dict[str, Any], tuple[str, ...]]]:
    """(url, body, who may send it) for the study's forms."""
    study = world["study"]
    t1 = world["t1"]
    start, end = _span(TEXT, SAID)

    def url(name, pk):
        return reverse(name, kwargs={"pk": pk})

    lead_only = ("lead",)
    field = ("lead", "researcher")
    return [
        (url("web:event_transcript", world["event1"].pk), {"tr-text": "E: x\nP: y"}, field),
        (
            url("web:event_audio_upload", world["event1"].pk),
            {"au-audio": SimpleUploadedFile("a.wav", WAV)},
            field,
        ),
        (url("web:transcript_speakers", t1.pk), {"label_0": "P", "speaker_0": "other"}, field),
        (url("web:transcript_deidentify", t1.pk), {"stamp": "x", "use": ["0"]}, field),
        (url("web:transcript_double_code", t1.pk), {"double_coded": "1"}, lead_only),
        (
            url("web:transcript_code", t1.pk),
            {"start": start, "end": end, "codes": [world["alcohol"].pk]},
            MEMBERS,
        ),
        (url("web:study_code_add", study.pk), {"new-name": "Nuevo código"}, lead_only),
        (url("web:study_code_delete", study.pk), {"code": world["protective"].pk}, lead_only),
        (url("web:study_codebook_version", study.pk), {"ve-note": "v"}, lead_only),
        (
            url("web:study_code_memo", study.pk),
            {"code": world["risk"].pk, f"m{world['risk'].pk}-memo": "sobrescrito"},
            MEMBERS,
        ),
        (url("web:finding_create", study.pk), {"statement": "Intruso"}, lead_only),
        (url("web:finding_delete", world["finding"].pk), {}, lead_only),
        (
            url("web:dissemination_create", study.pk),
            {
                "level": "local",
                "audience": "x",
                "product": "x",
                "channel": "x",
                "planned_on": "2024-07-01",
                "status": "planned",
            },
            lead_only,
        ),
        (url("web:dissemination_delete", world["plan_line"].pk), {}, lead_only),
        (url("web:recruit_status", world["r2"].pk), {"status": "withdrawn"}, field),
        (url("web:transcript_merge", world["t2"].pk), {}, lead_only),
    ]


@pytest.mark.parametrize(
    "who", ("coder", "researcher", "upch_coordinator", "upch_viewer", "stranger", "revoked")
)
def test_each_form_writes_only_for_its_roles(world, who, request):
    """S1/S3: every write of the study's fieldwork, coding, codebook, findings and plan,
    sent by a role it is not for: 403/404 (or the form's refusal), nothing written."""
    from cascada.research.models import CodebookVersion, Dissemination

    user = request.getfixturevalue(who)
    client = _in(user)

    def state():
        return (
            _state(),
            CodebookVersion.objects.count(),
            Dissemination.objects.count(),
            Code.objects.get(pk=world["risk"].pk).memo,
            Transcript.objects.get(pk=world["t1"].pk).text,
            Transcript.objects.get(pk=world["t1"].pk).double_coded,
            Recruit.objects.get(pk=world["r2"].pk).status,
        )

    for url, body, allowed in _writes(world):
        if who in allowed:
            continue
        before = state()
        response = client.post(url, {**body, "form_token": _token()})
        assert response.status_code in (403, 404), (url, response.status_code)
        assert state() == before, url


@pytest.mark.parametrize(
    "query",
    (
        "?site=abc",
        "?site=99999999999999999999999",
        "?status=<script>",
        "?page=-1",
        "?page=1e9",
        "?site=1&site=2&page=0",
    ),
)
def test_odd_query_strings_answer_the_page_never_a_server_error(world, researcher, query):
    client = _in(researcher)
    client.raise_request_exception = False
    response = client.get(reverse("web:study_recruits", kwargs={"pk": world["study"].pk}) + query)
    assert response.status_code in (200, 400, 404)
    assert "<script>" not in response.content.decode()  # (the app's scripts have a src)
    analysis = client.get(
        reverse("web:study_analysis", kwargs={"pk": world["study"].pk}) + "?rollup=<x>"
    )
    assert analysis.status_code == 200


def test_what_members_type_is_escaped_on_the_pages_and_neutralised_in_the_workbook(
    world, lead, researcher, coder
):
    """A transcript, a code name and a memo carrying markup show as text (the transcript
    is built with ``mark_safe`` piece by piece); a code name that a spreadsheet would run
    as a formula is written as text in the analysis workbook."""
    person = _recruit(world["study"], researcher, world["site"], age=46)
    _event, fresh = _interview(
        world["study"],
        researcher,
        person,
        'E: Hola.\nP: <script>alert("t")</script> y <b onmouseover=x>negrita</b>.',
    )
    evil = code_create(
        actor=lead, study=world["study"], name='=HYPERLINK("http://malo.example","x")'
    )
    tag = code_create(actor=lead, study=world["study"], name="<img src=x onerror=alert(1)>")
    coding_add(
        actor=coder,
        transcript=fresh,
        code=evil,
        start=0,
        end=5,
        memo='<script>alert("m")</script>',
    )
    coding_add(actor=coder, transcript=fresh, code=tag, start=3, end=9)
    page = _in(coder).get(reverse("web:transcript_detail", kwargs={"pk": fresh.pk}))
    body = page.content.decode()
    assert "<script>alert(" not in body
    assert "<b onmouseover" not in body and "<img src=x" not in body
    book = _in(lead).get(reverse("web:study_codebook", kwargs={"pk": world["study"].pk}))
    assert "<img src=x" not in book.content.decode()
    from openpyxl import load_workbook

    data = (
        _in(lead).get(reverse("web:study_analysis_xlsx", kwargs={"pk": world["study"].pk})).content
    )
    workbook = load_workbook(io.BytesIO(data))
    values = [
        str(c.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert any("HYPERLINK" in v for v in values)
    assert not [v for v in values if v.lstrip().startswith(("=", "+", "@"))]


# ---------------------------------------------------------------- other areas' outputs


@pytest.mark.parametrize("who", ("upch_coordinator", "upch_admin", "upch_me"))
def test_other_areas_exports_and_the_person_search_hold_no_recruit(world, who, request):
    """Recruits are not registry people: the people, enrolment and attendance exports and
    the search of people hold none of their names, contacts or codes."""
    from cascada.trainings.exports import EXPORTS

    user = request.getfixturevalue(who)
    for kind, export in EXPORTS.items():
        try:
            made = export(user=user, fmt="csv")
        except PermissionDeniedError:
            continue
        text = json.dumps([made.headers, *list(made.rows)], default=str, ensure_ascii=False)
        assert not [c for c in CANARIES if c in text], kind
        assert world["r1"].code not in text, kind
    response = _in(user).post(reverse("web:person_search"), {"q": CANARY_NAME})
    if response.status_code == 200:
        found = response.content.decode().replace(f'value="{CANARY_NAME}"', "")
        assert world["r1"].code not in found
        assert CANARY_CONTACT not in found
