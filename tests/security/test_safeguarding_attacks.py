"""Attacks on safeguarding (issue 13; S1, S2, S6, S10, S16, S17): every route, GET and POST,
with real ids, by everyone who must not read or act on a case.

A case is read by the organization's safeguarding leads, the user who recorded it and users
let into it (while they belong to the organization): nobody else, whatever their role. The
attackers below are every other kind of user. The one hole the probe found (erasing a
person told the audit trail "1 safeguarding case") is fixed and tested here.

The scene is the one of ``tests/safeguarding/conftest.py`` (Manuela Ramos, a court-ordered
program in Villa María del Triunfo) plus what an attacker needs: another organization with
its own lead, service, court-ordered program and case; a cohort of another facilitator; a
user let into the case and then out again; a recorder who left the organization."""

# ruff: noqa: F811 (the scene's fixtures are imported from tests/safeguarding/conftest.py)
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cascada.accounts.models import Membership
from cascada.accounts.roles import Role
from cascada.accounts.services import membership_revoke
from cascada.audit.models import AuditEvent
from cascada.safeguarding.models import (
    CaseAccess,
    CourtAgreement,
    CourtNotice,
    Disclosure,
    Lead,
    Referral,
    Service,
    Source,
)
from cascada.safeguarding.services import (
    case_access_grant,
    case_access_revoke,
    court_agreement_set,
    referral_make,
    service_save,
)
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.safeguarding.conftest import (  # noqa: F401 (fixtures of the scene)
    OCCURRED,
    co_facilitator,
    coder,
    community_action,
    court_cohort,
    court_program,
    directory,
    facilitator,
    interview,
    network,
    other_org_lead,
    participant,
    place,
    promoter,
    record_case,
    researcher,
    safeguarding_lead,
    staff,
    study,
    vmt,
)
from tests.security.content import response_text
from tests.trainings.factories import make_cohort, make_program

pytestmark = pytest.mark.django_db

NOTES = "Relato-secreto-7731: su pareja sigue en peligro."
REFERRAL_NOTES = "Derivacion-secreta-7731"
XSS = "<script>alert('sg')</script>"


