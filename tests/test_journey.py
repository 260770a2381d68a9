"""A new user's walk through the pages on a phone and in Korean (found by walking the product
in a real browser): what was cut off, broken mid-word or frozen is pinned here."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWCASE = "/compare/?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K"


@pytest.fixture
def live(live_server, settings, browser_catalog):
    return live_server.url


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_the_showcase_verdict_is_readable_on_a_phone(live, phone, screenshot, lang):
    """The verdict's "why" column (what differs, key by key) is the showcase's point: on a
    phone it used to run past the card's right edge, cut off inside a sideways-scrolling box
    nobody knew to scroll. Now each row stacks (axis and verdict, then why) within the card."""
    phone.goto(f"{live}{SHOWCASE}&lang={lang}")
    verdict = phone.locator("[data-testid=verdict]")
    verdict.wait_for()
    screenshot(phone, f"journey-verdict-phone-{lang}")
    clipped = phone.evaluate(
        """() => {
             const card = document.querySelector('[data-testid=verdict]').getBoundingClientRect();
             return [...document.querySelectorAll('.verdict-table th, .verdict-table td, .verdict-diffs li')]
               .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > card.right + 1)
               .map(e => e.textContent.trim().slice(0, 40));
           }"""
    )
    assert clipped == [], clipped
    scroll = phone.evaluate(
        "(() => { const s = document.querySelector('[data-testid=verdict] .table-scroll');"
        " return [s.scrollWidth, s.clientWidth]; })()"
    )
    assert scroll[0] <= scroll[1], f"the verdict scrolls sideways on a phone: {scroll}"


def _fill_and_check(pg, live: str, lang: str) -> None:
    pg.goto(f"{live}/exercise/?lang={lang}")
    pg.fill("#ex-model", "meta-llama/Meta-Llama-3-8B-Instruct")
    pg.fill("#ex-backbone", "32개 레이어, GQA")
    pg.fill("#ex-post_training", "SFT와 DPO")
    pg.fill("#ex-inference", "temperature 0.6")
    pg.fill("#ex-product", "채팅 앱")
    pg.click("button[formaction$='/exercise/check/']")
    pg.locator("[data-testid=scores]").wait_for()


def test_korean_words_are_not_broken_mid_word_on_a_phone(live, phone, screenshot):
    """Korean wraps between words (word-break: keep-all), as Korean typesetting does: the
    exercise's score table on a phone used to break its headers syllable by syllable (구/절,
    올/바/른 축) and the axis names mid-word (사/후 학습)."""
    _fill_and_check(phone, live, "ko")
    screenshot(phone, "journey-scores-phone-ko")
    broken = phone.evaluate(
        """[...document.querySelectorAll('[data-testid=scores] th')].flatMap(th => {
             const text = th.textContent.trim();
             if (!/[\\uac00-\\ud7a3]/.test(text)) return [];
             const range = document.createRange();
             range.selectNodeContents(th);
             const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
             const words = text.split(/\\s+/).length;
             return lines.size > words ? [`${text}: ${lines.size} lines for ${words} words`] : [];
           })"""
    )
    assert broken == [], broken
    for url in ("/", SHOWCASE, "/models/meta-llama/Meta-Llama-3-8B/"):
        phone.goto(f"{live}{url}{'&' if '?' in url else '?'}lang=ko")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)


def test_a_running_measurement_shows_how_long_it_has_run(settings, english):
    """A timed run of a 3B model on a CPU stays on one stage ("measuring · 53%") for minutes:
    the bar stood still and nothing on the line moved, so the run looked hung. The status
    line now says how long the run has been going, and it advances at every poll."""
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from profiler import services
    from profiler.models import MeasurementRun
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import make_run

    settings.PROFILER_STALE_AFTER_S = 10_000  # the worker is alive: no "no sign of life" note
    run = make_run(revision_with_config(TINY_LLAMA))
    url = reverse("profiler:run_status", args=[run.pk])
    assert 'data-testid="run-elapsed"' not in Client().get(url).content.decode()  # queued
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    services.run_progress(run_id=run.pk, attempt=attempt, stage="measure", pct=53)
    MeasurementRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - timedelta(seconds=125)
    )
    page = Client().get(url).content.decode()
    assert re.search(
        r"measuring · 53% · <span data-testid=\"run-elapsed\">running for 2 min [5-9] s<", page
    ), page
    MeasurementRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - timedelta(seconds=3725)
    )
    assert (
        "running for 1 h 2 min<"
        in Client().get(url, headers={"accept-language": "en"}).content.decode()
    )


def test_compare_with_one_model_offers_partners_to_click(client, web_showcase, english):
    """ "Compare with another model" on a model page opens the compare page with that model
    alone; the only way on was to type a second ID after a comma, where the field's catalog
    suggestions no longer show (a datalist matches the whole value). Now the notice offers
    one-click partners, the same organisation's models first."""
    from urllib.parse import unquote

    page = client.get("/compare/?models=meta-llama/Meta-Llama-3-8B").content.decode()
    offered = re.findall(
        r'<a href="\?models=([^"]+)">([^<]+)</a>',
        page.split('data-testid="pair-suggestions"')[1].split("</span>")[0],
    )
    targets = [unquote(q) for q, _text in offered]
    assert targets[0] == "meta-llama/Meta-Llama-3-8B,meta-llama/Meta-Llama-3-8B-Instruct", targets
    assert "meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K" in targets
    assert all(not t.endswith(",meta-llama/Meta-Llama-3-8B") for t in targets)
    # a pair on the page already: nothing offered
    both = client.get(f"{SHOWCASE}").content.decode()
    assert 'data-testid="pair-suggestions"' not in both


