"""The embedded default of `make run`: a Celery worker on kombu's SQLAlchemy-on-SQLite broker,
no Redis. A measurement run and an ingest job go through a real worker process on it."""

from __future__ import annotations

import json

import pytest

from catalog.models import IngestJob
from profiler import services
from profiler.models import MeasurementRun
from tests.conftest import celery_app_broker_use
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
        celery_app_broker_use(url)

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


def test_the_embedded_broker_folder_is_made_when_the_database_lives_elsewhere(tmp_path):
    """DATABASE_URL elsewhere and a fresh MECHANIC_DATA_DIR: the broker's folder is created at
    start-up (before, every job failed with "The job queue is unreachable")."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    data = tmp_path / "fresh" / "data"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "other").mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'elsewhere' / 'db.sqlite3'}",
        MECHANIC_DATA_DIR=str(data),
    )
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'mechanic.settings'; "
        "django.setup(); from django.conf import settings; print(settings.CELERY_BROKER_URL)"
    )
    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert url.startswith(f"sqla+sqlite:///{data / 'celery-broker-'}") and url.endswith(".sqlite3")
    assert data.is_dir()
    # another database in the same data folder gets a broker file of its own: its workers
    # must not take this database's jobs
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'other' / 'db.sqlite3'}"
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() != url and other.stdout.strip().startswith(url[:-21])
    # the default database keeps the plain name
    env.pop("DATABASE_URL")
    default = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )
    assert default.stdout.strip() == f"sqla+sqlite:///{data / 'celery-broker.sqlite3'}"


def test_delivered_messages_are_pruned_from_the_embedded_broker(embedded_broker):
    """kombu's SQLAlchemy transport keeps every delivered message; the pruning task (beat,
    every 10 minutes) deletes those delivered over an hour ago and nothing else."""
    import sqlite3
    from datetime import datetime, timedelta

    from kombu import Connection

    from profiler.tasks import prune_embedded_broker

    path = embedded_broker.removeprefix("sqla+sqlite:///")
    assert services.broker_prune_delivered(embedded_broker, older_than_s=0) == 0  # no file yet
    with Connection(embedded_broker) as conn:
        queue = conn.SimpleQueue("prune-test")
        for n in range(3):
            queue.put({"n": n})
        for _ in range(2):  # two are delivered and acknowledged, one waits
            queue.get(timeout=5).ack()
        queue.close()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT visible, timestamp FROM kombu_message ORDER BY id").fetchall()
    assert [visible for visible, _ in rows] == [0, 0, 1]
    # delivered just now: kept by the task (an hour's margin), then one of them is made old
    assert prune_embedded_broker.apply().get() == 0
    old = (datetime.now() - timedelta(hours=2)).isoformat(sep=" ")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE kombu_message SET timestamp = ? WHERE id = 1", (old,))
    assert prune_embedded_broker.apply().get() == 1
    with sqlite3.connect(path) as db:
        left = db.execute("SELECT id, visible FROM kombu_message ORDER BY id").fetchall()
    assert left == [(2, 0), (3, 1)]
    # the waiting message is still delivered
    with Connection(embedded_broker) as conn:
        queue = conn.SimpleQueue("prune-test")
        assert queue.get(timeout=5).payload == {"n": 2}
        queue.close()
    assert services.broker_prune_delivered("redis://127.0.0.1:6379/0", older_than_s=0) == 0


def test_a_database_url_in_a_missing_folder_is_refused_not_created(tmp_path):
    """A typo in DATABASE_URL must not create folders and an empty database (a read-only
    command did); the default data folder is still made on first use."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    missing = tmp_path / "no" / "such" / "dir"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{missing / 'db.sqlite3'}")
    out = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert f"DATABASE_URL names a SQLite file in {missing}, which does not exist" in out.stderr
    assert not (tmp_path / "no").exists()
