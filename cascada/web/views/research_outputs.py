"""Outputs of formative research (issue 12, docs/decisions/research.md): inter-coder
reliability and the lead's merge, the analysis (framework matrix, co-occurrence, the two
generations) as a page, a printable page and an XLSX, and the REFI-QDA exchange (a
``.qdc`` codebook, a ``.qdpx`` project, and their import). Views adapt: the figures are
``research.analysis``, the files ``research.refi`` and ``research.exports``, who may do
what ``research.selectors``. Excerpts are the study's members' only (S3: 404 for anyone
else); downloads are attachments with a safe name, never cached."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cascada.audit.services import audit_record
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from cascada.research import analysis, exports, refi, selectors
from cascada.research.models import Code, Study, Transcript
from cascada.research.services import coding as coding_services

from ..idempotency import idempotent, saved
from .common import attachment, domain_errors, form_save
from .research_coding import CodebookPage, RefiImportForm, codebook_render, short
from .research_fieldwork import member_study

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- REFI-QDA exchange


def _lead_study(request: HttpRequest, pk: Any) -> Study:
    """A study the user may open, for its lead only: others who open the study get 403,
    everyone else 404."""
    study = selectors.study_get(user=request.user, pk=pk)
    if not selectors.is_lead(request.user, study):
        if selectors.is_member(request.user, study) or selectors.may_oversee(request.user, study):
            raise PermissionDenied
        raise NotFoundError()
    return study


def _file_stem(study: Study) -> str:
    """The study's short code as a file name: letters and digits only."""
    return "".join(ch for ch in study.code if ch.isascii() and ch.isalnum()) or "estudio"


@login_required
@require_GET
@domain_errors
def study_refi_codebook(request: HttpRequest, pk: int) -> HttpResponse:
    """The codebook as a REFI-QDA ``.qdc`` (the lead)."""
    study = _lead_study(request, pk)
    try:
        data = refi.codebook_qdc(study)
    except ApplicationError as problem:
        messages.error(request, str(problem))
        return redirect("web:study_codebook", pk=study.pk)
    audit_record(actor=request.user, action="export", target=study, detail={"format": "qdc"})
    return attachment(data, "application/xml", f"libro-de-codigos-{_file_stem(study)}.qdc")


@login_required
@require_GET
@domain_errors
def study_refi_project(request: HttpRequest, pk: int) -> HttpResponse:
    """The project as a REFI-QDA ``.qdpx`` (the lead; the export audits itself)."""
    study = _lead_study(request, pk)
    try:
        data = refi.project_qdpx(study=study, user=request.user)
    except (NotFoundError, PermissionDeniedError):
        raise
    except ApplicationError as problem:
        messages.error(request, str(problem))
        return redirect("web:study_codebook", pk=study.pk)
    return attachment(data, "application/zip", f"proyecto-{_file_stem(study)}.qdpx")


@login_required
@idempotent
@require_POST
@domain_errors
def study_refi_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a ``.qdc`` codebook or a ``.qdpx`` project (the lead): the answer is the
    codebook page with the import's report (what was taken, and what was not)."""
    _lead_study(request, pk)
    page = CodebookPage(request, pk)
    form = RefiImportForm(request.POST, request.FILES)

    def import_file(data: dict[str, Any]) -> Any:
        project = data["file"][:2] == b"PK" and not data["codebook_only"]
        read = refi.project_import if project else refi.codebook_import
        return read(actor=request.user, study=page.study, data=data["file"])

    report = form_save(form, import_file)
    if report is not None:
        messages.success(request, _("File imported."))
        fresh = CodebookPage(request, pk)
        response = codebook_render(request, fresh, refi_report=report)
        return saved(response, reverse("web:study_codebook", kwargs={"pk": page.study.pk}))
    return codebook_render(request, page, {"refi": form}, status=400)


# ---------------------------------------------------------------- reliability and the merge


def disagreement_rows(transcript: Transcript, codes: dict[int, Code]) -> list[dict[str, Any]]:
    """Each disagreement of a double-coded transcript (a code some coders applied in a
    turn and others did not) with the turn's words and who applied it."""
    pairs = coding_services.disagreements(transcript)
    if not pairs:
        return []
    text = transcript.text
    turns = {t.pk: t for t in transcript.turns.all()}
    blind = list(transcript.codings.filter(final=False).select_related("coder"))
    coders: dict[int, str] = {
        c.coder_id: c.coder.get_username()
        for c in blind
        if c.coder_id is not None and c.coder is not None
    }
    rows = []
    for turn_id, code_id in pairs:
        turn = turns[turn_id]
        applied = {
            c.coder_id
            for c in blind
            if c.coder_id is not None
            and c.code_id == code_id
            and c.start < turn.end
            and turn.start < c.end
        }
        rows.append(
            {
                "key": f"d_{turn_id}_{code_id}",
                "turn": turn,
                "code": codes.get(code_id),
                "excerpt": short(" ".join(text[turn.start : turn.end].split()), 300),
                "by": [coders[u] for u in sorted(applied) if u in coders],
                "not_by": [coders[u] for u in sorted(coders) if u not in applied],
            }
        )
    return rows


