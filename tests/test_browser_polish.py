"""What a reviewer found on the pages, checked in real chromium: the exercise's conflict notice
on a phone, the pick buttons shown once, card headers in the card's own case, grouped digits."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live(live_server, browser_catalog):
    return live_server.url


def _saved(pg, text: str):
    """The answer to the save that carries ``text`` (the autosave waits for typing to stop)."""
    return pg.expect_response(
        lambda r: (
            r.url.endswith("/exercise/save/") and text in unquote_plus(r.request.post_data or "")
        )
    )


def test_the_conflict_notice_is_in_sight_on_a_phone_while_typing_in_the_backbone_row(live, page):
    """Another tab saved the same exercise: the notice ("changed in another tab or window",
    with its two buttons) sat under the four rows, some 500px below the Backbone row a phone
    reader types in; only a screen reader heard it. It stays in the viewport now, clear of the
    field being typed in."""
    page.set_viewport_size(PHONE)
    page.goto(live + "/exercise/")
    page.get_by_label("Model").fill("someone/model")
    with _saved(page, "dense"):
        page.get_by_label("Backbone").fill("dense")
    page.wait_for_function("/^\\d+$/.test(document.getElementById('exercise-id').value)")
    pk = page.input_value("#exercise-id")
    other = page.context.new_page()
    other.set_viewport_size(PHONE)
    other.goto(f"{live}/exercise/?id={pk}")
    with _saved(page, "A: MoE"):
        page.get_by_label("Backbone").fill("A: MoE with 64 experts")
    other.evaluate("window.scrollTo(0, 0)")
    with _saved(other, "B: GQA"):
        other.get_by_label("Backbone").fill("B: GQA")
    notice = other.get_by_test_id("exercise-conflict")
    notice.wait_for()
    where = other.evaluate(
        """() => {
             const n = document.querySelector('[data-testid=exercise-conflict]').getBoundingClientRect();
             const f = document.activeElement.getBoundingClientRect();
             return {focused: document.activeElement.id, top: n.top, bottom: n.bottom,
                     fieldTop: f.top, fieldBottom: f.bottom, height: window.innerHeight};
           }"""
    )
    assert where["focused"] == "ex-backbone", where
    assert 0 <= where["top"] and where["bottom"] <= where["height"], where  # in sight
    # clear of the field typed in: wholly above or wholly below it
    assert where["bottom"] <= where["fieldTop"] or where["top"] >= where["fieldBottom"], where
    assert other.get_by_role("button", name="Keep mine and overwrite").is_visible()
    # and the field keeps its place in sight too
    assert 0 <= where["fieldTop"] and where["fieldBottom"] <= where["height"], where


def test_after_a_check_the_matching_models_are_offered_once_under_the_model_field(live, page):
    """A name matching several catalog models, then Check: the pick buttons showed twice, under
    the Model field and again under the check's message. They show once, under the Model field
    they set (after a check made without reloading the page too)."""
    page.goto(live + "/exercise/")
    page.get_by_label("Model").fill("Meta-Llama-3")
    page.get_by_label("Backbone").fill("GQA with 8 KV heads")
    with page.expect_response(lambda r: r.url.endswith("/exercise/check/")):
        page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_test_id("model-message").wait_for()
    pick = page.get_by_role("button", name="meta-llama/Meta-Llama-3-8B-Instruct")
    assert pick.count() == 1
    assert (
        page.locator("#model-note")
        .get_by_role("button", name="meta-llama/Meta-Llama-3-8B-Instruct")
        .count()
        == 1
    )
    page.reload()
    page.get_by_test_id("model-message").wait_for()
    assert pick.count() == 1
    with page.expect_navigation():
        pick.click()
    assert page.input_value("#ex-model") == "meta-llama/Meta-Llama-3-8B-Instruct"


CARD_WITH_TABLE = """# Lab models

| Model | 1B MoE | 8B GQA | Gqa-mini |
|---|---|---|---|
| Layers | 16 | 32 | 8 |
"""


def test_a_cards_table_headers_keep_the_cards_own_case(live, page, web_model):
    """Table headers were uppercased by the stylesheet, a card's too: its "1B MoE" read
    "1B MOE" and "Gqa-mini" read "GQA-MINI". A card's headers read as the card writes them;
    the app's own headers keep their small capitals."""
    from conftest import _web_shared_config, web_report

    config = _web_shared_config("meta-llama--Llama-3.1-8B")
    web_model(
        "lab/cased-card", analysis=web_report(config, []), config=config, card=CARD_WITH_TABLE
    )
    page.goto(live + "/models/lab/cased-card/")
    headers = page.locator(".model-card thead th")
    assert headers.all_inner_texts() == ["Model", "1B MoE", "8B GQA", "Gqa-mini"]
    assert headers.nth(1).evaluate("e => getComputedStyle(e).textTransform") == "none"
    # the page's own table header (the parameter breakdown's) is still in capitals
    page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    own = page.locator("main table:not(.model-card table) thead th").first
    assert own.evaluate("e => getComputedStyle(e).textTransform") == "uppercase"


def test_the_model_fields_note_follows_the_autosave(live, page):
    """With JavaScript the Model field's note (the models a name matches, each a pick button;
    which catalog model a short name is) showed only after a reload: the autosave's answer
    swaps it in now, as it does the sidebar."""
    page.goto(live + "/exercise/")
    with _saved(page, "Meta-Llama-3"):
        page.get_by_label("Model").fill("Meta-Llama-3")
    candidates = page.get_by_test_id("model-candidates")
    candidates.wait_for()
    assert "matches several catalog models" in candidates.inner_text()
    pick = candidates.get_by_role("button", name="meta-llama/Meta-Llama-3-8B-Instruct")
    assert pick.count() == 1
    with _saved(page, "Meta-Llama-3-8B-Instruct"):
        page.get_by_label("Model").fill("Meta-Llama-3-8B-Instruct")
    resolved = page.get_by_test_id("model-resolved")
    resolved.wait_for()
    assert "is meta-llama/Meta-Llama-3-8B-Instruct in the catalog" in resolved.inner_text()
    assert page.get_by_test_id("model-candidates").count() == 0
