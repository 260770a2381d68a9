"""Review: bad input and dead workers end in a clear message, and lose nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import IngestJob

pytestmark = pytest.mark.django_db


# --- an ingest whose worker died ---------------------------------------------------------------


def _running_job(*, silent_s: float) -> IngestJob:
    """The row a worker leaves when it is killed mid-ingest: claimed ("running"), at some stage,
    and nothing updates it any more (its last progress ``silent_s`` ago)."""
    job = IngestJob.objects.create(
        repo_id="test-org/tiny", status=IngestJob.Status.RUNNING, stage="files: config.json"
    )
    past = timezone.now() - timedelta(seconds=silent_s)
    IngestJob.objects.filter(pk=job.pk).update(started_at=past, updated_at=past)
    return job


@pytest.mark.parametrize("htmx", [False, True])
def test_an_ingest_whose_worker_died_fails_with_the_reason_not_running_forever(settings, htmx):
    # Before the fix: the row stayed "running" and the page polled "Reading ... from the Hub"
    # for ever (the profiler's runs have a reaper; ingest jobs had nothing).
    settings.INGEST_STALE_AFTER_S = 600
    job = _running_job(silent_s=601)
    headers = {"HX-Request": "true"} if htmx else {}
    client = Client(raise_request_exception=True)
    response = client.get(reverse("catalog:ingest_progress", args=[job.pk]), headers=headers)
    assert response.status_code == 200
    page = response.content.decode()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED and job.error_code == "worker_lost"
    assert job.finished_at is not None
    assert "stopped" in job.error and "10 minutes" in job.error and "Try again." in job.error
    assert "hx-get" not in page  # the page stops polling
    assert "stopped" in page
    # what was typed is given back in the field, to try again at once
    assert 'value="test-org/tiny"' in page


def test_an_ingest_that_is_slow_but_alive_keeps_running(settings):
    settings.INGEST_STALE_AFTER_S = 600
    job = _running_job(silent_s=30)
    page = Client().get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.RUNNING and "hx-get" in page
