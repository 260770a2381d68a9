"""``manage.py analyze PATH_OR_MODEL_ID [--json] [--context N] [--batch N] [--kv-dtype bf16|fp8]
[--gpu H100-SXM]``: the four-axis analysis of a local folder or a catalog model.

A PATH (a folder holding config.json, or a .json config file read alone) is analyzed offline
without touching the database.
A MODEL_ID (org/name) is read from the catalog's latest stored revision; when it is not in
the catalog the command says so and suggests ``manage.py ingest``.

A failure exits non-zero with a ``CommandError:`` line on stderr; with ``--json`` stdout then
holds one JSON document, ``{"error": {"code", "message"}}`` (``axes.cli.error_document``), so a
script piping stdout into jq always has something to read. A catalog model whose backbone
could not be analyzed prints its report with the ``error`` key added.

The readable report and the failure lines (the JSON document's ``message`` too; its keys and
the report's values stay as they are) are said in the terminal's language (LANGUAGE, LC_ALL,
LC_MESSAGES or LANG: en, ko, de), as ``manage.py analyze PATH`` says them without Django
(``axes.cli.command_words``).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from axes.cli import (
    CliError,
    add_arguments,
    analyze_path,
    check_options,
    command_words,
    error_document,
    not_a_target,
    printable,
    render,
    target_path,
)
from catalog.management.jsoncli import JsonUsageErrorMixin, database_not_ready


class Command(JsonUsageErrorMixin, BaseCommand):
    help = (
        "Analyze a model folder (offline) or a catalog model: parameters, memory, compute, facts."
    )
    # System checks import every URLconf (django-ninja, ...): skipping them keeps the offline
    # PATH case well under a second. Nothing here depends on them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        self.words = command_words()
        try:
            refused = self._handle(options)
        except (CliError, CommandError) as exc:
            code = getattr(exc, "code", "invalid_input")
            self._fail(str(exc), code=code, as_json=options["json"])
        except Exception as exc:  # a bug: the traceback stays, and --json still says it
            if options["json"]:
                self.stdout.write(error_document("internal_error", f"{type(exc).__name__}: {exc}"))
            raise
        if refused:
            # a stored model whose config the engine refuses: the report was printed (with
            # --json, its "error" says so), and the exit status says that the backbone is
            # missing (as it does for a folder)
            raise CommandError(refused)

    def _fail(self, message: str, *, code: str, as_json: bool) -> NoReturn:
        if as_json:
            self.stdout.write(error_document(code, message))
        raise CommandError(printable(message))

    def _handle(self, options: dict[str, Any]) -> str:
        """Print the report; return why the backbone is missing ("" when it is not)."""
        words = self.words
        _ = words.gettext
        target: str = options["target"]
        gpu_key = check_options(
            context=options["context"], batch=options["batch"], gpu=options["gpu"], words=words
        )
        if not target.strip():  # Path("") is the current folder: not what was meant
            raise CliError(
                _(
                    "give a folder that holds config.json, the path of a .json config file, "
                    "or a model ID such as meta-llama/Llama-3.1-8B"
                ),
                code="invalid_input",
            )
        path = target_path(target)
        closed = False
        if path is not None:  # manage.py answers this case without Django (axes.cli)
            result = analyze_path(
                path,
                context=options["context"],
                batch=options["batch"],
                kv_dtype=options["kv_dtype"],
                words=words,
            )
        else:
            result, closed = self._from_catalog(target, options)
        refused = result.get("params") is None and not closed
        message = _("the backbone could not be analyzed: %(reason)s") % {
            "reason": words.note(result.get("backbone_error") or _("no config"))
        }
        if refused and options["json"]:  # still one document: the report, saying its failure
            result = {**result, "error": {"code": "backbone_not_analyzed", "message": message}}
        self.stdout.write(render(result, as_json=options["json"], gpu_key=gpu_key, words=words))
        return message if refused else ""

    def _from_catalog(self, target: str, options: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The analysis of a catalog model, and whether it is a closed model (no config.json
        by nature, not by fault)."""
        from django.db import DatabaseError

        from catalog.ids import InvalidModelId
        from catalog.models import CatalogModel
        from catalog.services import model_lookup

        words = self.words
        _ = words.gettext
        refused = not_a_target(target, words)
        if refused is not None:
            raise refused
        try:  # the same rules as ingest and the home page: IDs and Hub URLs, any casing
            target, model = model_lookup(text=target)
        except InvalidModelId as exc:
            raise CliError(
                _("%(target)s is not a model ID: %(reason)s")
                % {"target": repr(target), "reason": exc},
                code="invalid_model_id",
            ) from exc
        except DatabaseError as exc:
            raise database_not_ready(exc, words, ingest=target) from exc
        if model is None or model.latest_revision is None:
            # a legacy single-part ID (gpt2) may also be a mistyped folder name: say both
            said = {"target": target, "name": repr(target)}
            if target.lower().endswith(".json"):
                message = _(
                    "%(target)s is not in the catalog and there is no file named %(name)s "
                    "here. Fetch it first with `python manage.py ingest %(target)s`, or pass a "
                    "local folder."
                )
            elif "/" in target:
                message = _(
                    "%(target)s is not in the catalog. Fetch it first with `python manage.py "
                    "ingest %(target)s`, or pass a local folder."
                )
            else:
                message = _(
                    "%(target)s is not in the catalog and there is no folder named %(name)s "
                    "here. Fetch it first with `python manage.py ingest %(target)s`, or pass a "
                    "local folder."
                )
            raise CliError(message % said, code="not_in_catalog")
        revision = model.latest_revision
        if model.kind == CatalogModel.Kind.CLOSED and revision.analysis:
            # a closed model has no config.json to recompute from: its analysis is the facts
            # curated from the vendor's documents, stored at load time
            return {
                # the stored report's value (--json), in English as the engine's are
                "backbone_error": "a closed model: the vendor publishes no config.json",
                **revision.analysis,
                "repo_id": revision.analysis.get("repo_id") or model.repo_id,
            }, True
        wants_default = (
            options["context"] is None and options["batch"] == 1 and (options["kv_dtype"] == "bf16")
        )
        if wants_default and revision.analysis and "params" in revision.analysis:
            return revision.analysis, False
        from axes.analysis import analyze_artifacts
        from catalog import services

        arts = services.revision_artifacts(revision)
        return analyze_artifacts(
            arts,
            context_len=options["context"],
            batch=options["batch"],
            kv_dtype=options["kv_dtype"],
        ), False
