"""REFI-QDA exchange (issue 12): every export valid against the standard's XSDs, a round
trip into a new study with the same codes, codings at the same characters and memos,
files written by QualCoder and NVivo taken with what they hold that Cascada does not
reported, bad files refused whole, and only the study's lead exporting or importing."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from cascada.audit.models import AuditEvent
from cascada.core.errors import ApplicationError, PermissionDeniedError
from cascada.research import refi
from cascada.research.models import Code, Coding, Method, Study, Transcript, TranscriptSource
from cascada.research.refi import files as refi_files
from cascada.research.services.coding import code_create, code_update, coding_add
from cascada.research.services.fieldwork import event_record, transcript_save
from cascada.research.services.sample import recruit_consent, recruit_screen
from cascada.research.services.study import study_create
from tests.research.conftest import answers

SCHEMAS = Path(refi.__file__).parent.parent / "data" / "refi"
PROJECT_XSD = xmlschema.XMLSchema(str(SCHEMAS / "Project.xsd"))
CODEBOOK_XSD = xmlschema.XMLSchema(str(SCHEMAS / "Codebook.xsd"))
NS = {"p": refi.NS_PROJECT, "c": refi.NS_CODEBOOK}
CONTAINERS = {
    "Users",
    "CodeBook",
    "Codes",
    "Variables",
    "Cases",
    "Sources",
    "Notes",
    "Links",
    "Sets",
    "Graphs",
}

CANARY = "CANARIO-Q7X9-NO-SALIR"
# Accents, ñ, an emoji and a letter outside the Basic Multilingual Plane before the coded
# spans: a position counted in bytes or UTF-16 units would land elsewhere.
TEXT = (
    "E: ¿Cómo fue su niñez en el barrio? 😔\n"
    "P1: Mi papá decía que un hombre no llora 𝐌; que la mujer tiene la culpa si sale de "
    "noche. Nadie lo cuestionaba.\n"
    f"E: ¿Y ahora qué piensa? {CANARY}\n"
    "P1: Que eso no justifica nada. Aprendí que el machismo también me hizo daño a mí."
)


def _new_study(org, coordinator, lead, code="MRVB") -> Study:
    return study_create(
        actor=coordinator,
        organization=org,
        title="Estudio importado: réplica en Arequipa",
        code=code,
        starts_on=dt.date(2024, 1, 15),
        lead=lead,
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _qde(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("project.qde")


def _assert_no_empty_container(xml: bytes) -> None:
    root = etree.fromstring(xml)
    for el in root.iter():
        if etree.QName(el).localname in CONTAINERS:
            assert len(el) > 0, f"empty <{etree.QName(el).localname}/>"
    assert b"<Sets/>" not in xml and b"<Notes/>" not in xml and b"<Users/>" not in xml


def _tree(study: Study) -> set[tuple[str, str, str, str]]:
    """(path of names, definition, guid, memo) of every code."""
    out = set()
    for code in Code.objects.filter(study=study):
        path, node = [], code
        while node is not None:
            path.insert(0, node.name)
            node = node.parent
        out.add((" › ".join(path), code.definition, str(code.guid), code.memo))
    return out


def _codings(study: Study) -> set[tuple[str, int, int, str, str]]:
    return {
        (str(c.code.guid), c.start, c.end, c.transcript.text[c.start : c.end], c.memo)
        for c in Coding.objects.filter(transcript__study=study, final=True).select_related(
            "code", "transcript"
        )
    }


def _nothing_written(study: Study) -> None:
    assert not Code.objects.filter(study=study).exists()
    assert not Transcript.objects.filter(study=study).exists()
    assert not Coding.objects.filter(transcript__study=study).exists()


@pytest.fixture
def coded(study, lead, researcher, coder):
    """The study with nested codes, an interview's transcript and codings with memos."""
    site = study.sites.get(name="Villa María del Triunfo")
    recruit = recruit_screen(
        actor=researcher,
        study=study,
        site=site,
        method=Method.INTERVIEW,
        age=24,
        answers=answers(study),
        screened_on=dt.date(2024, 2, 1),
    )
    recruit_consent(
        actor=researcher,
        recruit=recruit,
        consent_form=study.consent_forms.get(),
        consented_on=dt.date(2024, 2, 2),
    )
    event = event_record(
        actor=researcher,
        study=study,
        method=Method.INTERVIEW,
        site=site,
        held_on=dt.date(2024, 2, 5),
        participants=[recruit],
        duration_minutes=50,
        interviewer=researcher,
    )
    transcript = transcript_save(actor=researcher, event=event, text=TEXT, name="Entrevista P1")
    violence = code_create(
        actor=lead,
        study=study,
        name="Violencia sexual",
        definition="Actos sexuales sin consentimiento, incluida la coerción.",
        color="#aa3300",
    )
    justification = code_create(
        actor=lead,
        study=study,
        name="Justificación",
        parent=violence,
        definition="Razones con que se excusa la violencia: «ella lo provocó».",
    )
    childhood = code_create(
        actor=lead, study=study, name="Niñez y violencia", definition="Lo vivido de niño."
    )
    hegemonic = code_create(actor=lead, study=study, name="Masculinidad hegemónica")
    code_update(actor=lead, code=hegemonic, memo="Aparece en casi todas las entrevistas. 💬")
    text = transcript.text
    spans = {
        "papá": (childhood, "Mi papá decía que un hombre no llora 𝐌", "Recuerdo de la niñez."),
        "culpa": (justification, "la mujer tiene la culpa si sale de noche", "Culpa a la víctima."),
        "machismo": (hegemonic, "el machismo también me hizo daño a mí", ""),
    }
    for _key, (code, excerpt, memo) in spans.items():
        start = text.index(excerpt)
        coding_add(
            actor=coder,
            transcript=transcript,
            code=code,
            start=start,
            end=start + len(excerpt),
            memo=memo,
        )
    # Two codes on the same span, by two users.
    start = text.index("la mujer tiene la culpa")
    coding_add(
        actor=lead, transcript=transcript, code=hegemonic, start=start, end=start + 23, memo=""
    )
    return study


