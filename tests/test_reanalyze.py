"""After an upgrade that changes the analysis (ANALYSIS_VERSION), the models already stored
(fetched from the Hub, uploaded) show the new analysis: ``manage.py reanalyze`` recomputes them
from their stored files, and docker compose's web service runs it on start."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from axes.analysis import ANALYSIS_VERSION
from catalog.models import Revision
from catalog.services import model_upload
from tests.test_profiler_bench import TINY_LLAMA
from tests.test_profiler_compose import compose

pytestmark = pytest.mark.django_db


def _stored_by_an_older_release(repo_id: str) -> Revision:
    revision = model_upload(repo_id=repo_id, config_text=json.dumps(TINY_LLAMA)).revision
    # what an older release left: its version, and an analysis without today's figures
    Revision.objects.filter(pk=revision.pk).update(
        analysis_version=ANALYSIS_VERSION - 1, analysis={"facts": []}
    )
    return revision


def test_reanalyze_recomputes_what_an_older_release_stored():
    # Before the fix: no such command; an upgrade recomputed only the demo catalog (load_demo)
    # and a model fetched again at the same commit, so every other stored model kept the old
    # analysis on its page, its comparisons and the API.
    old = _stored_by_an_older_release("local/old-release")
    current = model_upload(
        repo_id="local/current", config_text=json.dumps({**TINY_LLAMA, "vocab_size": 512})
    ).revision
    current_analysis = Revision.objects.get(pk=current.pk).analysis
    out = io.StringIO()
    call_command("reanalyze", stdout=out)
    old.refresh_from_db()
    assert old.analysis_version == ANALYSIS_VERSION
    assert old.analysis["params"]["total"] == 106_816  # recomputed from its stored config.json
    assert Revision.objects.get(pk=current.pk).analysis == current_analysis  # left alone
    assert "1 revision reanalyzed" in out.getvalue()
    out = io.StringIO()
    call_command("reanalyze", stdout=out)  # again: nothing left to do
    assert "0 revisions reanalyzed" in out.getvalue()


def test_compose_web_reanalyzes_after_migrating():
    steps = [s.strip() for s in compose()["services"]["web"]["command"].split("&&")]
    assert steps.index("python manage.py reanalyze") == 1  # after migrate, before serving