@dataclass
class Scene:
    org: Any
    other_org: Any
    case: Disclosure
    referral: Referral
    access: CaseAccess
    lead: Any
    recorder: Any
    session: Any
    service: Service
    court_program: Any
    other_case: Disclosure
    other_referral: Referral
    other_service: Service
    other_program: Any
    other_cohort_session: Any
    attackers: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def scene(
    org,
    other_org,
    staff,
    facilitator,
    co_facilitator,
    court_program,
    court_cohort,
    participant,
    safeguarding_lead,
    other_org_lead,
    directory,
    promoter,
    community_action,
    coder,
    interview,
    vmt,
) -> Scene:
    session = court_cohort.sessions.order_by("number").first()
    case = record_case(facilitator, Source.SESSION, session.pk, notes=f"{NOTES} {XSS}")
    service = directory["cem_vmt"]
    referral = referral_make(
        actor=facilitator, case=case, service=service, made_on=OCCURRED, basis="consent",
        consent_from="person", consent_on=OCCURRED, consent_text_version="v1",
        notes=REFERRAL_NOTES,
    )  # fmt: skip
    court_agreement_set(actor=safeguarding_lead, program=court_program, court="Juzgado de Paz",
                        signed_on=dt.date(2026, 1, 5), sharing="risk")  # fmt: skip
    # A viewer let in, then out again.
    revoked = make_user(role=Role.VIEWER, organization=org, username="ex-acceso")
    gone = case_access_grant(actor=safeguarding_lead, case=case, user=revoked, reason="Apoyo")
    case_access_revoke(actor=safeguarding_lead, access=gone)
    # A user let in (and still in): the access the revoke route addresses.
    helper = make_user(role=Role.VIEWER, organization=org, username="psicologa")
    access = case_access_grant(actor=safeguarding_lead, case=case, user=helper, reason="Apoyo")
    # A coordinator who recorded a case and then left the organization.
    leaver = make_user(role=Role.COORDINATOR, organization=org, username="se-fue")
    record_case(leaver, Source.SESSION, session.pk, notes=NOTES)
    membership_revoke(actor=None, membership=Membership.objects.get(user=leaver))
    # A facilitator of another cohort of the same organization.
    other_fac_person = make_person(organization=org, given_name="Hugo")
    other_fac = make_user(role=Role.FACILITATOR, organization=org, person=other_fac_person,
                          username="hugo")  # fmt: skip
    other_cohort = make_cohort(program=make_program(owner=org, name="Otro programa"),
                               name="Otro grupo", place=vmt,
                               facilitators=(other_fac_person,))  # fmt: skip
    # The other organization: a user, its lead, a service, a court program, a case.
    outsider = make_user(role=Role.COORDINATOR, organization=other_org, username="intruso")
    other_service = service_save(actor=other_org_lead, organization=other_org,
                                 name="CEM de la otra", kind="cem", phone="01 555 0000")  # fmt: skip
    other_program = make_program(owner=other_org, name="Programa judicial otro",
                                 is_court_mandated=True)  # fmt: skip
    court_agreement_set(actor=other_org_lead, program=other_program, court="Juzgado otro",
                        signed_on=dt.date(2026, 1, 5), sharing="risk")  # fmt: skip
    stranger = make_person(organization=other_org, given_name="Extraño")
    other_case = record_case(other_org_lead, Source.PERSON, stranger.pk, notes="Caso-ajeno-5521")
    other_referral = referral_make(
        actor=other_org_lead, case=other_case, service=other_service, made_on=OCCURRED,
        basis="consent", consent_from="person", consent_on=OCCURRED, consent_text_version="v1",
    )  # fmt: skip
    attackers = {
        "viewer": staff[Role.VIEWER],
        "auditor": staff[Role.AUDITOR],
        "me_officer": staff[Role.ME_OFFICER],
        "coordinator": staff[Role.COORDINATOR],
        "administrator": staff[Role.ADMINISTRATOR],
        "co_facilitator": co_facilitator,
        "other_cohort_facilitator": other_fac,
        "promoter": promoter,
        "research_coder": coder,
        "other_org_user": outsider,
        "other_org_lead": other_org_lead,
        "revoked_access": revoked,
        "recorder_who_left": leaver,
    }
    return Scene(
        org=org, other_org=other_org, case=case, referral=referral, access=access,
        lead=safeguarding_lead, recorder=facilitator, session=session, service=service,
        court_program=court_program, other_case=other_case, other_referral=other_referral,
        other_service=other_service, other_program=other_program,
        other_cohort_session=other_cohort.sessions.order_by("number").first(),
        attackers=attackers,
    )  # fmt: skip


ATTACKERS = [
    "viewer",
    "auditor",
    "me_officer",
    "coordinator",
    "administrator",
    "co_facilitator",
    "other_cohort_facilitator",
    "promoter",
    "research_coder",
    "other_org_user",
    "other_org_lead",
    "revoked_access",
    "recorder_who_left",
]


def signed_in(user: Any) -> Client:
    client = Client()
    login_verified(client, user)
    client.raise_request_exception = False
    return client


def case_urls(s: Scene) -> dict[str, str]:
    pk = s.case.pk
    return {
        "detail": reverse("web:case_detail", kwargs={"pk": pk}),
        "referral": reverse("web:case_referral", kwargs={"pk": pk}),
        "step": reverse("web:case_referral_step", kwargs={"pk": pk, "referral": s.referral.pk}),
        "close": reverse("web:case_close", kwargs={"pk": pk}),
        "access": reverse("web:case_access", kwargs={"pk": pk}),
        "revoke": reverse("web:case_access_revoke", kwargs={"pk": pk, "access": s.access.pk}),
        "court": reverse("web:case_court_notice", kwargs={"pk": pk}),
    }


def payloads(s: Scene, attacker: Any) -> dict[str, dict[str, Any]]:
    """What an attacker would post to each route: an override referral, the next step,
    closing, letting themselves in, a notice to the court."""
    day = OCCURRED.isoformat()
    return {
        "detail": {},
        "referral": {
            "service": s.service.pk,
            "made_on": day,
            "basis": "override",
            "override_reason": "Porque sí",
            "notes": "x",
        },  # fmt: skip
        "step": {f"r{s.referral.pk}-step": "received", f"r{s.referral.pk}-on": day},
        "close": {"on": day, "note": "cerrado"},
        "access": {"user": attacker.pk, "reason": "Quiero verlo"},
        "revoke": {},
        "court": {"shared_on": day, "consent_on": day},
    }


