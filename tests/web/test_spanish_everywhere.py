"""Spanish everywhere (issue 7): every page of the demo, read by every demo role in
Spanish, shows no English from the catalogue, no raw code (``view_list``,
``registry.person:149``), no ISO date and no number with a decimal point.

The demo is built once through the services (``cascada.demo.build``); each role signs
in and walks from the home page through the navigation and every object page it links
to (a few pages of each route), as a user clicking around would."""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse

from cascada.accounts.models import User
from cascada.demo.build import DEMO_ACCOUNTS, build
from tests.accounts.factories import login_verified
from tests.shipped import ensure_shipped
from tests.test_translations import PO, parse_po

SCALE = 0.1
PAGES_PER_ROUTE = 3  # distinct pages of one route (three people, three cohorts...)
MAX_PAGES = 400  # per role: a safety net, far above what the demo links to
# Routes that are not pages: downloads, sign-out, language switch.
SKIP_ROUTES = {
    "logout",
    "set_language",
    "export_people",
    "export_enrolments",
    "export_attendance",
    "cascade_export",
    "certificate_download",
    "certificate_pdf",
}
HIDDEN_TAGS = {"script", "style", "template", "noscript"}
# Literal text (the column names an import accepts, in both languages) is not prose.
LITERAL_TAGS = {"code", "kbd", "samp"}
VISIBLE_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside scripts and styles, the labels of
    inputs (placeholder, aria-label, title, alt) and the words on submit buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []
        self.links: list[str] = []
        self.other_language: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in HIDDEN_TAGS or tag in LITERAL_TAGS:
            self.hidden += 1
        # Text marked as another language (an instrument's English wording, a citation)
        # is that language on purpose.
        if (values.get("lang") or "es").split("-")[0] != "es":
            self.other_language.append(tag)
            self.hidden += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if (tag in HIDDEN_TAGS or tag in LITERAL_TAGS) and self.hidden:
            self.hidden -= 1
        if self.other_language and self.other_language[-1] == tag:
            self.other_language.pop()
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def _catalogue() -> tuple[set[str], set[str]]:
    """English that must not reach a Spanish reader: (whole messages, words). A message
    counts when its Spanish differs from it; a word when no Spanish text uses it."""
    messages: set[str] = set()
    english_words: set[str] = set()
    spanish_words: set[str] = set()
    word = re.compile(r"(?<![^\W\d_])[A-Za-z]{4,}(?![^\W\d_])")
    for e in parse_po(PO):
        if not e.msgid:
            continue
        spanish = " ".join(e.msgstr.values())
        spanish_words |= {w.lower() for w in word.findall(spanish)}
        if e.msgstr.get(0) and e.msgstr[0] != e.msgid and "%(" not in e.msgid:
            messages.add(e.msgid)
        text = re.sub(r"%\(\w+\)[sd]|<[^>]+>|&\w+;", " ", f"{e.msgid} {e.msgid_plural or ''}")
        english_words |= {w.lower() for w in word.findall(text)}
    # Words both languages share, or names of things that are the same in both.
    shared = {"email", "total", "online", "html", "excel", "xlsx", "ubigeo", "api", "social"}
    return {m for m in messages if len(m) > 2}, english_words - spanish_words - shared


RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z]+:\d+")
DECIMAL_POINT = re.compile(r"(?<![\w.,])\d+\.\d+(?![\w.])")
# "2.1 Cómo aprendimos a ser hombres": a session plan's outline number, not a decimal.
OUTLINE = re.compile(r"^\d+\.\d+ [A-ZÁÉÍÓÚÑ¿¡]")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# "1 cohortes", "1 personas inscritas": one, then a Spanish plural.
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1 ([a-záéíóúñ]+s)\b")
SINGULAR_S = {"mes", "más", "país", "tres", "seis", "inglés"}
LANGUAGE_FORM = re.compile(r'<form[^>]*id="language-form".*?</form>', re.S)


