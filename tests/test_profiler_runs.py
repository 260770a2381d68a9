"""Measurement runs in Django: the one-active-run constraint, the conditional claim, the
reaper, the page partials (CSRF, htmx polling that stops) and the panel's query count.
No worker here: the Celery tests start real ones."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from profiler import services
from profiler.models import MeasurementRun
from tests.test_profiler_bench import TINY_LLAMA
from tests.test_profiler_celery import revision_with_config

Status = MeasurementRun.Status
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english")]
REAPED_NOTHING = {"requeued": 0, "failed": 0, "cancelled": 0, "resent": 0, "not_picked_up": 0}

RESULT = {
    "mode": "synthetic",
    "extrapolated": False,
    "device": "cuda",
    "dtype": "bfloat16",
    "gpu_name": "NVIDIA H200",
    "gpu_memory_bytes": 150_000_000_000,
    "params_loaded": 106816,
    "weights_bytes_counted": 213632,
    "weights_bytes_allocated": 213632,  # CUDA: the memory the load allocated
    "peak_allocated_bytes": 300000,
    "prefill_ms": 1.5,
    "decode_tokens_per_s": {"median": 1000.0, "min": 900.0, "max": 1100.0, "stdev": 5.0, "runs": 3},
    "roofline_tokens_per_s": 1500.0,
    "roofline_fraction": 0.6667,
    "torch_version": "2.13.0",
    "transformers_version": "5.24.0",
    "notes": ["random weights: generated tokens are meaningless; timing and memory are real."],
    "estimate": {"params_total": 106816, "params_active": 106816, "weights_bytes": 213632},
    "residuals": {
        "params": 0,
        "memory_fraction": 0.0,
        "memory_tolerance": 0.02,
        "weights_counted_fraction": 0.0,
        "peak_estimate_bytes": 219776,
        "peak_fraction": 0.365,
        "peak_tolerance": 0.25,
    },
}


def make_run(revision, **fields) -> MeasurementRun:
    base = {
        "mode": "synthetic",
        "dtype": "float32",
        "device_kind": "cpu",
        "prompt_len": 8,
        "new_tokens": 4,
    }
    return MeasurementRun.objects.create(revision=revision, **{**base, **fields})


def succeeded_run(revision) -> MeasurementRun:
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="gpu@test")
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=RESULT)
    run.refresh_from_db()
    return run


@pytest.mark.postgres
def test_only_one_active_run_per_identical_request():
    revision = revision_with_config(TINY_LLAMA)
    make_run(revision)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_run(revision)
    make_run(revision, batch=2)  # a different request is fine
    MeasurementRun.objects.filter(batch=1).update(status=Status.SUCCEEDED)
    make_run(revision)  # history does not block a new active run


@pytest.mark.postgres
def test_claim_is_conditional_and_results_are_written_once():
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    first = services.run_claim(run_id=run.pk, worker_host="a")
    assert first == 1
    assert services.run_claim(run_id=run.pk, worker_host="b") is None  # second delivery
    assert services.run_progress(run_id=run.pk, attempt=1, stage="measure", pct=55.5)
    run.refresh_from_db()
    assert (run.stage, run.progress_pct, run.worker_host) == ("measure", 55, "a")
    assert services.run_succeed(run_id=run.pk, attempt=1, result=RESULT)
    # A late, stale attempt cannot overwrite or add a result.
    assert not services.run_succeed(run_id=run.pk, attempt=1, result={**RESULT, "prefill_ms": 9})
    assert not services.run_fail(run_id=run.pk, attempt=1, message="late")
    run.refresh_from_db()
    assert run.status == Status.SUCCEEDED and run.result["prefill_ms"] == 1.5
    assert run.residuals["params"] == 0 and run.gpu_name == "NVIDIA H200"


@pytest.mark.postgres
def test_reaper_requeues_then_fails_stale_runs(celery_broker, settings):
    settings.PROFILER_MAX_ATTEMPTS = 2
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="gone")
    old = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    fresh = make_run(revision, batch=3)
    services.run_claim(run_id=fresh.pk, worker_host="alive")  # heartbeat now: left alone

    assert services.runs_reap(stale_after_s=60) == {**REAPED_NOTHING, "requeued": 1}
    run.refresh_from_db()
    assert run.status == Status.QUEUED and run.error_code == "requeued"
    assert celery_broker.llen("gpu") == 1  # sent again

    assert services.run_claim(run_id=run.pk, worker_host="second") == 2
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    assert services.runs_reap(stale_after_s=60) == {**REAPED_NOTHING, "failed": 1}
    run.refresh_from_db()
    assert run.status == Status.FAILED and run.error_code == "worker_lost"
    assert "after 2 attempt(s)" in run.error
    assert MeasurementRun.objects.get(pk=fresh.pk).status == Status.RUNNING


def test_cancel_of_a_queued_run_wins_or_loses_cleanly_against_the_claim():
    revision = revision_with_config(TINY_LLAMA)
    # Cancel first: the claim finds nothing queued, so a later delivery skips the run.
    run = make_run(revision)
    cancelled = services.run_cancel(run_id=run.pk)
    assert cancelled.status == Status.CANCELLED and cancelled.error_code == "cancelled"
    assert cancelled.finished_at is not None and "Cancelled on request" in cancelled.error
    assert services.run_claim(run_id=run.pk, worker_host="late") is None
    assert services.run_execute(run_id=run.pk, worker_host="late") == "skipped"
    assert MeasurementRun.objects.get(pk=run.pk).attempts == 0

    # Claim first: the cancel becomes a stop request the worker honours; no result after it.
    other = make_run(revision, batch=2)
    attempt = services.run_claim(run_id=other.pk, worker_host="w")
    asked = services.run_cancel(run_id=other.pk)
    assert asked.status == Status.RUNNING and asked.cancel_requested
    assert services.run_stop_wanted(run_id=other.pk, attempt=attempt)
    assert not services.run_succeed(run_id=other.pk, attempt=attempt, result=RESULT)
    assert services.run_mark_cancelled(run_id=other.pk, attempt=attempt)
    other.refresh_from_db()
    assert other.status == Status.CANCELLED and other.result is None

    # A finished run is history: cancelling it changes nothing.
    done = succeeded_run(revision)
    assert services.run_cancel(run_id=done.pk).status == Status.SUCCEEDED


def test_cancel_is_a_csrf_checked_post_on_the_status_partial_and_the_run_page():
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    url = reverse("profiler:run_cancel", args=[run.pk])
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("profiler:run", args=[run.pk])).content.decode()
    assert f'action="{url}"' in page and 'name="csrfmiddlewaretoken"' in page
    partial = client.get(reverse("profiler:run_status", args=[run.pk])).content.decode()
    assert f'hx-post="{url}"' in partial and 'hx-trigger="every 1s"' in partial
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', partial).group(1)

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    assert MeasurementRun.objects.get(pk=run.pk).status == Status.QUEUED
    response = client.post(url, {"csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cancelled on request" in html
    # the reader's own stop is said plainly, not in the red of a failure
    assert '<p class="muted" data-testid="run-cancelled">Cancelled on request.</p>' in html
    assert 'class="error"' not in html
    assert "hx-trigger" not in html and url not in html  # polling stops, no button left
    assert MeasurementRun.objects.get(pk=run.pk).status == Status.CANCELLED

    running = make_run(revision, batch=2)
    services.run_claim(run_id=running.pk, worker_host="w")
    url = reverse("profiler:run_cancel", args=[running.pk])
    response = client.post(url, {"csrfmiddlewaretoken": token})  # no htmx: back to the page
    assert response.status_code == 303
    assert response["Location"] == reverse("profiler:run", args=[running.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Stopping" in page and f'action="{url}"' not in page


def test_reaper_resends_then_fails_queued_runs_no_worker_picked_up(celery_broker, settings):
    settings.PROFILER_MAX_ATTEMPTS = 2
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)  # its message is "lost": it was never sent
    long_ago = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(queued_at=long_ago)

    assert services.runs_reap(queued_stale_after_s=60) == {**REAPED_NOTHING, "resent": 1}
    assert celery_broker.llen("gpu") == 1  # sent once more
    run.refresh_from_db()
    assert run.status == Status.QUEUED and run.queue_resends == 1 and run.queued_at > long_ago
    assert services.runs_reap(queued_stale_after_s=60) == REAPED_NOTHING  # fresh again

    MeasurementRun.objects.filter(pk=run.pk).update(queued_at=long_ago)
    assert services.runs_reap(queued_stale_after_s=60) == {**REAPED_NOTHING, "not_picked_up": 1}
    run.refresh_from_db()
    assert run.status == Status.FAILED and run.error_code == "not_picked_up"
    assert (
        "No worker picked this run up within 1 minute: is a worker for the `gpu` queue running?"
        in run.error
    )
    assert run.result is None and celery_broker.llen("gpu") == 1

    # A worker that showed life within the window is busy, not gone: waiting runs stay queued.
    waiting = make_run(revision, batch=4)
    MeasurementRun.objects.filter(pk=waiting.pk).update(queued_at=long_ago)
    busy = make_run(revision, batch=5)
    services.run_claim(run_id=busy.pk, worker_host="gpu@busy")
    assert services.runs_reap(queued_stale_after_s=60) == REAPED_NOTHING
    assert MeasurementRun.objects.get(pk=waiting.pk).status == Status.QUEUED


def test_reaper_cancels_a_dead_run_whose_cancel_was_asked(celery_broker):
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="gone")
    services.run_cancel(run_id=run.pk)
    old = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    assert services.runs_reap(stale_after_s=60) == {**REAPED_NOTHING, "cancelled": 1}
    run.refresh_from_db()
    assert run.status == Status.CANCELLED and celery_broker.llen("gpu") == 0


def test_request_validation_is_readable():
    revision = revision_with_config(TINY_LLAMA)
    with pytest.raises(services.RunRequestInvalid, match="batch must be a whole number"):
        services.run_request(revision=revision, batch=0)
    with pytest.raises(services.RunRequestInvalid, match="dtype must be one of"):
        services.run_request(revision=revision, dtype="int3")
    # what the worker would refuse is said before anything is queued
    with pytest.raises(services.RunRequestInvalid, match=r"= 8,200 is more than .* \(8,192\)"):
        services.run_request(revision=revision, prompt_len=8000, new_tokens=200, device="cpu")
    with pytest.raises(services.RunRequestInvalid, match="Checkpoint mode needs the weights"):
        services.run_request(revision=revision, mode="checkpoint", device="cpu")
    # the limits' numbers grouped as the pages group them (131,072, de 131.072), not 131072
    with pytest.raises(services.RunRequestInvalid, match="from 1 to 131,072[.]"):
        services.run_request(revision=revision, prompt_len=200_000)
    with (
        translation.override("de"),
        pytest.raises(services.RunRequestInvalid, match="von 1 bis 131[.]072 sein"),
    ):
        services.run_request(revision=revision, prompt_len=200_000)
    with translation.override("ko"), pytest.raises(services.RunRequestInvalid, match=r"8,200"):
        services.run_request(revision=revision, prompt_len=8000, new_tokens=200, device="cpu")
    assert not MeasurementRun.objects.exists()


def test_a_cpu_run_this_machine_cannot_hold_is_refused_before_it_is_queued(settings):
    """With the embedded broker (make run) the CPU worker is this machine: a model whose
    weights exceed its free memory (DeepSeek-V3's shapes, ~1.25 TiB in bf16) is refused on the
    form, with sliced mode offered, instead of queueing and failing on the worker. Sliced
    mode, and a Redis broker (workers elsewhere, which check their own memory), pass."""
    from tests.conftest import shared_hub

    hub = shared_hub()
    if not hub.is_dir():
        pytest.skip("../shared/hub is not here")
    import json

    config = json.loads((hub / "deepseek-ai--DeepSeek-R1" / "config.json").read_text())
    config.pop("quantization_config", None)
    revision = revision_with_config(config, repo_id="test/huge")
    settings.CELERY_BROKER_URL = "sqla+sqlite:////tmp/mechanic-test-broker-unused.sqlite3"
    with pytest.raises(services.RunRequestInvalid, match=r"choose sliced mode") as refused:
        services.run_request(revision=revision, device="cpu")
    # grouped and localized as the pages write numbers (en 1,249.9; de 1.249,9)
    assert re.search(r"need about 1,[0-9]{3}\.\d GiB in bfloat16", str(refused.value))
    client, token = _csrf_client_and_token(revision)
    url = reverse("profiler:measure", args=[revision.pk])
    form = {**FORM, "device": "cpu", "csrfmiddlewaretoken": token}
    german = client.post(url, form, headers={"HX-Request": "true", "Accept-Language": "de"})
    assert "sliced" in german.content.decode() and "GiB" in german.content.decode()
    assert re.search(r"etwa 1\.[0-9]{3},\d GiB", german.content.decode())
    assert 'name="device"' in german.content.decode()  # the form comes back to be changed
    assert not MeasurementRun.objects.exists()
    # what the refusal is not about
    tiny = revision_with_config(TINY_LLAMA, repo_id="test/tiny-fits")
    services._run_request_fits_this_machine(
        tiny, TINY_LLAMA, {"device_kind": "cpu", "mode": "synthetic", "dtype": "float32"}
    )
    for fields in (
        {"device_kind": "cpu", "mode": "sliced", "dtype": "bfloat16"},
        {"device_kind": "cuda", "mode": "synthetic", "dtype": "bfloat16"},
    ):
        services._run_request_fits_this_machine(revision, config, fields)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    services._run_request_fits_this_machine(
        revision, config, {"device_kind": "cpu", "mode": "synthetic", "dtype": "bfloat16"}
    )


def test_too_long_a_request_is_refused_on_the_form_in_the_page_language():
    revision = revision_with_config(TINY_LLAMA)
    client, token = _csrf_client_and_token(revision)
    url = reverse("profiler:measure", args=[revision.pk])
    form = {**FORM, "prompt_len": "8000", "new_tokens": "500", "csrfmiddlewaretoken": token}
    response = client.post(url, form, headers={"HX-Request": "true"})
    # htmx swaps only 2xx: the form comes back with its error, retargeted onto itself
    assert (
        response.status_code == 200 and response["HX-Retarget"] == f"#profiler-form-{revision.pk}"
    )
    assert "max_position_embeddings (8,192)" in response.content.decode()
    german = client.post(url, form, headers={"HX-Request": "true", "Accept-Language": "de"})
    assert "ist mehr als max_position_embeddings dieses Modells (8.192)" in german.content.decode()
    # without JavaScript: a whole page (the site's layout and a way back), status 400
    plain = client.post(url, form)
    assert plain.status_code == 400
    body = plain.content.decode()
    assert body.lstrip().lower().startswith("<!doctype html>") and "max_position_embeddings" in body
    assert revision.model.get_absolute_url() in body
    # a plain form: its htmx target (the model page's runs list) is not on this page
    assert 'class="measure-form"' in body and "hx-post" not in body
    assert f"#profiler-runs-{revision.pk}" not in body
    assert not MeasurementRun.objects.exists()


def test_the_same_request_twice_updates_the_run_in_place(celery_broker):
    revision = revision_with_config(TINY_LLAMA)
    client, token = _csrf_client_and_token(revision)
    url = reverse("profiler:measure", args=[revision.pk])
    form = {**FORM, "csrfmiddlewaretoken": token}
    first = client.post(url, form, headers={"HX-Request": "true"})
    assert first.status_code == 200 and "HX-Retarget" not in first  # inserted at the top
    run = MeasurementRun.objects.get()
    again = client.post(url, form, headers={"HX-Request": "true"})
    assert MeasurementRun.objects.count() == 1
    assert again["HX-Retarget"] == f"#run-{run.pk}" and again["HX-Reswap"] == "outerHTML"


def test_stop_on_a_run_whose_worker_went_silent_cancels_it_at_once(settings):
    settings.PROFILER_STALE_AFTER_S = 60
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="gone")
    status_url = reverse("profiler:run_status", args=[run.pk])
    assert "No sign of life" not in Client().get(status_url).content.decode()  # fresh heartbeat
    old = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    page = Client().get(status_url).content.decode()
    assert re.search(r"No sign of life from the worker for 10 min( \d s)?:", page)
    stopped = services.run_cancel(run_id=run.pk)
    assert stopped.status == Status.CANCELLED and stopped.finished_at is not None
    # the worker, should it come back, can no longer write a result
    assert not services.run_succeed(run_id=run.pk, attempt=attempt, result=RESULT)
    # a live worker's run is only asked to stop
    live = make_run(revision, batch=2)
    services.run_claim(run_id=live.pk, worker_host="alive")
    asked = services.run_cancel(run_id=live.pk)
    assert asked.status == Status.RUNNING and asked.cancel_requested


def _csrf_client_and_token(revision) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("profiler:panel", args=[revision.pk]))
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client, token


FORM = {
    "mode": "synthetic",
    "dtype": "bfloat16",
    "device": "cpu",
    "batch": "1",
    "prompt_len": "8",
    "new_tokens": "4",
}


def test_measure_form_needs_csrf_and_returns_a_polling_status(celery_broker):
    revision = revision_with_config(TINY_LLAMA)
    url = reverse("profiler:measure", args=[revision.pk])
    assert Client(enforce_csrf_checks=True).post(url, FORM).status_code == 403
    client, token = _csrf_client_and_token(revision)
    response = client.post(url, {**FORM, "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    run = MeasurementRun.objects.get()
    assert run.status == Status.QUEUED and run.device_kind == "cpu"
    assert 'hx-trigger="every 1s"' in html
    assert reverse("profiler:run_status", args=[run.pk]) in html
    assert celery_broker.llen("gpu") == 1
    # Without htmx the same POST redirects to the run page (works without JavaScript).
    response = client.post(url, {**FORM, "csrfmiddlewaretoken": token})
    assert response.status_code == 303 and response["Location"] == reverse(
        "profiler:run", args=[run.pk]
    )
    bad = client.post(url, {**FORM, "batch": "0", "csrfmiddlewaretoken": token})
    assert bad.status_code == 400
    bad = client.post(
        url, {**FORM, "batch": "0", "csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 200 and bad["HX-Retarget"] == f"#profiler-form-{revision.pk}"
    assert b'name="batch"' in bad.content and MeasurementRun.objects.count() == 1


def test_broker_down_shows_the_reason_not_a_500(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    revision = revision_with_config(TINY_LLAMA)
    client, token = _csrf_client_and_token(revision)
    response = client.post(
        reverse("profiler:measure", args=[revision.pk]),
        {**FORM, "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "job queue is unreachable" in html
    assert "hx-trigger" not in html


def test_status_partial_stops_polling_and_shows_measured_vs_estimated():
    revision = revision_with_config(TINY_LLAMA)
    run = succeeded_run(revision)
    client = Client()
    html = client.get(reverse("profiler:run_status", args=[run.pk])).content.decode()
    assert "hx-trigger" not in html  # the run ended: no more polling
    assert "Measured vs estimated" in html
    assert "106,816" in html and "+0.0%" in html
    assert "0.67 fraction of roofline" in html
    # every figure with its unit; a tolerance is unsigned after its ±
    assert "1,000.0 tok/s" in html and "1,500.0 tok/s" in html and "1.5 ms" in html
    assert "(tolerance ±2.0%)" in html and "±+" not in html
    # a CPU run has no roofline: a dash, not a bare label
    MeasurementRun.objects.filter(pk=run.pk).update(
        result={**RESULT, "roofline_tokens_per_s": None, "roofline_fraction": None}
    )
    cpu = client.get(reverse("profiler:run_status", args=[run.pk])).content.decode()
    row = cpu.split("decode tokens/s</th>")[1].split("</tr>")[0]
    assert "fraction of roofline" not in row and row.count("—") == 2
    page = client.get(reverse("profiler:run", args=[run.pk]))
    assert page.status_code == 200 and b"Measurement run #" in page.content
    frag = client.get(reverse("profiler:run", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert b"<html" not in frag.content


def test_panel_include_renders_from_the_revision_alone_in_one_query(django_assert_num_queries):
    revision = revision_with_config(TINY_LLAMA)
    succeeded_run(revision)
    active = make_run(revision, batch=4)
    for batch in (5, 6, 7):
        make_run(revision, batch=batch, status=Status.FAILED, error="boom")
    with django_assert_num_queries(1):
        context = services.runs_panel_context(revision)
    assert [r.pk for r in context["active_runs"]] == [active.pk]
    assert context["chart_figure"]["data"][0]["y"] == [1000.0]
    template = engines["django"].from_string(
        '{% include "profiler/_panel.html" with revision=revision %}'
    )
    with django_assert_num_queries(1):
        html = template.render({"revision": revision})
    assert 'hx-trigger="every 1s"' in html  # the active run polls
    assert f'id="profiler-chart-{revision.pk}"' in html  # the plotly figure JSON
    assert "Decode tokens/s" in html  # the table alternative to the chart
    assert 'name="prompt_len"' in html and 'name="new_tokens"' in html
    # The model page renders the template with the helper's dict: no second query.
    from django.template.loader import render_to_string

    with django_assert_num_queries(0):
        assert render_to_string("profiler/_panel.html", context).count("every 1s") == 1


def test_korean_and_german_pages_render():
    revision = revision_with_config(TINY_LLAMA)
    run = succeeded_run(revision)
    try:
        for lang in ("ko", "de"):
            response = Client().get(
                reverse("profiler:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE=lang
            )
            assert response.status_code == 200
            assert response["Content-Language"] == lang
    finally:
        translation.activate("en")  # LocaleMiddleware leaves the language active in the thread


def test_profile_command_says_a_missing_folder_in_the_terminal_s_language(monkeypatch):
    from django.core.management import CommandError, call_command

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    with pytest.raises(CommandError, match="/nonexistent/model ist kein Ordner: gib einen Modell"):
        call_command("profile", "/nonexistent/model", "--device", "cpu")
    monkeypatch.setenv("LANGUAGE", "ko")
    with pytest.raises(CommandError, match="폴더가 아닙니다. 모델 폴더나 모델 ID를 넘겨 주세요"):
        call_command("profile", "/nonexistent/model", "--device", "cpu")


def test_profile_command_says_what_is_wrong_before_waiting(celery_broker, settings, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="/nonexistent/model is not a folder"):
        call_command("profile", "/nonexistent/model", "--device", "cpu")
    with pytest.raises(CommandError, match="contains characters a Hub model ID cannot have"):
        call_command("profile", "acme/bad name", "--device", "cpu")
    with pytest.raises(CommandError, match="--timeout must be a positive number"):
        call_command("profile", "acme/x", "--timeout", "-5")
    # the form's field names come back as this command's flags
    revision = revision_with_config(TINY_LLAMA)
    with pytest.raises(CommandError, match="--prompt-len must be a whole number from 1 to"):
        call_command("profile", revision.model.repo_id, "--device", "cpu", "--prompt-len", "0")
    # no worker: the hint comes early, once, and the wait still ends at --timeout
    revision_with_config(TINY_LLAMA, repo_id="test/queued")
    settings.PROFILER_QUEUED_HINT_AFTER_S = 0  # the page's setting, not a constant of its own
    err = StringIO()
    with pytest.raises(CommandError, match="is still queued after 1 s"):
        call_command(
            "profile", "test/queued", "--device", "cpu", "--wait", "--timeout", "1", stderr=err
        )
    assert err.getvalue().count("still queued after 0 s: is a worker consuming queue gpu?") == 1


def test_profile_json_says_a_refusal_before_any_run_on_stdout(celery_broker, capsys):
    """profile --json said a failed run on stdout, but a refusal before any run (a bad ID, a
    path that is no folder, a bad option, a refused request) only on stderr: a script piping
    stdout into jq got nothing. Now one JSON line, run and status null, as analyze --json."""
    from django.core.management import CommandError, call_command

    revision = revision_with_config(TINY_LLAMA)
    cases = [
        (["acme/bad name"], "invalid_model_id", "contains characters"),
        (["/nonexistent/model"], "not_a_folder", "is not a folder"),
        (["acme/x", "--timeout", "-5"], "invalid_option", "--timeout must be a positive"),
        ([revision.model.repo_id, "--prompt-len", "0"], "invalid_request", "--prompt-len must"),
    ]
    for args, code, said in cases:
        with pytest.raises(CommandError, match=re.escape(said)) as caught:
            call_command("profile", *args, "--device", "cpu", "--json")
        line = capsys.readouterr().out
        assert line.count("\n") == 1, line
        document = json.loads(line)
        assert document == {
            "run": None,
            "status": None,
            "error": {"code": code, "message": str(caught.value)},
        }
        # without --json: nothing on stdout
        with pytest.raises(CommandError):
            call_command("profile", *args, "--device", "cpu")
        assert capsys.readouterr().out == ""
    assert MeasurementRun.objects.count() == 0


def test_profile_progress_says_the_run_page_s_stage_words():
    """The --wait progress line printed the worker's stage ids ("running build"); it says
    the status and stage as the run page does, in the terminal's language."""
    from profiler.management.commands.profile import progress_line
    from profiler.templatetags.profiler_tags import run_stage

    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision, status=MeasurementRun.Status.RUNNING, stage="build", progress_pct=25)
    with translation.override("en"):
        assert progress_line(run) == "[#####               ]  25% running · building the model"
    queued = make_run(revision, batch=2)
    with translation.override("en"):
        assert progress_line(queued).endswith("  0% queued · waiting for a worker")
    for lang in ("ko", "de"):
        with translation.override(lang):
            line = progress_line(run)
            assert line.endswith(f"{run.get_status_display()} · {run_stage('build')}")
            assert "build" not in line and "running" not in line, line
    # the page's own status line says the same words
    de = Client().get(reverse("profiler:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="de")
    translation.activate("en")  # LocaleMiddleware leaves the language active in the thread
    with translation.override("de"):
        assert f"{run_stage('build')} · 25%" in de.content.decode()


@pytest.mark.parametrize(
    ("seconds", "en", "ko", "de"),
    [
        (0, "0 s", "0초", "0 s"),
        (46, "46 s", "46초", "46 s"),
        (826, "13 min 46 s", "13분 46초", "13 Min. 46 s"),
        (780, "13 min", "13분", "13 Min."),
        (3725, "1 h 2 min", "1시간 2분", "1 Std. 2 Min."),
        # half rounds up as people round it, not to even (round(0.5) is 0, round(2.5) is 2)
        (0.5, "1 s", "1초", "1 s"),
        (2.5, "3 s", "3초", "3 s"),
        (0.49, "0 s", "0초", "0 s"),
        (59.5, "1 min", "1분", "1 Min."),
        (60, "1 min", "1분", "1 Min."),
        (3599.4, "59 min 59 s", "59분 59초", "59 Min. 59 s"),
        (3599.5, "1 h", "1시간", "1 Std."),
        (3600, "1 h", "1시간", "1 Std."),
        # past an hour rounded to the minute, not cut: 3659 s is nearer 1 h 1 min than 1 h
        (3629, "1 h", "1시간", "1 Std."),
        (3630, "1 h 1 min", "1시간 1분", "1 Std. 1 Min."),
        (3659, "1 h 1 min", "1시간 1분", "1 Std. 1 Min."),
        (7170, "2 h", "2시간", "2 Std."),
        (86400, "24 h", "24시간", "24 Std."),
        (-5, "0 s", "0초", "0 s"),
        (-0.4, "0 s", "0초", "0 s"),
    ],
)
def test_durations_read_as_people_say_them(seconds, en, ko, de):
    """The queued hint said "826 s"; a duration reads in minutes and hours, in each language."""
    from catalog.templatetags.mechanic import duration_h

    for lang, said in (("en", en), ("ko", ko), ("de", de)):
        with translation.override(lang):
            assert duration_h(seconds) == said
            assert duration_h(str(seconds)) == said  # a template passes what a row holds
    for missing in (None, "", "x", float("nan"), float("inf"), True):
        assert duration_h(missing) == ""


def test_a_host_out_of_memory_names_the_device_as_the_pages_do():
    """The message said "on cpu" (de "auf cpu"): the option's value inside a sentence. The
    device is named as the runs table names it, in every language."""
    from profiler.core.estimate import Estimate
    from profiler.core.measure import BenchOptions, _host_oom_error
    from profiler.error_detail import run_detail_render

    oom = _host_oom_error(
        Estimate(weights_bytes=8 * 2**30, kv_bytes=2**30), BenchOptions(device="cpu")
    )
    assert "(weights + KV cache) on CPU." in str(oom)
    for lang, said in (("de", "auf CPU"), ("ko", "CPU에서")):
        with translation.override(lang):
            text = run_detail_render(oom.detail)
        assert said in text and "cpu" not in text, text
    assert MeasurementRun.Device.CPU.label == "CPU"
    # a worker without a GPU names the device to choose as the form's device list names it
    from profiler.core.errors import DeviceUnavailable

    missing = DeviceUnavailable.of("cuda_missing")
    assert str(missing).endswith("or choose the device CPU.")
    with translation.override("de"):
        assert run_detail_render(missing.detail).endswith("wähle das Gerät CPU.")


def test_profile_command_does_not_store_a_folder_over_a_bundled_model(celery_broker, tmp_path):
    """profile PATH stores the folder (model_ingest_dir) before queueing: a folder named like a
    bundled or Hub model would become that model's page. Refused as ingest --dir refuses it:
    nothing stored, nothing queued, unless --replace."""
    import json

    from django.core.management import CommandError, call_command

    from catalog.models import CatalogModel, Revision

    model = CatalogModel.objects.create(repo_id="meta-llama/Llama-3.1-8B")
    model.latest_revision = Revision.objects.create(
        model=model, sha="b" * 64, source=Revision.Source.BUNDLED
    )
    model.save()
    folder = tmp_path / "x" / "meta-llama--Llama-3.1-8B"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(TINY_LLAMA))
    with pytest.raises(CommandError) as refused:
        call_command("profile", str(folder), "--device", "cpu", "--mode", "synthetic")
    message = str(refused.value)
    assert message.startswith(
        "meta-llama/Llama-3.1-8B is already in the catalog from the bundled demo catalog; "
    )
    assert "local--Llama-3.1-8B" in message and "--replace" in message
    assert refused.value.returncode == 1
    assert Revision.objects.filter(model=model).count() == 1
    assert CatalogModel.objects.get(pk=model.pk).latest_revision.source == "bundled"
    assert not MeasurementRun.objects.exists() and celery_broker.llen("gpu") == 0

    call_command("profile", str(folder), "--device", "cpu", "--mode", "synthetic", "--replace")
    run = MeasurementRun.objects.get()
    assert run.revision.model == model and run.revision.source == "upload"
    assert celery_broker.llen("gpu") == 1


def test_profile_command_measures_a_hub_cache_snapshot_of_the_stored_commit(
    celery_broker, tmp_path
):
    """A Hugging Face cache snapshot of the very commit the catalog fetched holds the same
    files: profile measures it against that revision (no --replace, nothing stored). A
    snapshot of another commit is a different set of files and is refused like any folder."""
    import json

    from django.core.management import CommandError, call_command

    from catalog.models import Revision

    sha = "0123456789abcdef0123456789abcdef01234567"
    stored = revision_with_config(TINY_LLAMA, repo_id="HuggingFaceTB/SmolLM2-135M")
    Revision.objects.filter(pk=stored.pk).update(sha=sha, source=Revision.Source.HUB)
    model = stored.model
    model.latest_revision = stored
    model.save()
    cache = tmp_path / "hub" / "models--HuggingFaceTB--SmolLM2-135M" / "snapshots"
    for commit in (sha, "f" * 40):
        (cache / commit).mkdir(parents=True)
        (cache / commit / "config.json").write_text(json.dumps(TINY_LLAMA))
    call_command("profile", str(cache / sha), "--device", "cpu", "--mode", "synthetic")
    run = MeasurementRun.objects.get()
    assert run.revision == model.latest_revision and Revision.objects.count() == 1
    assert celery_broker.llen("gpu") == 1
    with pytest.raises(CommandError, match="already in the catalog from the Hub"):
        call_command("profile", str(cache / ("f" * 40)), "--device", "cpu", "--mode", "synthetic")
    assert Revision.objects.count() == 1 and MeasurementRun.objects.count() == 1


def test_a_queued_run_says_when_no_worker_has_taken_it(settings):
    """Long before the reaper gives up on it (PROFILER_QUEUED_STALE_AFTER_S), a queued run's
    status says that no worker has taken it, and whether runs ahead of it explain the wait."""
    settings.PROFILER_QUEUED_HINT_AFTER_S = 30
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    status_url = reverse("profiler:run_status", args=[run.pk])
    assert "No worker has taken" not in Client().get(status_url).content.decode()  # just queued
    MeasurementRun.objects.filter(pk=run.pk).update(
        queued_at=timezone.now() - timedelta(seconds=95)
    )
    page = Client().get(status_url).content.decode()
    # 95 s and however long the test took since: said in minutes ("1 min 35 s"), not "95 s";
    # not the exact seconds, which depend on how fast this machine is
    assert re.search(r"No worker has taken this run in \d+ min( \d+ s)?, and none is busy", page)
    assert "WORKER_QUEUES=default,gpu" in page
    # a run a worker is busy with, and one queued earlier, are ahead of it
    busy = make_run(revision, batch=2)
    services.run_claim(run_id=busy.pk, worker_host="busy")
    page = Client().get(status_url).content.decode()
    assert re.search(r"in \d+ min( \d+ s)?: 1 run is ahead of it in the queue", page)
    earlier = make_run(revision, batch=3)
    MeasurementRun.objects.filter(pk=earlier.pk).update(
        queued_at=timezone.now() - timedelta(seconds=200)
    )
    later = make_run(revision, batch=4)  # queued after it: not ahead
    assert later.status == Status.QUEUED
    page = Client().get(status_url).content.decode()
    assert re.search(r"in \d+ min( \d+ s)?: 2 runs are ahead of it in the queue", page)
    with translation.override("de"):
        page = Client(headers={"accept-language": "de"}).get(status_url).content.decode()
    assert "No worker has taken" not in page
    # the wait said as a duration in the page's language (it read "95 s" in every language)
    assert re.search(r"Noch kein Worker hat diesen Lauf übernommen \(\d+ Min\.( \d+ s)?\)", page)


def test_a_worker_failure_is_headed_in_the_page_language():
    """profiler.core writes its failures in English (it is framework-free); the page heads them
    with a sentence from error_code in its own language, and keeps the details."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="w")
    detail = "CUDA out of memory: tried to allocate 2.00 GiB with 1.10 GiB free"
    assert services.run_fail(run_id=run.pk, attempt=attempt, message=detail, code="out_of_memory")
    status_url = reverse("profiler:run_status", args=[run.pk])
    pages = {
        lang: Client(headers={"accept-language": lang}).get(status_url).content.decode()
        for lang in ("en", "de", "ko")
    }
    assert "The device ran out of memory." in pages["en"]
    assert "The device ran out of memory." not in pages["de"]
    assert "Speicher" in pages["de"] and "메모리" in pages["ko"]
    assert all(detail in page for page in pages.values())
    # a code whose message is written in the submitter's language gets no second line
    other = make_run(revision, batch=2)
    services.run_fail(run_id=other.pk, attempt=None, message="Abgebrochen.", code="cancelled")
    page = Client().get(reverse("profiler:run_status", args=[other.pk])).content.decode()
    assert '<p class="error">Abgebrochen.</p>' in page and page.count('class="error"') == 1


def test_profile_command_defaults_to_the_configured_device(settings, celery_broker):
    from django.core.management import call_command

    revision = revision_with_config(TINY_LLAMA)
    settings.PROFILER_DEFAULT_DEVICE = "cpu"
    call_command("profile", revision.model.repo_id, "--mode", "synthetic")
    assert MeasurementRun.objects.get().device_kind == "cpu"


def test_the_form_proposes_the_configured_device(settings):
    """`make run` on a machine without a GPU proposes cpu (a cuda run there fails at once);
    docker compose's GPU worker keeps the cuda default."""
    revision = revision_with_config(TINY_LLAMA)
    url = reverse("profiler:panel", args=[revision.pk])
    for device in ("cpu", "cuda"):
        settings.PROFILER_DEFAULT_DEVICE = device
        html = Client().get(url).content.decode()
        select = html.split('name="device"')[1].split("</select>")[0]
        assert re.search(rf'<option value="{device}"[^>]* selected>', select), select


def test_results_are_written_in_the_page_language_number_format():
    revision = revision_with_config(TINY_LLAMA)
    run = succeeded_run(revision)
    url = reverse("profiler:run_status", args=[run.pk])
    de = Client(headers={"accept-language": "de"}).get(url).content.decode()
    assert "106.816" in de and "1.000,0 tok/s" in de and "1,5 ms" in de
    assert "+0,0\u00a0% (Toleranz ±2,0\u00a0%)" in de
    en = Client().get(url).content.decode()
    assert "106,816" in en and "1,000.0 tok/s" in en
    # the worker's fixed notes (English, from profiler.core) read in the page's language
    assert "random weights: generated tokens are meaningless" in en
    assert "Zufallsgewichte: Die erzeugten Tokens sind bedeutungslos" in de


def test_memory_figures_are_in_the_unit_that_fits_them():
    """A 34M-parameter model's weights read "0.06 GiB" next to the model page's "65.76 MiB";
    this run's 213,632 bytes read "0.00 GiB". The results and the history write bytes as the
    model page does (bytes_h)."""
    from catalog.templatetags.mechanic import bytes_h

    revision = revision_with_config(TINY_LLAMA)
    run = succeeded_run(revision)
    status = Client().get(reverse("profiler:run_status", args=[run.pk])).content.decode()
    assert "0.00 GiB" not in status
    assert status.count(bytes_h(213632)) >= 2  # weights: measured and estimated
    assert bytes_h(300000) in status  # peak memory
    panel = Client().get(reverse("profiler:panel", args=[revision.pk])).content.decode()
    assert "0.00 GiB" not in panel and bytes_h(300000) in panel


def test_an_operator_sees_and_stops_runs_in_the_admin(admin_client):
    """The admin lists measurement runs and exercises; its action stops a stuck run."""
    revision = revision_with_config(TINY_LLAMA)
    done = succeeded_run(revision)
    queued = make_run(revision, batch=2)
    listing = admin_client.get("/admin/profiler/measurementrun/")
    assert listing.status_code == 200 and f">{queued.pk}<" in listing.content.decode()
    assert admin_client.get("/admin/catalog/exercise/").status_code == 200
    response = admin_client.post(
        "/admin/profiler/measurementrun/",
        {"action": "cancel_runs", "_selected_action": [queued.pk, done.pk]},
        follow=True,
    )
    assert "Asked 1 active run(s) to stop" in response.content.decode()
    queued.refresh_from_db()
    done.refresh_from_db()
    assert queued.status == Status.CANCELLED and done.status == Status.SUCCEEDED


@pytest.mark.parametrize("command", ["profile", "ingest"])
def test_an_unreachable_hub_is_said_for_the_command_line(settings, command):
    """Offline, both commands point to the command line's ways out, not the home page's, and
    show no exception class names."""
    from django.core.management import CommandError, call_command

    settings.HF_ENDPOINT = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.HF_MAX_RETRIES = 0
    settings.HF_TIMEOUT_S = 2
    args = ["--device", "cpu"] if command == "profile" else []
    with pytest.raises(CommandError) as caught:
        call_command(command, "acme/not-stored-yet", *args)
    message = str(caught.value)
    assert "cannot be reached" in message, message
    assert "`python manage.py ingest --dir PATH` reads a local folder" in message
    assert "home page" not in message and "Upload a config.json" not in message
    assert "HubUnreachable" not in message


def test_stage_and_cancel_are_said_in_the_page_language():
    """The worker writes stage ids ("build") and a cancel is stored in the language of whoever
    asked; the status reads both in the visitor's language."""
    revision = revision_with_config(TINY_LLAMA)
    running = make_run(
        revision, status=MeasurementRun.Status.RUNNING, stage="build", progress_pct=10
    )
    cancelled = make_run(
        revision,
        prompt_len=9,
        status=MeasurementRun.Status.CANCELLED,
        error="Cancelled on request.",
    )
    try:
        de = Client().get(reverse("profiler:run", args=[running.pk]), HTTP_ACCEPT_LANGUAGE="de")
        assert "Modell bauen · 10%" in de.content.decode()
        ko = Client().get(reverse("profiler:run", args=[cancelled.pk]), HTTP_ACCEPT_LANGUAGE="ko")
        html = ko.content.decode()
        assert "Cancelled on request." not in html
        unknown = make_run(
            revision, prompt_len=10, status=MeasurementRun.Status.RUNNING, stage="newstage"
        )
        page = Client().get(reverse("profiler:run", args=[unknown.pk]), HTTP_ACCEPT_LANGUAGE="de")
        assert "newstage" in page.content.decode()
    finally:
        translation.activate("en")


def test_a_cpu_run_shows_host_memory_and_says_what_has_no_estimate():
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    cpu = {**RESULT, "device": "cpu", "peak_allocated_bytes": None, "peak_rss_bytes": 512 * 2**20}
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=cpu)
    run.refresh_from_db()
    rows = {r["label"]: r for r in services.run_comparison_rows(run)}
    assert "peak memory" not in rows
    assert rows["peak host memory (RSS)"]["measured"] == 512 * 2**20
    html = Client().get(reverse("profiler:run", args=[run.pk])).content.decode()
    assert 'data-testid="cpu-estimates"' in html
    assert "peak host memory (RSS)" in html
    gpu = succeeded_run(revision_with_config(TINY_LLAMA, repo_id="test/gpu"))
    assert "peak memory" in {r["label"] for r in services.run_comparison_rows(gpu)}
    gpu_html = Client().get(reverse("profiler:run", args=[gpu.pk])).content.decode()
    assert 'data-testid="cpu-estimates"' not in gpu_html


