"""Real chromium against the live server: paste -> model page, compare, the exercise.

Screenshots of every page go to test-artifacts/screenshots/ (gitignored) for a human look.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(live_server, settings, browser_catalog):
    # the polling request runs a job inline when no worker has claimed it (no worker here)
    settings.INGEST_INLINE_AFTER_S = 1e-6  # at once (0 is never)
    return live_server.url


def test_paste_an_id_and_reach_the_model_page(live, hub, page, screenshot):
    page.goto(live + "/")
    screenshot(page, "home")
    page.get_by_label("Model ID or Hub URL").fill("meta-llama/Llama-3.2-1B")
    page.get_by_role("button", name="Analyze", exact=True).click()
    page.wait_for_url(re.compile(r"/models/meta-llama/Llama-3\.2-1B/$"), timeout=60_000)
    assert page.get_by_role("heading", name="Llama-3.2-1B", level=1).is_visible()
    assert page.locator(".axis-backbone .fact").count() > 0
    page.wait_for_selector("[data-chart='chart-params'][data-rendered]")
    screenshot(page, "model-ingested")


def test_bad_id_and_unreachable_hub_say_what_to_do(live, hub, page):
    page.goto(live + "/")
    page.get_by_label("Model ID or Hub URL").fill("not a model")
    page.get_by_role("button", name="Analyze", exact=True).click()
    page.wait_for_selector("[role=alert]:has-text('A valid model ID looks like')")
    page.get_by_label("Model ID or Hub URL").fill("nobody/does-not-exist-anywhere")
    page.get_by_role("button", name="Analyze", exact=True).click()
    page.wait_for_selector(".progress-box, [role=alert]")
    page.wait_for_selector("text=/no model with this ID|failed/", timeout=30_000)
    # what was typed is still in the field: correct it and try again, nothing to retype
    field = page.get_by_label("Model ID or Hub URL")
    assert field.input_value() == "nobody/does-not-exist-anywhere"
    field.fill("meta-llama/Llama-3.2-1B")
    page.get_by_role("button", name="Analyze", exact=True).click()
    page.wait_for_url(re.compile(r"/models/meta-llama/Llama-3\.2-1B/$"), timeout=60_000)


def _choose(page, select: str, value: str, url_pattern: str) -> None:
    """Pick an option of the htmx form and wait until its swap has settled: htmx pushes the
    address before it swaps, and the new form listens for changes only once it is processed,
    so a second pick made in between (machine speed, not a person's) would be lost."""
    page.evaluate(
        "window.__settled = false; document.body.addEventListener('htmx:afterSettle',"
        " () => { window.__settled = true }, {once: true})"
    )
    page.select_option(select, value)
    page.wait_for_url(re.compile(url_pattern))
    page.wait_for_function("window.__settled === true")


def test_model_page_desktop_and_phone(live, page, browser, screenshot):
    url = live + "/models/meta-llama/Meta-Llama-3-8B-Instruct/"
    page.goto(url)
    page.wait_for_selector("[data-chart='chart-memory'][data-rendered]")
    assert page.locator(".layer-strip .layer").count() == 32
    # evidence expands and links to the card line
    page.locator("details.evidence summary").first.click()
    screenshot(page, "model")
    # the context / GPU form updates the page in place; the address keeps one of each choice
    _choose(page, "#ctx-select", "8192", r"context=8192")
    _choose(page, "#gpu-select", "H200", r"gpu=H200")
    _choose(page, "#ctx-select", "32768", r"context=32768")
    query = page.url.split("?", 1)[1]
    assert sorted(query.split("&")) == ["context=32768", "gpu=H200"], page.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    ph = phone.new_page()
    ph.goto(url)
    ph.wait_for_selector("[data-chart='chart-params'][data-rendered]")
    screenshot(ph, "model-phone")
    # chart titles are broken onto two lines rather than cut off at the screen's edge
    overflowing = ph.evaluate(
        """[...document.querySelectorAll('[data-chart][data-rendered]')].flatMap(chart => {
             const box = chart.getBoundingClientRect();
             return [...chart.querySelectorAll('.gtitle')]
               .filter(t => t.getBoundingClientRect().right > box.right + 1)
               .map(t => t.textContent);
           })"""
    )
    assert overflowing == [], overflowing
    width = ph.evaluate("document.documentElement.scrollWidth")
    wide = ph.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.chart'))
           .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px): {wide}"
    phone.close()


