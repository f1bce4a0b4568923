"""`cascada person_erase --code CODE --as USERNAME --reason REASON`

Erase one person's personal data (ARCO cancellation, S14; docs/decisions/arco.md): the
same service as the web page and the API. Reasons: holder_request,
representative_request, authority_order, consent_withdrawn. Cannot be undone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from cascada.cli.common import CascadaCommand
from cascada.registry import arco, selectors


class Command(CascadaCommand):
    help = "Erase one person's personal data at their request (right of cancellation)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--code", required=True, help="The person's code.")
        parser.add_argument(
            "--reason",
            required=True,
            choices=sorted(arco.ERASE_REASONS),
            help="Why the personal data are erased.",
        )

    def run(self, user: Any, **options: Any) -> None:
        person = selectors.person_get(user=user, code=options["code"].strip().upper(), audit=False)
        removed = arco.person_erase(actor=user, person=person, reason=options["reason"])
        self.stdout.write(
            _("Personal data erased. Removed: %(what)s.")
            % {"what": ", ".join(f"{k} {v}" for k, v in sorted(removed.items()) if v) or "—"}
        )
