"""``manage.py reanalyze [--all]``: recompute stored analyses an older release wrote.

An analysis is computed once, when a revision is stored; a release that changes it bumps
``axes.analysis.ANALYSIS_VERSION``. ``load_demo`` recomputes the demo catalog and fetching a
model again recomputes that one; this recomputes every other stored revision (Hub, upload,
folder) from its stored files. docker compose's web service runs it on each start (up to date
revisions cost one query).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from axes.analysis import ANALYSIS_VERSION
from catalog.models import Revision
from catalog.services import analysis_refresh


class Command(BaseCommand):
    help = (
        "Recompute the stored analyses an older release wrote (ANALYSIS_VERSION), from each "
        "revision's stored files. --all recomputes every revision."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="every revision, not only old ones")

    def handle(self, *args, **options) -> None:
        revisions = Revision.objects.select_related("model").order_by("pk")
        if not options["all"]:
            revisions = revisions.filter(analysis_version__lt=int(ANALYSIS_VERSION))
        done = failed = 0
        for revision in revisions.iterator(chunk_size=50):
            try:
                analysis_refresh(revision=revision)
            except Exception as exc:  # one unreadable revision must not stop the others
                failed += 1
                self.stderr.write(f"{revision.model.repo_id}@{revision.sha[:12]}: {exc}")
                continue
            done += 1
            if options.get("verbosity", 1) >= 2:
                self.stdout.write(f"{revision.model.repo_id}@{revision.sha[:12]}")
        noun = "revision" if done == 1 else "revisions"
        line = f"{done} {noun} reanalyzed (analysis version {ANALYSIS_VERSION})"
        self.stdout.write(line + (f"; {failed} failed (above)" if failed else ""))