def test_weights_memory_is_measured_on_cuda_and_only_counted_on_cpu():
    """A CUDA run compares the memory the load allocated with the estimate, within its
    tolerance. On CPU nothing measures it: numel x element size of the loaded tensors was shown
    as "weights memory, +0.0% (tolerance ±2.0%)", a check that cannot fail once the parameter
    count matches. It is labelled a count and shows no tolerance; so are runs recorded before
    the count had its own field (their weights_bytes_allocated was that count)."""
    revision = revision_with_config(TINY_LLAMA)
    gpu = make_run(revision)
    attempt = services.run_claim(run_id=gpu.pk, worker_host="gpu@test")
    allocated = {
        **RESULT,
        "weights_bytes_allocated": 215040,  # buffers and the allocator's rounding on top
        "residuals": {**RESULT["residuals"], "memory_fraction": (215040 - 213632) / 213632},
    }
    assert services.run_succeed(run_id=gpu.pk, attempt=attempt, result=allocated)
    gpu.refresh_from_db()
    rows = {r["label"]: r for r in services.run_comparison_rows(gpu)}
    row = rows["weights memory (allocated after load)"]
    assert row["measured"] == 215040 and row["estimated"] == 213632
    assert row["tolerance"] == 0.02
    html = Client().get(reverse("profiler:run", args=[gpu.pk])).content.decode()
    assert "weights memory (allocated after load)" in html
    assert "+0.7% (tolerance ±2.0%)" in html
    counted = "weights, counted from the loaded tensors (not measured memory)"
    residuals = {**RESULT["residuals"], "memory_fraction": None, "memory_tolerance": None}
    cpu_result = {
        **RESULT,
        "device": "cpu",
        "weights_bytes_allocated": None,
        "peak_allocated_bytes": None,
        "peak_rss_bytes": 512 * 2**20,
        "residuals": residuals,
    }
    older = {k: v for k, v in RESULT.items() if k != "weights_bytes_counted"}
    older = {
        **older,
        "device": "cpu",
        "weights_bytes_allocated": 213632,
        "residuals": {**RESULT["residuals"], "memory_fraction": 0.0},
    }
    for result in (cpu_result, older):
        run = make_run(revision_with_config(TINY_LLAMA, repo_id=f"test/cpu{len(result)}"))
        attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
        assert services.run_succeed(run_id=run.pk, attempt=attempt, result=result)
        run.refresh_from_db()
        rows = {r["label"]: r for r in services.run_comparison_rows(run)}
        assert rows[counted]["measured"] == 213632 and "tolerance" not in rows[counted]
        assert not any(label.startswith("weights memory") for label in rows)
        html = Client().get(reverse("profiler:run", args=[run.pk])).content.decode()
        row = html.split(f"{counted}</th>")[1].split("</tr>")[0]
        assert "+0.0%" in row and "tolerance" not in row
        assert "counted from the loaded tensors (elements × element size)" in html


