"""A real worker process for the tests: ``python -m tests.jobs.worker_main [options]``.

The same ``cascada worker`` command as production, with the test job kinds registered."""

from __future__ import annotations

import sys

import django

if __name__ == "__main__":
    django.setup()
    from django.core.management import call_command

    from tests.jobs.handlers import register_test_kinds

    register_test_kinds()
    call_command("worker", *sys.argv[1:])
