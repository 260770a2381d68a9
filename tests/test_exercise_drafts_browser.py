"""Text typed in the exercise that a page leaves unsaved is not lost on the way out, checked in
real chromium: rows refused for another tab's write come back as a draft to restore or discard,
and a new table's rows typed before its first save was answered survive a reload."""

from __future__ import annotations

import pytest

from tests.test_browser_polish import _saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# sendBeacon held in this tab's sessionStorage, to be delivered by the test when it chooses
HOLD_BEACON = """navigator.sendBeacon = function (url, body) {
    var entries = [];
    body.forEach(function (v, k) { entries.push([k, v]); });
    sessionStorage.setItem("held-beacon", JSON.stringify({url: url, body: entries}));
    return true;
};"""


@pytest.fixture
def live(live_server, browser_catalog):
    return live_server.url


def _conflict(page, live: str):
    """One table open in two tabs; the second tab's Product row is refused for the first's
    newer write. Returns the second tab and the table's id."""
    page.goto(live + "/exercise/")
    page.get_by_label("Model").fill("someone/model")
    with _saved(page, "dense"):
        page.get_by_label("Backbone").fill("dense")
    page.wait_for_function("/^\\d+$/.test(document.getElementById('exercise-id').value)")
    pk = page.input_value("#exercise-id")
    other = page.context.new_page()
    other.goto(f"{live}/exercise/?id={pk}")
    with _saved(page, "A: MoE"):
        page.get_by_label("Backbone").fill("A: MoE with 64 experts")
    with _saved(other, "B: tool use"):
        other.get_by_label("Product").fill("B: tool use")
    other.get_by_test_id("exercise-conflict").wait_for()
    return other, pk


def test_a_reload_while_another_tabs_write_stands_offers_the_text_back(live, page):
    """Reloading while "changed in another tab or window" stood: the leaving page's rows were
    refused, the reloaded page showed the other tab's rows, and the text typed here was gone
    without a word. The reloaded page offers it back; restored, it is saved over the rows the
    page now shows, the other tab's Backbone kept (this tab had not changed that row)."""
    from catalog.models import Exercise

    other, pk = _conflict(page, live)
    other.reload()
    draft = other.get_by_test_id("exercise-draft")
    draft.wait_for()
    assert "You have text from this tab that was not saved" in draft.inner_text()
    assert other.input_value("#ex-product") == ""  # the newer rows, as rendered
    assert other.input_value("#ex-backbone") == "A: MoE with 64 experts"
    with _saved(other, "B: tool use"):
        draft.get_by_role("button", name="Restore my text").click()
    assert other.input_value("#ex-product") == "B: tool use"
    assert other.input_value("#ex-backbone") == "A: MoE with 64 experts"
    status = other.locator("#save-status")
    assert "Saved at" in status.inner_text(), status.inner_text()
    assert other.get_by_test_id("exercise-draft").count() == 0
    rows = Exercise.objects.get(pk=pk).rows
    assert rows["product"] == "B: tool use" and rows["backbone"] == "A: MoE with 64 experts"
    other.reload()  # restored and saved: not offered again
    assert other.get_by_test_id("exercise-draft").count() == 0
    assert other.input_value("#ex-product") == "B: tool use"


def test_leaving_and_coming_back_while_another_tabs_write_stands_offers_the_text_back(live, page):
    """The same, by way of another page and back: the text is offered, and Discard drops it
    (said, and chosen). "Load the newer rows (drops yours)" says it drops: it offers nothing."""
    from catalog.models import Exercise

    other, pk = _conflict(page, live)
    other.goto(live + "/")
    other.goto(f"{live}/exercise/?id={pk}")
    draft = other.get_by_test_id("exercise-draft")
    draft.wait_for()
    assert other.input_value("#ex-product") == ""
    draft.get_by_role("button", name="Discard").click()
    assert other.get_by_test_id("exercise-draft").count() == 0
    other.reload()
    assert other.get_by_test_id("exercise-draft").count() == 0
    assert other.input_value("#ex-product") == ""

    with _saved(page, "A: served"):
        page.get_by_label("Inference").fill("A: served with vLLM")
    with _saved(other, "B: again"):
        other.get_by_label("Product").fill("B: again")
    other.get_by_test_id("exercise-conflict").wait_for()
    with other.expect_navigation():
        other.get_by_role("link", name="Load the newer rows").click()
    assert other.input_value("#ex-inference") == "A: served with vLLM"
    assert other.input_value("#ex-product") == ""
    assert other.get_by_test_id("exercise-draft").count() == 0
    assert Exercise.objects.get(pk=pk).rows["product"] == ""