# ---------------------------------------------------------------- export


def test_codebook_qdc_is_valid_nested_and_keeps_accents(coded):
    data = refi.codebook_qdc(coded)
    CODEBOOK_XSD.validate(io.BytesIO(data))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    text = data.decode("utf-8")
    assert "Justificación" in text and "Niñez y violencia" in text
    root = etree.fromstring(data)
    parent = root.find("c:Codes/c:Code[@name='Violencia sexual']", NS)
    child = parent.find("c:Code", NS)
    assert child.get("name") == "Justificación"
    assert child.get("guid") == str(Code.objects.get(study=coded, name="Justificación").guid)
    assert child.get("isCodable") == "true"
    assert child.findtext("c:Description", namespaces=NS).startswith("Razones")
    assert parent.get("color") == "#aa3300"
    _assert_no_empty_container(data)


def test_an_empty_codebook_is_not_exported(study):
    with pytest.raises(ApplicationError):
        refi.codebook_qdc(study)


def test_project_qdpx_is_valid_and_positions_count_characters(coded, lead):
    data = refi.project_qdpx(study=coded, user=lead)
    qde = _qde(data)
    PROJECT_XSD.validate(io.BytesIO(qde))
    _assert_no_empty_container(qde)
    root = etree.fromstring(qde)
    transcript = Transcript.objects.get(study=coded)
    source = root.find("p:Sources/p:TextSource", NS)
    assert source.get("guid") == str(transcript.guid)
    assert source.get("plainTextPath") == f"internal://{transcript.guid}.txt"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        written = archive.read(f"Sources/{transcript.guid}.txt").decode("utf-8")
    assert written == transcript.text
    selections = source.findall("p:PlainTextSelection", NS)
    assert len(selections) == 4
    for sel in selections:
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        guid = sel.find("p:Coding/p:CodeRef", NS).get("targetGUID")
        coding = Coding.objects.get(
            transcript=transcript, code__guid=guid, start=start, end=end, final=True
        )
        assert written[start:end] == transcript.text[coding.start : coding.end]
    # A span after the emoji and the letter outside the BMP: in UTF-16 units or bytes
    # its start would be another number.
    start = transcript.text.index("la mujer tiene la culpa")
    assert len(transcript.text[:start].encode("utf-16-le")) // 2 != start
    assert start in {int(s.get("startPosition")) for s in selections}
    # Memos as notes linked from the selection, the code's memo from the code.
    notes = {n.get("guid"): n for n in root.findall("p:Notes/p:Note", NS)}
    memo_refs = [
        r.get("targetGUID") for r in root.iterfind(".//p:PlainTextSelection/p:NoteRef", NS)
    ]
    assert {notes[g].findtext("p:PlainTextContent", namespaces=NS) for g in memo_refs} == {
        "Recuerdo de la niñez.",
        "Culpa a la víctima.",
    }
    code_el = root.find(".//p:Code[@name='Masculinidad hegemónica']", NS)
    note_guid = code_el.find("p:NoteRef", NS).get("targetGUID")
    assert notes[note_guid].findtext("p:PlainTextContent", namespaces=NS).endswith("💬")
    # The coders, with GUIDs derived from their ids.
    users = root.findall("p:Users/p:User", NS)
    assert {u.get("guid") for u in users} >= {refi.user_guid(lead)}
    assert {s.get("creatingUser") for s in selections} <= {u.get("guid") for u in users}
    # The participant as a case with site and age group.
    case = root.find("p:Cases/p:Case", NS)
    assert case.get("name") == "MRV-001"
    assert {
        v.findtext("p:TextValue", namespaces=NS) for v in case.findall("p:VariableValue", NS)
    } == {
        "Villa María del Triunfo",
        "Jóvenes de 20 a 29",
    }


