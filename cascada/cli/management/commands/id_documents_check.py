"""cascada id_documents_check --as USER: the people whose ID number breaks the rules of
its document (``registry.documents``), among those whose identity USER may read.

Numbers stored before the rules existed were kept by the data migration; this lists
them, by code, organization, document and reason (never the number), so that someone
with the card at hand corrects them (``/people/<id>/edit/``). Exit code 0 either way;
audited as one read.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cascada.cli.common import CascadaCommand
from cascada.registry.models import IdDocument
from cascada.registry.selectors import identity_document_problems_reveal


class Command(CascadaCommand):
    help = (
        "List the people (codes, never numbers) whose ID number breaks the rules of its "
        "document, among those whose identity the user may read."
    )

    def run(self, user: Any, **options: Any) -> None:
        problems = identity_document_problems_reveal(user=user)
        labels = dict(IdDocument.choices)
        for p in problems:
            self.stdout.write(
                f"{p.person.code}\t{p.person.organization}\t"
                f"{labels.get(p.id_document, p.id_document)}\t{p.message}"
            )
        if problems:
            self.stdout.write(
                ngettext(
                    "%(n)s person has an ID number to correct.",
                    "%(n)s people have an ID number to correct.",
                    len(problems),
                )
                % {"n": len(problems)}
            )
        else:
            self.stdout.write(_("Every ID number follows the rules of its document."))
