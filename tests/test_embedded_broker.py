"""The embedded default of `make run`: a Celery worker on kombu's SQLAlchemy-on-SQLite broker,
no Redis. A measurement run and an ingest job go through a real worker process on it."""

from __future__ import annotations

import json

import pytest

from catalog.models import IngestJob
from profiler import services
from profiler.models import MeasurementRun
from tests.test_profiler_bench import TINY_LLAMA, analytic_params
from tests.test_profiler_celery import QUICK, finished, revision_with_config, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def embedded_broker(settings, tmp_path):
    url = f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    return url


def test_measurement_runs_through_a_worker_on_the_embedded_broker(
    embedded_broker, celery_worker_factory
):
    worker = celery_worker_factory(
        queues="default,gpu", name="embedded", CELERY_BROKER_URL=embedded_broker
    )
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **QUICK)
    assert run.status == MeasurementRun.Status.QUEUED, run.error
    done = wait_for(lambda: finished(run.pk), 120, "the run to finish", worker)
    assert done.status == MeasurementRun.Status.SUCCEEDED, done.error
    assert done.result["params_loaded"] == analytic_params(TINY_LLAMA)


def test_ingest_job_runs_through_a_worker_on_the_embedded_broker(
    embedded_broker, celery_worker_factory, hub
):
    from mechanic.celery import app

    worker = celery_worker_factory(
        queues="default,gpu",
        name="embedded-ingest",
        CELERY_BROKER_URL=embedded_broker,
        HF_ENDPOINT=hub.url,
    )
    from catalog.services import ingest_job_start

    # The web process's Celery app must send to the same embedded broker.
    previous = app.conf.broker_url

    def use_broker(url: str) -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url

    use_broker(embedded_broker)
    try:
        job = ingest_job_start(repo_id="meta-llama/Llama-3.2-1B")
        done = wait_for(
            lambda: IngestJob.objects.filter(pk=job.pk, status__in=["succeeded", "failed"]).first(),
            120,
            "the ingest job to finish",
            worker,
        )
    finally:
        use_broker(previous)
    assert done.status == "succeeded", done.error
    config = done.revision.artifacts.get(name="config.json").data
    assert config == json.loads(
        (hub.shared_dir / "meta-llama--Llama-3.2-1B" / "config.json").read_text()
    )
