"""What the command-line tools (``manage.py analyze``, ``profile``, ``ingest``) share about
saying their failures: the ``--json`` document for a malformed option, and the refusal of a
database that was never migrated.
"""

from __future__ import annotations

from typing import Any, NoReturn

from axes.cli import CliError, error_document, json_asked
from axes.l10n import Words


class JsonUsageErrorMixin:
    """A malformed option (``--context abc``) with ``--json`` (or an abbreviation argparse
    accepts, ``--js``) also prints the JSON error document, code ``usage``, before argparse's
    usage message and exit status 2. ``json_error_extra``: the keys a command's documents
    carry before ``error`` (``profile``: run and status)."""

    json_error_extra: dict[str, Any] = {}
    _argv: list[str] = []

    def run_from_argv(self, argv: list[str]) -> None:
        self._argv = argv  # read by the parser's error(), which has no options yet
        super().run_from_argv(argv)  # type: ignore[misc]

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)  # type: ignore[misc]
        say_usage = parser.error

        def error(message: str) -> NoReturn:
            if json_asked(self._argv[2:]):
                self.stdout.write(  # type: ignore[attr-defined]
                    error_document("usage", message, **self.json_error_extra)
                )
            say_usage(message)

        parser.error = error
        return parser


def database_not_ready(exc: Exception, words: Words, *, ingest: str = "") -> CliError:
    """The refusal of a catalog database that is not migrated (``no such table``): what to run
    rather than ``OperationalError``; ``ingest``: the model ID to ingest next."""
    _ = words.gettext
    if ingest:
        message = _(
            "the catalog database is not ready (%(reason)s); run `python manage.py "
            "migrate`, then `python manage.py ingest %(target)s`."
        ) % {"reason": exc, "target": ingest}
    else:
        message = _(
            "the catalog database is not ready (%(reason)s); run `python manage.py migrate` first."
        ) % {"reason": exc}
    return CliError(message, code="database_not_ready")


def database_check(*models: Any, words: Words) -> None:
    """Raise :func:`database_not_ready` unless the tables of ``models`` can be read: asked
    before a command reaches the Hub or writes anything, so that an unmigrated database is
    one line that says `migrate`, not an ``OperationalError`` halfway through."""
    from django.db import DatabaseError

    for model in models:
        try:
            model.objects.exists()
        except DatabaseError as exc:
            raise database_not_ready(exc, words) from exc
