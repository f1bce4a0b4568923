"""Fieldwork, transcript, coding, reliability and analysis pages as each role meets them
(docs/decisions/research.md): the study's members read and code a transcript (a span
selected in the browser, or a whole turn without JavaScript), coders of a double-coded
transcript see only their own codings until the lead merges them, the researcher
de-identifies names before coding; the organization's coordinator, a viewer and a
stranger get 404 on every page that shows fieldwork, a transcript or an excerpt (S3);
downloads are attachments, never cached; the transcript's text is in no URL and no
audit row (S9, S11)."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cascada.audit.models import AuditEvent
from cascada.research.models import Audio, Coding, Event, Method, Transcript
from cascada.research.services.coding import code_create, coding_add, transcript_double_code
from cascada.research.services.fieldwork import event_record, transcript_save
from cascada.research.services.sample import recruit_consent, recruit_screen
from tests.accounts.factories import login_verified, totp_device
from tests.browser.support import ARGS, CHROMIUM, SMALL_PHONE, sign_in
from tests.research.conftest import answers

pytestmark = pytest.mark.django_db

D = dt.date
CANARY = "CANARIO-91c2-TRANSCRIPCION"
# An emoji (outside the BMP: two UTF-16 units, one Python character) before the passage
# coded, so that a position counted in UTF-16 units would land one character off.
TEXT = (
    "E: ¿Cómo era la relación de sus padres? 🙂\n"
    "P: Mi papá tomaba mucho y le pegaba a mi mamá. " + CANARY + "\n"
    "E: ¿Y usted qué aprendió de eso?\n"
    "P: Que no quiero ser así con mis hijos. Mi tío Ernesto me enseñó otra forma."
)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40


def _recruit(study, researcher, *, method=Method.INTERVIEW, audio=True, name="", age=24):
    site = study.sites.get(name="Villa María del Triunfo")
    person = recruit_screen(
        actor=researcher,
        study=study,
        site=site,
        method=method,
        age=age,
        answers=answers(study),
        screened_on=D(2024, 2, 1),
        name=name,
    )
    return recruit_consent(
        actor=researcher,
        recruit=person,
        consent_form=study.consent_forms.get(),
        consented_on=D(2024, 2, 2),
        audio_consent=audio,
    )


def _interview(study, researcher, person):
    return event_record(
        actor=researcher,
        study=study,
        method=Method.INTERVIEW,
        site=person.site,
        held_on=D(2024, 2, 5),
        participants=[person],
        duration_minutes=60,
        interviewer=researcher,
    )


@pytest.fixture
def interview(study, researcher):
    return _interview(
        study, researcher, _recruit(study, researcher, name="Ernesto Ficticio Quispe")
    )


@pytest.fixture
def transcript(interview, researcher):
    return transcript_save(actor=researcher, event=interview, text=TEXT)


@pytest.fixture
def codes(study, lead):
    risk = code_create(actor=lead, study=study, name="Factores de riesgo")
    return {
        "risk": risk,
        "alcohol": code_create(actor=lead, study=study, name="Consumo de alcohol", parent=risk),
        "violence": code_create(actor=lead, study=study, name="Violencia en la niñez", parent=risk),
        "protective": code_create(actor=lead, study=study, name="Factores de protección"),
    }


def _as(client, user):
    login_verified(client, user)
    return client


class _Text(HTMLParser):
    """The text content of the element with id ``transcript-text``, as a browser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif ("id", "transcript-text") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def _transcript_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


# ---------------------------------------------------------------- who sees what


def test_members_read_the_transcript_as_its_exact_text(client, transcript, coder, codes):
    """The page's transcript element holds exactly the stored text (what coding.js counts
    positions in), and nobody's browser or proxy keeps it."""
    page = _as(client, coder).get(reverse("web:transcript_detail", args=[transcript.pk]))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store")
    assert _transcript_text(page.content.decode()) == transcript.text
    assert b'data-length="%d"' % len(transcript.text) in page.content
    assert b"cascada/coding.js" in page.content
    assert "Consumo de alcohol" in page.content.decode()


def test_carriage_returns_of_an_imported_text_survive_the_browsers_line_end_rule():
    """A REFI-QDA import keeps its text's line ends; a raw CR would become LF in the
    browser's text and shift every position after it, so it is written as a reference."""
    from cascada.web.views.research_coding import text_html

    html = str(text_html("E: hola\r\nP: <sí> 🙂", [], {}))
    assert "\r" not in html and "&#13;\n" in html
    assert _transcript_text(f'<div id="transcript-text">{html}</div>') == "E: hola\r\nP: <sí> 🙂"


