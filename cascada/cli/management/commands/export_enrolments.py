"""`cascada export_enrolments --as USERNAME --format csv|xlsx --output FILE`"""

from cascada.cli.imports import ExportCommand


class Command(ExportCommand):
    help = "Export enrolments you may see, as CSV or XLSX."
    kind = "enrolments"