@login_required
@require_GET
@domain_errors
def study_reliability(request: HttpRequest, pk: int) -> HttpResponse:
    """Agreement of the coders per code and overall (members). Who applied which code in
    a disagreement is shown to the lead, and to the coders once the transcript is merged:
    before that they code blind."""
    study = member_study(request, pk)
    is_lead = selectors.is_lead(request.user, study)
    report = analysis.study_reliability(user=request.user, study=study)
    by_transcript = {
        r.transcript_id: r
        for r in analysis.reliability_by_transcript(user=request.user, study=study)
    }
    codes = {c.pk: c for c in selectors.code_list(user=request.user, study=study)}
    transcripts = []
    for transcript in selectors.transcript_list(user=request.user, study=study).filter(
        double_coded=True
    ):
        merged = transcript.merged_at is not None
        coders = coding_services.coders_of(transcript)
        shown = is_lead or merged
        rows = disagreement_rows(transcript, codes) if shown else []
        transcripts.append(
            {
                "t": transcript,
                "coders": len(coders),
                "overall": (
                    figures(by_transcript[transcript.pk].report.overall)
                    if transcript.pk in by_transcript
                    else None
                ),
                "rows": rows,
                "shown": shown,
                "count": len(rows),
                "merge": is_lead and not merged and len(coders) >= 2,
            }
        )
    return render(
        request,
        "web/research/coding_reliability.html",
        {
            "study": study,
            "report": report,
            "rows": [figures(r) for r in report.per_code] if report else [],
            "overall": figures(report.overall) if report else None,
            "transcripts": transcripts,
            "is_lead": is_lead,
        },
    )


def figures(line: Any) -> dict[str, Any]:
    """A line of agreement as the page shows it: agreement in per cent."""
    return {
        "code": line.code,
        "units": line.units,
        "agreement": None if line.agreement is None else line.agreement * 100,
        "kappa": line.kappa,
        "alpha": line.alpha,
        "disagreements": len(line.disagreements),
    }


@login_required
@idempotent
@require_POST
@domain_errors
def transcript_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead's decisions on each disagreement (keep or drop the code in that turn):
    the agreed codes become the transcript's final codings."""
    transcript = selectors.transcript_get(user=request.user, pk=pk)
    study = transcript.study
    if not selectors.is_lead(request.user, study):
        raise PermissionDenied
    decisions: dict[tuple[int, int], bool] = {}
    for turn_id, code_id in coding_services.disagreements(transcript):
        choice = request.POST.get(f"d_{turn_id}_{code_id}", "")
        if choice in ("keep", "drop"):
            decisions[(turn_id, code_id)] = choice == "keep"
    url = reverse("web:study_reliability", kwargs={"pk": study.pk}) + f"#t{transcript.pk}"
    try:
        written = coding_services.transcript_merge(
            actor=request.user, transcript=transcript, decisions=decisions
        )
    except ApplicationError as problem:
        messages.error(request, str(problem))
        return redirect(url)
    messages.success(
        request,
        ngettext(
            "Codings merged: %(n)s final coding written.",
            "Codings merged: %(n)s final codings written.",
            written,
        )
        % {"n": written},
    )
    return redirect(url)


# ---------------------------------------------------------------- analysis


def _analysis(request: HttpRequest, pk: Any) -> dict[str, Any]:
    study = member_study(request, pk)
    rollup = request.GET.get("rollup") == "1"
    user = request.user
    matrix = analysis.framework_matrix(user=user, study=study, rollup=rollup)
    co = analysis.cooccurrence(user=user, study=study)
    return {
        "study": study,
        "rollup": rollup,
        "matrix": matrix,
        "matrix_rows": [
            {
                "row": row,
                "depth": min(row.depth, 5),
                "cells": list(zip(matrix.columns, row.cells, strict=True)),
            }
            for row in matrix.rows
        ],
        "co": co,
        "co_rows": [
            {"code": code, "depth": min(depth, 5), "counts": list(counts), "i": i}
            for i, (code, depth, counts) in enumerate(
                zip(co.codes, co.depths, co.counts, strict=True)
            )
        ],
        "generations": analysis.generations(user=user, study=study, rollup=rollup),
        "strata": list(study.strata.all()),
        "excerpts_per_cell": analysis.EXCERPTS_PER_CELL,
    }


@login_required
@require_GET
@domain_errors
def study_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The framework matrix (codes × site · age group, excerpts in each cell), the
    co-occurrence of codes, the two generations compared (members)."""
    return render(request, "web/research/analysis_detail.html", _analysis(request, pk))


@login_required
@require_GET
@domain_errors
def study_analysis_print(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "web/research/analysis_print.html", _analysis(request, pk))


@login_required
@require_GET
@domain_errors
def study_analysis_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The analysis as an XLSX workbook (members; the export audits itself)."""
    study = member_study(request, pk)
    data = exports.analysis_xlsx(user=request.user, study=study)
    return attachment(data, XLSX, f"analisis-{_file_stem(study)}.xlsx")
