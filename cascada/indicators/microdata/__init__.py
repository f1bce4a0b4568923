"""Anonymised microdata of a program (S18, issue 14): one row per participant, for an
analyst outside the organization (docs/decisions/microdata.md).

- ``export``: who may export (``microdata_program``), whether (``microdata_refusal``:
  court-ordered programs are refused), the export itself, audited
  (``microdata_export``), and its file (``microdata_bytes``);
- ``rows``: the rows read from the trainings, the cascade and the measurement, and the
  small-group rule (``protect``);
- ``codebook``: the columns, their meaning and values, in the reader's language.
"""

from .codebook import (
    FORMAT_CHOICES,
    LETTERS,
    NAMES,
    NONE,
    ORGANIZATION_CHOICES,
    codebook,
    codebook_headers,
    columns,
)
from .export import (
    Microdata,
    codebook_bytes,
    may_export_microdata,
    microdata_bytes,
    microdata_export,
    microdata_program,
    microdata_refusal,
    small_group_k,
)
from .rows import KEY, protect

__all__ = [
    "FORMAT_CHOICES",
    "KEY",
    "LETTERS",
    "NAMES",
    "NONE",
    "ORGANIZATION_CHOICES",
    "Microdata",
    "codebook",
    "codebook_bytes",
    "codebook_headers",
    "columns",
    "may_export_microdata",
    "microdata_bytes",
    "microdata_export",
    "microdata_program",
    "microdata_refusal",
    "protect",
    "small_group_k",
]