def state(s: Scene) -> tuple[Any, ...]:
    s.case.refresh_from_db()
    return (
        s.case.status,
        sorted(Referral.objects.values_list("pk", "basis", "received_on", "attended_on")),
        sorted(CaseAccess.objects.values_list("pk", "user_id", "revoked_at")),
        CourtNotice.objects.count(),
        sorted(Lead.objects.values_list("organization_id", "user_id")),
        sorted(Service.objects.values_list("pk", "name", "phone", "active")),
        sorted(CourtAgreement.objects.values_list("program_id", "court", "sharing")),
        Disclosure.objects.count(),
    )


def case_marks(s: Scene) -> list[str]:
    """What shows a case was seen: its notes, its referral's notes, its page's address."""
    return [
        "Relato-secreto-7731",
        REFERRAL_NOTES,
        reverse("web:case_detail", kwargs={"pk": s.case.pk}),
    ]


# ---------------------------------------------------------------- the case routes


@pytest.mark.parametrize("who", ATTACKERS)
def test_every_case_route_is_404_for_who_may_not_read_the_case(scene, who):
    attacker = scene.attackers[who]
    client = signed_in(attacker)
    before = state(scene)
    answers = []
    posts = payloads(scene, attacker)
    for name, url in case_urls(scene).items():
        got = client.get(url)
        answers.append((f"GET {name}", got.status_code, {404} if name == "detail" else {404, 405}))
        got = client.post(url, posts[name])
        answers.append((f"POST {name}", got.status_code, {404, 405}))
        for mark in case_marks(scene)[:2]:
            assert mark not in response_text(got), (who, name)
    wrong = [(what, code) for what, code, ok in answers if code not in ok]
    assert not wrong, f"{who}: {wrong}"
    assert state(scene) == before, f"{who} changed a case"


def test_the_case_routes_do_open_for_the_lead_and_the_recorder_so_the_404s_mean_something(
    scene,
):
    for user in (scene.lead, scene.recorder, scene.access.user):
        body = response_text(signed_in(user).get(case_urls(scene)["detail"]))
        assert "Relato-secreto-7731" in body, user.username


@pytest.mark.parametrize("who", ["other_org_user", "other_org_lead", "coordinator"])
def test_a_case_number_of_another_organization_answers_as_one_that_does_not_exist(scene, who):
    """Enumerating case numbers tells nothing: another's case and no case answer alike."""
    client = signed_in(scene.attackers[who])
    other = scene.other_case if who == "coordinator" else scene.case
    missing = max(Disclosure.objects.values_list("pk", flat=True)) + 1000
    a = client.get(reverse("web:case_detail", kwargs={"pk": other.pk}))
    b = client.get(reverse("web:case_detail", kwargs={"pk": missing}))
    assert a.status_code == b.status_code == 404
    assert _plain(a.content, other.pk) == _plain(b.content, missing)
    for route in (
        "web:case_referral",
        "web:case_close",
        "web:case_access",
        "web:case_court_notice",
    ):
        a = client.post(reverse(route, kwargs={"pk": other.pk}), {})
        b = client.post(reverse(route, kwargs={"pk": missing}), {})
        assert a.status_code == b.status_code == 404, route


def _plain(content: bytes, pk: int) -> bytes:
    """A page without its one-time tokens (CSP nonce, CSRF) and the number asked for."""
    path = reverse("web:case_detail", kwargs={"pk": pk}).encode()
    return re.sub(rb"[A-Za-z0-9_-]{16,}", b"T", content.replace(path, b"N"))