def test_a_run_that_ended_tells_the_page_to_reload_its_history():
    revision = revision_with_config(TINY_LLAMA)
    active = make_run(revision)
    done = succeeded_run(revision_with_config(TINY_LLAMA, repo_id="test/done"))
    live = Client().get(reverse("profiler:run_status", args=[active.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Trigger" not in live
    ended = Client().get(reverse("profiler:run_status", args=[done.pk]), HTTP_HX_REQUEST="true")
    assert ended["HX-Trigger"] == "mechanic-runs-changed"
    panel = Client().get(reverse("profiler:panel", args=[revision.pk]), {"part": "history"})
    html = panel.content.decode()
    assert html.startswith('<div id="profiler-history-') and "<table" not in html
    services.run_cancel(run_id=active.pk)
    html = Client().get(reverse("profiler:panel", args=[revision.pk]), {"part": "history"})
    assert f">#{active.pk}</a>" in html.content.decode()


def _done_run(revision, *, dtype: str, tok_s: float, weights_gib: float) -> MeasurementRun:
    """A finished CPU run: CPU has no allocator peak, so its memory is the weights."""
    run = make_run(revision, dtype=dtype)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    result = {
        **RESULT,
        "device": "cpu",
        "dtype": dtype,
        "peak_allocated_bytes": None,
        "weights_bytes_allocated": int(weights_gib * 2**30),
        "decode_tokens_per_s": {**RESULT["decode_tokens_per_s"], "median": tok_s},
        "roofline_tokens_per_s": None,  # no roofline for a CPU
        "roofline_fraction": None,
    }
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=result)
    return run


def _traces(figure: dict) -> dict[str, dict]:
    """The runs chart's traces by uid (tok_s, tok_s_estimate, memory_peak, memory_weights,
    memory_estimate); a trace with no value is not drawn."""
    return {t["uid"]: t for t in figure["data"]}


def _axis_ticks(axis: dict) -> list[float]:
    low, high = axis["range"]
    steps = round((high - low) / axis["dtick"])
    return [low + i * axis["dtick"] for i in range(steps + 1)]


def test_the_runs_chart_reads_honestly():
    """The review's runs chart: 2.30 -> 4.60 GiB drawn on an axis from 2.118 looked 5x, the
    4.60 point sat above the top tick, 0 tok/s was level with 2.118 GiB, a line joined a
    bfloat16 run to a float32 one, and German ticks had decimal points."""
    revision = revision_with_config(TINY_LLAMA)
    _done_run(revision, dtype="bfloat16", tok_s=5.46, weights_gib=2.30)
    _done_run(revision, dtype="float32", tok_s=2.13, weights_gib=4.60)
    figure = services.runs_panel_context(revision)["chart_figure"]
    traces = _traces(figure)
    tok, mem = traces["tok_s"], traces["memory_weights"]
    layout = figure["layout"]
    assert mem["y"] == pytest.approx([2.30, 4.60], abs=1e-6)
    # two bars per run, side by side: no line joins separate requests, none hides another
    assert tok["type"] == mem["type"] == "bar" and "mode" not in mem
    assert tok["offsetgroup"] != mem["offsetgroup"] and layout["barmode"] == "group"
    assert mem["yaxis"] == "y2" and layout["yaxis2"]["overlaying"] == "y"
    left, right = layout["yaxis"], layout["yaxis2"]
    for axis, values in ((left, tok["y"]), (right, mem["y"])):
        ticks = _axis_ticks(axis)
        assert ticks[0] == 0  # from 0: 2.30 -> 4.60 GiB reads as 2x
        assert ticks[-1] == axis["range"][1] >= max(values)  # the top value under a tick
        assert axis["tickmode"] == "linear" and axis["tick0"] == 0
    # one set of gridlines: both axes have as many intervals, so 0 is level with 0
    assert len(_axis_ticks(left)) == len(_axis_ticks(right))
    assert layout["separators"] == ".,"
    with translation.override("de"):
        assert services.runs_panel_context(revision)["chart_figure"]["layout"]["separators"] == ",."


def test_a_single_runs_memory_is_not_hidden_behind_its_bar():
    revision = revision_with_config(TINY_LLAMA)
    _done_run(revision, dtype="bfloat16", tok_s=5.46, weights_gib=2.30)
    traces = _traces(services.runs_panel_context(revision)["chart_figure"])
    tok, mem = traces["tok_s"], traces["memory_weights"]
    assert mem["type"] == "bar" and tok["offsetgroup"] != mem["offsetgroup"]
    assert mem["y"] == pytest.approx([2.30], abs=1e-6)


def test_the_runs_chart_names_each_run_by_its_number():
    """Under the bars each run was written out ("#5 cpu bfloat16 b1 sliced"): on a 390px
    phone plotly set them aslant, under the legend and past the chart's right edge. The bars
    carry the run's number; its device, dtype, batch and mode are in the hover text (and in
    the table under the chart), in the page's language."""
    revision = revision_with_config(TINY_LLAMA)
    first = _done_run(revision, dtype="bfloat16", tok_s=5.46, weights_gib=2.30)
    second = _done_run(revision, dtype="float32", tok_s=2.13, weights_gib=4.60)
    with translation.override("de"):
        traces = _traces(services.runs_panel_context(revision)["chart_figure"])
    tok, mem = traces["tok_s"], traces["memory_weights"]
    assert tok["x"] == mem["x"] == [f"#{first.pk}", f"#{second.pk}"]
    assert tok["hovertext"] == mem["hovertext"]
    assert "float32" in tok["hovertext"][1] and "Batch 1" in tok["hovertext"][1]


def test_the_runs_chart_sets_each_estimate_over_its_measured_bar_in_a_readable_unit():
    """The runs chart drew the table's numbers again, on a right axis titled "GiB" whose ticks
    read 0.001 to 0.005 for a tiny model, under one legend entry for two different things
    (a GPU's peak, a CPU's weights). Now: memory in the binary unit its largest value reaches,
    axis titles that say what and in which unit (in the page's language), a GPU's peak and a
    CPU's weights as two named series, and each estimate (the roofline's tok/s, the peak or
    weights estimate) a mark over its measured bar, named as estimated in the legend."""
    revision = revision_with_config(TINY_LLAMA)
    gpu = succeeded_run(revision)  # CUDA: peak 300000 B against an estimate of 219776 B
    cpu = _done_run(revision, dtype="float32", tok_s=2.0, weights_gib=0.0002)
    MeasurementRun.objects.filter(pk=cpu.pk).update(estimate={"weights_bytes": 200_000})
    figure = services.runs_panel_context(revision)["chart_figure"]
    traces = _traces(figure)
    assert set(traces) == {
        "tok_s",
        "tok_s_estimate",
        "memory_peak",
        "memory_weights",
        "memory_estimate",
    }
    assert traces["tok_s"]["x"] == [f"#{gpu.pk}", f"#{cpu.pk}"]
    assert traces["tok_s_estimate"]["y"] == [1500.0, None]  # no roofline on CPU
    kib = 1024
    assert traces["memory_peak"]["y"] == [pytest.approx(300000 / kib), None]
    assert traces["memory_weights"]["y"] == [None, pytest.approx(int(0.0002 * 2**30) / kib)]
    assert traces["memory_estimate"]["y"] == [
        pytest.approx(219776 / kib),
        pytest.approx(200_000 / kib),
    ]
    for mark, bar in (("tok_s_estimate", "tok_s"), ("memory_estimate", "memory_peak")):
        assert traces[mark]["type"] == "scatter" and traces[mark]["mode"] == "markers"
        assert traces[mark]["offsetgroup"] == traces[bar]["offsetgroup"]  # over its own bar
    assert traces["memory_peak"]["offsetgroup"] == traces["memory_weights"]["offsetgroup"]
    layout = figure["layout"]
    assert layout["scattermode"] == "group"
    assert layout["yaxis"]["title"]["text"] == "decode tokens/s"
    assert layout["yaxis2"]["title"]["text"] == "memory (KiB)"
    assert layout["yaxis2"]["range"][1] >= 300000 / kib
    names = [t["name"] for t in figure["data"]]
    assert "decode tokens/s, measured" in names and "decode tokens/s, roofline estimate" in names
    with translation.override("ko"):
        ko = services.runs_panel_context(revision)["chart_figure"]
    assert ko["layout"]["yaxis2"]["title"]["text"] != "memory (KiB)"
    assert "KiB" in ko["layout"]["yaxis2"]["title"]["text"]
    assert not set(t["name"] for t in ko["data"]) & set(names)
    # CPU runs only: no roofline and no GPU peak, so neither is named in the legend
    only_cpu = revision_with_config(TINY_LLAMA, repo_id="test/cpu-only")
    _done_run(only_cpu, dtype="float32", tok_s=2.0, weights_gib=2.3)
    figure = services.runs_panel_context(only_cpu)["chart_figure"]
    assert set(_traces(figure)) == {"tok_s", "memory_weights", "memory_estimate"}
    assert figure["layout"]["yaxis2"]["title"]["text"] == "memory (GiB)"


@pytest.mark.parametrize(
    ("tops", "ticks"),
    [
        ((5.46, 4.60), [(6, 1), (6, 1)]),
        ((5.46, 2.30), [(6, 1), (3, 0.5)]),
        ((1000.0, 0.0002), [(1000, 250), (0.0002, 0.00005)]),
        ((0.0, 1.2), [(1, 0.2), (1.25, 0.25)]),  # no tok/s figure: an axis to 1, not to 0
    ],
)
def test_shared_ticks_are_round_and_cover_the_top(tops, ticks):
    got = services._shared_ticks(*tops)
    assert got == [(pytest.approx(top), pytest.approx(step)) for top, step in ticks]


def test_a_running_run_never_reads_done_until_its_result_is_stored():
    """The measurement reports "done · 100%" a few seconds before the worker stores the
    result; the status said "running" (with Stop) above a bar saying "done · 100%"."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    assert services.run_progress(run_id=run.pk, attempt=attempt, stage="done", pct=100)
    run.refresh_from_db()
    assert run.status == Status.RUNNING and (run.stage, run.progress_pct) == ("finishing", 99)
    url = reverse("profiler:run_status", args=[run.pk])
    html = Client().get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "· running ·" in html and ">Stop</button>" in html
    assert "saving the result · 99%" in html and "done · 100%" not in html
    ko = Client().get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "실행 중" in ko and "결과를 저장하는 중 · 99%" in ko and "완료 · 100%" not in ko
    # the swap that ends the run says "succeeded", without the bar or Stop
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=RESULT)
    html = Client().get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "· succeeded ·" in html and "<progress" not in html and ">Stop</button>" not in html


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.16, "tok/s", "0.16 tok/s"),  # a 3B model sliced on two CPU cores
        (0.04, "tok/s", "0.04 tok/s"),
        (0.004, "tok/s", "0.004 tok/s"),
        (0.6, "ms", "0.60 ms"),
        (1.5, "ms", "1.5 ms"),
        (218.03, "tok/s", "218.0 tok/s"),
        (30046.5, "ms", "30,046.5 ms"),
        (0, "tok/s", "0.0 tok/s"),
    ],
)
def test_a_rate_under_one_keeps_its_figures(value, unit, shown):
    """A CPU run's page read "decode tokens/s: 0.2 tok/s" where its row in the model page's
    list of runs read 0.16 (a quarter more), and a run at 0.04 tok/s would have read
    "0.0 tok/s", as if it had made no token. Under 1, the figure keeps two decimals (three
    under 0.01); from 1 on, one decimal, as before."""
    from profiler.templatetags.profiler_tags import measured_value

    assert measured_value(value, unit) == shown


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "not of the whole model"),
        ("ko", "모델 전체의 값이 아닙니다"),
        ("de", "nicht der des ganzen Modells"),
    ],
)
def test_a_sliced_cpu_run_says_its_host_memory_is_the_few_layers(lang, words):
    """A sliced SmolLM3-3B run on CPU read "peak host memory (RSS): 3.51 GiB" two rows under
    "weights: 11.46 GiB", under a note that memory was extrapolated: the process built 2 and
    4 of 36 layers, and its resident memory is theirs. The page says so; a run of the whole
    model does not."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    cpu = {**RESULT, "device": "cpu", "peak_allocated_bytes": None, "peak_rss_bytes": 2**30}
    assert services.run_succeed(
        run_id=run.pk, attempt=attempt, result={**cpu, "extrapolated": True}
    )
    try:
        url = reverse("profiler:run", args=[run.pk])
        html = Client().get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        note = html[html.index('data-testid="sliced-rss"') :].split("</p>")[0]
        assert words in note
        whole = make_run(revision, prompt_len=9)
        attempt = services.run_claim(run_id=whole.pk, worker_host="cpu@test")
        assert services.run_succeed(run_id=whole.pk, attempt=attempt, result=cpu)
        url = reverse("profiler:run", args=[whole.pk])
        assert 'data-testid="sliced-rss"' not in Client().get(url).content.decode()
    finally:
        translation.activate("en")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "median of 3 runs: 0.47 tok/s to 2.7 tok/s"),
        ("de", "Median von 3 Läufen: 0,47 tok/s bis 2,7 tok/s"),
        ("ko", "실행 3회의 중앙값: 0.47 tok/s ~ 2.7 tok/s"),
    ],
)
def test_the_run_page_shows_the_spread_of_the_decode_runs(client, lang, said):
    """The run page showed one decode rate, the median of the timed runs; on a busy CPU those
    runs differed several-fold (0.47 to 2.66 tok/s) and only the terminal printed that. The
    page now says it under the median, in the page's language."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    decode = {"median": 0.88, "min": 0.47, "max": 2.66, "stdev": 1.1, "runs": 3}
    result = {**RESULT, "device": "cpu", "decode_tokens_per_s": decode}
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=result)
    html = client.get(f"/runs/{run.pk}/?lang={lang}").content.decode()
    assert "0.88 tok/s" in html or "0,88 tok/s" in html
    assert said in html


def test_a_failed_runs_page_offers_the_same_request_to_change_and_send_again(client):
    """A failed run's page said what to change ("choose device cpu") but had no form: the
    reader went back to the model page, whose form starts from the defaults again. The page
    of a run that ended now has the form, filled in with this run's request; it posts without
    htmx (the run page has no runs list to insert into) and leads to the new run's page."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision, device_kind="cuda", dtype="bfloat16", prompt_len=16, new_tokens=8)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    services.run_fail(run_id=run.pk, attempt=attempt, message="no GPU", code="device_unavailable")
    page = client.get(f"/runs/{run.pk}/?lang=de").content.decode()
    form = page[page.index('id="again-h"') :]
    assert "Erneut messen" in page
    assert f'action="{reverse("profiler:measure", args=[revision.pk])}"' in form
    assert "hx-post" not in form[: form.index("</form>")]
    assert '<option value="cuda" selected>' in form and '<option value="bfloat16" selected>' in form
    assert 'name="prompt_len" value="16"' in form and 'name="new_tokens" value="8"' in form
    # a run that is still going has no such form (it can only be stopped)
    active = make_run(revision, batch=2)
    assert 'id="again-h"' not in client.get(f"/runs/{active.pk}/").content.decode()