def test_exports_keep_their_guids(coded, lead):
    first = etree.fromstring(_qde(refi.project_qdpx(study=coded, user=lead)))
    second = etree.fromstring(_qde(refi.project_qdpx(study=coded, user=lead)))

    def guids(root):
        return sorted(el.get("guid") for el in root.iter() if el.get("guid"))

    assert guids(first) == guids(second)


def test_project_without_codes_or_transcripts_is_still_valid(study, lead):
    qde = _qde(refi.project_qdpx(study=study, user=lead))
    PROJECT_XSD.validate(io.BytesIO(qde))
    _assert_no_empty_container(qde)


def test_export_audit_row_holds_counts_never_text(coded, lead):
    AuditEvent.objects.all().delete()
    refi.project_qdpx(study=coded, user=lead)
    row = AuditEvent.objects.get(action="export")
    assert row.target_type == "research.study" and row.target_id == str(coded.pk)
    assert row.detail == {
        "format": "qdpx",
        "sources": 1,
        "codes": 4,
        "codings": 4,
        "notes": 3,
    }


def test_canary_in_transcript_reaches_no_audit_row(coded, lead, upch, upch_coordinator):
    data = refi.project_qdpx(study=coded, user=lead)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the export carries the text
        assert any(CANARY.encode() in archive.read(name) for name in archive.namelist())
    refi.project_import(actor=lead, study=_new_study(upch, upch_coordinator, lead), data=data)
    for row in AuditEvent.objects.all().values():
        assert CANARY not in repr(row)


# ---------------------------------------------------------------- round trip


