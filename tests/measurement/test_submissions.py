"""Reading exports of a Cascada form from KoboToolbox and ODK Central, each file written
as the tool writes it (../shared/standards/FORMATS.md, sections 1 and 2): formats, group
prefixes, labels instead of names, edited submissions, bad rows and files that are not
exports at all."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from cascada.imports.parsers import Limits
from cascada.measurement.models import Instrument
from cascada.measurement.scoring import Spec
from cascada.measurement.shipped import GEM_ITEMS
from cascada.measurement.submissions import (
    FormLabels,
    RowProblem,
    label_key,
    parse_submissions,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
CODES = [code for code, *_ in GEM_ITEMS]
SPANISH = {code: es for code, _i, _en, _ew, es, _esw in GEM_ITEMS}
ENGLISH = {code: en for code, _i, en, _ew, _es, _esw in GEM_ITEMS}
KOBO_META = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "meta/rootUuid",
    "_index",
]
ODK_META = [
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
# One answer per item, cycling through the scale: a man with mixed attitudes.
CYCLE = ["agree", "partly", "disagree"]
MIXED = {code: CYCLE[n % 3] for n, code in enumerate(CODES)}
ALL_AGREE = dict.fromkeys(CODES, "agree")
LABEL_ES = {"agree": "De acuerdo", "partly": "Parcialmente de acuerdo", "disagree": "En desacuerdo"}
LABEL_EN = {"agree": "Agree", "partly": "Partially agree", "disagree": "Do not agree"}


@pytest.fixture
def version():
    return Instrument.objects.get(code="gem", organization=None).versions.get()


@pytest.fixture
def spec(version):
    return Spec.of(version)


# ---------------------------------------------------------------- writing files


def kobo_csv(headers, rows, hxl=None):
    """As kpi writes it: ``;``, every cell quoted, CRLF, UTF-8 without BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    if hxl:
        writer.writerow(hxl)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