def _wait_until(condition, what: str, bound_s: float = 30) -> None:
    """Poll ``condition`` until true; the bound fails a test that waits for ever, it measures
    nothing."""
    import time

    deadline = time.monotonic() + bound_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _heartbeat_thread(run_id: int):
    import threading

    return next(t for t in threading.enumerate() if t.name == f"run-{run_id}-heartbeat")


def test_a_long_download_keeps_the_runs_heartbeat_going_until_a_stop(settings):
    """A checkpoint run downloads its weights in the worker process before the measurement
    child starts, with no heartbeat meanwhile: a download longer than PROFILER_STALE_AFTER_S
    (3 minutes; a real 8B checkpoint is 16 GB) made the page say the worker had stopped, and
    the reaper queued the run again. run_execute beats from a thread while it prepares the
    folder. That thread beat on after a Stop: it now stops beating, so a worker stuck in one
    long file goes silent and Stop cancels the run at once."""
    settings.PROFILER_HEARTBEAT_S = 0.2
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    old = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    with services.run_heartbeat_while(run_id=run.pk, attempt=attempt):
        beats = _heartbeat_thread(run.pk)
        _wait_until(
            lambda: MeasurementRun.objects.get(pk=run.pk).heartbeat_at != old,
            "no heartbeat while preparing",
        )
        assert services.runs_reap(stale_after_s=60)["requeued"] == 0
        assert MeasurementRun.objects.get(pk=run.pk).status == Status.RUNNING
        assert services.run_cancel(run_id=run.pk).cancel_requested  # a live worker: asked
        _wait_until(lambda: not beats.is_alive(), "the heartbeat went on after a Stop")


