"""An ingest no worker takes: the web process runs it without holding a request for long."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import IngestJob

# committed rows: the job runs in a thread of the web process, on its own connection
pytestmark = pytest.mark.django_db(transaction=True)


def _poll_until_done(client: Client, url: str, timeout_s: float = 30) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code != 200:
            return response
        time.sleep(0.2)
    raise AssertionError(f"the job page never left: {IngestJob.objects.get()!r}")


def test_a_slow_hub_without_a_worker_does_not_hold_the_page(hub, settings, monkeypatch):
    # Before the fix: the job's page ran the ingest inside its GET, so a Hub that makes it wait
    # (here a 429 asking for 3 s) held the request that long; under gunicorn, a Hub slower
    # than the worker timeout (timeouts, rate-limit waits) gave the user a 502.
    from tests.test_ingest import tiny_files

    settings.INGEST_INLINE_AFTER_S = 1e-6  # at once (0 is never)
    monkeypatch.setattr("catalog.views.INLINE_WAIT_S", 0.5, raising=False)
    hub.add_repo("acme/tiny", tiny_files())
    hub.fault("429-retry-after", path_contains="/api/models/acme/tiny", wait_s=3)
    client = Client(raise_request_exception=True)
    posted = client.post(reverse("catalog:ingest"), {"model_id": "acme/tiny"})
    assert posted.status_code == 303
    page = client.get(posted["Location"])
    # the page answers while the Hub still makes the job wait, and says who runs it
    assert page.status_code == 200, page
    job = IngestJob.objects.get()
    assert job.status == IngestJob.Status.RUNNING and job.in_web_process
    text = page.content.decode()
    assert "No worker took this job within a few seconds (none is running, or all are busy)" in text
    assert 'http-equiv="refresh"' in text  # it keeps polling
    # the thread moves the row along; the polling page ends on the model page
    done = _poll_until_done(client, posted["Location"])
    assert done.status_code == 302 and done["Location"] == "/models/acme/tiny/"
    job.refresh_from_db()
    assert job.status == IngestJob.Status.SUCCEEDED and job.stage == "done"


def test_an_ingest_inline_after_of_zero_never_runs_the_job_in_the_web_process(hub, settings):
    # Before the fix: the environment's 0 meant "never" (as documented) but a setting of 0
    # meant "at once" in the view; now both read 0 as never.
    from tests.test_ingest import tiny_files

    settings.INGEST_INLINE_AFTER_S = 0
    hub.add_repo("acme/tiny", tiny_files())
    client = Client(raise_request_exception=True)
    posted = client.post(reverse("catalog:ingest"), {"model_id": "acme/tiny"})
    assert client.get(posted["Location"]).status_code == 200
    job = IngestJob.objects.get()
    assert job.status == IngestJob.Status.QUEUED and not job.in_web_process
    assert not hub.paths("acme/tiny")


@pytest.mark.browser
def test_the_page_says_no_worker_took_the_job_while_the_web_server_runs_it(
    live_server, hub, page, settings, monkeypatch
):
    # Before the fix: the poll that ran the job held its request until the Hub answered (a
    # 502 under gunicorn when that outlasted the worker timeout), and nothing on the page said
    # that no worker was running. Now the box says so while the web process fetches.
    from tests.test_ingest import tiny_files

    settings.INGEST_INLINE_AFTER_S = 1e-6  # at once (0 is never)
    monkeypatch.setattr("catalog.views.INLINE_WAIT_S", 0.5, raising=False)
    hub.add_repo("acme/tiny", tiny_files())
    hub.fault("429-retry-after", path_contains="/api/models/acme/tiny", wait_s=3)
    page.goto(live_server.url + "/?lang=de")
    page.fill("input[name=model_id]", "acme/tiny")
    page.locator("input[name=model_id]").press("Enter")
    note = page.wait_for_selector("[data-testid=no-worker]", timeout=15_000)
    assert note.inner_text().startswith(
        "Kein Worker hat diesen Job in ein paar Sekunden übernommen"
    )
    page.wait_for_url(re.compile(r"/models/acme/tiny/$"), timeout=30_000)


def test_a_job_no_worker_takes_says_so_when_nothing_else_runs_it(settings):
    # Before the fix: with the fallback off (0) and no worker, the page said "Queued" for ever
    # with nothing telling that no worker was running.
    from datetime import timedelta

    from django.utils import timezone

    settings.INGEST_INLINE_AFTER_S = 0
    job = IngestJob.objects.create(repo_id="acme/tiny")
    url = reverse("catalog:ingest_progress", args=[job.pk])
    client = Client(raise_request_exception=True)
    assert 'data-testid="no-worker-yet"' not in client.get(url).content.decode()
    IngestJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=95))
    page = client.get(url).content.decode()
    said = (
        r"No worker has taken this job in 1 min 3\d s: it starts once a Celery worker is running\."
    )
    assert re.search(said, page), page
    assert IngestJob.objects.get().status == IngestJob.Status.QUEUED


# A web process that runs one job in a thread, as the polling page starts it, then waits.
WEB_PROCESS = """
import os, django
django.setup()
from catalog.services import ingest_job_run_in_thread
ingest_job_run_in_thread(job_id=int(os.environ["JOB_ID"]), language="en").join()
"""


def test_a_job_whose_web_process_died_is_failed_soon_not_after_ten_minutes(hub, settings, tmp_path):
    # Before the fix: a web process killed while its thread waited on the Hub left the job
    # "Reading ..." for INGEST_STALE_AFTER_S (10 minutes) before the page said it stopped.
    # Now the thread beats while the process lives, and a job without beats is failed after
    # INGEST_WEB_STALE_AFTER_S. The test process is the page; another process runs the job.
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from catalog.services import ingest_job_create
    from tests.conftest import _database_url_for_workers
    from tests.test_ingest import tiny_files
    from tests.test_profiler_celery import wait_for

    hub.add_repo("acme/tiny", tiny_files())
    # the Hub says nothing for minutes: only the heartbeat shows that the process lives
    hub.fault("stall", path_contains="/api/models/acme/tiny", times=None, stall_s=300)
    settings.INGEST_STALE_AFTER_S = 600
    settings.INGEST_WEB_STALE_AFTER_S = 3
    settings.INGEST_WEB_HEARTBEAT_S = 1  # as the web process below has it
    job = ingest_job_create(repo_id="acme/tiny")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "mechanic.settings",
        "DEBUG": "1",
        "DATABASE_URL": _database_url_for_workers(),
        "MECHANIC_DATA_DIR": str(settings.DATA_DIR),
        "HF_ENDPOINT": hub.url,
        "HF_TIMEOUT_S": "600",
        "INGEST_WEB_HEARTBEAT_S": "1",
        "JOB_ID": str(job.pk),
    }
    log = open(tmp_path / "web.log", "wb")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [sys.executable, "-c", WEB_PROCESS],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = reverse("catalog:ingest_progress", args=[job.pk])
    client = Client(raise_request_exception=True)
    try:
        running = wait_for(
            lambda: IngestJob.objects.filter(pk=job.pk, status="running").first(), 60, "the claim"
        )
        assert running.in_web_process
        # alive: beats carry the silent job past its stale window, and the page keeps it
        wait_for(
            lambda: IngestJob.objects.filter(
                pk=job.pk,
                updated_at__gt=running.started_at + timedelta(seconds=6),
            ).exists(),
            60,
            "a heartbeat past the stale window",
        )
        assert client.get(url).status_code == 200
        assert IngestJob.objects.get(pk=job.pk).status == IngestJob.Status.RUNNING
        web.send_signal(signal.SIGKILL)  # the web server dies under its thread
        web.wait(10)

        def failed() -> IngestJob | None:
            client.get(url)  # the page that polls the job is what fails it
            return IngestJob.objects.filter(pk=job.pk, status="failed").first()

        done = wait_for(failed, 60, "the page to fail the lost job")
        assert "Traceback" not in (tmp_path / "web.log").read_text()
    finally:
        if web.poll() is None:
            web.kill()
            web.wait(10)
        log.close()
    assert done.error_code == "worker_lost"
    assert "The web server reading acme/tiny from the Hub stopped" in done.error
    page = client.get(url, {"lang": "en"}).content.decode()
    assert "stopped without finishing" in page and 'value="acme/tiny"' in page
