"""``manage.py analyze PATH_OR_MODEL_ID [--json] [--context N] [--batch N] [--kv-dtype bf16|fp8]
[--gpu H100-SXM]``: the four-axis analysis of a local folder or a catalog model.

A PATH (a folder holding config.json, or a .json config file read alone) is analyzed offline
without touching the database.
A MODEL_ID (org/name) is read from the catalog's latest stored revision; when it is not in
the catalog the command says so and suggests ``manage.py ingest``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from axes.cli import (
    CliError,
    add_arguments,
    analyze_path,
    check_options,
    not_a_target,
    render,
    target_path,
)


class Command(BaseCommand):
    help = (
        "Analyze a model folder (offline) or a catalog model: parameters, memory, compute, facts."
    )
    # System checks import every URLconf (django-ninja, ...): skipping them keeps the offline
    # PATH case well under a second. Nothing here depends on them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        target: str = options["target"]
        try:
            gpu_key = check_options(
                context=options["context"], batch=options["batch"], gpu=options["gpu"]
            )
            if not target.strip():  # Path("") is the current folder: not what was meant
                raise CliError(
                    "give a folder that holds config.json, the path of a .json config file, "
                    "or a model ID such as meta-llama/Llama-3.1-8B"
                )
            path = target_path(target)
            closed = False
            if path is not None:  # manage.py answers this case without Django (axes.cli)
                result = analyze_path(
                    path,
                    context=options["context"],
                    batch=options["batch"],
                    kv_dtype=options["kv_dtype"],
                )
            else:
                result, closed = self._from_catalog(target, options)
        except CliError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(render(result, as_json=options["json"], gpu_key=gpu_key))
        if result.get("params") is None and not closed:
            # a stored model whose config the engine refuses: the rest was printed, and the
            # exit status says that the backbone is missing (as it does for a folder)
            raise CommandError(
                f"the backbone could not be analyzed: {result.get('backbone_error') or 'no config'}"
            )

    def _from_catalog(self, target: str, options: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The analysis of a catalog model, and whether it is a closed model (no config.json
        by nature, not by fault)."""
        from django.db import DatabaseError

        from catalog.ids import InvalidModelId
        from catalog.models import CatalogModel
        from catalog.services import model_lookup

        refused = not_a_target(target)
        if refused is not None:
            raise CommandError(str(refused))
        try:  # the same rules as ingest and the home page: IDs and Hub URLs, any casing
            target, model = model_lookup(text=target)
        except InvalidModelId as exc:
            raise CommandError(f"{target!r} is not a model ID: {exc}") from exc
        except DatabaseError as exc:
            raise CommandError(
                f"the catalog database is not ready ({exc}); run `python manage.py migrate`, "
                f"then `python manage.py ingest {target}`."
            ) from exc
        if model is None or model.latest_revision is None:
            # a legacy single-part ID (gpt2) may also be a mistyped folder name: say both
            if target.lower().endswith(".json"):
                nofolder = f" and there is no file named {target!r} here"
            else:
                nofolder = "" if "/" in target else f" and there is no folder named {target!r} here"
            raise CommandError(
                f"{target} is not in the catalog{nofolder}. Fetch it first with "
                f"`python manage.py ingest {target}`, or pass a local folder."
            )
        revision = model.latest_revision
        if model.kind == CatalogModel.Kind.CLOSED and revision.analysis:
            # a closed model has no config.json to recompute from: its analysis is the facts
            # curated from the vendor's documents, stored at load time
            return {
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
