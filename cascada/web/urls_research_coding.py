"""Fieldwork, transcripts, coding, reliability, analysis and REFI-QDA of a study (issue 12).
Every object is a study, an event or a transcript by its id; the row a form acts on
(a coding, a code, a disagreement) travels in the POST body and is looked up among those
the user sees."""

from django.urls import path

import cascada.core.converters  # noqa: F401 (registers <id:>)

from .views import research_coding as coding
from .views import research_fieldwork as fieldwork
from .views import research_outputs as outputs

urlpatterns = [
    # interviews and focus groups
    path("studies/<id:pk>/events/", fieldwork.study_events, name="study_events"),
    path("events/<id:pk>/", fieldwork.event_detail, name="event_detail"),
    path("events/<id:pk>/audio/", fieldwork.event_audio, name="event_audio"),
    path("events/<id:pk>/audio/upload/", fieldwork.event_audio_upload, name="event_audio_upload"),
    path("events/<id:pk>/transcript/", fieldwork.event_transcript, name="event_transcript"),
    # a transcript: reading, coding, speakers, de-identification
    path("transcripts/<id:pk>/", coding.transcript_detail, name="transcript_detail"),
    path("transcripts/<id:pk>/code/", coding.transcript_code, name="transcript_code"),
    path(
        "transcripts/<id:pk>/codings/remove/",
        coding.transcript_coding_remove,
        name="transcript_coding_remove",
    ),
    path(
        "transcripts/<id:pk>/codings/memo/",
        coding.transcript_coding_memo,
        name="transcript_coding_memo",
    ),
    path(
        "transcripts/<id:pk>/double-coding/",
        coding.transcript_double_code,
        name="transcript_double_code",
    ),
    path(
        "transcripts/<id:pk>/speakers/", fieldwork.transcript_speakers, name="transcript_speakers"
    ),
    path(
        "transcripts/<id:pk>/deidentify/",
        fieldwork.transcript_deidentify,
        name="transcript_deidentify",
    ),
    path("transcripts/<id:pk>/merge/", outputs.transcript_merge, name="transcript_merge"),
    # the codebook
    path("studies/<id:pk>/codebook/", coding.study_codebook, name="study_codebook"),
    path("studies/<id:pk>/codebook/add/", coding.study_code_add, name="study_code_add"),
    path("studies/<id:pk>/codebook/edit/", coding.study_code_edit, name="study_code_edit"),
    path("studies/<id:pk>/codebook/delete/", coding.study_code_delete, name="study_code_delete"),
    path("studies/<id:pk>/codebook/memo/", coding.study_code_memo, name="study_code_memo"),
    path(
        "studies/<id:pk>/codebook/versions/",
        coding.study_codebook_version,
        name="study_codebook_version",
    ),
    # REFI-QDA
    path("studies/<id:pk>/codebook.qdc", outputs.study_refi_codebook, name="study_refi_codebook"),
    path("studies/<id:pk>/project.qdpx", outputs.study_refi_project, name="study_refi_project"),
    path("studies/<id:pk>/refi-import/", outputs.study_refi_import, name="study_refi_import"),
    # reliability and analysis
    path("studies/<id:pk>/reliability/", outputs.study_reliability, name="study_reliability"),
    path("studies/<id:pk>/analysis/", outputs.study_analysis, name="study_analysis"),
    path(
        "studies/<id:pk>/analysis/print/",
        outputs.study_analysis_print,
        name="study_analysis_print",
    ),
    path("studies/<id:pk>/analysis.xlsx", outputs.study_analysis_xlsx, name="study_analysis_xlsx"),
]
