"""``manage.py ingest MODEL_ID [--revision REV]`` and ``manage.py ingest --dir PATH [--id ORG/NAME]``.

Progress goes to stderr (one line per stage, in the words of the ingest page and the user's
language: LANGUAGE, LC_ALL, LC_MESSAGES or LANG), the result to stdout as one line; failures
exit non-zero with the user-facing message.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from axes.cli import CliError, command_words, printable
from axes.l10n import environment_language
from catalog.artifact_text import ArtifactInvalid
from catalog.ids import InvalidModelId, model_ref_parse
from catalog.management.jsoncli import database_check
from catalog.models import Artifact, CatalogModel, IngestJob, Revision
from catalog.services import ModelShadowed, model_ingest, model_ingest_dir


class Command(BaseCommand):
    help = "Fetch a model's metadata from the Hub (or read a local folder) into the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("model_id", nargs="?", help="org/name or a Hub URL")
        parser.add_argument("--revision", help="branch, tag or commit sha (default: main)")
        parser.add_argument("--dir", dest="path", help="a local folder shaped like a Hub repo")
        parser.add_argument(
            "--id",
            dest="repo_id",
            help="org/name (or a Hub URL) for --dir; default: org/name from a folder named "
            "org--name or a Hub cache snapshot (models--org--name/snapshots/SHA), else the "
            "folder's last two path parts (.../org/name)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="with --dir: store the folder even under the ID of a model fetched from the "
            "Hub or bundled (its page then shows the folder's files)",
        )

    def handle(self, *args, **options) -> None:
        from django.utils import translation

        with translation.override(environment_language(os.environ)):
            self._handle(options)

    def _handle(self, options) -> None:
        from catalog.hub import HubError, command_line_message
        from catalog.views import ingest_stage_words

        model_id, path = options.get("model_id"), options.get("path")
        if bool(model_id) == bool(path):
            raise CommandError(_("Give either MODEL_ID or --dir PATH (not both, not neither)."))
        if model_id:  # a malformed ID is refused first: no database or Hub is needed to say so
            try:
                model_ref_parse(model_id)
            except InvalidModelId as exc:
                raise CommandError(printable(command_line_message(exc))) from exc
        try:  # an unmigrated database is said as analyze says it, before the Hub is asked
            database_check(CatalogModel, Revision, Artifact, IngestJob, words=command_words())
        except CliError as exc:
            raise CommandError(str(exc)) from exc
        last_stage = {"name": ""}

        def progress(stage: str, pct: int) -> None:
            if stage != last_stage["name"]:
                last_stage["name"] = stage
                self.stderr.write(f"[{pct:3d}%] {ingest_stage_words(stage)}")

        try:
            if path:
                repo_id = options.get("repo_id")
                if repo_id:
                    repo_id = model_ref_parse(repo_id).repo_id  # a Hub URL names its model
                result = model_ingest_dir(path=path, repo_id=repo_id, replace=options["replace"])
            else:
                result = model_ingest(
                    repo_id=model_id, revision=options.get("revision"), progress=progress
                )
        except ModelShadowed as exc:
            hint = _(
                "Choose another --id (for example local/%(name)s), or pass --replace to do it "
                "anyway."
            ) % {"name": exc.repo_id.split("/")[-1]}
            raise CommandError(f"{exc} {hint}") from exc
        except (InvalidModelId, HubError, ArtifactInvalid) as exc:
            raise CommandError(printable(command_line_message(exc))) from exc
        from catalog.notes_l10n import note_l10n

        # the notes as the model page shows them (and manage.py analyze says them)
        for note in result.notes:
            self.stderr.write(_("note: %(note)s") % {"note": note_l10n(note)})
        backbone_error = (result.revision.analysis or {}).get("backbone_error")
        if backbone_error:  # stored, but axis 1 is empty: say why rather than look complete
            said = _("the backbone could not be analyzed: %(reason)s") % {
                "reason": note_l10n(backbone_error)
            }
            self.stderr.write(_("note: %(note)s") % {"note": said})
        self.stdout.write(result.summary_line())
