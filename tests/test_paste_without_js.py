"""The paste form without JavaScript: the POST queues the same ingest job the htmx path
queues and redirects (303) to the job's page, which refreshes itself until the model page or
the failure with the field filled in.

Before the fix the plain POST ran the ingest inside the web request: with the Hub's timeouts
and its rate-limit waits (up to 60 s each) it outlasted gunicorn's timeout, and the person got
a 502 and lost what they had typed.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogModel, IngestJob
from tests.conftest import celery_app_broker_use

REFRESH = '<meta http-equiv="refresh" content="2">'


@pytest.mark.django_db
def test_a_paste_without_javascript_queues_a_job_and_redirects_to_its_page(hub):
    client = Client(raise_request_exception=True)
    response = client.post(reverse("catalog:ingest"), {"model_id": "meta-llama/Llama-3.2-1B"})
    job = IngestJob.objects.get()
    assert response.status_code == 303
    assert response["Location"] == reverse("catalog:ingest_progress", args=[job.pk])
    # the request asked the Hub nothing: the job does, outside it
    assert job.status == IngestJob.Status.QUEUED and hub.requests == []
    assert not CatalogModel.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert REFRESH in page
    assert "Reading meta-llama/Llama-3.2-1B from the Hub…" in page


@pytest.mark.django_db
def test_pasting_an_id_already_in_the_catalog_answers_303(web_model):
    # Before the fix: 302, while every other answer to a POST here is 303 See Other (a 302
    # lets a client repeat the POST on the model page).
    from conftest import web_analysis

    web_model("acme/known", analysis=web_analysis(layers=["attention"], total=1))
    for text in ("acme/known", "https://huggingface.co/acme/known/tree/main"):
        response = Client().post(reverse("catalog:ingest"), {"model_id": text})
        assert response.status_code == 303, text
        assert response["Location"] == "/models/acme/known/"
    assert not IngestJob.objects.exists()


@pytest.fixture
def embedded_broker(settings, tmp_path):
    """The web process and any worker on one broker of `make run`'s kind (kombu on SQLite),
    a fresh one per test, so no other worker takes the jobs sent here."""
    from mechanic.celery import app

    url = f"sqla+sqlite:///{tmp_path / 'celery-broker.sqlite3'}"
    settings.CELERY_BROKER_URL = url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    def use_broker(broker_url: str) -> None:
        celery_app_broker_use(broker_url)

    previous = app.conf.broker_url
    use_broker(url)
    yield url
    use_broker(previous)


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _paste(page, text: str):
    """Type an ID into the field and send the form; the POST's response."""
    page.get_by_label("Model ID or Hub URL").fill(text)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Analyze", exact=True).click()
    return posted.value


@pytest.mark.browser
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_paste_goes_through_the_job_page_to_the_model_page(
    live_server, settings, hub, embedded_broker, celery_worker_factory, nojs_page
):
    settings.INGEST_INLINE_AFTER_S = None  # only the worker runs the job
    page = nojs_page
    page.goto(live_server.url + "/")
    posted = _paste(page, "meta-llama/Llama-3.2-1B")
    assert posted.status == 303
    job = IngestJob.objects.get()
    assert posted.headers["location"] == reverse("catalog:ingest_progress", args=[job.pk])

    # the job page: what is read, its stage, and a refresh that needs no JavaScript
    page.wait_for_url(re.compile(rf"/ingest/{job.pk}/$"))
    assert page.get_by_role("heading", name="Ingesting meta-llama/Llama-3.2-1B").is_visible()
    assert page.get_by_text("Reading meta-llama/Llama-3.2-1B from the Hub…").is_visible()
    assert page.locator(".progress-box").get_by_text("Queued").is_visible()
    assert page.locator("meta[http-equiv=refresh]").get_attribute("content") == "2"

    # a worker takes the queued job; the page, refreshing itself, ends on the model page
    worker = celery_worker_factory(
        queues="default",
        name="nojs",
        CELERY_BROKER_URL=embedded_broker,
        HF_ENDPOINT=hub.url,
        HF_TIMEOUT_S="5",
        HF_MAX_RETRIES="0",
    )
    try:
        page.wait_for_url(re.compile(r"/models/meta-llama/Llama-3\.2-1B/$"), timeout=60_000)
    except Exception:
        raise AssertionError(f"never reached the model page\n{worker.log()[-4000:]}") from None
    assert page.get_by_role("heading", name="Llama-3.2-1B", level=1).is_visible()
    assert IngestJob.objects.get().status == IngestJob.Status.SUCCEEDED
    assert "ingest_model" in worker.log()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_a_failed_paste_shows_why_with_the_id_kept(
    live_server, settings, hub, embedded_broker, nojs_page
):
    # no worker: the job page runs a job nobody took (a deployment without one still ingests)
    settings.INGEST_INLINE_AFTER_S = 1e-6  # at once (0 is never)
    page = nojs_page
    page.goto(live_server.url + "/")
    typed = "nobody/does-not-exist-anywhere"
    assert _paste(page, typed).status == 303
    job = IngestJob.objects.get()
    page.wait_for_url(re.compile(rf"/ingest/{job.pk}/$"))
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED and job.error_code == "repo_not_found"
    assert job.error.startswith(f"No model '{typed}' on the Hub. Check the spelling")
    assert page.get_by_role("alert").inner_text() == f"Ingesting {typed} failed: {job.error}"
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # finished: no more reloads
    field = page.get_by_label("Model ID or Hub URL")
    assert field.input_value() == typed

    # corrected in place and sent again, it goes the same way to the model page
    field.fill("meta-llama/Llama-3.2-1B")
    assert _paste(page, "meta-llama/Llama-3.2-1B").status == 303
    page.wait_for_url(re.compile(r"/models/meta-llama/Llama-3\.2-1B/$"), timeout=60_000)
    assert page.get_by_role("heading", name="Llama-3.2-1B", level=1).is_visible()