def test_a_download_heartbeat_is_one_query_that_also_sees_a_stop(settings):
    """Each beat of the download heartbeat asked the database twice (is a cancel asked? then
    touch the heartbeat): it is one conditional UPDATE now, which touches nothing once a
    cancel was asked, and the thread stops beating then."""
    import threading

    from django.db.backends.signals import connection_created

    settings.PROFILER_HEARTBEAT_S = 0.2
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    old = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def watch(sender, connection, **kwargs):  # the heartbeat thread's own connection
        if threading.current_thread().name == f"run-{run.pk}-heartbeat":
            connection.execute_wrappers.append(record)

    connection_created.connect(watch)
    try:
        with services.run_heartbeat_while(run_id=run.pk, attempt=attempt):
            beats = _heartbeat_thread(run.pk)
            _wait_until(lambda: len(statements) >= 3, "fewer than three beats")
            assert services.run_cancel(run_id=run.pk).cancel_requested
            _wait_until(lambda: not beats.is_alive(), "the heartbeat went on after a Stop")
    finally:
        connection_created.disconnect(watch)
    beat_statements = [s for s in statements if "profiler_measurementrun" in s]
    assert beat_statements and all(s.lstrip().upper().startswith("UPDATE") for s in beat_statements)
    assert "cancel_requested" in beat_statements[-1]
    assert MeasurementRun.objects.get(pk=run.pk).heartbeat_at != old  # it did beat


