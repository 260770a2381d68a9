"""A family's spec table in a model card, a column per model (IBM Granite 3.1's "| Model |
2B Dense | 8B Dense | 1B MoE | 3B MoE |"): the page of the 1B MoE showed every sibling's column,
so a reader had to find which of four columns was the model's. It now shows this model's
column beside the rows' names, says that the other models' columns are left out, and keeps
the whole table (with the line anchors facts link to) under a <details>."""

from __future__ import annotations

import re

import pytest

from axes.card_columns import model_column
from catalog.cards import card_render_html

GRANITE_HEADERS = ["Model", "2B Dense", "8B Dense", "1B MoE", "3B MoE"]

# written here, in the shape of Granite 3.1's card (its column bold, a stray ** included)
CARD = """# Widget 3.1 1B A400M Instruct

**Model Architecture:** a decoder-only transformer.

| Model                     | 2B Dense | 8B Dense | 1B MoE     | 3B MoE |
| :--------                 | :--------| :--------| :------    | :------|
| Embedding size            | 2048     | 4096     | **1024**   | 1536   |
| Number of layers          | 40       | **40     | **24**     | 32     |
| Number of experts         | —        | —        | **32**     | 40     |
| # Active parameters       | 2.5B     | 8.1B     | **400M**   | 800M   |

| Benchmark | widget-3.1-1b-a400m | Llama-3.2-1B |
| --- | --- | --- |
| MMLU | 25.1 | 32.2 |
"""
MODEL = "acme/widget-3.1-1b-a400m-instruct"


@pytest.mark.parametrize(
    ("headers", "model", "decoder_type", "column"),
    [
        (GRANITE_HEADERS, "ibm-granite/granite-3.1-1b-a400m-instruct", "moe", 3),
        (GRANITE_HEADERS, "ibm-granite/granite-3.1-3b-a800m-instruct", "moe", 4),
        (GRANITE_HEADERS, "ibm-granite/granite-3.1-8b-instruct", "dense", 2),
        # the size alone names two columns ("1B Dense" and "1B MoE"): the decoder type decides
        (["Model", "1B Dense", "1B MoE"], "acme/widget-1b", "moe", 2),
        (["Model", "1B Dense", "1B MoE"], "acme/widget-1b", None, None),
        (["", "Qwen3-0.6B", "Qwen3-4B", "Qwen3-30B-A3B", "Qwen3-235B-A22B"], "Qwen/Qwen3-30B-A3B",
         "moe", 3),
        # a comparison with other families is kept whole
        (["Benchmark", "Qwen3-30B-A3B", "Llama-3.1-70B"], "Qwen/Qwen3-30B-A3B", "moe", None),
        (["Benchmark", "Qwen3-30B-A3B", "GPT-4o"], "Qwen/Qwen3-30B-A3B", "moe", None),
        # no column is this model, or the table is not one column per model
        (GRANITE_HEADERS, "ibm-granite/granite-3.1-20b-instruct", "dense", None),
        (["Name", "Params", "Context"], "meta-llama/Llama-3.1-8B", "dense", None),
        (GRANITE_HEADERS, "acme/no-size-in-the-name", "moe", None),
    ],
)  # fmt: skip
def test_which_column_is_the_models(headers, model, decoder_type, column):
    assert model_column(headers, model, decoder_type=decoder_type) == column


def _tables(html: str) -> list[str]:
    return re.findall(r"<table.*?</table>", html, flags=re.S)