def test_round_trip_into_a_new_study(coded, lead, upch, upch_coordinator):
    data = refi.project_qdpx(study=coded, user=lead)
    other = _new_study(upch, upch_coordinator, lead)
    report = refi.project_import(actor=lead, study=other, data=data)

    assert _tree(other) == _tree(coded)
    assert (
        "Violencia sexual › Justificación",
        "Razones con que se excusa la violencia: «ella lo provocó».",
    ) in {(path, definition) for path, definition, _g, _m in _tree(other)}
    assert _codings(other) == _codings(coded)
    new = Transcript.objects.get(study=other)
    old = Transcript.objects.get(study=coded)
    assert new.text == old.text and new.name == old.name
    assert new.event is None and new.source == TranscriptSource.REFI
    assert new.guid != old.guid  # a transcript's GUID is unique across studies
    assert new.turns.count() == old.turns.count() > 1
    assert set(Coding.objects.filter(transcript=new).values_list("coder", flat=True)) == {lead.pk}
    assert (report.codes, report.sources, report.codings, report.notes) == (4, 1, 4, 3)
    assert report.users == 2  # the lead and the coder
    assert any("case" in s.lower() or "caso" in s.lower() for s in report.not_taken)


def test_importing_the_same_project_again_merges_the_codebook(coded, lead, upch, upch_coordinator):
    data = refi.project_qdpx(study=coded, user=lead)
    other = _new_study(upch, upch_coordinator, lead)
    refi.project_import(actor=lead, study=other, data=data)
    again = refi.project_import(actor=lead, study=other, data=data)
    assert (again.codes, again.codes_matched, again.sources) == (0, 4, 1)
    assert Code.objects.filter(study=other).count() == 4
    assert Transcript.objects.filter(study=other).count() == 2


def test_codebook_round_trip(coded, lead, upch, upch_coordinator):
    other = _new_study(upch, upch_coordinator, lead)
    report = refi.codebook_import(actor=lead, study=other, data=refi.codebook_qdc(coded))
    assert report.codes == 4 and report.not_taken == []
    assert {(p, d, g) for p, d, g, _m in _tree(other)} == {
        (p, d, g) for p, d, g, _m in _tree(coded)
    }


# ---------------------------------------------------------------- other programs' files

U1, U2 = "3f1c1d2e-0a4b-4c5d-8e6f-7a8b9c0d1e2f", "{9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D}"
C_RISK = "aa000001-0000-4000-8000-000000000001"
C_ALCOHOL = "aa000001-0000-4000-8000-000000000002"
C_PROTECT = "aa000001-0000-4000-8000-000000000003"
SRC = "bb000001-0000-4000-8000-000000000001"
PDF = "bb000001-0000-4000-8000-000000000002"
NOTE = "cc000001-0000-4000-8000-000000000001"
QC_TEXT = "Entrevista 3, Iquitos.\r\nP: Tomaba con los amigos cada sábado; ahí empezaban los problemas.\r\nP: Mi abuela me enseñó a respetar."