def test_a_new_tables_rows_are_not_carried_into_another_new_table(live, page):
    """The note is the table's: a new table for another model (another address) starts empty,
    the rows typed for the first stay with the first (its beacon makes it)."""
    from catalog.models import Exercise

    page.add_init_script(HOLD_BEACON)
    page.goto(live + "/exercise/?model=someone/first")
    page.get_by_label("Backbone").fill("the first model's backbone")
    page.goto(live + "/exercise/?model=someone/second")
    assert page.input_value("#ex-model") == "someone/second"
    assert page.input_value("#ex-backbone") == ""
    beacon = page.evaluate("JSON.parse(sessionStorage.getItem('held-beacon'))")
    assert page.request.post(live + beacon["url"], form=dict(beacon["body"])).ok
    with _saved(page, "second"):
        page.get_by_label("Backbone").fill("the second model's backbone")
    first, second = Exercise.objects.order_by("pk")
    assert first.model_name == "someone/first"
    assert first.rows["backbone"] == "the first model's backbone"
    assert second.model_name == "someone/second"
    assert second.rows["backbone"] == "the second model's backbone"


def _table(page, live: str) -> str:
    """A saved table of this tab; its id."""
    page.goto(live + "/exercise/")
    with _saved(page, "someone"):
        page.get_by_label("Model").fill("someone/model")
    page.wait_for_function("/^\\d+$/.test(document.getElementById('exercise-id').value)")
    return page.input_value("#exercise-id")


def _store(page, key: str, value) -> None:
    page.evaluate("([k, v]) => sessionStorage.setItem(k, JSON.stringify(v))", [key, value])


MINUTES_AGO = "Date.now() - 10 * 60 * 1000"


def test_an_old_note_is_not_offered_back_nor_resumed(live, page):
    """The note a leaving page leaves had no age: one whose beacon was written, and written
    over since on purpose by another tab, was offered back much later as not saved (Restore
    undid the other tab's newer rows); an old new-table note at the same address filled a
    fresh page with an old table's rows. A note is read only soon after it was left, unless
    another tab's write stood in the way of its rows (the case the draft is for)."""
    pk = _table(page, live)
    at = page.evaluate(MINUTES_AGO)
    note = {"id": pk, "base": "0", "page": "f" * 32, "seq": 1}
    note.update(rows={"product": "old text"}, changed={"product": "old text"}, at=at)
    _store(page, "mechanic-exercise-left", dict(note, conflict=False))
    page.reload()
    assert page.get_by_test_id("exercise-draft").count() == 0
    assert page.evaluate("sessionStorage.getItem('mechanic-exercise-drafts')") is None
    assert page.input_value("#ex-product") == ""

    _store(page, "mechanic-exercise-left", dict(note, conflict=True))
    page.reload()
    page.get_by_test_id("exercise-draft").wait_for()  # refused then: still offered

    page.goto(live + "/exercise/?model=someone/fresh")
    new = {
        "id": "new:" + "e" * 32,
        "page": "e" * 32,
        "seq": 1,
        "url": "/exercise/?model=someone/fresh",
    }
    new.update(rows={"model_name": "someone/old", "backbone": "old rows"}, changed={}, at=at)
    _store(page, "mechanic-exercise-left", dict(new, conflict=False))
    page.reload()
    assert page.input_value("#ex-model") == "someone/fresh"
    assert page.input_value("#ex-backbone") == ""
    assert page.input_value("#exercise-id") != new["id"]


