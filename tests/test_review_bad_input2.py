"""Review (bad input, second pass): what a failed request gives back is what was asked, files
as editors save them are read, and every refusal says what to do, in the page's language."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import IngestJob

pytestmark = pytest.mark.django_db


def _field_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag is not None, f"no {name} field"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


# --- a failed fetch of a revision --------------------------------------------------------------


def test_a_failed_fetch_of_a_revision_gives_the_revision_back_to_try_again(hub):
    # Before the fix: the failed job's field held the ID alone (job.repo_id), so "try again"
    # after a 429, a 5xx or a timeout fetched main, not the revision that was pasted.
    from tests.test_ingest import TINY_CONFIG

    repo = hub.add_repo("acme/tiny", {"config.json": json.dumps(TINY_CONFIG)})
    repo.refs["refs/pr/1"] = repo.refs["main"]
    pr_sha = hub.commit(
        "acme/tiny",
        {"config.json": json.dumps({**TINY_CONFIG, "num_hidden_layers": 3})},
        branch="refs/pr/1",
    )
    job = IngestJob.objects.create(
        repo_id="acme/tiny",
        requested_revision="refs/pr/1",
        status=IngestJob.Status.FAILED,
        error="The Hub is unreachable.",
        error_code="server_error",
    )
    client = Client(raise_request_exception=True)
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(reverse("catalog:ingest_progress", args=[job.pk]), headers=headers)
        typed = _field_value(page.content.decode(), "model_id")
        assert typed == "https://huggingface.co/acme/tiny/tree/refs%2Fpr%2F1"
    # sent again as it stands, it fetches that revision
    response = client.post(reverse("catalog:ingest"), {"model_id": typed})
    assert response.status_code == 302, response.content.decode()[:2000]
    from catalog.models import CatalogModel

    model = CatalogModel.objects.get(repo_id="acme/tiny")
    assert model.latest_revision.sha == pr_sha
    assert model.latest_revision.analysis["backbone"]["layers"]["num_layers"] == 3


def test_a_failed_fetch_of_main_gives_the_id_back():
    job = IngestJob.objects.create(
        repo_id="acme/tiny", status=IngestJob.Status.FAILED, error="No model"
    )
    page = Client().get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
    assert _field_value(page, "model_id") == "acme/tiny"