def test_a_stop_asked_of_a_worker_that_went_silent_since_can_be_pressed_again(settings):
    """Stop asked a live worker to stop, and the page hid Stop behind "Stopping: the worker
    ends the measurement within a few seconds" for good, also once the worker had gone silent
    (stuck in a download, or dead), while the notice above said Stop cancels the run at once."""
    settings.PROFILER_STALE_AFTER_S = 180
    settings.PROFILER_HEARTBEAT_S = 10
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="stuck")
    assert services.run_cancel(run_id=run.pk).cancel_requested
    status_url = reverse("profiler:run_status", args=[run.pk])
    page = Client().get(status_url, headers={"accept-language": "en"}).content.decode()
    assert "Stopping:" in page and 'class="run-cancel"' not in page
    beat = timezone.now() - timedelta(seconds=90)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=beat)
    page = Client().get(status_url, headers={"accept-language": "en"}).content.decode()
    assert "Stopping:" not in page and 'class="run-cancel"' in page
    assert services.run_cancel(run_id=run.pk).status == Status.CANCELLED


def test_a_stop_during_a_checkpoint_download_ends_it_after_the_current_file(hub):
    """A Stop during a checkpoint's download waited for the whole download (16 GB for an 8B
    model) before the measurement loop noticed it, while the page said "within a few seconds":
    the worker now checks after every file. The Hub holds the first shard until the Stop is
    asked; the second shard is then never requested."""
    import threading

    from catalog.services import model_ingest
    from tests.hubserver import safetensors_bytes

    shards = {
        "model-00001-of-00002.safetensors": safetensors_bytes({"a.weight": ("F32", (2, 2))}),
        "model-00002-of-00002.safetensors": safetensors_bytes({"b.weight": ("F32", (2, 2))}),
    }
    index = {"metadata": {}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors"}}
    index["weight_map"]["b.weight"] = "model-00002-of-00002.safetensors"
    hub.add_repo(
        "test-org/two-shards",
        {
            "config.json": json.dumps(TINY_LLAMA),
            "model.safetensors.index.json": json.dumps(index),
            **shards,
        },
    )
    revision = model_ingest(repo_id="test-org/two-shards").revision
    run = make_run(revision, mode="checkpoint")
    hub.requests.clear()  # from here on: the worker's requests only
    hub.fault("stall", "model-00001-of-00002", stall_s=60)  # released below, once Stop is in

    def press_stop() -> None:
        from django.db import connection

        try:
            _wait_until(lambda: hub.paths("model-00001-of-00002"), "the first shard never asked")
            assert services.run_cancel(run_id=run.pk).cancel_requested
        finally:
            hub._stop.set()  # the held request ends; the client asks again and gets the file
            connection.close()

    stopper = threading.Thread(target=press_stop)
    stopper.start()
    try:
        outcome = services.run_execute(run_id=run.pk, worker_host="gpu@test")
    finally:
        stopper.join(60)
    done = MeasurementRun.objects.get(pk=run.pk)
    assert (outcome, done.status) == ("cancelled", Status.CANCELLED), done.error
    assert not hub.paths("model-00002-of-00002")


def test_a_download_stops_for_a_run_that_was_cancelled_or_queued_again_meanwhile(settings):
    """A Stop ended the download only while the run was still this attempt's running run with
    its cancel asked: once the clean-up job had cancelled it (a Stop while the worker was
    silent in a long file), or a second Stop had cancelled it at once, or the run had been
    queued again, the check said "go on" and the worker downloaded every remaining shard.
    It now stops whenever the run is no longer this attempt's live, uncancelled run, and the
    heartbeat thread tells the download so (the Event it yields)."""
    settings.PROFILER_HEARTBEAT_S = 1
    settings.PROFILER_STOP_CHECK_MS = 50
    revision = revision_with_config(TINY_LLAMA)
    stale = timezone.now() - timedelta(hours=1)

    # Stop asked, then the clean-up job cancels the silent run
    reaped = make_run(revision)
    attempt = services.run_claim(run_id=reaped.pk, worker_host="gpu@test")
    assert not services.run_stop_wanted(run_id=reaped.pk, attempt=attempt)  # live: go on
    with services.run_heartbeat_while(run_id=reaped.pk, attempt=attempt) as ended:
        assert services.run_cancel(run_id=reaped.pk).cancel_requested
        MeasurementRun.objects.filter(pk=reaped.pk).update(heartbeat_at=stale)
        assert services.runs_reap(stale_after_s=60)["cancelled"] == 1
        assert MeasurementRun.objects.get(pk=reaped.pk).status == Status.CANCELLED
        assert services.run_stop_wanted(run_id=reaped.pk, attempt=attempt)
        _wait_until(ended.is_set, "the download was not told")

    # Stop pressed again once the worker looked silent: cancelled at once
    twice = make_run(revision, batch=2)
    attempt = services.run_claim(run_id=twice.pk, worker_host="gpu@test")
    assert services.run_cancel(run_id=twice.pk).status == Status.RUNNING
    MeasurementRun.objects.filter(pk=twice.pk).update(heartbeat_at=stale)
    assert services.run_cancel(run_id=twice.pk).status == Status.CANCELLED
    assert services.run_stop_wanted(run_id=twice.pk, attempt=attempt)

    # No Stop at all: the clean-up job queued it again (another attempt will run it)
    requeued = make_run(revision, batch=3)
    attempt = services.run_claim(run_id=requeued.pk, worker_host="gpu@test")
    with services.run_heartbeat_while(run_id=requeued.pk, attempt=attempt) as ended:
        MeasurementRun.objects.filter(pk=requeued.pk).update(heartbeat_at=stale)
        assert services.runs_reap(stale_after_s=60)["requeued"] == 1
        assert services.run_stop_wanted(run_id=requeued.pk, attempt=attempt)
        _wait_until(ended.is_set, "the download of a requeued run was not told")


def test_a_failed_stop_check_between_files_is_skipped_not_the_runs_failure(hub, tmp_path):
    """The check after each downloaded file asks the database; a transient error there ("database
    is locked", a dropped PostgreSQL connection) left the download and failed the whole run. It
    is skipped now: the next check, or the heartbeat thread, comes soon. The database refuses
    the first checks here (its answer to the main thread's stop queries), and the run measures
    the checkpoint all the same."""
    import threading

    from django.db import OperationalError, connection

    from catalog.services import model_ingest
    from tests.test_profiler_bench import tiny_checkpoint

    folder = tiny_checkpoint(tmp_path / "tiny-llama", TINY_LLAMA)
    hub.add_repo("test-org/tiny-llama", {p.name: p.read_bytes() for p in folder.iterdir()})
    revision = model_ingest(repo_id="test-org/tiny-llama").revision
    run = make_run(revision, mode="checkpoint")
    refused: list[str] = []

    def locked(execute, sql, params, many, context):
        stop_query = re.match(r'\s*SELECT (1|%s) AS "a" FROM', sql, re.IGNORECASE)
        if stop_query and "profiler_measurementrun" in sql and len(refused) < 2:
            if threading.current_thread() is threading.main_thread():
                refused.append(sql)
                raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(locked):
        outcome = services.run_execute(run_id=run.pk, worker_host="gpu@test")
    done = MeasurementRun.objects.get(pk=run.pk)
    assert len(refused) == 2
    assert (outcome, done.status) == ("succeeded", Status.SUCCEEDED), done.error
    assert done.result["mode"] == "checkpoint"


def test_the_download_hook_stops_only_on_the_thread_that_reads_the_bytes():
    """hf_xet (a Xet-stored file, PROFILER_HUB_DISABLE_XET=0) calls the client's progress bar
    from its own thread: the hook asked the database there, once a second (a new connection in
    that thread, its errors logged each second), and what it raised was only logged by hf_xet.
    The hook is a cheap check now (an Event, services.run_execute), and called only on the
    thread that made the bar, where it raises to stop the download."""
    import threading

    from catalog.hub import _chunk_check_bar

    calls: list[str] = []

    def chunk_check() -> None:
        calls.append(threading.current_thread().name)
        raise RuntimeError("stop")

    bar = _chunk_check_bar(chunk_check)(total=10, disable=True)
    other = threading.Thread(target=bar.update, args=(1,), name="hf-xet-progress")
    other.start()
    other.join(10)
    assert calls == []  # not from hf_xet's thread
    with pytest.raises(RuntimeError, match="stop"):
        bar.update(1)
    assert calls == [threading.current_thread().name]


def test_the_download_heartbeat_survives_a_database_error(settings, monkeypatch, caplog):
    """A beat that failed on "database is locked" (SQLite) or a dropped PostgreSQL connection
    ended the heartbeat thread silently: the rest of the download went without heartbeats and
    the page said the worker had stopped. A failed beat is logged and the next one tries again."""
    import sqlite3

    from django.db import connection, connections

    if connection.vendor != "sqlite":
        pytest.skip("holds the SQLite write lock")
    # the heartbeat thread opens its own connection: a short busy timeout for it
    monkeypatch.setitem(connections.settings["default"]["OPTIONS"], "timeout", 0.5)
    settings.PROFILER_HEARTBEAT_S = 0.2
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    old = timezone.now() - timedelta(seconds=600)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    locker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process writing: "database is locked"
    caplog.set_level("WARNING", logger="profiler.services")
    try:
        with services.run_heartbeat_while(run_id=run.pk, attempt=attempt):
            beats = _heartbeat_thread(run.pk)
            _wait_until(lambda: "heartbeat failed" in caplog.text, "no failed beat logged")
            locker.execute("ROLLBACK")
            _wait_until(
                lambda: MeasurementRun.objects.get(pk=run.pk).heartbeat_at != old,
                "no heartbeat after the lock was gone",
            )
            assert beats.is_alive()
    finally:
        if locker.in_transaction:
            locker.execute("ROLLBACK")
        locker.close()


def test_a_killed_workers_run_says_so_within_a_minute_or_so(settings):
    """After its worker was killed, a run showed "measuring · 47% · running for 2:50" with no
    word for PROFILER_STALE_AFTER_S (3 minutes), the reaper's patience. The worker beats every
    PROFILER_HEARTBEAT_S (10 s): three missed beats, and a minute at least, are enough for
    the page to say it has probably stopped."""
    settings.PROFILER_STALE_AFTER_S = 180
    settings.PROFILER_HEARTBEAT_S = 10
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="gone")
    status_url = reverse("profiler:run_status", args=[run.pk])
    for age_s, said in ((45, False), (90, True)):
        beat = timezone.now() - timedelta(seconds=age_s)
        MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=beat)
        page = Client().get(status_url, headers={"accept-language": "en"}).content.decode()
        assert ("No sign of life from the worker" in page) is said, (age_s, page)
    assert services.runs_reap()["requeued"] == 0  # the reaper still waits its 3 minutes


