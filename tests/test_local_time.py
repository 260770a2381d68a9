"""Times read in the reader's own clock: the server writes UTC and says so ("14:05 UTC"), and
the page's script rewrites each ``<time>`` in the browser's time zone. A learner in Seoul saw
"Saved at 05:05" for a save made at 14:05 of their own day, with no zone named."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEOUL = timezone(timedelta(hours=9))


def test_the_filter_says_utc_without_a_script():
    from catalog.templatetags.mechanic import local_time

    moment = datetime(2026, 11, 30, 14, 5, 9, tzinfo=UTC)
    html = str(local_time(moment, "H:i:s"))
    assert html == (
        '<time datetime="2026-11-30T14:05:09+00:00" data-local="seconds">14:05:09 UTC</time>'
    )
    assert local_time(None) == ""


def test_saved_times_read_in_the_browsers_time_zone(live_server, browser):
    context = browser.new_context(timezone_id="Asia/Seoul", locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/exercise/?lang=ko")
        page.locator("textarea").first.fill("32 layers with grouped-query attention.")
        page.wait_for_selector("#save-status time")
        page.wait_for_function("!document.querySelector('#save-status time[data-local]')")
        from catalog.models import Exercise

        saved = Exercise.objects.latest("updated_at").updated_at.astimezone(SEOUL)
        status = page.locator("#save-status").inner_text()
        shown = re.search(r"(\d\d):(\d\d):(\d\d)", status)
        assert shown, status
        assert (int(shown[1]), int(shown[2])) == (saved.hour, saved.minute), (status, saved)
        assert "UTC" not in status
        # the sidebar's date of the exercise, reloaded: the same clock
        page.reload()
        past = page.locator("#exercise-past time").first
        past.wait_for()
        page.wait_for_function("!document.querySelector('#exercise-past time[data-local]')")
        assert f"{saved.hour:02d}:{saved.minute:02d}" in past.inner_text()
        assert past.get_attribute("datetime").endswith("+00:00")
    finally:
        context.close()