@pytest.mark.parametrize("lang", ["de", "ko", "en"])
def test_the_exercise_scores_fit_a_phone_with_every_number_named(live, phone, screenshot, lang):
    """Seven columns of scores ran off a 390px screen (in German three were visible and the
    caption read "Auswer"); each axis now stacks its six numbers, each under its column's
    name, inside the screen."""
    _fill_and_check(phone, live, lang)
    screenshot(phone, f"journey-scores-phone-{lang}-stacked")
    cells = phone.evaluate(
        """[...document.querySelectorAll('[data-testid=scores] td, [data-testid=scores] caption')].map(e => ({
             right: e.getBoundingClientRect().right,
             label: getComputedStyle(e, '::before').content,
             text: e.textContent.trim(),
           }))"""
    )
    assert len(cells) == 1 + 4 * 6, cells
    assert [c for c in cells if c["right"] > 390] == [], "cut off at the screen's edge"
    heads = phone.eval_on_selector_all(
        "[data-testid=scores] thead th", "els => els.map(e => e.textContent.trim())"
    )
    named = [c["label"].strip('"') for c in cells[1:7]]
    assert named == heads[1:], (named, heads)


@pytest.mark.parametrize("lang", ["ko", "de", "en"])
def test_the_runs_chart_legend_stays_on_a_phone_screen(live, browser, screenshot, lang):
    """The runs chart's legend entry "memory (GiB): peak on a GPU, weights on CPU" (longer in
    Korean and German) ran past a phone's edge, cut off; a trace name wider than the plot is
    now broken onto two lines, as the chart titles and notes already were."""
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import succeeded_run

    revision = revision_with_config(TINY_LLAMA)
    revision.model.latest_revision = revision
    revision.model.save(update_fields=["latest_revision"])
    succeeded_run(revision)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    ph = context.new_page()
    ph.goto(f"{live}{revision.model.get_absolute_url()}?lang={lang}")
    chart = f"[data-chart='profiler-chart-{revision.pk}'][data-rendered]"
    ph.wait_for_selector(f"{chart} .legendtext", state="attached")
    ph.locator(chart).scroll_into_view_if_needed()
    screenshot(ph, f"journey-runs-legend-phone-{lang}", full_page=False)
    cut = ph.evaluate(
        """sel => {
             const box = document.querySelector(sel).getBoundingClientRect();
             return [...document.querySelectorAll(sel + ' .legendtext')]
               .filter(t => t.getBoundingClientRect().right > Math.min(box.right, 390) + 1)
               .map(t => t.textContent);
           }""",
        chart,
    )
    context.close()
    assert cut == [], cut


