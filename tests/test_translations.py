"""The Spanish catalog is complete, compiled, and used: Spanish by default, English on request."""

from __future__ import annotations

import ast
import gettext
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from cascada.core.errors import PermissionDeniedError

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader (entries are separated by blank lines, as gettext writes them):
    flags, msgctxt, msgid, msgid_plural, msgstr[n] and continued lines. Obsolete (#~)
    entries are skipped."""
    keyword = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$')
    entries: list[Entry] = []
    line_no = 0
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = Entry(line=line_no + 1)
        line_no += block.count("\n") + 2
        target: tuple[str, int] | None = None
        for raw in block.strip("\n").splitlines():
            line = raw.strip()
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := keyword.match(line):
                word, index = match.group(1), match.group(2)
                value = ast.literal_eval(match.group(3))
                if word == "msgstr":
                    target = ("msgstr", int(index or 0))
                    entry.msgstr[target[1]] = value
                else:
                    target = (word, 0)
                    setattr(entry, word, value)
            else:
                assert line.startswith('"') and target, f"{path.name}: cannot read {raw!r}"
                value = ast.literal_eval(line)
                if target[0] == "msgstr":
                    entry.msgstr[target[1]] += value
                else:
                    setattr(entry, target[0], getattr(entry, target[0]) + value)
        if target is not None:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO)


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


def test_the_catalog_holds_the_application_strings(entries):
    ids = {e.msgid for e in messages(entries)}
    assert len(ids) > 500
    assert {"Sign in", "Attendance", "You do not have permission to do this."} <= ids


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    header = [e for e in entries if e.msgid == ""]
    assert len(header) == 1 and "fuzzy" not in header[0].flags
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in messages(entries)
        if not e.msgstr or not all(s.strip() for s in e.msgstr.values())
    ]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in messages(entries) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_messages_have_every_form_the_header_announces(entries):
    header = entries[0].msgstr[0]
    nplurals = int(re.search(r"nplurals=(\d+)", header).group(1))
    for e in messages(entries):
        if e.msgid_plural is not None:
            assert sorted(e.msgstr) == list(range(nplurals)), e.msgid


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_translations_keep_placeholders_and_markup(entries):
    for e in messages(entries):
        expected = _names(e.msgid) | _names(e.msgid_plural or "")
        for form, text in e.msgstr.items():
            # The singular may say "1" in words, never invent a name.
            assert _names(text) <= expected, (e.msgid, text)
            if e.msgid_plural is None or form > 0:
                assert _names(text) == expected, (e.msgid, text)
            assert re.findall(r"<[^>]+>|&\w+;", text) == re.findall(r"<[^>]+>|&\w+;", e.msgid), (
                e.msgid,
                text,
            )
            if "python-format" in e.flags:
                text % defaultdict(int)  # a bad % sequence raises here


def test_length_limits_in_translator_notes_are_kept(entries):
    limited = [e for e in messages(entries) if e.msgctxt and "max" in e.msgctxt]
    assert limited, "the roster buttons carry a length limit"
    for e in limited:
        limit = int(re.search(r"max (\d+)", e.msgctxt).group(1))
        assert all(len(s) <= limit for s in e.msgstr.values()), (e.msgctxt, e.msgstr)


def test_the_compiled_catalog_matches_the_po_file(entries):
    """The .mo is committed (a fresh machine may lack gettext); it must hold exactly what
    the .po says, so nobody forgets to run compilemessages after editing translations."""
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    expected: dict = {}
    for e in messages(entries):
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            for form, text in e.msgstr.items():
                expected[(e.key, form)] = text
    compiled = {k: v for k, v in compiled.items() if k != ""}
    missing = sorted(str(k) for k in expected.keys() - compiled.keys())
    extra = sorted(str(k) for k in compiled.keys() - expected.keys())
    changed = sorted(
        str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k]
    )
    assert (missing, extra, changed) == ([], [], []), "run: cascada compilemessages -l es"


def test_service_errors_are_spanish_by_default_and_english_on_request():
    error = PermissionDeniedError()
    with translation.override("es"):
        assert str(error) == "No tiene permiso para hacer esto."
    with translation.override("en"):
        assert str(error) == "You do not have permission to do this."


@override_settings(LANGUAGE_CODE="es")  # the test settings use "en"; this checks the real default
def test_the_sign_in_page_is_spanish_by_default(client):
    response = client.get(reverse("web:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es">' in html
    assert "Iniciar sesión" in html and "Contraseña" in html
    assert "Sign in" not in html and "Password" not in html


@override_settings(LANGUAGE_CODE="es")  # English must come from the request, not the default
@pytest.mark.parametrize("how", ["header", "cookie"])
def test_the_sign_in_page_is_english_on_request(client, how):
    if how == "header":
        response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en")
    else:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(reverse("web:login"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Password" in html
    assert "Iniciar sesión" not in html and "Contraseña" not in html


def test_spanish_is_the_default_language_outside_the_tests():
    from cascada.config.settings import base

    assert base.LANGUAGE_CODE == "es"
    assert [code for code, _name in base.LANGUAGES] == ["es", "en"]
