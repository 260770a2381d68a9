"""'Measure again' on a run's page, in real chromium: after a refused request, the form on the
refusal's page sends the corrected request."""

from __future__ import annotations

import re

import pytest

from profiler import services
from profiler.models import MeasurementRun
from tests.test_profiler_bench import TINY_LLAMA
from tests.test_profiler_celery import revision_with_config
from tests.test_profiler_runs import make_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_measure_again_sends_the_corrected_request_after_a_refusal(
    live_server, page, celery_broker
):
    """The refusal's page (the again-form posts without htmx) showed the form with hx-post and
    hx-target=#profiler-runs-N, an element that page lacks: htmx dropped the corrected submit
    (htmx:targetError) and nothing happened."""
    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision, device_kind="cpu", dtype="float32", prompt_len=16, new_tokens=8)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    services.run_fail(run_id=run.pk, attempt=attempt, message="no luck", code="error")
    page.goto(f"{live_server.url}/runs/{run.pk}/?lang=en")
    page.fill("#id_prompt_len", "8000")
    page.fill("#id_new_tokens", "500")
    page.get_by_role("button", name="Measure", exact=True).click()
    page.get_by_text("max_position_embeddings (8,192)").first.wait_for()
    assert not MeasurementRun.objects.exclude(pk=run.pk).exists()
    page.fill("#id_prompt_len", "8")
    page.fill("#id_new_tokens", "4")
    page.get_by_role("button", name="Measure", exact=True).click()
    page.wait_for_url(re.compile(rf"/runs/(?!{run.pk}/)\d+/$"))
    new = MeasurementRun.objects.exclude(pk=run.pk).get()
    assert page.url.endswith(f"/runs/{new.pk}/")
    assert (new.prompt_len, new.new_tokens) == (8, 4)