def _qualcoder_qdpx(text: str = QC_TEXT, *, start_word="Tomaba", end_word="problemas.") -> bytes:
    start = text.index(start_word)
    end = text.index(end_word) + len(end_word)
    second = text.index("Mi abuela")
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 name="Tesis Iquitos" origin="QualCoder 3.5" creatingUserGUID="{U1}">
<Users>
<User guid="{U1}" name="ana"/>
<User guid="{U2}" name="beto"/>
</Users>
<CodeBook><Codes>
<Code guid="{C_RISK}" name="Factores de riesgo" isCodable="true" color="#F00">
<Description>Lo que aumenta la probabilidad de ejercer violencia.</Description>
<Code guid="{C_ALCOHOL}" name="Consumo de alcohol" isCodable="true"/>
</Code>
<Code guid="{C_PROTECT}" name="Factores protectores" isCodable="true"/>
</Codes></CodeBook>
<Sources>
<TextSource guid="{SRC}" name="Entrevista 3.txt" plainTextPath="internal://{SRC}.txt" creatingUser="{U1}">
<PlainTextSelection guid="dd000001-0000-4000-8000-000000000001" startPosition="{start}" endPosition="{end}" creatingUser="{U1}">
<Coding guid="ee000001-0000-4000-8000-000000000001" creatingUser="{U1}"><CodeRef targetGUID="{C_ALCOHOL}"/></Coding>
<NoteRef targetGUID="{NOTE}"/>
</PlainTextSelection>
<PlainTextSelection guid="dd000001-0000-4000-8000-000000000002" startPosition="{second}" endPosition="{len(text)}" creatingUser="{U2}">
<Coding guid="ee000001-0000-4000-8000-000000000002" creatingUser="{U2}"><CodeRef targetGUID="{C_PROTECT.upper()}"/></Coding>
<Coding guid="ee000001-0000-4000-8000-000000000003" creatingUser="{U2}"><CodeRef targetGUID="ff000001-0000-4000-8000-000000000009"/></Coding>
</PlainTextSelection>
</TextSource>
<PDFSource guid="{PDF}" name="Informe municipal.pdf" path="internal://{PDF}.pdf"/>
</Sources>
<Notes>
<Note guid="{NOTE}" name="memo" creatingUser="{U1}"><PlainTextContent>El alcohol como excusa, según él.</PlainTextContent></Note>
</Notes>
<Sets>
<Set guid="ab000001-0000-4000-8000-000000000001" name="Riesgo"><MemberCode targetGUID="{C_RISK}"/></Set>
</Sets>
</Project>
"""
    return _zip(
        {
            "project.qde": qde.encode("utf-8"),
            # QualCoder writes its text files with a byte-order mark.
            f"Sources/{SRC}.txt": text.encode("utf-8-sig"),
            f"Sources/{PDF}.pdf": b"%PDF-1.4 not really",
        }
    )


def test_qualcoder_project_is_taken_with_the_pdf_and_the_set_reported(study, lead):
    PROJECT_XSD.validate(io.BytesIO(_qde(_qualcoder_qdpx())))  # the fixture is a valid file
    report = refi.project_import(actor=lead, study=study, data=_qualcoder_qdpx())

    assert (report.codes, report.sources, report.codings, report.notes, report.users) == (
        3,
        1,
        2,
        1,
        2,
    )
    sentences = " ".join(report.not_taken)
    assert "Informe municipal.pdf" in sentences and "PDF" in sentences
    assert any("set" in s.lower() or "conjunto" in s.lower() for s in report.not_taken)
    assert any("1 " in s and ("code" in s or "código" in s) for s in report.not_taken)

    risk = Code.objects.get(study=study, guid=uuid.UUID(C_RISK))
    alcohol = Code.objects.get(study=study, guid=uuid.UUID(C_ALCOHOL))
    assert alcohol.parent == risk and risk.color.lower() == "#ff0000"
    assert risk.definition.startswith("Lo que aumenta")
    transcript = Transcript.objects.get(study=study)
    # The text as written: the BOM dropped, the Windows line ends kept.
    assert transcript.text == QC_TEXT and transcript.event is None
    assert transcript.name == "Entrevista 3.txt" and transcript.turns.exists()
    coding = Coding.objects.get(transcript=transcript, code=alcohol)
    assert transcript.text[coding.start : coding.end] == (
        "Tomaba con los amigos cada sábado; ahí empezaban los problemas."
    )
    assert coding.memo == "El alcohol como excusa, según él." and coding.final
    assert coding.coder == lead
    protective = Coding.objects.get(transcript=transcript, code__guid=uuid.UUID(C_PROTECT))
    assert transcript.text[protective.start : protective.end] == "Mi abuela me enseñó a respetar."


def test_inline_text_and_outside_files(study, lead):
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="NVivo" origin="NVivo 14">
<CodeBook><Codes><Code guid="{C_RISK}" name="Riesgo" isCodable="true"/></Codes></CodeBook>
<Sources>
<TextSource guid="{SRC}" name="Grupo focal"><PlainTextContent>Moderador: ¿Qué es ser hombre? 🧔</PlainTextContent>
<PlainTextSelection guid="dd000001-0000-4000-8000-000000000001" startPosition="11" endPosition="32">
<Coding guid="ee000001-0000-4000-8000-000000000001"><CodeRef targetGUID="{C_RISK}"/></Coding>
</PlainTextSelection>
</TextSource>
<TextSource guid="{PDF}" name="Entrevista externa" plainTextPath="relative:///Entrevista.txt"/>
<AudioSource guid="bb000001-0000-4000-8000-000000000003" name="Audio 1.m4a" path="relative:///a.m4a"/>
</Sources>
</Project>"""
    report = refi.project_import(actor=lead, study=study, data=_zip({"project.qde": qde.encode()}))
    assert (report.sources, report.codings) == (1, 1)
    coding = Coding.objects.get(transcript__study=study)
    assert coding.transcript.text[coding.start : coding.end] == "¿Qué es ser hombre? 🧔"
    sentences = " ".join(report.not_taken)
    assert "Entrevista externa" in sentences and "Audio 1.m4a" in sentences


