"""The page frame and the home page: navigation built from capabilities and existing routes,
a POST sign-out and language switch, no inline script or style (CSP), a print stylesheet,
and a dashboard whose counts are suppressed for roles without access to people (S17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from cascada.web import nav
from tests.accounts.factories import login_verified, make_user
from tests.registry.factories import make_person
from tests.trainings.factories import enrol, make_cohort, make_program

pytestmark = pytest.mark.django_db

STATIC = Path(nav.__file__).parent / "static" / "cascada"


@pytest.fixture
def cohort(org):
    program = make_program(owner=org, name="Hombres de Miércoles")
    cohort = make_cohort(program=program, sessions=3, name="Callao 2026")
    enrol(cohort, *[make_person(organization=org) for _ in range(3)])
    return cohort


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_no_nav_before_the_second_factor(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("web:two_factor_verify")).content.decode()
    assert 'data-test="nav-person_list"' not in html


def test_nav_follows_capabilities(client, coordinator_client, org):
    html = coordinator_client.get(reverse("web:home")).content.decode()
    assert 'data-test="nav-person_list"' in html
    assert 'data-test="nav-curriculum_list"' in html
    login_verified(client, make_user(role="viewer", organization=org))
    html = client.get(reverse("web:home")).content.decode()
    assert 'data-test="nav-person_list"' not in html
    assert 'data-test="nav-curriculum_list"' in html


def test_nav_skips_routes_that_do_not_exist(coordinator, monkeypatch):
    coordinator.is_verified = lambda: True  # as django-otp marks a user past the second factor
    monkeypatch.setattr(
        nav,
        "NAV_ITEMS",
        (*nav.NAV_ITEMS, ("web:not_built_yet", "Nope", ())),
    )
    names = [item.name for item in nav.nav_items(coordinator, "/")]
    assert "web:not_built_yet" not in names
    assert "web:home" in names


def test_sign_out_is_a_post_form(coordinator_client):
    html = coordinator_client.get(reverse("web:home")).content.decode()
    logout = reverse("web:logout")
    assert re.search(rf'<form method="post" action="{re.escape(logout)}"', html)
    assert f'href="{logout}"' not in html


def test_language_switch_by_post(coordinator_client, settings):
    settings.LANGUAGE_CODE = "es"
    html = coordinator_client.get(reverse("web:home")).content.decode()
    assert '<html lang="es">' in html
    assert f'action="{reverse("set_language")}"' in html
    coordinator_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = coordinator_client.get(reverse("web:home")).content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    "name", ["web:home", "web:person_list", "web:curriculum_list", "web:organization_list"]
)
def test_pages_carry_no_inline_script_or_style(coordinator_client, cohort, name):
    html = coordinator_client.get(reverse(name)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_print_stylesheet_and_tap_targets():
    css = (STATIC / "app.css").read_text()
    assert "@media print" in css
    print_block = css[css.index("@media print") :]
    assert ".topbar" in print_block and "display: none" in print_block
    assert "--tap: 44px" in css


class TestHome:
    def test_coordinator_sees_programs_cohorts_and_exact_counts(self, coordinator_client, cohort):
        html = coordinator_client.get(reverse("web:home")).content.decode()
        assert "Hombres de Miércoles" in html
        assert "Callao 2026" in html
        assert 'data-test="cohort-enrolled">3<' in html
        assert 'data-test="program-enrolled">3<' in html

    def test_viewer_sees_small_counts_suppressed(self, client, org, cohort):
        from tests.registry.factories import consent_to_reporting

        consent_to_reporting(*(e.person for e in cohort.enrolments.all()))
        login_verified(client, make_user(role="viewer", organization=org))
        html = client.get(reverse("web:home")).content.decode()
        assert "Callao 2026" in html
        assert 'data-test="program-enrolled" data-count="release">&lt;5<' in html
        # Per-cohort counts are not in a viewer's release (ADR 0006).
        assert 'data-test="cohort-enrolled"' not in html
        assert 'data-test="release-note"' in html

    def test_sessions_missing_attendance_are_flagged(self, coordinator_client, cohort):
        html = coordinator_client.get(reverse("web:home")).content.decode()
        assert 'data-test="missing-attendance"' in html
        roster = nav.url_or_none("web:session_roster", pk=cohort.sessions.first().pk)
        assert ('data-test="missing-session"' in html) == bool(roster)

    def test_nothing_from_another_organization(self, coordinator_client, other_org, cohort):
        make_cohort(program=make_program(owner=other_org, name="Ajeno"), name="Cohorte ajena")
        html = coordinator_client.get(reverse("web:home")).content.decode()
        assert "Ajeno" not in html and "Cohorte ajena" not in html