def test_the_chart_toolbar_speaks_the_page_language(live, page):
    """Plotly's toolbar tooltips come from the page's plotly-locale words (app.js hands them
    to plotly); the button that would upload the chart to Plotly's cloud is not there."""
    titles = {}
    for lang in ("de", "ko", "en"):
        page.goto(live + f"/models/meta-llama/Meta-Llama-3-8B-Instruct/?lang={lang}")
        page.wait_for_selector("[data-chart='chart-params'][data-rendered] .modebar-btn")
        titles[lang] = page.eval_on_selector_all(
            "[data-chart='chart-params'] .modebar-btn", "els => els.map(e => e.dataset.title)"
        )
    assert "Download plot as a PNG" in titles["en"] and "Zoom" in titles["en"]
    assert "Diagramm als PNG herunterladen" in titles["de"] and "Zoomen" in titles["de"]
    assert "차트를 PNG로 내려받기" in titles["ko"] and "축 초기화" in titles["ko"]
    for lang in ("de", "ko"):
        assert not set(titles[lang]) & set(titles["en"]), (lang, titles[lang])
    assert not [t for ts in titles.values() for t in ts if t.startswith("Share chart")]


def test_compare_showcase_shows_both_layer_strips(live, page, screenshot):
    page.goto(live + "/")
    page.get_by_role("link", name=re.compile("showcase")).click()
    page.wait_for_url(re.compile(r"/compare/\?models="))
    strips = page.locator(".layer-strip")
    assert strips.count() == 2
    assert strips.nth(0).locator(".layer").count() == 32
    assert strips.nth(1).locator(".b-mamba").count() > 0
    page.wait_for_selector("[data-chart='chart-roofline'][data-rendered]")
    assert page.locator("tr.differs").count() > 0
    screenshot(page, "compare")


def test_exercise_fill_reload_check_export(live, page, screenshot, tmp_path):
    page.goto(live + "/exercise/")
    page.get_by_label("Model").fill("meta-llama/Meta-Llama-3-8B-Instruct")
    page.get_by_label("Backbone").fill("32 layers with grouped-query attention.")
    page.get_by_label("Post-training").fill(
        "Instruction tuned with SFT and RLHF. Uses a temperature of 0.6."
    )
    page.get_by_label("Inference").fill("<script>window.pwned=1</script> served with vLLM")
    page.get_by_label("Product").fill("Supports tool calling.")
    # the autosave fragment says the time to the second (the page itself says H:M)
    page.wait_for_function(
        "/Saved at \\d\\d:\\d\\d:\\d\\d/.test(document.getElementById('save-status').textContent)"
    )
    # the sidebar names the model as soon as it is saved, without a reload
    current = page.locator("#exercise-past a[aria-current]")
    current.filter(has_text="meta-llama/Meta-Llama-3-8B-Instruct").wait_for()
    assert page.locator("#exercise-past").inner_text().count("(no model yet)") == 0
    page.wait_for_timeout(1500)  # the last field's debounced autosave
    page.reload()
    assert "grouped-query attention" in page.get_by_label("Backbone").input_value()
    assert "vLLM" in page.get_by_label("Inference").input_value()
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector("#result .phrase")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#exercise-past").count() == 1  # swapped in place, not duplicated
    screenshot(page, "exercise")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export as Markdown").click()
    target = tmp_path / "exercise.md"
    info.value.save_as(target)
    text = target.read_text()
    assert "grouped-query attention" in text and "| Backbone |" in text


def test_a_run_page_and_the_runs_table_fit_a_phone(live, browser, screenshot):
    """The results table and the model page's runs table scroll inside their wrappers; the
    run's request is one column; German's long labels included."""
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import succeeded_run

    revision = revision_with_config(TINY_LLAMA)
    run = succeeded_run(revision)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    ph = phone.new_page()
    for url in (
        f"{live}/runs/{run.pk}/?lang=de",
        f"{live}{revision.model.get_absolute_url()}?lang=de",
    ):
        ph.goto(url)
        width = ph.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
    screenshot(ph, "runs-phone-de")
    phone.close()