# A word stands alone: the letters inside a code such as ``2TYPE899`` are not English, nor
# the start of a Spanish word with an accent ("sent" of "sentías", "inter" of "interés").
WORD = re.compile(r"(?<![^\W_])[A-Za-z]{4,}(?![^\W_])")


def problems_in(parts: list[str], messages: set[str], words: set[str]) -> list[str]:
    """What in one page's visible text is not Spanish, or not written the Spanish way."""
    found = []
    for part in parts:
        if part in messages:
            found.append(f"untranslated: {part!r}")
            continue
        english = sorted({w for w in WORD.findall(part) if w.lower() in words})
        if english:
            found.append(f"English {english}: {part!r}")
        plural = ONE_PLURAL.search(part)
        if plural and plural.group(1) not in SINGULAR_S:
            found.append(f"plural after 1 {plural.group()!r}: {part!r}")
        for pattern, what in (
            (RAW_CODE, "raw code"),
            (DECIMAL_POINT, "decimal point"),
            (ISO_DATE, "ISO date"),
        ):
            if pattern is DECIMAL_POINT and OUTLINE.match(part):
                continue
            if match := pattern.search(part):
                found.append(f"{what} {match.group()!r}: {part!r}")
    return found


def _route(path: str) -> str | None:
    try:
        return resolve(path).url_name or ""
    except Resolver404:
        return None


def walk(
    client: Client, messages: set[str], words: set[str], start: str = "/"
) -> dict[str, list[str]]:
    """Every page reachable from ``start`` by links, a few per route."""
    queue, seen = [start], {start}
    per_route: dict[str, int] = defaultdict(int)
    report: dict[str, list[str]] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        pages += 1
        if response.status_code >= 500:
            report[url] = [f"server error {response.status_code}"]
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        # The language switch names each language in that language ("English").
        parser.feed(LANGUAGE_FORM.sub("", response.content.decode()))
        if issues := problems_in(parser.parts, messages, words):
            report[url] = sorted(set(issues))
        for href in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            name = _route(parts.path)
            if name is None or name in SKIP_ROUTES or link in seen:
                continue
            if per_route[name] >= PAGES_PER_ROUTE:
                continue
            per_route[name] += 1
            seen.add(link)
            queue.append(link)
    return report


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_shipped()  # a transactional test earlier on this worker may have flushed them
        build(scale=SCALE)
        yield
        transaction.set_rollback(True)


def test_the_checks_catch_english_codes_and_decimal_points():
    """The walk is only as good as its checks: each kind of mistake is caught."""
    messages, words = _catalogue()
    assert "Sign in" in messages and "cohorts" in words and "enrolled" in words
    assert "cohorte" not in words and "sesión" not in words
    english = [
        "Sign in",
        "3 cohorts",
        "view_list",
        "registry.person:149",
        "8.1",
        "2026-03-02",
        "1 cohortes",
        "1 personas inscritas",
    ]
    for text in english:
        assert problems_in([text], messages, words), text
    spanish = [
        "Iniciar sesión",
        "1 cohorte",
        "8,1",
        "0,3",
        "2 de marzo de 2026",
        "127.0.0.1",
        "2.1 Cómo aprendimos a ser hombres",
        "21 personas",
        "1 mes",
        "1 de 5 sesiones",
        "Óscar Ficticio Ejemplar (2TYPE899)",
    ]
    assert problems_in(spanish, messages, words) == []


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="es")
@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS] + ["(signed out)"])
def test_every_page_a_demo_role_reaches_is_spanish(demo, username):
    messages, words = _catalogue()
    client = Client()
    start = "/"
    if username == "(signed out)":  # the sign-in page and what it links to
        start = reverse("web:login")
    else:
        login_verified(client, User.objects.get(username=username))
    report = walk(client, messages, words, start)
    # Each problem once, with the first page that shows it.
    first: dict[str, str] = {}
    for url, issues in sorted(report.items()):
        for issue in issues:
            first.setdefault(issue, url)
    lines = [f"{url}: {issue}" for issue, url in sorted(first.items(), key=lambda kv: kv[1])]
    assert lines == [], f"{len(lines)} problems for {username}:\n" + "\n".join(lines)
