"""cascada cascade_report --program ID [--format csv|csv_es|xlsx|table] [--output FILE]
[--language es|en]"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from cascada.cascade.exports import as_csv, as_table, as_xlsx, report_rows
from cascada.cascade.selectors import Scope, cascade_figures, figures_present
from cascada.imports.formats import DIALECTS
from cascada.trainings.models import Program


class Command(BaseCommand):
    help = "The cascade's figures for a program (operator access: exact counts)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--program", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "csv_es", "xlsx", "table"], default="table")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="es",
            help="Language of the headers and labels (default: es).",
        )
        parser.add_argument("--output", help="file to write (xlsx needs one, or stdout is binary)")

    def handle(self, *args: Any, **opts: Any) -> None:
        with translation.override(opts.get("language") or "es"):
            self._report(opts)

    def _report(self, opts: dict[str, Any]) -> None:
        program = Program.objects.filter(pk=opts["program"]).first()
        if program is None:
            raise CommandError("No such program.")
        sc = Scope(program=program)
        rows = report_rows(figures_present(cascade_figures(sc), sc), title=program.name)
        fmt = opts["format"]
        data: bytes = (
            as_csv(rows, DIALECTS[fmt])
            if fmt in DIALECTS
            else as_xlsx(rows)
            if fmt == "xlsx"
            else as_table(rows).encode()
        )
        if opts.get("output"):
            with open(opts["output"], "wb") as fh:
                fh.write(data)
        elif fmt == "table":
            self.stdout.write(data.decode())
        else:
            sys.stdout.buffer.write(data)