def test_the_runs_history_follows_the_live_status(live, page):
    """An active run is shown once, live; when it ends, the history table fetches itself again
    and lists it with its final status (it kept "queued" beside a live "cancelled")."""
    from axes.backbone.report import analyze_config
    from profiler import services
    from tests.test_profiler_bench import TINY_LLAMA
    from tests.test_profiler_celery import revision_with_config
    from tests.test_profiler_runs import make_run

    revision = revision_with_config(TINY_LLAMA)
    revision.analysis = {**analyze_config(TINY_LLAMA), "facts": []}
    revision.save()
    revision.model.latest_revision = revision
    revision.model.save()
    run = make_run(revision)
    page.goto(f"{live}{revision.model.get_absolute_url()}")
    history = page.locator(f"#profiler-history-{revision.pk}")
    assert page.locator(f"#run-{run.pk}").count() == 1
    assert history.locator("table").count() == 0  # nothing has ended yet
    services.run_cancel(run_id=run.pk)  # what the Stop button or another visitor does
    page.wait_for_selector(f"#profiler-history-{revision.pk} table a:has-text('#{run.pk}')")
    row = history.locator("tbody tr").first
    assert "cancelled" in row.inner_text()
    assert "queued" not in history.inner_text()


def test_a_card_with_layout_html_renders_and_loads_nothing_from_elsewhere(live, page, screenshot):
    """The DeepSeek-R1 card opens with centered logos and badge rows written in HTML: the page
    renders them as layout (no tag spelled out), loads no image from another host, and the
    lineage names the base its text gives, with a working link to that card line."""
    from catalog.services import model_upload
    from tests.conftest import shared_hub

    folder = shared_hub() / "deepseek-ai--DeepSeek-R1"
    card_text = (folder / "README.md").read_text()
    model_upload(
        repo_id="local/r1-card",
        config_text=(folder / "config.json").read_text(),
        card_text=card_text,
    )
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live + "/models/local/r1-card/")
    page.wait_for_load_state("networkidle")
    elsewhere = [u for u in requested if not u.startswith((live, "data:"))]
    assert elsewhere == []

    card = page.locator(".model-card")
    shown = card.inner_text()
    intro = shown.index("1. Introduction")
    assert "<" not in shown[:intro] and "markdownlint" not in shown
    assert card.locator("div[align=center] a", has_text="Homepage").count() == 1
    assert card.locator("img").count() == 0
    screenshot(page, "model-card-html")

    lineage = page.locator("section[aria-labelledby=lineage-h]")
    assert "DeepSeek-V3-Base" in lineage.inner_text()
    lineage.locator("details.hop-evidence summary").click()
    lineage.locator("a.evidence-link").click()
    lines = card_text.splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "based on DeepSeek-V3-Base" in t)
    page.wait_for_url(re.compile(rf"#L{line}$"))
    assert page.locator(f"#L{line}").is_visible()


def test_the_memory_charts_capacity_note_stays_inside_the_chart(live, page, web_model):
    """A small model's memory chart says in a note that the GPU's capacity is far above its
    curves; plotly does not wrap it, and the German sentence ran past the chart's right edge
    (app.js breaks a note wider than the plot)."""
    from transformers import AutoConfig

    from axes.backbone.report import analyze_config

    config = AutoConfig.for_model("zamba2").to_dict()
    web_model("zyphra/zamba2-default", analysis=analyze_config(config), config=config)
    page.set_viewport_size({"width": 1280, "height": 900})
    for lang, words in (("de", "liegt weit über diesen Kurven"), ("en", "is far above")):
        page.goto(live + f"/models/zyphra/zamba2-default/?lang={lang}")
        chart = "[data-chart='chart-memory'][data-rendered]"
        page.wait_for_selector(f"{chart} .annotation-text")
        note = page.locator(f"{chart} .annotation-text").first
        lines = note.locator("tspan.line").all_text_contents() or [note.text_content() or ""]
        assert words in " ".join(lines), (lang, lines)
        box = note.bounding_box()
        frame = page.locator(f"{chart} .main-svg").first.bounding_box()
        assert box and frame
        assert frame["x"] <= box["x"], (lang, box, frame)
        assert box["x"] + box["width"] <= frame["x"] + frame["width"], (lang, box, frame)