def test_a_referral_step_through_another_cases_address_is_404(scene):
    """The lead of the other organization posts a step of its own referral through our
    case's address, and ours through its case's: neither moves."""
    client = signed_in(scene.lead)
    # our lead, our case, the other organization's referral
    url = reverse(
        "web:case_referral_step", kwargs={"pk": scene.case.pk, "referral": scene.other_referral.pk}
    )
    before = state(scene)
    day = OCCURRED.isoformat()
    got = client.post(url, {f"r{scene.other_referral.pk}-step": "received",
                            f"r{scene.other_referral.pk}-on": day})  # fmt: skip
    assert got.status_code == 404
    # a second case of ours that the recorder cannot read, its referral through the
    # recorder's case
    second = record_case(scene.attackers["coordinator"], Source.SESSION, scene.session.pk)
    theirs = referral_make(
        actor=scene.lead, case=second, service=scene.service, made_on=OCCURRED, basis="consent",
        consent_from="person", consent_on=OCCURRED, consent_text_version="v1",
    )  # fmt: skip
    before = state(scene)
    url = reverse("web:case_referral_step", kwargs={"pk": scene.case.pk, "referral": theirs.pk})
    got = signed_in(scene.recorder).post(
        url, {f"r{theirs.pk}-step": "received", f"r{theirs.pk}-on": day}
    )
    assert got.status_code == 404
    assert state(scene) == before
    url = reverse("web:case_access_revoke", kwargs={"pk": second.pk, "access": scene.access.pk})
    assert signed_in(scene.lead).post(url).status_code == 404
    assert state(scene) == before


def test_a_referral_to_a_service_of_another_organization_is_refused(scene):
    client = signed_in(scene.recorder)
    before = state(scene)
    day = OCCURRED.isoformat()
    got = client.post(
        reverse("web:case_referral", kwargs={"pk": scene.case.pk}),
        {"service": scene.other_service.pk, "made_on": day, "basis": "consent",
         "consent_from": "person", "consent_on": day, "consent_text_version": "v1"},
    )  # fmt: skip
    assert got.status_code == 400
    assert "CEM de la otra" not in response_text(got)
    assert state(scene) == before


def test_the_recorder_cannot_override_consent_nor_let_anyone_in(scene):
    """The recorder follows the case up, but an override, an access, closing and the court
    are a lead's."""
    client = signed_in(scene.recorder)
    before = state(scene)
    urls = case_urls(scene)
    posts = payloads(scene, scene.attackers["co_facilitator"])
    got = client.post(urls["referral"], posts["referral"])
    assert got.status_code in (400, 403)
    for name in ("access", "close", "court", "revoke"):
        assert client.post(urls[name], posts[name]).status_code in (403, 404), name
    assert state(scene) == before


# ---------------------------------------------------------------- lists, home, counts


@pytest.mark.parametrize("who", ATTACKERS)
def test_no_list_home_or_reminder_shows_the_case(scene, who):
    client = signed_in(scene.attackers[who])
    for url in (
        reverse("web:case_list"),
        reverse("web:home"),
        reverse("web:case_list") + "?page=2",
    ):
        got = client.get(url)
        assert got.status_code in (200, 404), url
        body = response_text(got)
        for mark in case_marks(scene):
            assert mark not in body, (who, url, mark)
        if who != "other_org_lead":  # whose own case is overdue
            assert 'data-test="home-overdue-cases"' not in body, (who, url)


def test_the_recorder_sees_the_overdue_reminder_on_the_home_page_so_the_check_is_real(scene):
    body = response_text(signed_in(scene.recorder).get(reverse("web:home")))
    assert 'data-test="home-overdue-cases"' in body


def _cells(body: str) -> list[str]:
    return re.findall(
        r'data-test="(?:cell|total-cases-value|total-referrals-value)">([^<]*)<', body
    )


@pytest.mark.parametrize("who", ["me_officer", "coordinator", "administrator", "viewer"])
def test_the_summary_never_shows_a_small_exact_count_to_who_is_not_a_lead(scene, who):
    got = signed_in(scene.attackers[who]).get(reverse("web:safeguarding_summary"), {"year": 2026})
    if got.status_code == 404:
        return  # no aggregates for this role: nothing shown at all
    assert got.status_code == 200
    cells = _cells(got.content.decode())
    assert cells, "the figures are on the page"
    small = [c for c in cells if c.strip() in {"1", "2", "3", "4", "5", "6", "7", "8", "9"}]
    assert not small, (who, cells)