def test_restore_keeps_what_was_typed_after_the_offer(live, page):
    """Restore put the draft's texts back over whatever was typed after the notice appeared.
    A field typed in is no longer offered; when none is left, neither is the notice."""
    pk = _table(page, live)
    _store(page, "mechanic-exercise-drafts", {pk: {"product": "draft P", "inference": "draft I"}})
    page.reload()
    draft = page.get_by_test_id("exercise-draft")
    draft.wait_for()
    with _saved(page, "typed now"):
        page.get_by_label("Product").fill("typed now")
    with _saved(page, "draft I"):
        draft.get_by_role("button", name="Restore my text").click()
    assert page.input_value("#ex-product") == "typed now"
    assert page.input_value("#ex-inference") == "draft I"

    _store(page, "mechanic-exercise-drafts", {pk: {"backbone": "draft B"}})
    page.reload()
    draft.wait_for()
    page.get_by_label("Backbone").fill("mine, newer")
    assert page.get_by_test_id("exercise-draft").count() == 0
    assert page.evaluate("sessionStorage.getItem('mechanic-exercise-drafts')") is None


JUNK = {
    "draft of odd names": (
        "mechanic-exercise-drafts",
        '{"%s": {"0": "x", "a]b": "y", "product": 5}}',
    ),
    "draft not JSON": ("mechanic-exercise-drafts", "{not json"),
    "draft a list": ("mechanic-exercise-drafts", '{"%s": ["x"]}'),
    "note of odd names": (
        "mechanic-exercise-left",
        '{"id": "%s", "page": "x", "base": "0", "changed": {"0": "x"}, "rows": 3, "conflict": true}',
    ),
    "note not JSON": ("mechanic-exercise-left", "]"),
}


@pytest.mark.parametrize("junk", [*JUNK, "no sessionStorage"])
def test_junk_in_session_storage_does_not_break_the_autosave(live, page, junk):
    """A stored key such as "0" made the draft's field lookup throw before the draft was
    dropped: the page's edit numbering never came up, in this tab, page after page. Whatever
    this tab's storage holds, or when it cannot be used at all, the page saves as ever."""
    from catalog.models import Exercise

    errors: list = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    pk = _table(page, live)
    if junk == "no sessionStorage":
        page.add_init_script(
            "Object.defineProperty(window, 'sessionStorage', {get: function () {"
            " throw new DOMException('denied', 'SecurityError'); }});"
        )
    else:
        key, text = JUNK[junk]
        page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, text.replace("%s", pk)])
    page.reload()
    with _saved(page, "typed after"):
        page.get_by_label("Backbone").fill("typed after the junk")
    assert page.input_value("input[name=seq]") != ""
    assert "Saved at" in page.locator("#save-status").inner_text()
    assert Exercise.objects.get(pk=pk).rows["backbone"] == "typed after the junk"
    assert errors == []
    if junk != "no sessionStorage":
        page.reload()
        assert errors == []
        assert page.get_by_test_id("exercise-draft").count() == 0


def test_a_stopped_load_the_newer_rows_drops_nothing_later(live, page):
    """Clicking "Load the newer rows (drops yours)" marked the page as dropping its rows for
    good: when that navigation did not happen (stopped; here the server answers 204), text
    typed afterwards left no beacon and no draft. Typing again takes the mark back."""
    page.context.add_init_script(HOLD_BEACON)
    other, pk = _conflict(page, live)
    stopped: list = []
    other.route(
        f"**/exercise/?id={pk}", lambda route: (stopped.append(1), route.fulfill(status=204))
    )
    other.get_by_role("link", name="Load the newer rows").click()
    for _ in range(100):
        if stopped:
            break
        other.wait_for_timeout(50)
    assert stopped
    assert other.input_value("#ex-product") == "B: tool use"  # the page stayed
    with _saved(other, "B: after"):
        other.get_by_label("Product").fill("B: after the stop")
    other.unroute(f"**/exercise/?id={pk}")
    other.goto(live + "/")
    beacon = other.evaluate("JSON.parse(sessionStorage.getItem('held-beacon'))")
    assert beacon and dict(beacon["body"])["product"] == "B: after the stop"
    other.goto(f"{live}/exercise/?id={pk}")
    draft = other.get_by_test_id("exercise-draft")
    draft.wait_for()
    draft.get_by_role("button", name="Restore my text").click()
    assert other.input_value("#ex-product") == "B: after the stop"
