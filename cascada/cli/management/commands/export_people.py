"""`cascada export_people --as USERNAME --format csv|xlsx --output FILE`"""

from cascada.cli.imports import ExportCommand


class Command(ExportCommand):
    help = "Export people you may see, as CSV or XLSX."
    kind = "people"
