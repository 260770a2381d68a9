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


@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_the_measure_forms_selects_fit_their_choices_on_a_desktop(
    live_server, browser, browser_catalog, lang
):
    """At 1366x900 each select of the form spanned the page's width (1,110 px for "bfloat16"):
    now each control is as wide as its longest choice, the fields side by side."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, extra_http_headers={"Accept-Language": lang}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/models/meta-llama/Meta-Llama-3-8B/")
    form = page.locator("form.measure-form").first
    width = form.bounding_box()["width"]
    boxes = {
        name: page.locator(f"#id_{name}").first.bounding_box()
        for name in ("mode", "dtype", "device", "batch")
    }
    assert boxes["dtype"]["width"] < 200 and boxes["device"]["width"] < 250, boxes
    assert boxes["mode"]["width"] < width / 2, (boxes, width)
    # side by side on one row, as tall as the number fields
    assert len({round(b["y"]) for b in boxes.values()}) == 1, boxes
    assert len({round(b["height"]) for b in boxes.values()}) == 1, boxes
    context.close()