def test_stop_on_a_run_the_page_calls_silent_cancels_it_at_once(settings):
    """The page says a worker silent for three missed beats (a minute at least) has probably
    stopped and that Stop cancels the run at once; Stop cancelled at once only past
    PROFILER_STALE_AFTER_S (3 minutes), so between the two it only asked a dead worker to stop
    and the page said "Stopping: the worker ends the measurement within a few seconds"."""
    settings.PROFILER_STALE_AFTER_S = 180
    settings.PROFILER_HEARTBEAT_S = 10
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="gone")
    beat = timezone.now() - timedelta(seconds=90)
    MeasurementRun.objects.filter(pk=run.pk).update(heartbeat_at=beat)
    status_url = reverse("profiler:run_status", args=[run.pk])
    page = Client().get(status_url, headers={"accept-language": "en"}).content.decode()
    assert "Stop cancels the run at once" in page
    stopped = services.run_cancel(run_id=run.pk)
    assert stopped.status == Status.CANCELLED, stopped.status
    page = Client().get(status_url, headers={"accept-language": "en"}).content.decode()
    assert "Stopping:" not in page and 'data-testid="run-cancelled"' in page


@pytest.mark.parametrize(
    ("lang", "requested", "ran"),
    [("de", "Angefragt", "Laufzeit"), ("ko", "요청 시각", "실행 시간")],
)
def test_a_runs_page_says_when_it_was_asked_for_and_how_long_it_ran(client, lang, requested, ran):
    """Two runs of the same request read alike on their pages: nothing said when each was
    made or how long it took (a CPU run of minutes, a GPU run of seconds)."""
    revision = revision_with_config(TINY_LLAMA)
    run = succeeded_run(revision)
    start = timezone.now() - timedelta(seconds=200)
    MeasurementRun.objects.filter(pk=run.pk).update(
        started_at=start, finished_at=start + timedelta(seconds=125)
    )
    page = client.get(f"/runs/{run.pk}/?lang={lang}").content.decode()
    assert f"<dt>{requested}</dt><dd><time datetime=" in page
    took = {"de": "2 Min. 5 s", "ko": "2분 5초"}[lang]  # a duration, not a clock reading
    assert f'<dt>{ran}</dt><dd data-testid="run-took">{took}</dd>' in page
    queued = make_run(revision, batch=3)
    assert 'data-testid="run-took"' not in client.get(f"/runs/{queued.pk}/").content.decode()


