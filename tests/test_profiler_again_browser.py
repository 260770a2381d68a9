"""'Measure again' on a run's page, in real chromium: after a refused request, the form on the
refusal's page sends the corrected request."""

from __future__ import annotations

import re

import pytest

from profiler import services
from profiler.models import MeasurementRun
from tests.test_profiler_bench import TINY_LLAMA
from tests.test_profiler_celery import revision_with_config
from tests.test_profiler_runs import RESULT, make_run

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


def test_a_run_page_reloads_once_when_its_run_ends_and_keeps_the_focus(live_server, page):
    """The ending status answer asked for a reload with HX-Refresh, which htmx 2 starts before
    the swap: the old status went on polling every second and each answer started the reload
    again, so a run page slower than that to load never came (here: each reload held 3 s).
    It reloads once now, after the ended status is in, and the focus that was on Stop comes
    back to the run's status line; with the focus elsewhere, the end is said in a live
    region."""
    import time

    revision = revision_with_config(TINY_LLAMA)
    run = make_run(revision)
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    own = f"{live_server.url}/runs/{run.pk}/"
    loads: list[str] = []
    page.on("request", lambda r: r.resource_type == "document" and loads.append(r.url))
    page.goto(f"{own}?lang=en")
    page.locator(f"#run-{run.pk}-stop").focus()

    def slow_page(route):
        time.sleep(3)  # a slow server: the reload takes longer than a poll
        try:
            route.continue_()
        except Exception:  # replaced by a newer navigation meanwhile (the loop)
            pass

    page.route(re.compile(rf"/runs/{run.pk}/(\?.*)?$"), slow_page)
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=RESULT)
    page.get_by_test_id("run-took").wait_for(timeout=30_000)  # "Ran for": the reloaded page
    page.get_by_role("heading", name="Measure again").wait_for()
    page.wait_for_timeout(1500)  # a poll's time for another reload, had one been started
    assert len([u for u in loads if u.startswith(own)]) == 2, loads  # the visit and one reload
    assert page.evaluate("document.activeElement.id") == f"run-{run.pk}-line"
    page.unroute(re.compile(rf"/runs/{run.pk}/(\?.*)?$"))

    # nothing focused: the end is said in the page's live region once it has reloaded
    other = make_run(revision, batch=2)
    page.goto(f"{live_server.url}/runs/{other.pk}/?lang=en")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    services.run_cancel(run_id=other.pk)  # queued: cancelled at once
    said = page.locator("#run-ended-said")
    said.filter(has_text=f"Run #{other.pk}").wait_for(state="attached", timeout=30_000)
    assert "cancelled" in said.text_content()
    assert page.get_by_role("heading", name="Measure again").is_visible()
