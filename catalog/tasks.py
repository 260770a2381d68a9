"""Celery tasks of the catalog: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

import mechanic.celery  # noqa: F401  (the configured app: shared tasks bind to it)


@shared_task(name="catalog.tasks.ingest_model", acks_late=True, ignore_result=True)
def ingest_model(job_id: int, language: str | None = None) -> str:
    """Run one queued ``IngestJob``. The service claims it, retries the Hub and records failure
    (its message in ``language``, the language of the page that asked)."""
    from django.utils import translation

    from .services import ingest_job_run

    with translation.override(language or None):
        job = ingest_job_run(job_id=int(job_id))
    return "skipped" if job is None else job.status