NVIVO_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14.23.0">
  <Codes>
    <Code guid="{5B2C1E77-0D9A-4F3B-9C1E-6A7B8C9D0E1F}" name="Socialización de género" isCodable="true" color="#3366CC">
      <Description>Cómo se aprende a ser hombre en la familia y el barrio.</Description>
      <Code guid="7C4D2E88-1EAB-4A4C-8D2F-7B8C9D0E1F20" name="Padre ausente" isCodable="true">
        <Description>El padre no está o no participa en la crianza.</Description>
      </Code>
      <Code guid="8D5E3F99-2FBC-4B5D-9E30-8C9D0E1F2031" name="Pares y calle" isCodable="false"/>
    </Code>
    <Code guid="9E6F40AA-3ACD-4C6E-8F41-9D0E1F203142" name="Tolerancia social" isCodable="true"/>
  </Codes>
  <Sets>
    <Set guid="AF7051BB-4BDE-4D7F-9052-0E1F20314253" name="Familia">
      <MemberCode guid="7C4D2E88-1EAB-4A4C-8D2F-7B8C9D0E1F20"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_nvivo_codebook_is_taken_and_merged(study, lead):
    CODEBOOK_XSD.validate(io.BytesIO(NVIVO_QDC.encode()))  # the fixture is a valid file
    report = refi.codebook_import(actor=lead, study=study, data=NVIVO_QDC.encode("utf-8"))
    assert (report.codes, report.codes_matched) == (4, 0)
    assert len(report.not_taken) == 1  # the set
    top = Code.objects.get(study=study, guid=uuid.UUID("5b2c1e77-0d9a-4f3b-9c1e-6a7b8c9d0e1f"))
    assert top.name == "Socialización de género" and top.color == "#3366CC"
    assert {c.name for c in top.children.all()} == {"Padre ausente", "Pares y calle"}
    assert top.children.get(name="Padre ausente").definition.startswith("El padre")
    # The same codebook again: every code is already there.
    again = refi.codebook_import(actor=lead, study=study, data=NVIVO_QDC.encode("utf-8"))
    assert (again.codes, again.codes_matched) == (0, 4)
    assert Code.objects.filter(study=study).count() == 4


def test_a_code_with_the_same_name_under_the_same_parent_is_merged(study, lead):
    mine = code_create(actor=lead, study=study, name="tolerancia social", definition="Mía.")
    report = refi.codebook_import(actor=lead, study=study, data=NVIVO_QDC.encode("utf-8"))
    assert (report.codes, report.codes_matched) == (3, 1)
    mine.refresh_from_db()
    assert mine.definition == "Mía."


# ---------------------------------------------------------------- bad files