def test_the_compare_rooflines_does_not_fit_labels_are_readable(live, page):
    """Two models that fit on no GPU of the table: plotly shrank each bar's "does not fit",
    written above it, to the bar's width (a 5-pixel font), and the two models' labels ran
    together ("does not fitdoes not fit"). Each label is now upright at a readable size and
    no two of them overlap, in German too (the bundled DeepSeek pair, lesson 1)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    for lang, words in (("en", "does not fit"), ("de", "passt nicht")):
        page.goto(
            live + f"/compare/?models=deepseek-ai/DeepSeek-V3,deepseek-ai/DeepSeek-R1&lang={lang}"
        )
        chart = "[data-chart='chart-roofline'][data-rendered]"
        page.wait_for_selector(f"{chart} text.bartext")
        labels = page.locator(f"{chart} text.bartext")
        assert labels.count() == 14  # 7 GPUs x 2 models
        boxes = []
        for i in range(labels.count()):
            label = labels.nth(i)
            assert (label.text_content() or "").strip() == words
            # as drawn (plotly shrinks with a transform, not the font size): the line's
            # thickness is its font's height, its length the words' length
            box = label.bounding_box()
            assert box, (lang, i)
            assert min(box["width"], box["height"]) >= 9, (lang, i, box)
            assert max(box["width"], box["height"]) >= 45, (lang, i, box)
            boxes.append(box)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = (
                    a["x"] + a["width"] <= b["x"] + 0.5
                    or b["x"] + b["width"] <= a["x"] + 0.5
                    or a["y"] + a["height"] <= b["y"] + 0.5
                    or b["y"] + b["height"] <= a["y"] + 0.5
                )
                assert apart, (lang, a, b)


def test_a_refused_upload_shows_its_error_without_scrolling(live, page, tmp_path):
    """The upload card sits below the fold of a 1366x768 laptop screen: a refused config.json came
    back as the home page scrolled to its top, the message out of sight, as if nothing had
    happened. The first error now takes the focus, which brings it into view."""
    from playwright.sync_api import expect

    bad = tmp_path / "config.json"
    bad.write_text("# not JSON\n")
    page.set_viewport_size({"width": 1366, "height": 768})
    for lang, words in (("en", "not valid JSON"), ("de", "kein gültiges JSON")):
        page.goto(live + f"/?lang={lang}")
        page.locator("input[name=repo_id]").fill("local/refused")
        page.locator("input[name=config]").set_input_files(str(bad))
        page.locator("form[action='/upload/'] button[type=submit]").click()
        page.wait_for_load_state("load")
        error = page.locator("form[action='/upload/'] [role=alert]").first
        expect(error).to_contain_text(words)
        expect(error).to_be_in_viewport(ratio=1)
        expect(error).to_be_focused()


def test_the_compare_pages_selects_can_be_walked_with_the_keyboard(live, page):
    """The compare page's context and GPU lists submitted their form on each change: a
    keyboard reader's first arrow key reloaded the page at its top, the focus lost, so the
    next arrow key did nothing there. They now swap the page in place, as the model page's
    do: the focus stays, the list in view, and the next arrow key moves on."""
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live + "/compare/?models=meta-llama/Llama-3.1-8B,deepseek-ai/DeepSeek-R1")
    page.wait_for_selector("[data-chart='chart-memory'][data-rendered]")
    gpu = page.locator("#gpu-select")
    options = gpu.locator("option").evaluate_all("os => os.map(o => o.value)")
    start = options.index(gpu.input_value())
    gpu.focus()
    assert page.evaluate("scrollY") > 0  # far below the top
    for step in (1, 2):
        page.keyboard.press("ArrowDown")
        page.wait_for_url(re.compile(rf"gpu={re.escape(options[start + step])}"))
        page.wait_for_function(
            "v => document.activeElement && document.activeElement.id === 'gpu-select'"
            " && document.activeElement.value === v",
            arg=options[start + step],
        )
        page.wait_for_selector("[data-chart='chart-memory'][data-rendered]")
        expect(gpu).to_be_in_viewport(ratio=1)
    assert options[start + 2] in page.url
    ctx = page.locator("#ctx-select")
    ctx.focus()
    top = ctx.evaluate("e => e.getBoundingClientRect().top")
    before = ctx.input_value()
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "v => document.activeElement && document.activeElement.id === 'ctx-select'"
        " && document.activeElement.value !== v",
        arg=before,
    )
    page.wait_for_url(re.compile("context=" + page.locator("#ctx-select").input_value()))
    page.wait_for_selector("[data-chart='chart-memory'][data-rendered]")
    expect(ctx).to_be_focused()
    # where it was on the screen (the swap had left the window 5,000 px further down)
    assert abs(ctx.evaluate("e => e.getBoundingClientRect().top") - top) < 5


def test_a_cards_own_headings_are_smaller_than_the_model_card_heading(live, page):
    """The card's "# Llama 3.1 8B" was drawn at the page title's size under the smaller
    "Model card" heading: the card's headings now rank below the section's."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live + "/models/meta-llama/Llama-3.1-8B/")

    def size(selector: str) -> float:
        return page.locator(selector).first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )

    section = size("#card-h")
    assert page.locator(".model-card h1").count() >= 1
    for level in ("h1", "h2", "h3"):
        for i in range(page.locator(f".model-card {level}").count()):
            got = (
                page.locator(f".model-card {level}")
                .nth(i)
                .evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            )
            assert got <= section, (level, i, got, section)
    assert size(".model-card h1") < size("main h1")


