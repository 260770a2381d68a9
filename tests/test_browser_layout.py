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
