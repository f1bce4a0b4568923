"""`cascada import_people FILE --organization ID --as USERNAME [--commit [--skip-errors]]`"""

from cascada.cli.imports import ImportCommand


class Command(ImportCommand):
    help = "Check (by default) or import people from a CSV or XLSX file."
    kind = "people"
