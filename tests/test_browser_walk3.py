"""A walk through the pages in Korean and German, checked in real chromium: the exercise's
verdicts in one column, the upload's file fields in the page's language (with and without
JavaScript, and from the keyboard), the run page's number columns under their headers."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live(live_server, browser_catalog):
    return live_server.url


def _check_exercise(pg, live: str, lang: str) -> None:
    pg.goto(f"{live}/exercise/?lang={lang}")
    pg.fill("#ex-model", "meta-llama/Llama-3.1-8B-Instruct")
    pg.fill("#ex-backbone", "dense decoder, GQA with 8 KV heads, 32 layers, RLHF")
    pg.fill("#ex-post_training", "SFT and DPO; 128K context")
    pg.fill("#ex-inference", "temperature 0.6, top_p 0.9, KV cache")
    pg.fill("#ex-product", "tool calling, chat template")
    pg.locator("#exercise-form button.btn-primary").click()
    pg.wait_for_selector("#result .phrase")


def _intercept_file_choosers(page) -> None:
    """Playwright turns on chromium's file-chooser interception when the first listener is
    added; ``expect_file_chooser`` alone added it only just before the click or key, and a
    chooser that opened before it took effect (seen once in CI, on a cold chromium) never
    reached the test. A listener added before the page loads has it on from the start."""
    page.on("filechooser", lambda chooser: None)


def test_the_exercises_verdicts_and_sources_line_up_in_each_panel(live, page):
    """A panel's ✓ and ✗ sat wherever the phrase before them ended: in the Backbone panel
    "✓ on the right axis" stood at 775px and "✗ belongs to Post-training" at 372px, the
    "backed by a source" beside them at two other places again. Each phrase is now a row of the
    same columns, so the verdicts of a panel start at one x, and their sources at another."""
    for lang in ("ko", "de"):
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            _check_exercise(page, live, lang)
            panels = page.eval_on_selector_all(
                "#result .axis-panel",
                """ps => ps.map(p => ({
                     axis: p.className,
                     notes: [...p.querySelectorAll('.phrase-note')].map(
                       n => Math.round(n.getBoundingClientRect().left)),
                     supports: [...p.querySelectorAll('.phrase .support')].map(
                       n => Math.round(n.getBoundingClientRect().left)),
                     verdicts: [...p.querySelectorAll('.phrase')].map(n => n.className)}))""",
            )
            mixed = [p for p in panels if len(set(p["verdicts"])) > 1]
            assert mixed, (lang, panels)  # a ✓ beside a ✗: the case that was misaligned
            for p in panels:
                assert len(set(p["notes"])) <= 1, (lang, viewport, p)
                assert len(set(p["supports"])) <= 1, (lang, viewport, p)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (lang, viewport, width)


FILE_WORDS = {
    "ko": ("파일 선택", "선택한 파일 없음"),
    "de": ("Datei auswählen", "Keine Datei ausgewählt"),
}


def _config_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {
                "architectures": ["LlamaForCausalLM"],
                "model_type": "llama",
                "hidden_size": 256,
                "intermediate_size": 688,
                "num_attention_heads": 4,
                "num_key_value_heads": 2,
                "num_hidden_layers": 2,
                "vocab_size": 1024,
                "max_position_embeddings": 2048,
                "torch_dtype": "bfloat16",
            }
        )
    )
    return path


def test_the_upload_fields_speak_the_page_language_and_name_the_chosen_file(live, page, tmp_path):
    """The three file fields showed chromium's own "Choose File" and "No file chosen" in
    English on the Korean and German home pages. Each is now a button in the page's language,
    with the chosen file's name beside it."""
    from playwright.sync_api import expect

    config = _config_file(tmp_path)
    _intercept_file_choosers(page)
    for lang, (choose, none) in FILE_WORDS.items():
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(f"{live}/?lang={lang}")
            form = page.locator("form[action='/upload/']")
            buttons = form.locator(".file-button")
            expect(buttons).to_have_count(3)
            for i in range(3):
                expect(buttons.nth(i)).to_have_text(choose)
                expect(buttons.nth(i)).to_be_visible()
            names = form.locator(".file-name")
            expect(names.nth(0)).to_have_text(none)
            # the native control (and its English words) is out of sight, not out of reach
            box = form.locator("input[name=config]").bounding_box()
            assert box is None or (box["width"] <= 1 and box["height"] <= 1), box
            with page.expect_file_chooser() as chooser:
                buttons.nth(0).click()
            chooser.value.set_files(str(config))
            expect(names.nth(0)).to_have_text("config.json")
            expect(names.nth(1)).to_have_text(none)
            # the field is named by its label and the button's words, each once (voice control:
            # "click Choose a file" finds it; the button was aria-hidden, the field named by its
            # label alone), and described by the chosen file's name
            field = form.locator("input[name=config]")
            label = form.locator("label[for=id_config]").first.inner_text()
            expect(field).to_have_accessible_name(f"{label} {choose}")
            expect(field).to_have_accessible_description("config.json")
            expect(form.locator("input[name=card]")).to_have_accessible_description(none)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (lang, viewport, width)


