"""The ``cascada`` console script: Django's manage.py for this project.

Every Django command and ours runs as ``cascada <command>``; dashes and underscores
in the command name are interchangeable (``cascada cascade-report``).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascada.config.settings.local")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        # `cascada cascade-report` and `cascada cascade_report` are the same command.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