def test_the_summary_of_another_organization_is_404(scene):
    client = signed_in(scene.attackers["other_org_lead"])
    got = client.get(reverse("web:safeguarding_summary"), {"org": scene.org.pk, "year": 2026})
    assert got.status_code == 404


def test_the_lead_sees_exact_counts_so_the_check_is_real(scene):
    got = signed_in(scene.lead).get(reverse("web:safeguarding_summary"), {"year": 2026})
    assert "2" in _cells(got.content.decode())  # two cases recorded in 2026


# ---------------------------------------------------------------- recording, leads, directory


@pytest.mark.parametrize(
    "who",
    ["viewer", "auditor", "me_officer", "other_cohort_facilitator", "promoter",
     "research_coder", "other_org_user", "other_org_lead", "recorder_who_left"],
)  # fmt: skip
def test_nobody_records_a_case_from_a_session_they_do_not_work_in(scene, who):
    client = signed_in(scene.attackers[who])
    before = state(scene)
    q = {"session": scene.session.pk}
    for route in ("web:case_new", "web:safeguarding_guide"):
        got = client.get(reverse(route), q)
        assert got.status_code == 404, (route, got.status_code)
        assert "Grupo de los miércoles" not in response_text(got)
    post = {"occurred_on": OCCURRED.isoformat(), "at_risk": "partner", "kind": "physical",
            "urgency": "urgent", "first_actions": ["lead"], "notes": "x"}  # fmt: skip
    got = client.post(reverse("web:case_new") + f"?session={scene.session.pk}", post)
    assert got.status_code == 404
    assert state(scene) == before


def test_activities_of_another_organization_are_404_on_the_guide_and_new_case(
    scene, community_action, interview
):
    client = signed_in(scene.attackers["other_org_lead"])
    person = scene.case.session.cohort.enrolments.first().person
    for source, pk in (
        ("session", scene.session.pk),
        ("action", community_action.pk),
        ("event", interview.pk),
        ("person", person.pk),
    ):
        for route in ("web:case_new", "web:safeguarding_guide"):
            got = client.get(reverse(route), {source: pk})
            assert got.status_code == 404, (source, route)


def test_a_research_coder_records_nothing_from_an_interview_and_a_promoter_nothing_from_a_session(
    scene, interview
):
    got = signed_in(scene.attackers["research_coder"]).get(
        reverse("web:case_new"), {"event": interview.pk}
    )
    assert got.status_code == 404
    got = signed_in(scene.attackers["promoter"]).get(
        reverse("web:case_new"), {"session": scene.other_cohort_session.pk}
    )
    assert got.status_code == 404


@pytest.mark.parametrize("who", [w for w in ATTACKERS if w != "administrator"])
def test_nobody_but_an_administrator_names_a_lead_and_nobody_names_themselves(scene, who):
    attacker = scene.attackers[who]
    client = signed_in(attacker)
    before = state(scene)
    url = reverse("web:safeguarding_leads")
    assert client.get(url, {"org": scene.org.pk}).status_code in (403, 404)
    got = client.post(url, {"org": scene.org.pk, "name": "1", "user": attacker.pk})
    assert got.status_code in (403, 404)
    got = client.post(url, {"org": scene.org.pk, "remove": Lead.objects.get(user=scene.lead).pk})
    assert got.status_code in (403, 404)
    assert state(scene) == before


def test_an_administrator_cannot_name_themselves_lead(scene):
    admin = scene.attackers["administrator"]
    before = state(scene)
    got = signed_in(admin).post(
        reverse("web:safeguarding_leads"), {"org": scene.org.pk, "name": "1", "user": admin.pk}
    )
    assert got.status_code in (200, 400)
    assert not Lead.objects.filter(user=admin).exists()
    assert state(scene) == before


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "9223372036854775808"])
def test_the_leads_page_remove_field_out_of_range_is_404_never_500(scene, value):
    got = signed_in(scene.attackers["administrator"]).post(
        reverse("web:safeguarding_leads"), {"org": scene.org.pk, "remove": value}
    )
    assert got.status_code == 404
    assert Lead.objects.filter(user=scene.lead).exists()