@pytest.mark.parametrize("who", ["upch_coordinator", "upch_viewer", "stranger"])
def test_non_members_get_404_on_fieldwork_transcripts_and_analysis(
    request, client, who, transcript, interview, study
):
    """The coordinator oversees the study and the viewer sees its protocol, yet neither is
    a member: no event, transcript, reliability or analysis (S3); nor does a stranger."""
    _as(client, request.getfixturevalue(who))
    urls = [
        reverse("web:study_events", args=[study.pk]),
        reverse("web:event_detail", args=[interview.pk]),
        reverse("web:event_audio", args=[interview.pk]),
        reverse("web:transcript_detail", args=[transcript.pk]),
        reverse("web:transcript_deidentify", args=[transcript.pk]),
        reverse("web:study_reliability", args=[study.pk]),
        reverse("web:study_analysis", args=[study.pk]),
        reverse("web:study_analysis_print", args=[study.pk]),
        reverse("web:study_analysis_xlsx", args=[study.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posted = client.post(
        reverse("web:transcript_code", args=[transcript.pk]), {"turn": "1", "codes": "1"}
    )
    assert posted.status_code == 404
    assert not Coding.objects.exists()


def test_the_codebook_is_shown_to_overseers_without_memos_and_to_nobody_else(
    client, study, codes, lead, upch_coordinator, upch_viewer, stranger
):
    from cascada.research.services.coding import code_update

    code_update(actor=lead, code=codes["alcohol"], memo="Memo con una cita de P3")
    url = reverse("web:study_codebook", args=[study.pk])
    seen = _as(client, upch_coordinator).get(url)
    assert seen.status_code == 200
    assert "Consumo de alcohol" in seen.content.decode()
    assert "Memo con una cita" not in seen.content.decode()
    shown = _as(client, lead).get(url).content.decode()
    assert 'data-test="code-memo"><b>Memo:</b> Memo con una cita de P3' in shown
    for user in (upch_viewer, stranger):
        assert _as(client, user).get(url).status_code == 404


# ---------------------------------------------------------------- coding


def test_a_selected_span_is_coded_at_its_code_point_positions(client, transcript, coder, codes):
    """The browser sends the code-point positions of the selection (after an emoji) and
    its text; the coding is made for each code ticked and its excerpt shown."""
    text = transcript.text
    start, end = _span(text, "Mi papá tomaba mucho")
    assert len(text[:start].encode("utf-16-le")) // 2 == start + 1  # the emoji before
    answer = _as(client, coder).post(
        reverse("web:transcript_code", args=[transcript.pk]),
        {
            "start": start,
            "end": end,
            "quote": "Mi papá tomaba mucho",
            "codes": [codes["alcohol"].pk, codes["violence"].pk],
            "memo": "Consumo del padre",
        },
    )
    assert answer.status_code == 302
    made = Coding.objects.filter(transcript=transcript).order_by("code__name")
    assert [(c.code.name, c.start, c.end, c.coder) for c in made] == [
        ("Consumo de alcohol", start, end, coder),
        ("Violencia en la niñez", start, end, coder),
    ]
    page = client.get(reverse("web:transcript_detail", args=[transcript.pk])).content.decode()
    assert page.count('data-test="coding-excerpt">Mi papá tomaba mucho</blockquote>') == 2
    assert "Consumo del padre" in page
    assert '<mark class="code' in page


def test_a_selection_whose_text_differs_is_refused(client, transcript, coder, codes):
    """Positions that do not point at the text the user saw code nothing."""
    start, end = _span(transcript.text, "Mi papá tomaba mucho")
    answer = _as(client, coder).post(
        reverse("web:transcript_code", args=[transcript.pk]),
        {
            "start": start + 1,
            "end": end + 1,
            "quote": "Mi papá tomaba mucho",
            "codes": [codes["alcohol"].pk],
        },
    )
    assert answer.status_code == 400
    assert "select the text again" in answer.content.decode()
    assert not Coding.objects.exists()


def test_without_javascript_a_whole_turn_is_coded(client, transcript, researcher, codes):
    turn = transcript.turns.get(order=4)
    answer = _as(client, researcher).post(
        reverse("web:transcript_code", args=[transcript.pk]),
        {"turn": turn.pk, "codes": [codes["protective"].pk]},
    )
    assert answer.status_code == 302
    coding = Coding.objects.get()
    assert (coding.start, coding.end) == (turn.start, turn.end)
    assert transcript.text[coding.start : coding.end].startswith("P: Que no quiero")
    assert coding.final


def test_nothing_selected_and_no_turn_says_so(client, transcript, coder, codes):
    answer = _as(client, coder).post(
        reverse("web:transcript_code", args=[transcript.pk]), {"codes": [codes["alcohol"].pk]}
    )
    assert answer.status_code == 400
    assert "choose a whole turn" in answer.content.decode()
    assert not Coding.objects.exists()


def test_a_coder_removes_their_coding_and_writes_its_memo(client, transcript, coder, codes):
    coding = coding_add(actor=coder, transcript=transcript, code=codes["alcohol"], start=3, end=10)
    _as(client, coder)
    client.post(
        reverse("web:transcript_coding_memo", args=[transcript.pk]),
        {"coding": coding.pk, "memo": "Revisar con el equipo"},
    )
    coding.refresh_from_db()
    assert coding.memo == "Revisar con el equipo"
    client.post(
        reverse("web:transcript_coding_remove", args=[transcript.pk]), {"coding": coding.pk}
    )
    assert not Coding.objects.exists()


# ---------------------------------------------------------------- blind double coding and the merge


@pytest.fixture
def double_coded(transcript, lead, coder, coder2, codes):
    transcript_double_code(actor=lead, transcript=transcript, double_coded=True)
    transcript.refresh_from_db()
    second = transcript.turns.get(order=2)
    fourth = transcript.turns.get(order=4)
    for who in (coder, coder2):  # both: alcohol in turn 2
        coding_add(
            actor=who,
            transcript=transcript,
            code=codes["alcohol"],
            start=second.start + 3,
            end=second.start + 23,
        )
    coding_add(  # only the first coder: protective in turn 4
        actor=coder,
        transcript=transcript,
        code=codes["protective"],
        start=fourth.start + 3,
        end=fourth.end,
        memo="Sólo la primera codificadora",
    )
    return transcript


def test_a_coder_of_a_double_coded_transcript_sees_only_their_own_codings(
    client, double_coded, coder, coder2
):
    url = reverse("web:transcript_detail", args=[double_coded.pk])
    first = _as(client, coder).get(url).content.decode()
    second = _as(client, coder2).get(url).content.decode()
    assert "Sólo la primera codificadora" in first
    assert "Sólo la primera codificadora" not in second
    assert second.count('data-test="coding"') == 1
    assert 'data-test="blind"' in second
    # The reliability page tells a coder how many disagreements there are, not whose.
    reliability = client.get(reverse("web:study_reliability", args=[double_coded.study.pk]))
    assert reliability.status_code == 200
    assert 'data-test="disagreements-hidden"' in reliability.content.decode()
    assert "codificadora" not in reliability.content.decode().split("double-coded")[-1]


def test_the_lead_merges_after_deciding_each_disagreement(client, double_coded, lead, coder, codes):
    study = double_coded.study
    page = _as(client, lead).get(reverse("web:study_reliability", args=[study.pk]))
    html = page.content.decode()
    assert 'data-test="reliability-overall"' in html
    assert 'data-test="disagreement"' in html and "codificadora" in html
    fourth = double_coded.turns.get(order=4)
    key = f"d_{fourth.pk}_{codes['protective'].pk}"
    assert f'name="{key}"' in html
    merged = client.post(reverse("web:transcript_merge", args=[double_coded.pk]), {key: "keep"})
    assert merged.status_code == 302
    finals = Coding.objects.filter(transcript=double_coded, final=True)
    assert sorted(c.code.name for c in finals) == ["Consumo de alcohol", "Factores de protección"]
    assert all(c.coder is None for c in finals)
    # After the merge every member sees the final codings.
    after = _as(client, coder).get(reverse("web:transcript_detail", args=[double_coded.pk]))
    assert after.content.decode().count('data-test="coding"') == 2


def test_a_coder_cannot_merge(client, double_coded, coder, codes):
    fourth = double_coded.turns.get(order=4)
    key = f"d_{fourth.pk}_{codes['protective'].pk}"
    answer = _as(client, coder).post(
        reverse("web:transcript_merge", args=[double_coded.pk]), {key: "keep"}
    )
    assert answer.status_code == 403
    assert not Coding.objects.filter(final=True).exists()


# ---------------------------------------------------------------- de-identification


def test_de_identification_replaces_a_participants_name_on_the_page(client, transcript, researcher):
    url = reverse("web:transcript_deidentify", args=[transcript.pk])
    page = _as(client, researcher).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ernesto" in html and "[NOMBRE 1]" in html
    flags = [
        (i, line)
        for i, line in enumerate(html.split('data-test="flag"'))
        if "<b>Ernesto</b>" in line
    ]
    assert flags
    post = {"stamp": page.context["stamp"]}
    for row in page.context["rows"]:
        if row["word"] == "Ernesto":
            post["use"] = str(row["i"])
            post[f"span_{row['i']}"] = row["span"]
            post[f"pseudonym_{row['i']}"] = "[NOMBRE 1]"
    done = client.post(url, post)
    assert done.status_code == 302
    shown = client.get(reverse("web:transcript_detail", args=[transcript.pk])).content.decode()
    text = _transcript_text(shown)
    assert "Ernesto" not in text
    assert "Mi tío [NOMBRE 1] me enseñó" in text


def test_a_coder_cannot_de_identify(client, transcript, coder):
    url = reverse("web:transcript_deidentify", args=[transcript.pk])
    assert _as(client, coder).get(url).status_code == 403


# ---------------------------------------------------------------- fieldwork


def test_a_researcher_records_an_interview_with_a_participants_code(client, study, researcher):
    person = _recruit(study, researcher)
    site = person.site
    answer = _as(client, researcher).post(
        reverse("web:study_events", args=[study.pk]),
        {
            "ev-method": Method.INTERVIEW,
            "ev-site": site.pk,
            "ev-held_on": "2024-02-06",
            "ev-participants": [person.pk],
            "ev-interviewer": researcher.pk,
            "ev-duration_minutes": "45",
            "ev-language": "es",
        },
    )
    assert answer.status_code == 302
    event = Event.objects.get()
    assert list(event.participants.all()) == [person]
    listing = client.get(reverse("web:study_events", args=[study.pk])).content.decode()
    assert person.code in listing


def test_the_rules_of_an_event_are_shown_beside_their_fields(client, study, researcher):
    people = [_recruit(study, researcher, method=Method.FOCUS_GROUP) for _ in range(2)]
    form = {
        "ev-method": Method.FOCUS_GROUP,
        "ev-site": people[0].site.pk,
        "ev-held_on": "2024-02-06",
        "ev-participants": [p.pk for p in people],
        "ev-duration_minutes": "90",
        "ev-language": "es",
    }
    _as(client, researcher)
    small = client.post(reverse("web:study_events", args=[study.pk]), form)
    assert small.status_code == 400
    assert 'data-test="error-participants"' in small.content.decode()
    assert "6 to 10" in small.content.decode()
    late = client.post(
        reverse("web:study_events", args=[study.pk]), {**form, "ev-held_on": "2025-03-01"}
    )
    assert late.status_code == 400
    assert 'data-test="error-ev-held_on"' in late.content.decode()
    assert "ethics approval" in late.content.decode()
    assert not Event.objects.exists()


def test_a_coder_sees_the_events_but_cannot_record_one(client, study, coder, interview):
    page = _as(client, coder).get(reverse("web:study_events", args=[study.pk]))
    assert page.status_code == 200
    assert 'data-test="event-form"' not in page.content.decode()
    assert client.post(reverse("web:study_events", args=[study.pk]), {}).status_code == 403


def test_a_transcript_is_saved_from_a_txt_file(client, interview, researcher):
    upload = io.BytesIO(TEXT.encode("cp1252", errors="ignore"))
    upload.name = "entrevista.txt"
    answer = _as(client, researcher).post(
        reverse("web:event_transcript", args=[interview.pk]), {"tr-file": upload}
    )
    assert answer.status_code == 302
    transcript = Transcript.objects.get(event=interview)
    assert transcript.text.startswith("E: ¿Cómo era la relación")
    assert transcript.turns.count() == 4


def test_audio_is_refused_when_a_participant_did_not_agree_to_be_recorded(
    client, study, researcher
):
    event = _interview(study, researcher, _recruit(study, researcher, audio=False))
    upload = io.BytesIO(WAV)
    upload.name = "grabacion.wav"
    answer = _as(client, researcher).post(
        reverse("web:event_audio_upload", args=[event.pk]), {"au-audio": upload}
    )
    assert answer.status_code == 400
    assert "did not agree to be recorded" in answer.content.decode()
    assert not Audio.objects.exists()


def test_audio_is_kept_and_downloaded_by_researchers_only(client, interview, researcher, coder):
    upload = io.BytesIO(WAV)
    upload.name = "Juan Pérez.wav"
    _as(client, researcher)
    assert (
        client.post(reverse("web:event_audio_upload", args=[interview.pk]), {"au-audio": upload})
    ).status_code == 302
    url = reverse("web:event_audio", args=[interview.pk])
    got = client.get(url)
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment;")
    assert "Juan" not in got["Content-Disposition"]
    assert (
        got["Cache-Control"].startswith("private, no-store") or "no-store" in got["Cache-Control"]
    )
    assert b"".join(got) == WAV
    assert AuditEvent.objects.filter(action="view", target_type="research.audio").exists()
    assert _as(client, coder).get(url).status_code == 404


# ---------------------------------------------------------------- codebook, analysis, downloads


def test_the_lead_keeps_the_codebook_and_a_coder_cannot(client, study, lead, coder):
    url = reverse("web:study_code_add", args=[study.pk])
    _as(client, lead)
    assert (
        client.post(url, {"new-name": "Machismo", "new-definition": "Creencias"}).status_code == 302
    )
    assert study.codes.filter(name="Machismo").exists()
    version = client.post(reverse("web:study_codebook_version", args=[study.pk]), {"ve-note": "v1"})
    assert version.status_code == 302
    assert study.codebook_versions.count() == 1
    _as(client, coder)
    assert client.post(url, {"new-name": "Otro"}).status_code == 403
    assert not study.codes.filter(name="Otro").exists()


def test_a_coded_span_shows_in_the_framework_matrix(client, transcript, researcher, codes):
    start, end = _span(transcript.text, "Mi papá tomaba mucho")
    coding_add(actor=researcher, transcript=transcript, code=codes["alcohol"], start=start, end=end)
    page = _as(client, researcher).get(reverse("web:study_analysis", args=[transcript.study.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-test="matrix-excerpt">Mi papá tomaba mucho' in html
    printable = client.get(reverse("web:study_analysis_print", args=[transcript.study.pk]))
    assert printable.status_code == 200
    assert 'class="topbar"' not in printable.content.decode()
    assert "Mi papá tomaba mucho" in printable.content.decode()


def test_the_xlsx_is_an_attachment_for_members(client, transcript, lead, coder, codes):
    url = reverse("web:study_analysis_xlsx", args=[transcript.study.pk])
    for user in (lead, coder):
        got = _as(client, user).get(url)
        assert got.status_code == 200
        assert got["Content-Disposition"].startswith("attachment;")
        assert 'filename="analisis-MRV.xlsx"' in got["Content-Disposition"]
        assert zipfile.is_zipfile(io.BytesIO(got.content))


def test_the_qdpx_is_the_leads_and_refused_to_a_coder(client, transcript, lead, coder, codes):
    url = reverse("web:study_refi_project", args=[transcript.study.pk])
    got = _as(client, lead).get(url)
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment;")
    assert ".qdpx" in got["Content-Disposition"]
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    qdc = client.get(reverse("web:study_refi_codebook", args=[transcript.study.pk]))
    assert qdc.status_code == 200 and qdc["Content-Disposition"].startswith("attachment;")
    assert _as(client, coder).get(url).status_code == 403


def test_a_codebook_imported_shows_its_report(client, study, lead, codes):
    from cascada.research import refi

    data = refi.codebook_qdc(study)
    upload = io.BytesIO(data)
    upload.name = "libro.qdc"
    other = study  # the same codebook back: every code is matched, none created
    answer = _as(client, lead).post(
        reverse("web:study_refi_import", args=[other.pk]), {"refi-file": upload}
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-test="refi-report"' in html
    assert "4 codes already in the codebook" in html


# ---------------------------------------------------------------- S9, S11


def test_the_transcript_text_is_in_no_url_and_no_audit_row(client, transcript, coder, codes):
    text = transcript.text
    start, end = _span(text, CANARY)
    _as(client, coder).post(
        reverse("web:transcript_code", args=[transcript.pk]),
        {"start": start, "end": end, "quote": CANARY, "codes": [codes["alcohol"].pk]},
    )
    page = client.get(reverse("web:transcript_detail", args=[transcript.pk])).content.decode()
    assert CANARY in page
    for href in page.split('href="')[1:]:
        assert CANARY not in href.split('"')[0]
    for row in AuditEvent.objects.all():
        assert CANARY not in f"{row.detail} {row.target_id} {row.target_type}"


# ---------------------------------------------------------------- in a browser

SELECT = """(words) => {
  // Select ``words`` in the transcript, across the text nodes of highlighted codings.
  const box = document.getElementById('transcript-text');
  const at = box.textContent.indexOf(words);
  if (at < 0) return false;
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node;
  while ((node = walker.nextNode())) {
    const next = seen + node.data.length;
    if (seen <= at && at < next) range.setStart(node, at - seen);
    if (seen < at + words.length && at + words.length <= next) {
      range.setEnd(node, at + words.length - seen);
    }
    seen = next;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return true;
}"""


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed")
@pytest.mark.django_db(transaction=True)
def test_a_researcher_codes_a_selection_on_a_phone_and_sees_it_in_the_matrix(
    live_server, monkeypatch, transcript, codes, researcher
):
    """In Chromium on a 360 px phone: a passage after an emoji, then one selected with a
    space before it and across a highlighted coding, are coded at the positions Python
    counts; the first shows in its framework matrix cell."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    text = transcript.text
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_context(viewport=SMALL_PHONE, locale="es-PE").new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        url = reverse("web:transcript_detail", args=[transcript.pk])
        sign_in(page, live_server.url, totp_device(researcher), url, username=researcher.username)

        assert page.evaluate(SELECT, "papá tomaba mucho")
        page.locator('[data-test="selection-bar"]').wait_for(state="visible")
        assert page.locator("#selection-preview").inner_text() == "papá tomaba mucho"
        page.locator(f'input[name="codes"][value="{codes["alcohol"].pk}"]').check()
        page.locator('[data-test="coding-submit"]').click()
        page.locator('[data-test="coding"]').wait_for()
        first = Coding.objects.get()
        assert text[first.start : first.end] == "papá tomaba mucho"

        assert page.evaluate(SELECT, " mucho y le pegaba ")
        page.locator('[data-test="selection-bar"]').wait_for(state="visible")
        page.locator(f'input[name="codes"][value="{codes["violence"].pk}"]').check()
        page.locator('[data-test="coding-submit"]').click()
        page.locator('[data-test="coding"]').nth(1).wait_for()
        second = Coding.objects.get(code=codes["violence"])
        assert text[second.start : second.end] == "mucho y le pegaba"
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]

        page.goto(live_server.url + reverse("web:study_analysis", args=[transcript.study.pk]))
        cell = page.locator('[data-test="matrix-cell"] details').first
        cell.locator("summary").click()
        assert "papá tomaba mucho" in cell.inner_text()
        assert not problems, problems
        browser.close()


def test_the_codebook_page_opens_one_codes_edit_form_at_a_time(client, study, lead, codes):
    """Each edit form lists every other code as a parent: one at a time, chosen by a link,
    so the page grows with the codebook, not with its square."""
    from cascada.research.services.coding import code_create

    for n in range(30):
        code_create(actor=lead, study=study, name=f"Código {n}")
    _as(client, lead)
    url = reverse("web:study_codebook", args=[study.pk])
    body = client.get(url).content.decode()
    assert body.count('action="' + reverse("web:study_code_edit", args=[study.pk])) == 0
    assert body.count('data-test="code-edit-link"') == study.codes.count()
    chosen = codes["alcohol"]
    body = client.get(url, {"edit": chosen.pk}).content.decode()
    assert body.count('action="' + reverse("web:study_code_edit", args=[study.pk])) == 1
    assert f'name="c{chosen.pk}-name"' in body
    response = client.post(
        reverse("web:study_code_edit", args=[study.pk]),
        {
            "code": chosen.pk,
            f"c{chosen.pk}-name": "Alcohol y fiestas",
            f"c{chosen.pk}-parent": chosen.parent_id or "",
            f"c{chosen.pk}-definition": "",
            "form_token": "t-edit-1",
        },
    )
    assert response.status_code == 302
    chosen.refresh_from_db()
    assert chosen.name == "Alcohol y fiestas"
