"""`cascada import_attendance FILE --organization ID --as USERNAME [--commit [--skip-errors]]`"""

from cascada.cli.imports import ImportCommand


class Command(ImportCommand):
    help = "Check (by default) or import attendance from a CSV or XLSX file."
    kind = "attendance"