def test_the_other_organizations_lead_cannot_edit_our_service_nor_add_one_to_us(scene):
    client = signed_in(scene.attackers["other_org_lead"])
    before = state(scene)
    url = reverse("web:service_edit", kwargs={"pk": scene.service.pk})
    post = {"org": scene.org.pk, "name": "Cambiado", "kind": "cem", "phone": "01 000 0000",
            "active": "on"}  # fmt: skip
    assert client.get(url).status_code == 404
    assert client.post(url, post).status_code == 404
    got = client.post(reverse("web:service_new"), {**post, "name": "Intruso"})
    assert got.status_code in (400, 404)
    assert state(scene) == before


@pytest.mark.parametrize("who", ["viewer", "auditor", "co_facilitator", "promoter"])
def test_members_who_do_not_keep_the_directory_cannot_change_it(scene, who):
    client = signed_in(scene.attackers[who])
    before = state(scene)
    url = reverse("web:service_edit", kwargs={"pk": scene.service.pk})
    post = {"org": scene.org.pk, "name": "Cambiado", "kind": "cem", "phone": "01 000 0000"}
    assert client.post(url, post).status_code in (403, 404)
    assert client.post(reverse("web:service_new"), {**post, "name": "Nuevo"}).status_code in (
        403,
        404,
    )
    assert state(scene) == before


def test_a_court_agreement_of_another_organization_is_404_to_read_and_to_set(scene):
    before = state(scene)
    for who in ("other_org_lead", "other_org_user"):
        client = signed_in(scene.attackers[who])
        url = reverse("web:court_agreement", kwargs={"pk": scene.court_program.pk})
        assert client.get(url).status_code == 404
        got = client.post(url, {"court": "Cambiado", "signed_on": "2026-01-01",
                                "sharing": "consent"})  # fmt: skip
        assert got.status_code == 404
    assert state(scene) == before


@pytest.mark.parametrize("who", ["viewer", "auditor", "co_facilitator", "me_officer"])
def test_who_does_not_keep_the_programs_cannot_set_the_court_agreement(scene, who):
    before = state(scene)
    url = reverse("web:court_agreement", kwargs={"pk": scene.court_program.pk})
    got = signed_in(scene.attackers[who]).post(
        url, {"court": "Cambiado", "signed_on": "2026-01-01", "sharing": "consent"}
    )
    assert got.status_code in (403, 404)
    assert state(scene) == before


# ---------------------------------------------------------------- everything else a user opens


def _get_routes() -> list[str]:
    """Every route without path parameters (web and API), as a signed-in user opens it."""
    from tests.security.routes import all_routes, build_url

    skip = {"web:logout", "web:login", "set_language", "api-token"}
    return [build_url(r) for r in all_routes() if not r.params and r.name not in skip]


@pytest.mark.parametrize(
    "who", ["auditor", "administrator", "coordinator", "co_facilitator", "other_org_lead"]
)
def test_no_page_export_search_or_api_route_shows_the_case(scene, who):
    """Every parameterless page, export and /api/ route, and the person page of the
    participant and the session's roster, as an attacker: no case note, no referral note,
    no link to the case."""
    client = signed_in(scene.attackers[who])
    person = scene.case.session.cohort.enrolments.first().person
    urls = [
        *_get_routes(),
        reverse("web:person_detail", kwargs={"pk": person.pk}),
        reverse("web:session_roster", kwargs={"pk": scene.session.pk}),
        reverse("web:audit_list") + f"?person={person.code}",
    ]
    leaks = []
    for url in urls:
        got = client.get(url)
        if got.status_code >= 500:
            leaks.append(f"{url} -> {got.status_code}")
            continue
        body = response_text(got)
        for mark in [*case_marks(scene), "Caso-ajeno-5521"]:
            if mark in body and not (who == "other_org_lead" and mark == "Caso-ajeno-5521"):
                leaks.append(f"{url} shows {mark!r}")
    assert len(urls) > 20
    assert not leaks, "\n".join(leaks)


