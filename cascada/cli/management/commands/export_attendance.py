"""`cascada export_attendance --as USERNAME --format csv|xlsx --output FILE`"""

from cascada.cli.imports import ExportCommand


class Command(ExportCommand):
    help = "Export attendance you may see, as CSV or XLSX."
    kind = "attendance"