def test_the_upload_fields_work_from_the_keyboard(live, page, tmp_path):
    """Tab reaches each file field (its button shows the focus) and Space opens the picker."""
    config = _config_file(tmp_path)
    _intercept_file_choosers(page)
    page.goto(f"{live}/?lang=de")
    page.locator("input[name=repo_id]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "config"
    outline = page.locator("form[action='/upload/'] .file-button").first.evaluate(
        "b => getComputedStyle(b).outlineStyle"
    )
    assert outline not in ("", "none"), outline
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(config))
    page.locator("form[action='/upload/'] button[type=submit]").click()
    page.wait_for_url("**/models/local/my-model/**")


def test_the_upload_works_without_javascript(live, browser, tmp_path):
    """Without JavaScript the page's button beside a file field opened the picker, but nothing
    named the chosen file (app.js does, and the browser's control was out of sight): a user
    picked a file and nothing on the page changed. Without JavaScript the browser's own
    control now shows, and names the file; the button and the empty name are not shown."""
    from playwright.sync_api import expect

    config = _config_file(tmp_path)
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    pg = context.new_page()
    _intercept_file_choosers(pg)
    try:
        pg.goto(f"{live}/?lang=ko")
        form = pg.locator("form[action='/upload/']")
        expect(form.locator(".file-button")).to_have_count(3)
        for i in range(3):
            expect(form.locator(".file-button").nth(i)).to_be_hidden()
            expect(form.locator(".file-name").nth(i)).to_be_hidden()
        field = form.locator("input[name=config]")
        expect(field).to_be_visible()
        box = field.bounding_box()
        assert box is not None and box["width"] > 40 and box["height"] > 10, box
        form.locator("input[name=repo_id]").fill("local/no-js")
        with pg.expect_file_chooser() as chooser:
            field.click()
        chooser.value.set_files(str(config))
        # the control that names the chosen file is the one in sight
        assert field.input_value().endswith("config.json"), field.input_value()
        expect(field).to_be_visible()
        assert form.locator("input[name=card]").input_value() == ""
        form.locator("button[type=submit]").click()
        pg.wait_for_url("**/models/local/no-js/**")
    finally:
        context.close()


def test_the_run_pages_numbers_stand_under_their_headers(live, page):
    """The run page's "Measured" and "Estimated" headers stood at the left of their columns,
    the figures at the right, 300px apart on a laptop: the header now sits over its figures."""
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import succeeded_run

    run = succeeded_run(revision_with_config(TINY_LLAMA))
    page.set_viewport_size(DESKTOP)
    for lang in ("ko", "de"):
        page.goto(f"{live}/runs/{run.pk}/?lang={lang}")
        edges = page.eval_on_selector(
            "table.profiler-results",
            """t => [...t.tHead.rows[0].cells].slice(1).map((th, i) => {
                 const h = th.getBoundingClientRect();
                 const r = th.ownerDocument.createRange();
                 r.selectNodeContents(th);
                 const text = r.getBoundingClientRect();
                 const cells = [...t.tBodies[0].rows].map(row => row.cells[i + 1])
                   .filter(c => c.textContent.trim() && c.textContent.trim() !== '—');
                 return {header: th.textContent.trim(), headerRight: Math.round(text.right),
                         cellRight: Math.round(h.right), cells: cells.map(c => {
                           const rr = c.ownerDocument.createRange();
                           rr.selectNodeContents(c.firstChild || c);
                           return Math.round(rr.getBoundingClientRect().right);
                         })};
               })""",
        )
        for col in edges[:2]:  # Measured, Estimated: figures right-aligned, so is the header
            assert col["cells"], (lang, col)
            assert abs(col["headerRight"] - max(col["cells"])) <= 16, (lang, col)