@pytest.mark.parametrize("lang", ["de", "ko"])
def test_table_captions_start_at_the_left_edge_on_a_phone(live, phone, lang):
    """A caption is centred over its table; over a table wider than a phone (the runs history,
    measured vs estimated), it started off-screen to the right and was cut ("Messläufe dieser
    Rev", "이 리비전의 측정 실행, 최"). Captions now start at the table's left edge."""
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import succeeded_run

    revision = revision_with_config(TINY_LLAMA)
    revision.model.latest_revision = revision
    revision.model.save(update_fields=["latest_revision"])
    run = succeeded_run(revision)
    for url in (revision.model.get_absolute_url(), f"/runs/{run.pk}/"):
        phone.goto(f"{live}{url}?lang={lang}")
        cut = phone.evaluate(
            """[...document.querySelectorAll('.table-scroll caption')].flatMap(c => {
                 const range = document.createRange();
                 range.selectNodeContents(c);
                 const r = range.getBoundingClientRect();
                 return r.width && r.right > 390 ? [c.textContent.trim()] : [];
               })"""
        )
        assert cut == [], (url, cut)


@pytest.mark.parametrize("lang", ["de", "ko", "en"])
def test_the_run_tables_fit_a_phone_with_every_value_named(live, phone, screenshot, lang):
    """The run history (nine columns) and "measured vs estimated" (four, the residual with its
    tolerance) scrolled sideways on a 390px screen, most columns off it. Each row now stacks,
    every value under its column's name, inside the screen."""
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import succeeded_run

    revision = revision_with_config(TINY_LLAMA)
    revision.model.latest_revision = revision
    revision.model.save(update_fields=["latest_revision"])
    run = succeeded_run(revision)
    for url, table in (
        (revision.model.get_absolute_url(), ".profiler-runs-table"),
        (f"/runs/{run.pk}/", ".profiler-results"),
    ):
        phone.goto(f"{live}{url}?lang={lang}")
        phone.locator(table).scroll_into_view_if_needed()
        screenshot(phone, f"journey-{table[1:]}-phone-{lang}", full_page=False)
        found = phone.evaluate(
            """sel => {
                 const scroll = document.querySelector(sel).closest('.table-scroll');
                 const cells = [...document.querySelectorAll(sel + ' tbody td')];
                 return {
                   scroll: [scroll.scrollWidth, scroll.clientWidth],
                   cut: cells.filter(c => c.getBoundingClientRect().right > 390)
                             .map(c => c.textContent.trim()),
                   unnamed: cells.filter(c => !getComputedStyle(c, '::before').content
                                                 .replace(/^(none|normal|"")$/, ''))
                                 .map(c => c.textContent.trim()),
                   cells: cells.length,
                 };
               }""",
            table,
        )
        assert found["cells"] > 0, (url, found)
        assert found["scroll"][0] <= found["scroll"][1], (url, found)
        assert found["cut"] == [], (url, found)
        assert found["unnamed"] == [], (url, found)