def odk_csv(headers, rows):
    """As ODK Central writes it (csv-stringify): ``,``, quoted only when needed, LF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode("utf-8")


def kobo_headers(group="items/", root=True, extra=()):
    meta = KOBO_META if root else [m for m in KOBO_META if m != "meta/rootUuid"]
    return [
        "start",
        "end",
        "consent",
        "participant_code",
        *extra,
        *[group + code for code in CODES],
        "cascada_round",
        *meta,
    ]


def kobo_row(n, code, answers, group="items/", consent="yes", **meta):
    uuid = meta.pop("uuid", f"4858395{n}-bd8f-4f1a-9c51-5b6e1c0e2f0{n}")
    row = {
        "start": "2026-03-02T09:01:02.000-05:00",
        "end": "2026-03-02T09:12:40.000-05:00",
        "consent": consent,
        "participant_code": code,
        "cascada_round": "12",
        "_id": str(301000 + n),
        "_uuid": uuid,
        "_submission_time": f"2026-03-02T14:{n:02d}:19",
        "_validation_status": "",
        "_notes": "",
        "_status": "submitted_via_web",
        "_submitted_by": "encuestadora1",
        "__version__": "vQm8sDYtR6xqkzHh5bnWqN",
        "_tags": "",
        "meta/rootUuid": f"uuid:{uuid}",
        "_index": str(n),
    }
    row.update({group + k: v for k, v in answers.items()})
    row.update(meta)
    return row


def odk_headers(group="items-", self_code=False):
    respondent = ["code_mother", "code_day", "code_last", "self_code"]
    return [
        "SubmissionDate",
        "consent",
        *(respondent if self_code else ["participant_code"]),
        *[group + code for code in CODES],
        "cascada_round",
        "meta-instanceID",
        *ODK_META,
    ]


def odk_row(key, instance, code, answers, edits=0, group="items-", **meta):
    row = {
        "SubmissionDate": "2026-03-09T15:20:41.318Z",
        "consent": "yes",
        "participant_code": code,
        "self_code": code,
        "cascada_round": "7",
        "meta-instanceID": instance,
        "KEY": key,
        "SubmitterID": "5",
        "SubmitterName": "tablet-huancayo-2",
        "AttachmentsPresent": "0",
        "AttachmentsExpected": "0",
        "Status": "",
        "ReviewState": "edited" if edits else "",
        "DeviceID": "collect:Xx8sVh2ZcQm1",
        "Edits": str(edits),
        "FormVersion": "2026030201",
    }
    row.update({group + k: v for k, v in answers.items()})
    row.update(meta)
    return row


def problem(row, column, code, value="", **params):
    return RowProblem(row, column, code, value, {"value": value, **params})


# ---------------------------------------------------------------- KoboToolbox


def test_kobo_csv_with_xml_values_groups_hxl_row_and_invisible_characters(spec):
    headers = kobo_headers(extra=["observaciones"])
    # The form's hxl column tags some questions: kpi writes them as a second header row.
    tags = {"participant_code": "#respondee+code", "items/gem_decides_sex": "#indicator+gem"}
    hxl = [tags.get(h, "") for h in headers]
    sloppy = {**ALL_AGREE, "gem_woman_home": "\u200bpartly\u00a0", "gem_gay_friend": ""}
    refused = dict.fromkeys(CODES, "")
    data = kobo_csv(
        headers,
        [
            kobo_row(1, "K7MQ0001", MIXED, observaciones="Todo bien; sin problemas"),
            kobo_row(2, "\u200bK7MQ0002\u00a0", sloppy),
            kobo_row(3, "K7MQ0003", refused, consent="no"),
        ],
        hxl=hxl,
    )
    assert data.startswith(b'"start";"end";"consent";"participant_code"')
    assert b"\r\n" in data and b'"#respondee+code"' in data

    result = parse_submissions(data, "Encuesta_GEM_-_all_versions_-_labels_-_2026-03-10.csv", spec)

    assert result.file_problem is None
    assert result.source == "kobo"
    assert result.problems == []
    assert result.ignored_columns == ["observaciones"]
    assert result.superseded_rows == []
    assert result.rows == 3
    assert result.columns["gem_decides_sex"] == "items/gem_decides_sex"
    assert result.columns["participant_code"] == "participant_code"
    first, second, third = result.submissions
    assert [s.row for s in result.submissions] == [3, 4, 5]  # header 1, HXL row 2
    assert first.source == "kobo"
    assert first.source_key == "48583951-bd8f-4f1a-9c51-5b6e1c0e2f01"  # meta/rootUuid
    assert first.instance_id == "48583951-bd8f-4f1a-9c51-5b6e1c0e2f01"  # _uuid
    assert first.submitted_at == dt.datetime(2026, 3, 2, 14, 1, 19, tzinfo=UTC)
    assert first.round_id == 12
    assert first.participant_code == "K7MQ0001"
    assert first.self_code == ""
    assert first.consent is True
    assert first.answers == MIXED
    assert second.participant_code == "K7MQ0002"
    expected = {**ALL_AGREE, "gem_woman_home": "partly"}
    del expected["gem_gay_friend"]  # blank: unanswered
    assert second.answers == expected
    assert third.consent is False
    assert third.answers == {}
    assert third.participant_code == "K7MQ0003"


def test_kobo_export_without_root_uuid_keys_on_uuid_and_an_edit_replaces_the_earlier_row(spec):
    headers = kobo_headers(root=False)
    old = kobo_row(1, "K7MQ0001", ALL_AGREE)
    data = kobo_csv(headers, [old, kobo_row(2, "K7MQ0002", MIXED)])
    result = parse_submissions(data, "gem.csv", spec)
    assert [s.source_key for s in result.submissions] == [
        "48583951-bd8f-4f1a-9c51-5b6e1c0e2f01",
        "48583952-bd8f-4f1a-9c51-5b6e1c0e2f02",
    ]

    # The same submission edited (new _uuid, same meta/rootUuid) in a file joined from
    # two exports: the later row is read, the earlier one is superseded, nobody is told.
    edited = kobo_row(
        9,
        "K7MQ0001",
        MIXED,
        **{"meta/rootUuid": "uuid:48583951-bd8f-4f1a-9c51-5b6e1c0e2f01"},
    )
    headers = kobo_headers()
    original = kobo_row(1, "K7MQ0001", ALL_AGREE)
    data = kobo_csv(headers, [original, kobo_row(2, "K7MQ0002", MIXED), edited, original | {}])
    result = parse_submissions(data, "gem.csv", spec)
    assert result.problems == []
    assert result.superseded_rows == [2, 4]
    assert [s.row for s in result.submissions] == [3, 5]
    assert result.submissions[1].answers == ALL_AGREE  # the last row of that key: row 5

    data = kobo_csv(headers, [original, kobo_row(2, "K7MQ0002", MIXED), edited])
    result = parse_submissions(data, "gem.csv", spec)
    assert result.superseded_rows == [2]
    assert result.problems == []
    latest = result.submissions[1]
    assert (latest.row, latest.participant_code, latest.answers) == (4, "K7MQ0001", MIXED)
    assert latest.source_key == "48583951-bd8f-4f1a-9c51-5b6e1c0e2f01"
    assert latest.instance_id == "48583959-bd8f-4f1a-9c51-5b6e1c0e2f09"


def test_kobo_labels_export_in_spanish_maps_headers_and_answers_back_to_codes(spec, version):
    # Kobo's default export ("Labels"): the form's Spanish labels (xlsform.py) as headers
    # and as values; metadata keep their names, and so does a calculate (no label).
    consent_label = (
        "¿Acepta responder este cuestionario? Algunas preguntas tratan sobre la violencia. "
        "Puede dejar preguntas sin responder y terminar cuando quiera."
    )
    code_label = "Código de participante"
    headers = [
        "start",
        "end",
        consent_label,
        code_label,
        *[SPANISH[c] for c in CODES],
        "cascada_round",
        *KOBO_META,
    ]
    spanish = {SPANISH[c]: LABEL_ES[v] for c, v in MIXED.items()}
    shouting = {SPANISH[c]: LABEL_ES[v].upper() for c, v in ALL_AGREE.items()}
    english = {SPANISH[c]: LABEL_EN[v] for c, v in MIXED.items()}
    rows = [
        kobo_row(1, "", {}, **{consent_label: "Sí, acepto", code_label: "K7MQ0101", **spanish}),
        kobo_row(2, "", {}, **{consent_label: "sí, ACEPTO", code_label: "K7MQ0102", **shouting}),
        kobo_row(3, "", {}, **{consent_label: "Yes, I agree", code_label: "K7MQ0103", **english}),
        kobo_row(
            4,
            "",
            {},
            **{
                consent_label: "Sí, acepto",
                code_label: "K7MQ0104",
                **spanish,
                SPANISH["gem_decides_sex"]: "en desacuérdo",  # a stray accent
                "_validation_status": "Approved",
            },
        ),
        kobo_row(5, "", {}, **{consent_label: "No acepto"}),
    ]
    data = kobo_csv(headers, rows)
    # The consent question's label is the form's to give; "Código de participante" is
    # known without it.
    labels = FormLabels.of(version, fields={consent_label: "consent"})

    result = parse_submissions(data, "GEM_etiquetas.csv", spec, labels)

    assert result.file_problem is None
    assert result.problems == []
    assert result.ignored_columns == []
    assert result.columns["gem_no_talk_sex"] == "¡De sexo no se habla, se hace!"
    assert result.columns["consent"] == consent_label
    assert result.columns["participant_code"] == code_label
    assert result.columns["cascada_round"] == "cascada_round"
    assert [s.participant_code for s in result.submissions] == [
        "K7MQ0101",
        "K7MQ0102",
        "K7MQ0103",
        "K7MQ0104",
        "",
    ]
    assert [s.consent for s in result.submissions] == [True, True, True, True, False]
    assert [s.round_id for s in result.submissions] == [12] * 5
    assert result.submissions[4].answers == {}
    assert result.submissions[0].answers == MIXED
    assert result.submissions[1].answers == ALL_AGREE
    assert result.submissions[2].answers == MIXED
    assert result.submissions[3].answers == {**MIXED, "gem_decides_sex": "disagree"}

    # Without the labels the questions are not found: the file says so, it does not guess.
    assert parse_submissions(data, "GEM_etiquetas.csv", spec).file_problem.code == "no_item_columns"
    # English question texts are headers too.
    en_headers = [
        ENGLISH.get(c, c) for c in ["consent", "participant_code", "cascada_round", *CODES]
    ]
    en_rows = [
        {"consent": "yes", "participant_code": "K7MQ0201", "cascada_round": "12"}
        | {ENGLISH[c]: LABEL_EN[v] for c, v in MIXED.items()}
    ]
    result = parse_submissions(kobo_csv(en_headers, en_rows), "gem.csv", spec, labels)
    assert result.problems == []
    assert result.submissions[0].answers == MIXED
    assert result.submissions[0].source_key == ""  # no metadata columns exported


def test_kobo_xlsx_reads_the_form_sheet_and_ignores_the_repeat_sheet(spec):
    workbook = Workbook()
    form = workbook.active
    form.title = "Encuesta GEM – línea de base"
    headers = kobo_headers(group="gem/")
    form.append(headers)
    for n, (code, answers) in enumerate([("K7MQ0001", MIXED), ("K7MQ0002", ALL_AGREE)], start=1):
        row = kobo_row(n, code, answers, group="gem/")
        row["_id"] = 301000 + n  # typed cells, as the UI's default XLSX export
        row["cascada_round"] = 12
        row["_index"] = n
        row["_submission_time"] = dt.datetime(2026, 3, 2, 14, n, 19)
        form.append([row.get(h, None) or None for h in headers])
    children = workbook.create_sheet("hijos")
    children.append(
        [
            "nombre_hijo",
            "edad_hijo",
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__id",
            "_submission__uuid",
            "_submission__submission_time",
            "_submission_meta/rootUuid",
        ]
    )
    children.append(["Luis", 4, 1, form.title, 1, 301001, "x", "2026-03-02T14:01:19", "uuid:x"])
    out = io.BytesIO()
    workbook.save(out)

    result = parse_submissions(out.getvalue(), "Encuesta_GEM.xlsx", spec)

    assert result.file_problem is None
    assert result.table == "Encuesta GEM – línea de base"
    assert result.source == "kobo"
    assert result.problems == []
    assert [s.row for s in result.submissions] == [2, 3]
    first = result.submissions[0]
    assert first.submitted_at == dt.datetime(2026, 3, 2, 14, 1, 19, tzinfo=UTC)
    assert first.round_id == 12
    assert first.answers == MIXED
    assert first.source_key == "48583951-bd8f-4f1a-9c51-5b6e1c0e2f01"
    assert result.submissions[1].answers == ALL_AGREE


def test_legacy_kobocat_csv_with_commas_and_na(spec):
    headers = ["consent", "participant_code", "cascada_round", *[f"gem/{c}" for c in CODES]]
    headers += ["_uuid", "_submission_time"]
    answers = {**MIXED, "gem_decides_sex": "n/a", "gem_woman_home": "N/A"}
    row = {"consent": "yes", "participant_code": "K7MQ0301", "cascada_round": "n/a"}
    row |= {f"gem/{c}": v for c, v in answers.items()}
    row |= {"_uuid": "0a1b2c", "_submission_time": "2015-06-01T10:00:00"}
    result = parse_submissions(odk_csv(headers, [row]), "legacy.csv", spec)
    assert result.problems == []
    sub = result.submissions[0]
    expected = {k: v for k, v in MIXED.items() if k not in ("gem_decides_sex", "gem_woman_home")}
    assert sub.answers == expected
    assert sub.round_id is None
    assert (sub.source, sub.source_key, sub.instance_id) == ("kobo", "0a1b2c", "0a1b2c")
    assert sub.submitted_at == dt.datetime(2015, 6, 1, 10, tzinfo=UTC)


# ---------------------------------------------------------------- ODK Central


def test_odk_csv_edited_submission_is_read_once_in_its_latest_version(spec):
    first = "uuid:6f0c2f61-7b1e-4c2b-a8a0-0d8f3f6b1a11"
    edit = "uuid:9d1e8a37-51a2-4f43-9a0b-2c1e5b3d7e22"
    other = "uuid:2b7f9c40-3e1d-4a6b-8f2c-7d9e0a1b2c33"
    headers = odk_headers()
    rows = [
        odk_row(first, first, "K7MQ0001", ALL_AGREE),
        odk_row(other, other, "K7MQ0002", MIXED, SubmissionDate="2026-03-09T16:00:00.000Z"),
        odk_row(first, edit, "K7MQ0001", MIXED, edits=1),
        odk_row(other, other, "K7MQ0002", MIXED, SubmissionDate="2026-03-09T16:00:00.000Z"),
    ]
    data = odk_csv(headers, rows)
    assert data.startswith(b"SubmissionDate,consent,participant_code,items-gem_decides_sex,")
    assert b"\r\n" not in data

    result = parse_submissions(data, "gem_linea_base.csv", spec)

    assert result.file_problem is None
    assert result.source == "odk"
    assert result.problems == []  # an edit and an exact repeat are not problems
    assert result.superseded_rows == [2, 3]
    assert result.ignored_columns == []
    assert result.columns["gem_decides_sex"] == "items-gem_decides_sex"
    assert [s.row for s in result.submissions] == [4, 5]
    edited, repeated = result.submissions
    assert edited.source == "odk"
    assert edited.source_key == first  # KEY: the first version's instanceID, kept for life
    assert edited.instance_id == edit  # meta-instanceID: this version
    assert edited.answers == MIXED
    assert edited.submitted_at == dt.datetime(2026, 3, 9, 15, 20, 41, 318000, tzinfo=UTC)
    assert edited.round_id == 7
    assert edited.consent is True
    assert repeated.source_key == other
    assert repeated.submitted_at == dt.datetime(2026, 3, 9, 16, tzinfo=UTC)

    # The most edited version wins even when it comes first.
    data = odk_csv(headers, [rows[2], rows[0]])
    result = parse_submissions(data, "gem_linea_base.csv", spec)
    assert result.superseded_rows == [3]
    assert [(s.row, s.instance_id) for s in result.submissions] == [(2, edit)]


def test_odk_anonymous_round_with_bare_names_and_self_codes(spec):
    headers = odk_headers(group="", self_code=True)
    rows = [
        odk_row("uuid:a1", "uuid:a1", "MA07S", MIXED, group="", code_mother="MA", code_day="7"),
        odk_row("uuid:a2", "uuid:a2", "RO23N", ALL_AGREE, group=""),
        odk_row("uuid:a3", "uuid:a3", "ma 07 s", ALL_AGREE, group=""),  # MA07S again
    ]
    result = parse_submissions(odk_csv(headers, rows), "gem.csv", spec)
    assert [(s.self_code, s.participant_code) for s in result.submissions] == [
        ("MA07S", ""),
        ("RO23N", ""),
    ]
    assert result.problems == [problem(4, "self_code", "duplicate_in_file", "ma 07 s", other=2)]
    assert result.ignored_columns == []  # the self-code's parts are the form's, not read
    assert result.columns["self_code"] == "self_code"
    assert result.columns["gem_decides_sex"] == "gem_decides_sex"


def test_odk_zip_reads_the_root_table_and_ignores_repeats_and_media(spec):
    key = "uuid:6f0c2f61-7b1e-4c2b-a8a0-0d8f3f6b1a11"
    root = odk_csv(odk_headers(), [odk_row(key, key, "K7MQ0001", MIXED)])
    repeat = odk_csv(
        ["nombre_hijo", "edad_hijo", "PARENT_KEY", "KEY"],
        [
            {
                "nombre_hijo": "Luis",
                "edad_hijo": "4",
                "PARENT_KEY": key,
                "KEY": f"{key}/hijos[1]",
            }
        ],
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        # The form id holds a dash, like the repeat files' separator.
        archive.writestr("gem-linea-base-hijos.csv", repeat)
        archive.writestr("gem-linea-base.csv", root)
        archive.writestr("media/1741533641318.jpg", b"\xff\xd8\xff\xe0 not really a photo")

    result = parse_submissions(out.getvalue(), "gem-linea-base.csv.zip", spec)

    assert result.file_problem is None
    assert result.table == "gem-linea-base.csv"
    assert result.source == "odk"
    assert result.problems == []
    assert [(s.row, s.source_key, s.answers) for s in result.submissions] == [(2, key, MIXED)]


def test_odk_row_exported_encrypted_is_reported(spec):
    headers = odk_headers()
    rows = [
        odk_row("uuid:e1", "", "", {}, Status="not decrypted", consent="", cascada_round=""),
        odk_row("uuid:e2", "uuid:e2", "K7MQ0002", MIXED),
    ]
    result = parse_submissions(odk_csv(headers, rows), "gem.csv", spec)
    assert result.problems == [
        problem(2, "Status", "not_decrypted", "not decrypted"),
        problem(2, "participant_code", "no_respondent"),
    ]
    assert [s.row for s in result.submissions] == [3]


# ---------------------------------------------------------------- bad rows


def test_bad_rows_are_reported_and_kept_out_whole(spec):
    headers = kobo_headers()
    rows = [
        kobo_row(1, "K7MQ0001", MIXED),
        kobo_row(2, "K7MQ0002", {**MIXED, "gem_final_word": "tal vez"}),
        kobo_row(3, "", MIXED),
        kobo_row(4, "K7MQ0004", MIXED, _submission_time="ayer a las 3"),
        kobo_row(5, "K7MQ0005", MIXED, cascada_round="línea base"),
        kobo_row(6, "K7MQ0006", MIXED, consent="quizás"),
        kobo_row(7, "k7mq 0001", ALL_AGREE),  # K7MQ0001 again, another submission
        kobo_row(8, "K7MQ0008", {**MIXED, "gem_gay_friend": "x" * 50}),
        kobo_row(9, "K7MQ0009", {}, consent="no"),
        kobo_row(10, "K7MQ0009", MIXED),  # refused, then answered: not a duplicate
    ]
    result = parse_submissions(kobo_csv(headers, rows), "gem.csv", spec)

    assert result.file_problem is None
    assert result.problems == [
        problem(3, "items/gem_final_word", "unknown_option", "tal vez", item="gem_final_word"),
        problem(4, "participant_code", "no_respondent"),
        problem(5, "_submission_time", "bad_submission_date", "ayer a las 3"),
        problem(6, "cascada_round", "bad_round", "línea base"),
        problem(7, "consent", "bad_consent", "quizás"),
        problem(8, "participant_code", "duplicate_in_file", "k7mq 0001", other=2),
        problem(9, "items/gem_gay_friend", "unknown_option", "x" * 29 + "…", item="gem_gay_friend"),
    ]
    assert [s.row for s in result.submissions] == [2, 10, 11]
    assert result.submissions[1].consent is False


def test_one_row_with_several_problems_reports_each(spec):
    rows = [kobo_row(1, "", {**MIXED, "gem_decides_sex": "no sé", "gem_woman_home": "sí"})]
    result = parse_submissions(kobo_csv(kobo_headers(), rows), "gem.csv", spec)
    assert [(p.row, p.code, p.column) for p in result.problems] == [
        (2, "no_respondent", "participant_code"),
        (2, "unknown_option", "items/gem_decides_sex"),
        (2, "unknown_option", "items/gem_woman_home"),
    ]
    assert result.submissions == []


# ---------------------------------------------------------------- bad files


def test_files_that_are_not_exports(spec):
    def code(data, name="export.csv", **kw):
        found = parse_submissions(data, name, spec, **kw).file_problem
        return found.code if found else None

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert code(png, "foto.png") == "not_a_table"
    assert code(b"") == "empty_file"
    assert code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "gem.xls") == "old_xls"
    assert code(b"Hola, esto es una carta\r\nno una tabla\r\n") == "no_item_columns"
    assert code(b"PK\x03\x04 broken", "submissions.csv.zip") == "bad_zip"
    assert code(b"PK\x03\x04 broken", "gem.xlsx") == "bad_xlsx"
    assert code(kobo_csv(kobo_headers(), [])) == "no_rows"
    data = kobo_csv(kobo_headers(), [kobo_row(1, "K7MQ0001", MIXED)])
    assert code(data, limits=Limits(max_bytes=100)) == "file_too_large"
    no_code = kobo_csv([f"grupo/{c}" for c in CODES], [{"items/gem_decides_sex": "agree"}])
    assert code(no_code) == "no_respondent_column"
    twice = kobo_csv(
        ["participant_code", "a/gem_decides_sex", "b/gem_decides_sex"],
        [{"participant_code": "P-1", "a/gem_decides_sex": "agree"}],
    )
    result = parse_submissions(twice, "gem.csv", spec)
    assert result.file_problem.code == "duplicate_columns"
    assert result.file_problem.params == {"columns": "a/gem_decides_sex, b/gem_decides_sex"}
    assert result.submissions == [] and result.problems == []

    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("media/foto.jpg", b"\xff\xd8")
    assert code(empty_zip.getvalue(), "submissions.csv.zip") == "zip_no_table"
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("gem.csv", b"SubmissionDate,KEY\n")
        archive.writestr("dhs.csv", b"SubmissionDate,KEY\n")
    result = parse_submissions(two.getvalue(), "two.zip", spec)
    assert result.file_problem.code == "zip_many_tables"
    assert result.file_problem.params == {"files": "gem.csv, dhs.csv"}


def test_cp1252_csv_is_read(spec):
    headers = ["participant_code", "consent", "observaciones", *[f"grupo/{c}" for c in CODES]]
    row = {"participant_code": "K7MQ0501", "consent": "Sí", "observaciones": "Año difícil"} | {
        f"grupo/{c}": v for c, v in MIXED.items()
    }
    data = kobo_csv(headers, [row]).decode("utf-8").encode("cp1252")
    result = parse_submissions(data, "gem.csv", spec)
    assert result.problems == []
    assert result.submissions[0].participant_code == "K7MQ0501"
    assert result.submissions[0].consent is True
    assert result.ignored_columns == ["observaciones"]


def test_a_kobo_csv_saved_again_by_excel_with_a_bom_and_invisible_characters_in_headers(spec):
    # Excel in a Spanish locale: BOM, ";" kept, quotes only where needed, cells padded.
    headers = ["\ufeffparticipant_code", "consent", "cascada_round"]
    headers += [f"grupo/{c}\u200b" for c in CODES]
    lines = [";".join(headers)]
    values = ["\u00a0K7MQ0401 ", "Sí", "12", *[f" {MIXED[c]}\u2060" for c in CODES]]
    lines.append(";".join(values))
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    result = parse_submissions(data, "gem (1).csv", spec)
    assert result.file_problem is None
    assert result.problems == []
    assert result.columns["participant_code"] == "participant_code"
    assert result.columns["gem_decides_sex"] == "grupo/gem_decides_sex"
    sub = result.submissions[0]
    assert (sub.participant_code, sub.consent, sub.round_id) == ("K7MQ0401", True, 12)
    assert sub.answers == MIXED
    assert (sub.source_key, sub.instance_id, sub.submitted_at) == ("", "", None)


def test_label_key_ignores_case_accents_and_punctuation():
    assert label_key("¡De sexo no se habla, se hace!") == "de sexo no se habla se hace"
    assert label_key("  EN DESACUERDO\u00a0") == "en desacuerdo"
    assert label_key("Don't know") == label_key("dont_know") == "dont know"
