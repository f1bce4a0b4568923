"""`cascada import_enrolments FILE --organization ID --as USERNAME [--commit [--skip-errors]]`"""

from cascada.cli.imports import ImportCommand


class Command(ImportCommand):
    help = "Check (by default) or import enrolments from a CSV or XLSX file."
    kind = "enrolments"