@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_the_compare_tables_fit_a_phone_with_every_value_named(live, phone, screenshot, lang):
    """The showcase's headline numbers, its four axes side by side and its config diff
    scrolled sideways on a 390px screen (about 700px of content in a 326px box): the second
    model's column sat off the screen, so the page's point (the two side by side) was out of
    sight. Each row now stacks, the row's name over every model's value, each value under
    its model's name."""
    phone.goto(f"{live}{SHOWCASE}&lang={lang}")
    phone.locator(".config-diff").first.scroll_into_view_if_needed()
    screenshot(phone, f"journey-compare-tables-phone-{lang}")
    found = phone.evaluate(
        """() => {
             const names = [...document.querySelectorAll('.compare-table')[0]
                              .querySelectorAll('thead th[scope=col]')].slice(1)
                              .map(th => th.textContent.trim());
             const tables = [...document.querySelectorAll('.compare-table')]
                              .filter(t => t.getClientRects().length);
             const cells = tables.flatMap(t => [...t.querySelectorAll('tbody td')]);
             return {
               names,
               tables: tables.length,
               scrolls: tables.map(t => t.closest('.table-scroll'))
                              .filter(s => s.scrollWidth > s.clientWidth)
                              .map(s => [s.scrollWidth, s.clientWidth]),
               cut: cells.filter(c => c.getBoundingClientRect().right > 390)
                         .map(c => c.textContent.trim().slice(0, 40)),
               labels: cells.map(c => getComputedStyle(c, '::before').content.replace(/^"|"$/g, '')),
             };
           }"""
    )
    assert found["names"] == ["meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"], found
    assert found["tables"] >= 3, found  # the headline, at least one axis, the config diff
    assert found["scrolls"] == [], found["scrolls"]
    assert found["cut"] == [], found["cut"]
    # each value is named by its model (the name without its organisation), in column order
    short = ["Meta-Llama-3-8B", "Nemotron-H-8B-Base-8K"]
    assert found["labels"] == short * (len(found["labels"]) // 2), found["labels"][:6]
    # on a wide screen the tables stay tables, the model IDs in their header
    phone.set_viewport_size({"width": 1280, "height": 900})
    assert phone.locator(".compare-table thead").first.is_visible()


def test_a_stacked_compare_value_keeps_the_whole_id_when_two_names_are_alike():
    """The short label ("Llama-3.1-8B") would name two columns alike when two organisations
    publish the same name; those keep their whole ID."""
    from catalog.views_compare import compare_column_labels

    assert compare_column_labels(["meta-llama/Llama-3.1-8B", "nvidia/Nemotron-H-8B"]) == [
        "Llama-3.1-8B",
        "Nemotron-H-8B",
    ]
    assert compare_column_labels(["a/Llama-3.1-8B", "b/Llama-3.1-8B", "c/Qwen3-8B"]) == [
        "a/Llama-3.1-8B",
        "b/Llama-3.1-8B",
        "Qwen3-8B",
    ]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_closed_models_sources_stay_on_a_phone_screen(live, phone, screenshot, lang):
    """Checking the exercise for GPT-5 on a phone: the source a phrase is backed by (a long
    URL of the vendor's docs, no space to break at) ran past the screen's edge and the whole
    page scrolled sideways (429px in 390px). The URL now breaks inside its line."""
    phone.goto(f"{live}/exercise/?lang={lang}")
    phone.fill("#ex-model", "openai/gpt-5")
    phone.fill("#ex-backbone", "a transformer; the layer count is not published")
    phone.fill("#ex-post_training", "RLHF")
    phone.fill("#ex-inference", "reasoning effort setting")
    phone.fill("#ex-product", "ChatGPT app and API with a web search tool")
    phone.click("button[formaction$='/exercise/check/']")
    phone.locator("[data-testid=scores]").wait_for()
    sources = phone.locator(".support small")
    assert sources.count() > 0  # a phrase is backed by a source, named by its URL
    screenshot(phone, f"journey-exercise-sources-phone-{lang}")
    found = phone.evaluate(
        """() => ({
             width: document.documentElement.scrollWidth,
             cut: [...document.querySelectorAll('#result .support, #result .support small')]
                    .filter(e => e.getBoundingClientRect().right > 390)
                    .map(e => e.textContent.trim().slice(0, 60)),
           })"""
    )
    assert found == {"width": 390, "cut": []}, found


def test_the_compare_charts_tables_show_every_model_on_a_phone(live, phone, screenshot):
    """The memory chart's "Table" on a phone, three models compared: the table was wider than
    its card, which clips what runs past it, so the third model's column was cut off with no
    way to scroll to it; the other tables scrolled sideways for the width of the models' IDs
    in their header. The IDs now break inside their header cell, and a table still too wide
    (six models) scrolls inside its card."""
    three = "mistralai/Mixtral-8x7B-v0.1,Qwen/Qwen3-30B-A3B,nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B"
    six = f"{three},meta-llama/Llama-3.1-405B,google/gemma-3-27b-it,openai/gpt-oss-20b"
    for models in (SHOWCASE.split("=", 1)[1], three, six):
        phone.goto(f"{live}/compare/?models={models}&lang=de")
        phone.evaluate(
            "document.querySelectorAll('.chart-card .table-alt').forEach(d => d.open = true)"
        )
        found = phone.evaluate(
            """() => [...document.querySelectorAll('.chart-card table')].map(t => {
                 const card = t.closest('.chart-card').getBoundingClientRect();
                 const scroll = t.closest('.table-scroll');
                 const cells = [...t.querySelectorAll('th, td')];
                 return {
                   head: t.querySelector('thead th:last-child').textContent.trim(),
                   cells: cells.length,
                   scrolls: scroll ? scroll.scrollWidth > scroll.clientWidth : false,
                   clipped: scroll ? 0 : cells.filter(c => c.getBoundingClientRect().right > card.right).length,
                 };
               })"""
        )
        assert len(found) >= 4, found  # parameters, memory, KV cache, roofline
        assert [t for t in found if t["clipped"]] == [], (models, found)
        if models == SHOWCASE.split("=", 1)[1]:  # two models' columns fit without scrolling
            assert [t for t in found if t["scrolls"]] == [], (models, found)
    phone.locator("[data-testid=memory-basis]").scroll_into_view_if_needed()
    screenshot(phone, "journey-compare-memory-table-phone-de", full_page=False)


CLOSED_THREE = "anthropic/claude-opus-5,openai/gpt-5,google/gemini-2.5-pro"


def test_closed_models_compared_fit_a_desktop_screen(live, page, screenshot):
    """Claude, GPT-5 and Gemini side by side at 1280px: the vendors' docs URLs (the evidence
    under each fact, no space to break at) made every axis table wider than its card, and
    Gemini's column was cut at the card's edge. The URLs now break inside their column."""
    page.goto(f"{live}/compare/?models={CLOSED_THREE}")
    page.locator(".axis-compare").first.wait_for()
    screenshot(page, "journey-compare-closed-desktop")
    scrolls = page.evaluate(
        """[...document.querySelectorAll('.axis-compare .table-scroll')]
             .filter(s => s.scrollWidth > s.clientWidth)
             .map(s => [s.closest('.axis-compare').querySelector('h3').textContent.trim(),
                        s.scrollWidth, s.clientWidth])"""
    )
    assert page.locator(".axis-compare .table-scroll").count() >= 3
    assert scrolls == [], scrolls


def test_a_sliced_runs_mode_is_not_broken_mid_word_on_a_phone(live, phone, screenshot):
    """The runs table said "sliced (hochgerechnet)" in its Mode cell; on a 390px phone the
    cell is a third of the screen and the word broke as "hochgerechne / t". The marker is now
    a small line of its own under the mode, as "Gewichte" is under the memory."""
    from profiler import services
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import RESULT, make_run

    revision = revision_with_config(TINY_LLAMA)
    revision.model.latest_revision = revision
    revision.model.save(update_fields=["latest_revision"])
    run = make_run(revision, mode="sliced")
    attempt = services.run_claim(run_id=run.pk, worker_host="cpu@test")
    result = {**RESULT, "mode": "sliced", "extrapolated": True}
    assert services.run_succeed(run_id=run.pk, attempt=attempt, result=result)
    phone.goto(f"{live}{revision.model.get_absolute_url()}?lang=de")
    phone.locator(".profiler-runs-table").scroll_into_view_if_needed()
    screenshot(phone, "journey-runs-sliced-phone-de", full_page=False)
    broken = phone.evaluate(
        """[...document.querySelectorAll('.profiler-runs-table td')].flatMap(td => {
             const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
             const out = [];
             for (let node; (node = walker.nextNode()); ) {
               for (const m of node.textContent.matchAll(/\\S+/g)) {
                 const range = document.createRange();
                 range.setStart(node, m.index);
                 range.setEnd(node, m.index + m[0].length);
                 const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                 if (lines.size > 1) out.push(m[0]);
               }
             }
             return out;
           })"""
    )
    assert "hochgerechnet" in phone.locator(".profiler-runs-table").inner_text()
    assert broken == [], broken
