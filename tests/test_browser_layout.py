"""Layout checks in real chromium on a 1280px desktop and a 390px phone: the compare page's
tables with up to six models, the roofline chart on a phone."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREE = "mistralai/Mixtral-8x7B-v0.1,Qwen/Qwen3-30B-A3B,nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B"
SIX = f"{THREE},meta-llama/Llama-3.1-405B,google/gemma-3-27b-it,openai/gpt-oss-20b"
# DeepSeek's block-wise FP8, an AWQ checkpoint's long ID, a Mamba and a hybrid
SIX_OTHERS = (
    "deepseek-ai/DeepSeek-V3,deepseek-ai/DeepSeek-R1,"
    "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4,state-spaces/mamba-2.8b-hf,"
    "nvidia/Nemotron-H-8B-Base-8K,HuggingFaceTB/SmolLM3-3B"
)


@pytest.fixture
def live(live_server, browser_catalog):
    return live_server.url


@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_compare_tables_fit_a_desktop_with_up_to_six_models(live, page, screenshot, lang):
    """Six models compared at 1280px: the backbone axis scrolled sideways by some 600px (config
    key names such as original_max_position_embeddings and class names such as
    Gemma3ForConditionalGeneration have no place to break, so each set its column's width), the
    config diff by up to 380px (in Korean the keys' code lost its break-anywhere to the Korean
    wrapping rule), and the charts' tables by a few pixels (their cells' padding). Every table
    now fits its box, every evidence, chart table and identical row opened."""
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, models in (("three", THREE), ("six", SIX), ("six-others", SIX_OTHERS)):
        page.goto(f"{live}/compare/?models={models}&lang={lang}")
        page.wait_for_selector("[data-chart='chart-roofline'][data-rendered]")
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        found = page.evaluate(
            """() => {
                 const shown = [...document.querySelectorAll('main table, main .table-scroll')]
                   .filter(e => e.getClientRects().length);
                 return {
                   tables: shown.filter(e => e.tagName === 'TABLE').length,
                   wide: shown.filter(e => e.scrollWidth > e.clientWidth)
                     .map(e => [e.tagName, e.className,
                                (e.closest('section, figure, details') || {}).className,
                                e.scrollWidth, e.clientWidth]),
                   page: document.documentElement.scrollWidth,
                 };
               }"""
        )
        assert found["tables"] >= 9, (name, found)  # headline, 5 axes, diff x2, 4 charts
        assert found["wide"] == [], (name, lang, found["wide"])
        assert found["page"] <= 1280, (name, lang, found["page"])
    screenshot(page, f"compare-six-others-desktop-{lang}")


ROOFLINE = "[data-chart='chart-roofline'][data-rendered]"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_roofline_does_not_fit_labels_are_readable_on_a_phone(live, browser, screenshot, lang):
    """On a 390px phone the compare page's roofline drew its bars upright and about 11px thin,
    each bar of a GPU the model does not fit on with "does not fit" written up its length: two
    or three models' labels ran into each other, a wall of words. Where upright bars are too
    thin for a line of text the bars now lie across (GPUs down the side), each label along its
    own bar; every bar that does not fit still says so and is still hatched, as the chart's
    table marks it. A single model's bars are wide enough to stay upright."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    ph = phone.new_page()
    pages = (
        ("model", "/models/mistralai/Mixtral-8x7B-v0.1/", "v"),
        ("pair", "/compare/?models=deepseek-ai/DeepSeek-V3,deepseek-ai/DeepSeek-R1", "h"),
        ("three", f"/compare/?models={THREE},meta-llama/Llama-3.1-405B", "h"),
    )
    for name, url, orientation in pages:
        ph.goto(f"{live}{url}{'&' if '?' in url else '?'}lang={lang}")
        ph.wait_for_selector(f"{ROOFLINE} text.bartext")
        ph.locator(ROOFLINE).scroll_into_view_if_needed()
        screenshot(ph, f"roofline-phone-{name}-{lang}", full_page=False)
        found = ph.evaluate(
            """sel => {
                 const chart = document.querySelector(sel);
                 const box = e => { const r = e.getBoundingClientRect();
                                    return {x: r.x, y: r.y, w: r.width, h: r.height}; };
                 const labels = [...chart.querySelectorAll('text.bartext')];
                 const card = chart.closest('.chart-card, section, .card');
                 const table = card.querySelector('.table-alt table');
                 return {
                   labels: labels.map(t => ({text: t.textContent.trim(), box: box(t)})),
                   others: [...chart.querySelectorAll('.xtick text, .ytick text, .legendtext')]
                             .map(t => ({text: t.textContent.trim(), box: box(t)})),
                   // plotly draws a hatched bar with a pattern fill
                   hatched: [...chart.querySelectorAll('.trace.bars .point path')]
                              .filter(p => (p.style.fill || '').includes('url(')).length,
                   unfit: table ? table.querySelectorAll('td.unfit, tr.unfit').length : null,
                   orientation: chart.data ? chart.data[0].orientation || 'v' : null,
                   right: box(chart).x + box(chart).w,
                 };
               }""",
            ROOFLINE,
        )
        labels = found["labels"]
        assert labels, (name, found)
        assert found["orientation"] == orientation, (name, lang)
        # every bar that does not fit says so, as the table under the chart does, and is hatched
        assert len(labels) == found["unfit"] == found["hatched"], (name, lang, found)
        assert {label["text"] for label in labels} == {
            "does not fit" if lang == "en" else "passt nicht"
        }
        for label in labels:
            b = label["box"]
            assert min(b["w"], b["h"]) >= 9, (name, lang, label)  # not shrunk to a bar's width
            assert max(b["w"], b["h"]) >= 45, (name, lang, label)
            assert b["x"] + b["w"] <= 390, (name, lang, label)
        assert found["right"] <= 390, (name, lang, found["right"])

        def apart(a, b):
            return (
                a["x"] + a["w"] <= b["x"] + 0.5
                or b["x"] + b["w"] <= a["x"] + 0.5
                or a["y"] + a["h"] <= b["y"] + 0.5
                or b["y"] + b["h"] <= a["y"] + 0.5
            )

        for i, a in enumerate(labels):
            for b in labels[i + 1 :] + found["others"]:
                assert apart(a["box"], b["box"]), (name, lang, a, b)
    phone.close()
