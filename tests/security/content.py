"""Everything a response shows, as text, whatever its format (HTML, JSON, CSV, XLSX, PDF)."""

from __future__ import annotations

import io
import re
import zlib


def response_text(response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype or raw[:2] == b"PK":
        return _xlsx_text(raw)
    if "pdf" in ctype or raw[:5] == b"%PDF-":
        return _pdf_text(raw)
    return raw.decode("utf-8", errors="replace")


def _xlsx_text(raw: bytes) -> str:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    except Exception:  # not a workbook after all
        return raw.decode("utf-8", errors="replace")
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells.extend(str(v) for v in row if v is not None)
    return "\n".join(cells)


def _pdf_text(raw: bytes) -> str:
    parts = [raw.decode("latin-1")]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)
