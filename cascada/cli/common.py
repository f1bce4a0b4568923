"""What every Cascada command shares: it runs as a named user (``--as``) so that scope,
permissions and audit apply as in the browser; it records ``cli`` as the source of what
it does; it speaks the user's language; and it reports problems as one clear message
with exit code 1, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from cascada.core.context import acting
from cascada.core.errors import ApplicationError, NotFoundError, PermissionDeniedError

logger = logging.getLogger(__name__)


def resolve_actor(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("No active user named “%(name)s”.") % {"name": username})
    return user


class CascadaCommand(BaseCommand):
    """Subclasses implement ``run(user, **options)``."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            metavar="USERNAME",
            help="Run as this user: their permissions and scope apply, and the audit names them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = resolve_actor(options["as_user"])
        with acting("cli"), translation.override(getattr(user, "language", None) or None):
            try:
                self.run(user, **options)
            except NotFoundError as exc:
                raise CommandError(str(exc)) from None
            except PermissionDeniedError as exc:
                raise CommandError(str(exc)) from None
            except ApplicationError as exc:
                raise CommandError(str(exc)) from None
            except (CommandError, KeyboardInterrupt):
                raise
            except Exception as exc:
                if options.get("traceback"):
                    raise
                logger.exception("Command failed")
                raise CommandError(
                    _("Something went wrong (%(error)s). Run again with --traceback for details.")
                    % {"error": type(exc).__name__}
                ) from None

    def run(self, user: Any, **options: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def output_path(value: str) -> Path:
    path = Path(value)
    if not path.parent.exists():
        raise CommandError(_("The folder %(path)s does not exist.") % {"path": path.parent})
    if path.is_dir():
        raise CommandError(_("%(path)s is a folder, not a file.") % {"path": path})
    return path


def input_path(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise CommandError(_("File not found: %(path)s") % {"path": value})
    return path


def int_or_error(value: Any, what: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CommandError(_("%(what)s must be a number.") % {"what": what}) from None