def _heads(table: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th>(.*?)</th>", table)]


def test_the_card_shows_this_models_column_and_the_whole_table_folded():
    html = card_render_html(CARD, model=MODEL, decoder_type="moe")
    tables = _tables(html)
    assert len(tables) == 3  # this model's column, the whole table, the benchmark table
    assert _heads(tables[0]) == ["Model", "1B MoE"]
    assert "<strong>24</strong>" in tables[0] and "4096" not in tables[0]
    assert (
        "The card's table has a column for each of 4 models of the family; only this model's "
        "column (1B MoE) is shown here." in html
    )
    folded = html.split('<details class="card-table-full">', 1)[1].split("</details>", 1)[0]
    assert "The whole table, with the columns of all 4 models" in folded
    assert _heads(folded) == ["Model", "2B Dense", "8B Dense", "1B MoE", "3B MoE"]
    # the anchors facts link to are the whole table's, once each
    ids = re.findall(r'id="(L\d+)"', html)
    assert len(ids) == len(set(ids))
    assert 'id="L7"' in folded and 'id="L7"' not in tables[0]
    # the comparison with another family stays whole, outside any <details>
    assert _heads(tables[2]) == ["Benchmark", "widget-3.1-1b-a400m", "Llama-3.2-1B"]
    # without the model (a card rendered alone) every table is as the card writes it
    assert len(_tables(card_render_html(CARD))) == 2


HEADER = "| Model                     | 2B Dense | 8B Dense | 1B MoE     | 3B MoE |"
LAYERS_ROW = "| Number of layers          | 40       | **40     | **24**     | 32     |"


def _layers_fact():
    from tests.conftest import web_fact

    return web_fact(
        "backbone",
        "backbone.layers",
        LAYERS_ROW,
        source="README.md",
        locator="L8",
        text=LAYERS_ROW,
        extra={"table_header": HEADER},
    )


def test_a_fact_quoting_a_row_of_the_family_table_reads_as_this_models_cell():
    """The facts the card's table gave read every sibling's cell too ("Model: Number of layers
    · 2B Dense: 40 · 8B Dense: **40 · 1B MoE: 24 · 3B MoE: 32", in manage.py analyze and on
    the pages); they now read as the row's name and this model's cell."""
    from axes import readable
    from axes.card_columns import facts_with_model_column

    fact = _layers_fact()
    assert "2B Dense: 40" in readable.card_quote_text(fact)
    (mine,) = facts_with_model_column([fact], MODEL, decoder_type="moe")
    assert readable.card_quote_text(mine) == "Model: Number of layers · 1B MoE: 24"
    assert fact.get("extra") == {"table_header": HEADER}  # the stored fact is not changed
    # another model of the catalog, not named by a column: the row as the card writes it
    (other,) = facts_with_model_column([fact], "acme/widget-70b", decoder_type="dense")
    assert "2B Dense: 40" in readable.card_quote_text(other)


@pytest.mark.parametrize(
    ("lang", "note", "summary"),
    [
        ("en", "only this model's column (1B MoE) is shown here", "The whole table, with the"),
        ("ko", "이 모델의 열(1B MoE)만 보여 줍니다", "모델 4개의 열을 모두 포함한 전체 표"),
        ("de", "hier nur die Spalte dieses Modells (1B MoE)", "Die ganze Tabelle, mit den"),
    ],
)
def test_the_model_page_shows_the_models_column_in_its_language(
    client, web_model, lang, note, summary
):
    from transformers import AutoConfig

    from axes.backbone.report import analyze_config

    config = AutoConfig.for_model("granitemoe").to_dict()
    analysis = analyze_config(config)
    assert analysis["backbone"]["decoder_type"] == "moe"
    web_model(MODEL, analysis={**analysis, "facts": [_layers_fact()]}, config=config, card=CARD)
    page = client.get(f"/models/{MODEL}/?lang={lang}").content.decode()
    card = page.split('<div class="model-card">', 1)[1]
    assert 'class="card-table-note"' in card and note in card, card[:1500]
    assert '<details class="card-table-full"><summary>' + summary in card
    assert _heads(_tables(card)[0]) == ["Model", "1B MoE"]
    # the fact from the table's row: its value and its evidence row, this model's cell alone
    fact = page.split('data-kind="backbone.layers"', 1)[1].split("</details>", 1)[0]
    assert "Model: Number of layers · 1B MoE: 24" in fact and "2B Dense" not in fact, fact
    compare = client.get(
        f"/compare/?models={MODEL},meta-llama/Llama-3.2-1B&lang={lang}"
    ).content.decode()
    row = compare.split('data-kind="backbone.layers"', 1)[1].split("</tr>", 1)[0]
    assert "Model: Number of layers · 1B MoE: 24" in row and "2B Dense" not in row, row


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_link_to_a_row_of_the_whole_table_opens_it(live_server, web_model, browser):
    """A fact quoting a row of the family's table links to its line (#L7): the browser opens
    the folded whole table to show it; clicking the summary opens it too."""
    from transformers import AutoConfig

    from axes.backbone.report import analyze_config

    config = AutoConfig.for_model("granitemoe").to_dict()
    web_model(MODEL, analysis={**analyze_config(config), "facts": []}, config=config, card=CARD)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/models/{MODEL}/")
    full = page.locator(".model-card .card-table-full")
    assert full.evaluate("d => d.open") is False
    assert page.locator(".model-card table").first.locator("th").all_inner_texts() == [
        "Model",  # a card's headers in its own case (the page's CSS uppercased them)
        "1B MoE",
    ]
    full.locator("summary").click()
    assert full.evaluate("d => d.open") is True
    assert full.locator("thead th").count() == 5
    linked = context.new_page()  # a fresh load (on the same page it is only a scroll)
    linked.goto(f"{live_server.url}/models/{MODEL}/#L7")
    assert linked.locator(".model-card .card-table-full").evaluate("d => d.open") is True
    assert linked.locator("#L7").is_visible()
    assert linked.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_a_family_table_whose_headers_are_links_is_narrowed_on_the_card_as_in_the_facts():
    """Hub cards often link each model's header to its page. The card read a header with the
    link's URL in it ("1B MoE https huggingface co ..."), whose words named another family, so
    the card showed the whole table while the facts quoted from it read as this model's cell.
    A header now reads as its text on both (a two-model table says "all 2 models", no "1")."""
    linked = CARD.replace(
        "| 1B MoE     |", "| [1B MoE](https://huggingface.co/ibm-granite/granite-3.1-1b-a400m) |"
    ).replace("| 3B MoE |", "| [3B MoE](https://huggingface.co/ibm-granite/granite-3.1-3b-a800m) |")
    assert "https://huggingface.co/ibm-granite/granite-3.1-1b-a400m" in linked
    tables = _tables(card_render_html(linked, model=MODEL, decoder_type="moe"))
    assert len(tables) == 3 and _heads(tables[0]) == ["Model", "1B MoE"]
    two = """| Model | 1B Dense | 1B MoE |
| --- | --- | --- |
| Number of layers | 40 | 24 |
"""
    html = card_render_html(two, model="acme/widget-1b", decoder_type="moe")
    assert "The whole table, with the columns of all 2 models" in html