@pytest.mark.parametrize("lang,mode", [("en", "Mode"), ("ko", "모드"), ("de", "Modus")])
def test_the_measure_forms_labels_have_no_colon_as_the_apps_other_forms(lang, mode):
    """The Korean form read "모드:" (Django's label suffix) where every other form of the app
    writes its label alone: blank on the model page and bound after a refusal alike."""
    revision = revision_with_config(TINY_LLAMA)
    client, token = _csrf_client_and_token(revision)
    blank = client.get(reverse("profiler:panel", args=[revision.pk]), HTTP_ACCEPT_LANGUAGE=lang)
    bound = client.post(
        reverse("profiler:measure", args=[revision.pk]),
        {**FORM, "batch": "0", "csrfmiddlewaretoken": token},
        headers={"HX-Request": "true", "Accept-Language": lang},
    )
    for html in (blank.content.decode(), bound.content.decode()):
        assert f'<label for="id_mode">{mode}</label>' in html
        labels = re.findall(r"<label for=\"id_[a-z_]+\">([^<]*)</label>", html)
        assert len(labels) == 6 and not any(t.rstrip().endswith(":") for t in labels), labels


def test_a_runs_own_page_does_not_link_its_run_number_to_itself(client):
    """The status block's "Run #N" linked to the page it was on; on a model page's panel it
    still leads to the run's page. The status polling and Stop (htmx) keep it as their page
    shows it: they say which page they came from (HX-Current-URL)."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="cpu@test")
    own = reverse("profiler:run", args=[run.pk])
    link = f'<a href="{own}">Run #{run.pk}</a>'
    page = client.get(own).content.decode()
    assert f"<strong>Run #{run.pk}</strong>" in page and link not in page
    status_url = reverse("profiler:run_status", args=[run.pk])
    for came_from, linked in ((f"http://testserver{own}", False), ("http://testserver/m/x/", True)):
        headers = {"HX-Request": "true", "HX-Current-URL": came_from}
        polled = client.get(status_url, headers=headers).content.decode()
        assert (link in polled) is linked, came_from
        stopped = client.post(
            reverse("profiler:run_cancel", args=[run.pk]), headers=headers
        ).content.decode()
        assert (link in stopped) is linked, came_from
    panel = client.get(reverse("profiler:panel", args=[revision.pk])).content.decode()
    assert link in panel


def test_a_run_page_reloads_when_its_run_ends(client):
    """On its own page a run that ended (stopped, or done while the page polled) showed only
    its status line: no "Ran for", no "Measure again" form, until the reader reloaded. The
    ending htmx response asked for the reload with HX-Refresh, which htmx 2 does before the
    swap: the old fragment polled on, each answer restarted the reload, and a page slower than
    a second or so to load never came. The ending response is now the ended fragment (it polls
    no more) with an event after the swap, on which app.js reloads the run's page once; on a
    model page the run history reloads."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    own_path = reverse("profiler:run", args=[run.pk])
    own = f"http://testserver{own_path}"
    status_url = reverse("profiler:run_status", args=[run.pk])
    on_page = {"HX-Request": "true", "HX-Current-URL": own}
    running = client.get(status_url, headers=on_page)
    assert "HX-Trigger-After-Swap" not in running and 'hx-trigger="every 1s"' in running.text
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=RESULT)
    ended = client.get(status_url, headers=on_page)
    assert "HX-Refresh" not in ended
    assert json.loads(ended["HX-Trigger-After-Swap"]) == {"mechanic-run-ended": {"page": own_path}}
    assert "hx-get" not in ended.text and "hx-trigger" not in ended.text  # polling stops
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "http://testserver/models/x/"}
    ended = client.get(status_url, headers=elsewhere)
    assert "HX-Refresh" not in ended and ended["HX-Trigger"] == "mechanic-runs-changed"
    assert "HX-Trigger-After-Swap" not in ended
    page = client.get(reverse("profiler:run", args=[run.pk])).content.decode()
    assert 'id="again-h"' in page


def test_profile_json_names_the_run_when_a_later_step_fails(celery_broker, capsys, monkeypatch):
    """An error after the run was made (here the database while --wait polls it) said
    "run": null and "status": null for a run that exists: the document names it."""
    from django.core.management import call_command
    from django.db import OperationalError

    from profiler.management.commands import profile

    def broken(run):
        raise OperationalError("database is locked")

    monkeypatch.setattr(profile, "progress_line", broken)
    revision = revision_with_config(TINY_LLAMA)
    with pytest.raises(OperationalError):
        call_command("profile", revision.model.repo_id, "--device", "cpu", "--wait", "--json")
    run = MeasurementRun.objects.get()
    assert json.loads(capsys.readouterr().out) == {
        "run": run.pk,
        "status": "queued",
        "error": {"code": "internal_error", "message": "OperationalError: database is locked"},
    }


def test_profile_json_abbreviated_still_gets_the_usage_document(capsys):
    """argparse reads --js as --json: a malformed option then printed no document."""
    from profiler.management.commands.profile import Command

    for flag in ("--js", "--json"):
        with pytest.raises(SystemExit) as exited:
            Command().run_from_argv(["manage.py", "profile", flag, "x/y", "--batch", "abc"])
        assert exited.value.code == 2
        assert json.loads(capsys.readouterr().out) == {
            "run": None,
            "status": None,
            "error": {"code": "usage", "message": "argument --batch: invalid int value: 'abc'"},
        }


def test_profile_json_says_an_undecodable_path_in_valid_utf8(capsys):
    import os

    from django.core.management import CommandError, call_command

    target = os.fsdecode(b"/nonexistent/no\xff")
    with pytest.raises(CommandError) as refused:
        call_command("profile", target, "--device", "cpu", "--json")
    out = capsys.readouterr().out
    out.encode("utf-8")  # no lone surrogate: writable as UTF-8, strictly
    error = json.loads(out)["error"]
    assert error["code"] == "not_a_folder"
    assert error["message"].startswith("/nonexistent/no\\xff is not a folder")
    assert str(refused.value) == error["message"]


def test_profile_and_ingest_refusals_speak_the_terminal_s_language(
    celery_broker, monkeypatch, tmp_path
):
    from django.core.management import CommandError, call_command

    from catalog.models import Revision

    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    with pytest.raises(CommandError, match="--timeout muss eine positive Zahl von Sekunden sein"):
        call_command("profile", "acme/x", "--timeout", "-5")
    with pytest.raises(CommandError, match="Gib entweder MODEL_ID oder --dir PATH an"):
        call_command("ingest")
    stored = revision_with_config(TINY_LLAMA, repo_id="acme/shadowed")
    Revision.objects.filter(pk=stored.pk).update(source=Revision.Source.HUB)
    folder = tmp_path / "acme--shadowed"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(TINY_LLAMA))
    with pytest.raises(CommandError) as refused:
        call_command("profile", str(folder), "--device", "cpu")
    assert str(refused.value) == (
        "acme/shadowed ist bereits vom Hub im Katalog; der Ordner würde zu dem, was seine Seite "
        "zeigt. Benenne den Ordner nach einer anderen ID (zum Beispiel local--shadowed) oder gib "
        "--replace an, um es trotzdem zu tun."
    )
    monkeypatch.setenv("LANGUAGE", "ko")
    with pytest.raises(CommandError) as refused:
        call_command("ingest", "--dir", str(folder))
    assert str(refused.value).startswith("acme/shadowed은(는) 이미 Hub에서 가져온 모델로")
    assert "다른 --id를 고르거나(예: local/shadowed)" in str(refused.value)
    assert not MeasurementRun.objects.exists()


@pytest.mark.parametrize("command", ["profile", "ingest"])
def test_an_unmigrated_database_is_said_as_analyze_says_it(tmp_path, command):
    """profile said `internal_error: OperationalError: no such table`, ingest a traceback (or
    asked the Hub first); both now say database_not_ready and what to run, as analyze does."""
    import subprocess
    import sys
    from pathlib import Path

    from conftest import cli_env

    (tmp_path / "data").mkdir()
    env = cli_env(DEBUG="1", MECHANIC_DATA_DIR=str(tmp_path / "data"), LANG="de_DE.UTF-8")
    env.pop("DATABASE_URL", None)
    args = ["acme/x", "--device", "cpu", "--json"] if command == "profile" else ["acme/x"]
    out = subprocess.run(
        [sys.executable, "manage.py", command, *args],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1, out.stderr
    said = "CommandError: Die Katalog-Datenbank ist nicht bereit (no such table: "
    assert said in out.stderr and "führe zuerst `python manage.py migrate` aus." in out.stderr
    assert "Traceback" not in out.stderr and "Hub" not in out.stderr
    if command == "profile":
        document = json.loads(out.stdout)
        assert document["run"] is None and document["error"]["code"] == "database_not_ready"


def test_a_malformed_current_url_header_is_not_this_page(client):
    """htmx's HX-Current-URL is what the browser sends: a malformed one ("http://[::1/runs/1/")
    made urlsplit raise, a 500 answer to Stop after the cancel had been applied."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    services.run_claim(run_id=run.pk, worker_host="cpu@test")
    headers = {"HX-Request": "true", "HX-Current-URL": "http://[::1/runs/1/"}
    polled = client.get(reverse("profiler:run_status", args=[run.pk]), headers=headers)
    assert polled.status_code == 200
    assert f'<a href="{reverse("profiler:run", args=[run.pk])}">' in polled.text  # not this page
    stopped = client.post(reverse("profiler:run_cancel", args=[run.pk]), headers=headers)
    assert stopped.status_code == 200 and "Stopping:" in stopped.text
