"""The embedded default's SQLite file under writers that overlap, as `make run` has them: a
Celery worker on the embedded broker writing a measurement run's progress and storing
ingests, while several browsers autosave exercises, upload configs, ask for ingests and read
pages."""

from __future__ import annotations

import json
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from catalog.models import Exercise, IngestJob, Revision
from profiler import services as run_services
from profiler.models import MeasurementRun
from tests.conftest import celery_app_broker_use
from tests.test_ingest import TINY_CONFIG, tiny_files
from tests.test_profiler_bench import TINY_LLAMA
from tests.test_profiler_celery import QUICK, finished, revision_with_config, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

AUTOSAVERS = 4
SAVES_EACH = 40
UPLOADERS = 3
UPLOADS_EACH = 12
INGESTS = 3


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's SQLite file (PostgreSQL has row locks)")


@pytest.fixture
def embedded_broker(settings, tmp_path):
    """`make run`'s broker (kombu on a SQLite file), for this process's enqueues too."""
    url = f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    previous = celery_app_broker_use(url)
    yield url
    celery_app_broker_use(previous)


def _in_threads(work, count: int) -> tuple[list[threading.Thread], list[str]]:
    """Run ``work(i, failures)`` in ``count`` threads; each has its own connection."""
    failures: list[str] = []

    def run(i: int) -> None:
        try:
            work(i, failures)
        except Exception as exc:  # a test-side error must fail the test, not vanish
            failures.append(f"thread {i}: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    return threads, failures


def _said(response) -> str:
    """The status and the page's title (the traceback is in the captured log)."""
    title = re.search(rb"<title>(.*?)</title>", response.content, re.S)
    return f"{response.status_code} {title.group(1).decode().strip() if title else ''}"


def test_overlapping_writers_lose_nothing_and_see_no_500(
    sqlite_only, embedded_broker, celery_worker_factory, hub, english
):
    # Before the fix: Django began each transaction DEFERRED, so one that read before it
    # wrote (storing a revision: get_or_create, then inserts) was refused at its first write
    # with "database is locked" as soon as any other connection had committed meanwhile;
    # SQLite does not wait for the busy timeout then. An upload answered 500 and was lost,
    # a worker's ingest failed.
    worker = celery_worker_factory(
        queues="default,gpu",
        name="writers",
        HF_ENDPOINT=hub.url,
        CELERY_BROKER_URL=embedded_broker,
    )
    for n in range(INGESTS):
        hub.add_repo(f"stress/hub{n}", tiny_files())
    revision = revision_with_config(TINY_LLAMA)
    runs = [
        run_services.run_request(revision=revision, mode="synthetic", **{**QUICK, "new_tokens": k})
        for k in (2, 3, 4)
    ]
    assert all(run.status == MeasurementRun.Status.QUEUED for run in runs), runs

    def autosave(i: int, failures: list[str]) -> None:
        client = Client(raise_request_exception=False)
        for n in range(SAVES_EACH):
            response = client.post(
                reverse("catalog:exercise_save"),
                {"model_name": f"stress/user{i}", "backbone": f"save {n}"},
                headers={"HX-Request": "true"},
            )
            if response.status_code != 200:
                failures.append(f"autosave {i}/{n}: {_said(response)}")
            if n % 8 == 0:
                page = client.get(reverse("catalog:exercise"))
                if page.status_code != 200:
                    failures.append(f"exercise page {i}/{n}: {_said(page)}")

    def upload(i: int, failures: list[str]) -> None:
        client = Client(raise_request_exception=False)
        for n in range(UPLOADS_EACH):
            config = {**TINY_CONFIG, "x_upload": f"{i}-{n}"}  # a new revision every time
            response = client.post(
                reverse("catalog:upload"),
                {
                    "repo_id": f"stress/upload{i}",
                    "config": SimpleUploadedFile("config.json", json.dumps(config).encode()),
                },
            )
            if response.status_code != 303:
                failures.append(f"upload {i}/{n}: {_said(response)}")
            home = client.get(reverse("catalog:home"))
            if home.status_code != 200:
                failures.append(f"home {i}/{n}: {_said(home)}")

    def ingest(i: int, failures: list[str]) -> None:
        client = Client(raise_request_exception=False)
        response = client.post(reverse("catalog:ingest"), {"model_id": f"stress/hub{i}"})
        if response.status_code != 303:
            failures.append(f"ingest {i}: {_said(response)}")

    started = [
        _in_threads(autosave, AUTOSAVERS),
        _in_threads(upload, UPLOADERS),
        _in_threads(ingest, INGESTS),
    ]
    failures: list[str] = []
    for threads, said in started:
        for t in threads:
            t.join(300)
            assert not t.is_alive(), "a request thread hung"
        failures += said
    assert not failures, "\n".join(failures[:20])

    # every write arrived: the last autosave of every browser, every upload, every ingest
    for i in range(AUTOSAVERS):
        exercise = Exercise.objects.get(model_name=f"stress/user{i}")
        assert exercise.rows["backbone"] == f"save {SAVES_EACH - 1}"
    for i in range(UPLOADERS):
        stored = Revision.objects.filter(model__repo_id=f"stress/upload{i}").count()
        assert stored == UPLOADS_EACH
    jobs = [
        wait_for(
            lambda n=n: IngestJob.objects.filter(
                repo_id=f"stress/hub{n}", status__in=["succeeded", "failed"]
            ).first(),
            120,
            f"ingest job {n}",
            worker,
        )
        for n in range(INGESTS)
    ]
    assert [job.status for job in jobs] == ["succeeded"] * INGESTS, [j.error for j in jobs]
    done = [wait_for(lambda r=r: finished(r.pk), 180, "a run", worker) for r in runs]
    assert [r.status for r in done] == [MeasurementRun.Status.SUCCEEDED] * 3, [
        r.error for r in done
    ]
    assert "database is locked" not in worker.log()