BILLION_LAUGHS = b"""<?xml version="1.0"?>
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
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>
"""


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


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"hello, not a zip", "ZIP"),
        (_zip({"Sources/a.txt": b"hola"}), "project.qde"),
        (_zip({"project.qde": b"<Project xmlns='urn:QDA-XML:project:1.0' name='x'"}), "XML"),
        (_zip({"project.qde": BILLION_LAUGHS}), "entit"),
        (_zip({"project.qde": b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>"}), "Project"),
        (_zip({f"f{i}.txt": b"" for i in range(refi.ZIP_MAX_ENTRIES + 1)}), "2000"),
    ],
    ids=["not-a-zip", "no-project", "malformed", "billion-laughs", "wrong-root", "entries"],
)
def test_bad_project_files_are_refused_whole(study, lead, data, words):
    with pytest.raises(ApplicationError) as refused:
        refi.project_import(actor=lead, study=study, data=data)
    assert type(refused.value) is ApplicationError
    assert words in str(refused.value)
    assert refused.value.extra == {"field": "file"}
    _nothing_written(study)


def test_a_zip_bomb_is_refused(study, lead):
    with pytest.raises(ApplicationError, match="500 MB"):
        refi.project_import(actor=lead, study=study, data=_bomb())
    _nothing_written(study)


def test_a_bomb_lying_about_its_size_is_refused_while_read(study, lead, monkeypatch):
    # Even if the directory's sizes passed, reading stops at the limit.
    monkeypatch.setattr(refi_files, "ZIP_MAX_UNCOMPRESSED", 10 * 1024 * 1024)
    archive = refi_files._Archive.__new__(refi_files._Archive)
    archive.zip = zipfile.ZipFile(io.BytesIO(_bomb()))
    archive.budget = refi_files.ZIP_MAX_UNCOMPRESSED
    with pytest.raises(ApplicationError, match="500 MB"):
        archive.read(archive.zip.getinfo("project.qde"))


def test_a_too_large_upload_is_refused(study, lead, monkeypatch):
    monkeypatch.setattr(refi_files, "ZIP_MAX_BYTES", 1000)
    with pytest.raises(ApplicationError, match="100 MB"):
        refi.project_import(actor=lead, study=study, data=_qualcoder_qdpx() + b"\0" * 1000)
    _nothing_written(study)


def test_a_selection_beyond_the_text_refuses_the_file(study, lead):
    data = _qualcoder_qdpx(QC_TEXT)
    short = QC_TEXT[: QC_TEXT.index("Mi abuela") + 5]  # the second selection now overruns
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries[f"Sources/{SRC}.txt"] = short.encode("utf-8")
    with pytest.raises(ApplicationError) as refused:
        refi.project_import(actor=lead, study=study, data=_zip(entries))
    assert "Entrevista 3.txt" in str(refused.value)
    assert str(len(short)) in str(refused.value)
    _nothing_written(study)


@pytest.mark.parametrize(
    "data",
    [
        b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>",
        BILLION_LAUGHS.replace(b"Project", b"CodeBook"),
        b"not xml at all",
    ],
    ids=["malformed", "billion-laughs", "text"],
)
def test_bad_codebook_files_are_refused(study, lead, data):
    with pytest.raises(ApplicationError) as refused:
        refi.codebook_import(actor=lead, study=study, data=data)
    assert ".qdc" in str(refused.value)
    _nothing_written(study)


def test_a_codebook_giving_one_guid_to_two_codes_is_refused(study, lead):
    data = NVIVO_QDC.replace(
        "9E6F40AA-3ACD-4C6E-8F41-9D0E1F203142", "7C4D2E88-1EAB-4A4C-8D2F-7B8C9D0E1F20"
    )
    with pytest.raises(ApplicationError, match="GUID"):
        refi.codebook_import(actor=lead, study=study, data=data.encode())
    _nothing_written(study)


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["coder", "researcher", "upch_coordinator", "stranger"])
def test_only_the_lead_exports_or_imports(coded, who, request):
    user = request.getfixturevalue(who)
    before = AuditEvent.objects.filter(action__in=["export", "import"]).count()
    with pytest.raises(PermissionDeniedError):
        refi.project_qdpx(study=coded, user=user)
    with pytest.raises(PermissionDeniedError):
        refi.project_import(actor=user, study=coded, data=_qualcoder_qdpx())
    with pytest.raises(PermissionDeniedError):
        refi.codebook_import(actor=user, study=coded, data=NVIVO_QDC.encode())
    assert AuditEvent.objects.filter(action__in=["export", "import"]).count() == before
    assert Transcript.objects.filter(study=coded).count() == 1
    assert Code.objects.filter(study=coded).count() == 4