def test_the_language_list_keeps_the_focus_across_its_reload(live, page):
    """The language list switches on change, which an arrow key fires: the page reloaded in
    the next language with the focus lost to its top, so a keyboard reader could not go on
    from Korean to German. The focus now comes back to the list."""
    from playwright.sync_api import expect

    page.goto(live + "/exercise/?lang=en")
    order = page.locator("#lang-select option").evaluate_all("os => os.map(o => o.value)")
    assert order[0] == "en"
    page.locator("#lang-select").focus()
    for code in order[1:]:
        page.keyboard.press("ArrowDown")
        page.wait_for_function("c => document.documentElement.lang === c", arg=code)
        expect(page.locator("#lang-select")).to_be_focused()
        expect(page.locator("#lang-select")).to_have_value(code)
    # a mouse choice (no focus on the list when the page comes back) changes nothing else
    page.goto(live + "/exercise/")
    expect(page.locator("#lang-select")).not_to_be_focused()


def test_two_tabs_on_one_exercise_say_so_and_let_the_reader_choose(live, page):
    """The same table open in two tabs: the second tab's autosave used to write its rows over
    the first's, both tabs saying "Saved at". Now the tab that has not seen the other's save
    says so, keeps its text in the fields, and offers to load the newer rows or overwrite."""
    from catalog.models import Exercise

    def saved(pg, text: str):
        """The answer to the save that carries ``text`` (the autosave waits for typing to stop)."""
        return pg.expect_response(
            lambda r: (
                r.url.endswith("/exercise/save/")
                and text in unquote_plus(r.request.post_data or "")
            )
        )

    page.goto(live + "/exercise/")
    page.get_by_label("Model").fill("someone/model")
    with saved(page, "dense"):
        page.get_by_label("Backbone").fill("dense")
    page.wait_for_function("/^\\d+$/.test(document.getElementById('exercise-id').value)")
    pk = page.input_value("#exercise-id")
    other = page.context.new_page()
    other.goto(f"{live}/exercise/?id={pk}")
    assert other.input_value("#ex-backbone") == "dense"

    with saved(page, "A: MoE"):
        page.get_by_label("Backbone").fill("A: MoE with 64 experts")
    with saved(other, "B: tool use"):
        other.get_by_label("Product").fill("B: tool use")
    notice = other.get_by_test_id("exercise-conflict")
    notice.wait_for()
    assert "changed in another tab or window" in notice.inner_text()
    assert other.input_value("#ex-product") == "B: tool use"  # the reader's text stays
    assert other.input_value("#ex-backbone") == "dense"
    rows = Exercise.objects.get(pk=pk).rows
    assert rows["backbone"] == "A: MoE with 64 experts" and rows["product"] == ""

    # switching the language saves first: refused, so B stays (it reloaded and lost the rows)
    other.get_by_label("Post-training").fill("B: RLHF")
    with saved(other, "B: RLHF"):
        other.select_option("#lang-select", "de")
    other.wait_for_function("document.getElementById('lang-select').value === 'en'")
    assert other.locator("html").get_attribute("lang") == "en"
    assert other.input_value("#ex-post_training") == "B: RLHF"
    assert other.get_by_test_id("exercise-conflict").is_visible()

    # B keeps its rows: written over A's, and said
    with saved(other, "overwrite_rev"):
        other.get_by_role("button", name="Keep mine and overwrite").click()
    other.wait_for_function("/Saved at/.test(document.getElementById('save-status').textContent)")
    assert other.get_by_test_id("exercise-conflict").count() == 0
    rows = Exercise.objects.get(pk=pk).rows
    assert rows["backbone"] == "dense" and rows["product"] == "B: tool use"
    assert rows["post_training"] == "B: RLHF"

    # A has not seen that: its next edit is refused and said; A loads the newer rows
    with saved(page, "A: served"):
        page.get_by_label("Inference").fill("A: served with vLLM")
    page.get_by_test_id("exercise-conflict").wait_for()
    assert Exercise.objects.get(pk=pk).rows["inference"] == ""
    with page.expect_navigation():
        page.get_by_role("link", name="Load the newer rows").click()
    assert page.input_value("#ex-product") == "B: tool use"
    assert page.input_value("#ex-backbone") == "dense"
    with saved(page, "A: served"):
        page.get_by_label("Inference").fill("A: served with vLLM")
    page.wait_for_function("/Saved at/.test(document.getElementById('save-status').textContent)")
    rows = Exercise.objects.get(pk=pk).rows
    assert rows["inference"] == "A: served with vLLM" and rows["product"] == "B: tool use"