def test_the_audit_trail_holds_no_words_of_a_case(scene):
    """S11: the audit rows of the case hold ids only; the auditor's page says a case was
    recorded, never what it said."""
    rows = AuditEvent.objects.filter(action__startswith="safeguarding.")
    assert rows.exists()
    text = " ".join(str(r.__dict__) for r in rows)
    for word in ("Relato-secreto", REFERRAL_NOTES, "partner", "physical", "Apoyo", "Porque"):
        assert word not in text, word
    body = response_text(signed_in(scene.attackers["auditor"]).get(reverse("web:audit_list")))
    assert "Relato-secreto" not in body and REFERRAL_NOTES not in body


# ---------------------------------------------------------------- XSS, CSRF


def test_notes_and_service_names_are_shown_escaped(scene):
    service_save(actor=scene.lead, organization=scene.org, service=scene.service,
                 name=f"CEM {XSS}", kind="cem", phone="01 419 2000", place=scene.service.place)  # fmt: skip
    client = signed_in(scene.lead)
    pages = [
        reverse("web:case_detail", kwargs={"pk": scene.case.pk}),
        reverse("web:service_list"),
        reverse("web:safeguarding_guide") + f"?place={scene.service.place_id}",
        reverse("web:safeguarding_card") + f"?place={scene.service.place_id}",
    ]
    for url in pages:
        got = client.get(url)
        assert got.status_code == 200, url
        body = got.content.decode()
        assert XSS not in body, url
    assert "&lt;script&gt;" in client.get(pages[0]).content.decode()


def test_every_form_of_the_case_page_carries_the_csrf_token_and_is_refused_without_it(scene):
    client = signed_in(scene.lead)
    body = client.get(reverse("web:case_detail", kwargs={"pk": scene.case.pk})).content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", body, flags=re.S | re.I)
    assert len(forms) >= 3  # referral, step, close, access, court
    assert all("csrfmiddlewaretoken" in f for f in forms)
    strict = Client(enforce_csrf_checks=True)
    login_verified(strict, scene.lead)
    before = state(scene)
    got = strict.post(case_urls(scene)["close"], {"on": OCCURRED.isoformat(), "note": "x"})
    assert got.status_code == 403
    assert state(scene) == before


# ---------------------------------------------------------------- more probes


def test_a_lead_cannot_let_a_user_of_another_organization_into_a_case(scene):
    before = state(scene)
    got = signed_in(scene.lead).post(
        case_urls(scene)["access"],
        {"user": scene.attackers["other_org_user"].pk, "reason": "Ayuda externa"},
    )
    assert got.status_code == 400
    assert state(scene) == before


def test_the_directory_guide_and_card_of_another_organization_are_404(scene):
    client = signed_in(scene.attackers["other_org_lead"])
    for route in ("web:service_list", "web:safeguarding_guide", "web:safeguarding_card"):
        got = client.get(reverse(route), {"org": scene.org.pk})
        assert got.status_code == 404, route
        assert "CEM Villa María del Triunfo" not in response_text(got)


def test_the_person_page_of_whom_a_case_was_recorded_from_says_nothing_of_it(scene):
    """A coordinator who is not the lead opens the person a case was recorded from."""
    client = signed_in(scene.attackers["other_org_user"])
    for route in ("web:person_detail", "web:person_data", "web:person_data_json"):
        got = client.get(reverse(route, kwargs={"pk": scene.other_case.person_id}))
        assert got.status_code == 200, route
        body = response_text(got)
        assert "Caso-ajeno-5521" not in body, route
        assert reverse("web:case_detail", kwargs={"pk": scene.other_case.pk}) not in body, route


def test_erasing_a_person_does_not_tell_the_audit_trail_a_case_was_recorded_about_him(scene):
    stranger_case = scene.other_case
    admin = make_user(role=Role.ADMINISTRATOR, organization=scene.other_org, username="adm-otra")
    got = signed_in(admin).post(
        reverse("web:person_erase", kwargs={"pk": stranger_case.person_id}),
        {"reason": "holder_request", "confirm": "on"},
    )
    assert got.status_code == 302
    row = AuditEvent.objects.filter(action="erase").order_by("-pk").first()
    assert row is not None, "the erasure was done"
    # The erasure's row (what the audit trail shows of it) names no safeguarding count.
    assert "safeguarding" not in str(row.detail)
    assert row.detail.get("reason") == "holder_request"
