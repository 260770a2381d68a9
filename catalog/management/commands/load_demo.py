"""``manage.py load_demo``: load the bundled demo catalog (idempotent) and analyse it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from catalog.artifact_text import ArtifactInvalid
from catalog.demo.closed import ClosedEntryInvalid, closed_models_load
from catalog.ids import InvalidModelId
from catalog.services import demo_catalog_files, demo_model_load


class Command(BaseCommand):
    help = (
        "Load the bundled demo catalog (catalog/demo/*.json and closed/*.json). Loading twice "
        "changes nothing. -v 2 lists each model."
    )

    def handle(self, *args, **options) -> None:
        created = unchanged = 0
        # one line per model with -v 2; plain progress, not errors (stderr shows red)
        say = self.stdout.write if options.get("verbosity", 1) >= 2 else (lambda _line: None)
        for path in demo_catalog_files():
            try:
                result = demo_model_load(path=path)
            except (ArtifactInvalid, InvalidModelId, KeyError) as exc:
                raise CommandError(f"{path.name}: {exc}") from exc
            created += int(result.created)
            unchanged += int(not result.created)
            say(result.summary_line())
        # Closed model families from vendor documentation (catalog/demo/closed/, "lesson").
        try:
            closed = closed_models_load()
        except (ClosedEntryInvalid, ArtifactInvalid, InvalidModelId, KeyError) as exc:
            raise CommandError(f"closed models: {exc}") from exc
        for result in closed:
            created += int(result.created)
            unchanged += int(not result.created)
            say(result.summary_line())
        self.stdout.write(f"demo catalog: {created} loaded, {unchanged} unchanged")