def test_a_reload_before_the_autosave_keeps_the_rows_and_says_no_other_tab(live, page):
    """Typing and reloading within the autosave's 600 ms: the leaving page sends its rows as a
    beacon, which can reach the server after the reloaded page was rendered. That page showed
    the rows without the words just typed, and its next save was refused as if another tab had
    written them ("changed in another tab or window"), with one tab open. Here the beacon is
    held until the reloaded page is rendered, then delivered, as it can happen."""
    from catalog.models import Exercise

    page.add_init_script(
        """navigator.sendBeacon = function (url, body) {
            var entries = [];
            body.forEach(function (v, k) { entries.push([k, v]); });
            sessionStorage.setItem("held-beacon", JSON.stringify({url: url, body: entries}));
            return true;
        };"""
    )
    page.goto(live + "/exercise/")
    with page.expect_response(lambda r: r.url.endswith("/exercise/save/")):
        page.get_by_label("Model").fill("someone/model")
    page.wait_for_function("/^\\d+$/.test(document.getElementById('exercise-id').value)")
    pk = page.input_value("#exercise-id")
    page.get_by_label("Backbone").fill("typed just before the reload")
    page.reload()  # sooner than the autosave: the rows go as a beacon, held
    held = page.evaluate("JSON.parse(sessionStorage.getItem('held-beacon'))")
    assert dict(held["body"])["backbone"] == "typed just before the reload"
    assert Exercise.objects.get(pk=pk).rows.get("backbone", "") == ""  # not there yet
    # the reloaded page shows what was typed, though it was rendered without it
    assert page.input_value("#ex-backbone") == "typed just before the reload"
    answer = page.request.post(live + held["url"], form=dict(held["body"]))  # it lands
    assert answer.ok
    assert Exercise.objects.get(pk=pk).rows["backbone"] == "typed just before the reload"
    with page.expect_response(lambda r: r.url.endswith("/exercise/save/")):
        page.get_by_label("Product").fill("typed after the reload")
    status = page.locator("#save-status")
    assert "Saved at" in status.inner_text(), status.inner_text()
    assert page.get_by_test_id("exercise-conflict").count() == 0
    rows = Exercise.objects.get(pk=pk).rows
    assert rows["backbone"] == "typed just before the reload"
    assert rows["product"] == "typed after the reload"


def test_a_name_matching_several_models_offers_each_as_a_button(live, page):
    """ "Meta-Llama-3" matches several catalog models: they were named as plain text. Each is a
    button now; pressing one sets the exercise's model and keeps the rows just typed."""
    page.goto(live + "/exercise/")
    with page.expect_response(lambda r: r.url.endswith("/exercise/save/")):
        page.get_by_label("Model").fill("Meta-Llama-3")
    page.reload()
    candidates = page.get_by_test_id("model-candidates")
    assert "matches several catalog models" in candidates.inner_text()
    page.get_by_label("Backbone").fill("GQA with 8 KV heads")  # not autosaved yet
    with page.expect_navigation():
        candidates.get_by_role("button", name="meta-llama/Meta-Llama-3-8B-Instruct").click()
    assert page.input_value("#ex-model") == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert page.input_value("#ex-backbone") == "GQA with 8 KV heads"
    assert page.get_by_test_id("model-candidates").count() == 0
