"""`cascada person_export --code CODE --as USERNAME [--output FILE]`

Everything Cascada holds about one person, as JSON (ARCO access and portability, S14):
the same document as the person page's "Download as JSON". Audited as the user."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from cascada.cli.common import CascadaCommand, output_path
from cascada.registry import arco, selectors


class Command(CascadaCommand):
    help = "Write everything held about one person as JSON (right of access)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--code", required=True, help="The person's code.")
        parser.add_argument(
            "--output", help="File to write (default: the standard output)", default=""
        )

    def run(self, user: Any, **options: Any) -> None:
        person = selectors.person_get(user=user, code=options["code"].strip().upper(), audit=False)
        data = arco.person_export_reveal(actor=user, person=person)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if options["output"]:
            path = output_path(options["output"])
            path.write_text(text + "\n", encoding="utf-8")
            path.chmod(0o600)  # it holds the person's names and ID number
            self.stderr.write(
                _("Data of %(code)s written to %(path)s.") % {"code": person.code, "path": path}
            )
        else:
            self.stdout.write(text)
