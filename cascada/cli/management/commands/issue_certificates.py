"""`cascada issue_certificates --cohort ID --as USERNAME [--pdf-dir DIR]`"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from cascada.accounts.roles import Cap
from cascada.cli.common import CascadaCommand, int_or_error
from cascada.core.errors import NotFoundError
from cascada.trainings.selectors import cohort_get
from cascada.trainings.services import certificate_download, certificates_issue_for_cohort


class Command(CascadaCommand):
    help = "Issue certificates to everyone who completed a cohort, optionally as PDF files."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--cohort", required=True, help="Id of the cohort.")
        parser.add_argument("--pdf-dir", help="Write one PDF per certificate into this folder.")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("CASCADA_BASE_URL", "http://127.0.0.1:8000"),
            help="Site address printed in the QR code of each PDF.",
        )

    def run(self, user: Any, **options: Any) -> None:
        cohort_id = int_or_error(options["cohort"], "--cohort")
        cohort = cohort_get(user=user, pk=cohort_id, cap=Cap.ISSUE_CERTIFICATES)
        pdf_dir = Path(options["pdf_dir"]) if options.get("pdf_dir") else None
        if pdf_dir is not None and not pdf_dir.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": pdf_dir})
        certificates = certificates_issue_for_cohort(actor=user, cohort=cohort)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)s certificates for cohort %(cohort)s.")
                % {"n": len(certificates), "cohort": cohort.name}
            )
        )
        if pdf_dir is None or not certificates:
            return
        try:
            module = importlib.import_module("cascada.trainings.certificate_pdf")
        except ImportError:
            raise CommandError(
                _("PDF certificates are not available in this installation.")
            ) from None
        del module  # the PDF itself comes from the one certificate service
        unnamed = []
        for certificate in certificates:
            try:
                # One rule for web, API and CLI: who may download, whose name is printed,
                # and the audit row (trainings.services.certificate_download).
                pdf = certificate_download(
                    actor=user, certificate=certificate, base_url=options["base_url"]
                )
            except NotFoundError:
                unnamed.append(certificate.enrolment.person.code)
                continue
            (pdf_dir / f"{certificate.code}.pdf").write_bytes(pdf)
        if unnamed:
            self.stderr.write(
                _("No PDF for %(codes)s: you may not read their names.")
                % {"codes": ", ".join(unnamed)}
            )
        self.stdout.write(_("PDFs written to %(path)s.") % {"path": pdf_dir})
