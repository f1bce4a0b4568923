"""REFI-QDA exchange (QDA-XML 1.0, issue 12): a study's codebook as a ``.qdc`` and its
project as a ``.qdpx`` (a ZIP holding ``project.qde`` and ``Sources/<guid>.txt``), and
the way back from QualCoder, NVivo, ATLAS.ti or MAXQDA.

Export (``codebook_qdc``, ``project_qdpx``)
- Written with the standard's namespaces and checked against its XSDs
  (``data/refi/``) before being handed out: a file that fails is a bug, raised.
- GUIDs are stable: codes, transcripts and codings keep their own; selections, notes,
  cases and variables get one derived (uuid5) from the row they stand for; users one
  derived from their id, never stored.
- The project holds the transcripts the exporting lead reads (``selectors``), the
  codebook with the codes' memos as notes (``Code/NoteRef``), and the FINAL codings
  (single-coded, or merged after double coding), one ``PlainTextSelection`` per coding
  with its memo as a note (``NoteRef``). Positions count characters (code points) of the
  text exactly as the ``.txt`` holds it. Participants are cases with their site and age
  group as variables. No container is ever written empty (``<Sets/>`` is invalid).
- Only the study's lead exports the project; the audit row holds counts, never text.

Import (``codebook_import``, ``project_import``: the lead only, one transaction)
- The codebook is MERGED into the study's: a code of the file whose GUID is already in
  the study, or whose name (case aside) already sits under the same parent, is that code
  (its name and definition stay as they are; its memo is filled only if empty); any other
  code is created with the file's GUID, under its parent. So a codebook, then a project
  using it, can be imported one after the other, and a project exported by Cascada goes
  back into a new study with the same GUIDs.
- Each text source becomes a new transcript (no interview or focus group behind it),
  split into turns. Its text is taken as written in the file: a leading byte-order mark
  is dropped and nothing else is touched (no normalisation, line ends kept as they are),
  so that the file's positions keep pointing at the same characters.
- Each coded selection becomes a final coding by the importing lead (the file's users
  are not accounts here: they are counted and reported), with its notes as the memo.
- What is not taken is said, in the user's language: PDF, picture, audio and video
  sources; sources whose text lives outside the file (``relative://``, absolute paths)
  or cannot be read; sets, graphs, links, cases and variables; codings of whole sources;
  selections without a code or whose code the file does not define; notes linked to
  nothing taken.
- What makes the file untrustworthy refuses it whole, nothing written: not a ZIP, no
  ``project.qde``, XML that is malformed or declares entities (billion laughs), a zip
  bomb (over 100 MB, 2,000 entries or 500 MB once decompressed), a selection outside
  its source's text or ending before it starts (the positions do not match the text, so
  none of the file's positions can be trusted), a GUID given to two codes.

Modules: ``export`` (writing), ``files`` (reading archives and XML within limits),
``codebook`` (merging a codebook; ``.qdc`` import), ``project`` (``.qdpx`` import).
"""

from __future__ import annotations

from .codebook import ImportReport, codebook_import
from .export import NS_CODEBOOK, NS_PROJECT, codebook_qdc, project_qdpx, user_guid
from .files import ZIP_MAX_BYTES, ZIP_MAX_ENTRIES, ZIP_MAX_UNCOMPRESSED
from .project import project_import

__all__ = [
    "NS_CODEBOOK",
    "NS_PROJECT",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_ENTRIES",
    "ZIP_MAX_UNCOMPRESSED",
    "ImportReport",
    "codebook_import",
    "codebook_qdc",
    "project_import",
    "project_qdpx",
    "user_guid",
]