def test_the_home_pages_cards_do_not_touch(live, page):
    """On a laptop the "Three lessons" card sat flush on the catalog and upload cards, their
    borders one line: the cards below it now keep the grid's gap from it."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live}/?lang=ko")
        gap = page.evaluate(
            """() => document.querySelector('.grid-2 > .card').getBoundingClientRect().top
                   - document.querySelector('.lessons').getBoundingClientRect().bottom"""
        )
        assert gap >= 12, (viewport, gap)


def test_the_scores_caption_keeps_clear_of_the_vaguest_axis_card(live, page):
    """The scores table's caption ("Auswertung", "점수") sat on the bottom border of the
    vaguest-axis card above it; it keeps the card's margin now."""
    page.set_viewport_size(DESKTOP)
    _check_exercise(page, live, "de")
    page.wait_for_selector("[data-testid=vaguest]")
    gap = page.evaluate(
        """() => document.querySelector('[data-testid=scores] caption').getBoundingClientRect().top
               - document.querySelector('[data-testid=vaguest]').getBoundingClientRect().bottom"""
    )
    assert gap >= 8, gap


def test_the_compare_pages_model_columns_line_up_from_table_to_table(live, page):
    """The compare page stacks a table per axis under the headline numbers and above the
    config diff, each sized by its own content: Meta-Llama-3-8B's column started at 553px in
    the numbers, 320px under Backbone, 361px under Post-training, 441px under Inference. The
    tables share their columns now, so a model's values stand in one column down the page."""
    page.set_viewport_size(DESKTOP)
    for lang in ("ko", "de"):
        page.goto(
            f"{live}/compare/?models=meta-llama/Meta-Llama-3-8B-Instruct,"
            f"nvidia/Nemotron-H-8B-Base-8K&lang={lang}"
        )
        starts = page.eval_on_selector_all(
            "table.compare-table",
            """ts => ts.filter(t => t.offsetParent !== null).map(t =>
                 [...t.tHead.rows[0].cells].map(c => Math.round(c.getBoundingClientRect().left)))""",
        )
        assert len(starts) >= 4, starts
        # the models' columns (the row names' column of an axis table is inset in its box)
        for columns in starts[1:]:
            assert len(columns) == len(starts[0]), (lang, starts)
            for x, x0 in zip(columns[1:], starts[0][1:], strict=True):
                assert abs(x - x0) <= 2, (lang, starts)


def test_a_chart_title_broken_on_a_phone_keeps_kv_cache_on_one_line(live, page):
    """On a phone a long chart title is broken at the space nearest its middle: the Korean
    memory chart read "가중치(저장된 형식) + KV" over "cache 대 컨텍스트, 시퀀스 1개", the course's
    term torn in two. The title keeps "KV cache" (and "batch 1") together now."""
    page.set_viewport_size(PHONE)
    for lang in ("ko", "en"):
        page.goto(f"{live}/models/meta-llama/Llama-3.1-8B/?lang={lang}")
        page.wait_for_selector("[data-chart='chart-memory'][data-rendered]")
        lines = page.eval_on_selector_all(
            "[data-chart][data-rendered] .gtitle",
            "ts => ts.map(t => [...t.querySelectorAll('tspan.line')].map(l => l.textContent))",
        )
        broken = [ls for ls in lines if len(ls) > 1]
        assert broken, (lang, lines)  # a title is broken on a phone: the case in question
        for ls in lines:
            for a, b in zip(ls, ls[1:], strict=False):
                assert not (a.rstrip().endswith("KV") and b.lstrip().startswith("cache")), ls
                assert not (a.rstrip().endswith("batch") and b.lstrip()[:1].isdigit()), ls
