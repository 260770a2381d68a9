"""Real models from ../shared/hub, ingested through the loopback Hub as a user would, read as
a user reads them: the compare verdict of a quantized copy, the card quotes on the model page.

The real ``huggingface_hub`` client against ``tests/hubserver.py``; no file of ../shared/hub
is copied here.
"""

from __future__ import annotations

import re

import pytest

from catalog.services import model_ingest
from tests.conftest import shared_hub

pytestmark = pytest.mark.django_db


def ingest(*repo_ids: str) -> None:
    hub_dir = shared_hub()
    for repo_id in repo_ids:
        if not (hub_dir / repo_id.replace("/", "--")).is_dir():
            pytest.skip(f"{repo_id} is not in {hub_dir}")
        model_ingest(repo_id=repo_id, follow_lineage=False)


def verdict(client, a: str, b: str) -> dict:
    response = client.get("/api/compare", {"models": f"{a},{b}"})
    assert response.status_code == 200, response.content[:300]
    return response.json()["axes_verdict"]["axes"]["backbone"]


@pytest.mark.parametrize(
    ("a", "b", "changed"),
    [
        ("Qwen/Qwen3-235B-A22B", "Qwen/Qwen3-235B-A22B-FP8", "spec.quantization"),
        ("meta-llama/Llama-3.1-8B", "gurro/Llama-3.1-8B-awq-int4-g128-GEMM", "spec.quantization"),
    ],
)
def test_a_quantized_copy_differs_in_weight_format_not_in_architecture(hub, client, a, b, changed):
    """Same wiring, weights stored in FP8 / AWQ int4: the backbone axis differs (the stored
    format is backbone.weights_format) but the reason must not say the architectures differ."""
    ingest(a, b)
    backbone = verdict(client, a, b)
    assert backbone["verdict"] == "differs"
    assert [d["kind"] for d in backbone["differences"]] == [changed]
    assert backbone["reason"] == "Same architecture; only the stored weight format differs."
    page = client.get("/compare/", {"models": f"{a},{b}", "lang": "de"}).content.decode()
    assert "The architectures differ" not in page and "Architekturen unterscheiden" not in page
    assert "Gleiche Architektur; nur das gespeicherte Format der Gewichte" in page


def test_a_real_architecture_change_still_says_the_architectures_differ(hub, client):
    ingest("meta-llama/Llama-3.1-70B", "mattshumer/Reflection-Llama-3.1-70B")
    backbone = verdict(client, "meta-llama/Llama-3.1-70B", "mattshumer/Reflection-Llama-3.1-70B")
    kinds = {d["kind"] for d in backbone["differences"]}
    assert {"spec.vocab_size", "spec.stored_dtype"} <= kinds
    assert backbone["reason"] == "The architectures differ."


def page_html(client, repo_id: str, lang: str = "en") -> str:
    response = client.get(f"/models/{repo_id}/", {"lang": lang})
    assert response.status_code == 200
    return response.content.decode()


def card_fact_values(html: str) -> list[str]:
    """The text of every fact value of the four axes and context that quotes the card."""
    import html as html_lib

    values = []
    for item in re.findall(r'<li class="fact[^"]*">(.*?)</li>', html, re.S):
        if "<code>README.md</code>" not in item:
            continue
        value = re.search(r'<div class="fact-value">(.*?)</div>', item, re.S).group(1)
        values.append(html_lib.unescape(value.strip()))
    return values


@pytest.mark.parametrize(
    "repo_id",
    ["deepseek-ai/DeepSeek-R1", "google/gemma-2b-it", "google/medgemma-27b-it"],
)
def test_card_quotes_read_as_text_not_as_markdown(hub, client, repo_id):
    """A card fact reads as the sentence it renders to: no [text](url) link soup, no ** or
    list bullets, no raw "| a | b |" table row."""
    ingest(repo_id)
    values = card_fact_values(page_html(client, repo_id))
    assert len(values) > 20
    for value in values:
        assert "](" not in value, value
        assert not re.search(r"\*\*\S[^*]*\S\*\*", value), value  # bold, not a footnote's **
        assert not value.startswith(("|", "* ", "- ")), value
        assert not re.search(r"(?:^|\s)\|\s", value), value


def test_a_card_table_row_is_read_against_its_header(hub, client):
    ingest("deepseek-ai/DeepSeek-R1")
    html = page_html(client, "deepseek-ai/DeepSeek-R1")
    values = card_fact_values(html)
    # | DeepSeek-R1 | 671B | 37B | 128K | [🤗 HuggingFace](https://...) | under its header
    assert any("#Activated Params: 37B" in v and "Context Length: 128K" in v for v in values)
    # the evidence shows the row under its column names, not the pipes
    assert '<table class="evidence-row' in html and '<th scope="col">#Activated Params</th>' in html


def test_evidence_locators_are_cut_between_config_keys_never_inside_one(hub, client):
    from catalog.models import Revision

    ingest("google/medgemma-27b-it", "Qwen/Qwen3-Next-80B-A3B-Thinking")
    for repo_id in ("google/medgemma-27b-it", "Qwen/Qwen3-Next-80B-A3B-Thinking"):
        html = page_html(client, repo_id)
        analysis = Revision.objects.filter(model__repo_id=repo_id).latest("id").analysis
        keys = {
            key
            for f in analysis["facts"]
            if f["evidence"]["source"] == "config.json"
            for key in f["evidence"]["locator"].split(",")
        }
        shown = re.findall(r"<code>config\.json</code> · <code>([^<]*)</code>", html)
        assert shown
        for locator in shown:
            for key in locator.rstrip("…").split(", "):
                assert key in keys, (repo_id, locator)


def test_card_metadata_facts_name_their_key(hub, client):
    """Front-matter facts say which key they are: "transformers" alone under Serving, "en"
    under Pretraining data or "image-text-to-text" under Intended use said nothing."""
    ingest("google/medgemma-27b-it")
    values = card_fact_values(page_html(client, "google/medgemma-27b-it"))
    for expected in (
        "library_name: transformers",
        "language: en",
        "pipeline_tag: image-text-to-text",
        "license: other",
        "license_name: health-ai-developer-foundations",
    ):
        assert expected in values, expected
    assert "transformers" not in values and "en" not in values


def test_a_benchmark_table_is_one_table_not_a_fact_per_row(hub, client):
    """DeepSeek-R1's evaluation table was 21 "Evaluation" facts, each a row of pipes; now one
    item shows the rows under the table's column names, and the panel still counts each."""
    ingest("deepseek-ai/DeepSeek-R1", "google/gemma-2b-it")
    html = page_html(client, "deepseek-ai/DeepSeek-R1")
    groups = re.findall(r'<li class="fact fact-rows" data-rows="(\d+)">(.*?)</li>', html, re.S)
    assert groups, "no grouped table"
    rows, body = max(groups, key=lambda g: int(g[0]))
    assert int(rows) >= 20
    assert "<td>MMLU (Pass@1)</td>" in body and '<th scope="col">DeepSeek R1</th>' in body
    assert "rows of a table in the card" in body
    # the Context panel's count is the number of facts, not of items
    from catalog.models import Revision

    analysis = (
        Revision.objects.filter(model__repo_id="deepseek-ai/DeepSeek-R1").latest("id").analysis
    )
    n_context = sum(1 for f in analysis["facts"] if f["axis"] == "context")
    assert re.search(rf'id="axis-context-h">[^<]*<span class="count">{n_context}</span>', html)
    gemma = page_html(client, "google/gemma-2b-it")
    assert "<td>MMLU</td>" in gemma and "](https://arxiv.org" not in gemma.split('id="card-h"')[0]


def test_a_quote_keeps_the_tags_the_model_writes(hub, client):
    """Reflection-Llama-3.1-70B's card: "reasoning inside `<thinking>` and `</thinking>`
    tags". Markdown is dropped around the words, not the special tokens inside code spans."""
    ingest("mattshumer/Reflection-Llama-3.1-70B")
    values = card_fact_values(page_html(client, "mattshumer/Reflection-Llama-3.1-70B"))
    thinking = [v for v in values if v.startswith("During sampling")]
    assert thinking and "inside <thinking> and </thinking> tags" in thinking[0]
    assert any("append Think carefully. at the end" in v for v in values)
    from axes.classify.segment import inline_plain

    assert inline_plain("opens with <think>, see <a href='x'>docs</a><br/>") == (
        "opens with <think>, see docs"
    )


def test_the_verdicts_card_quotes_read_as_text(hub, client):
    """The compare verdict's "why" for inference and product quoted Mistral's card as
    "It is recommended to use `mistralai/...` with [mistral-inference](https://github.com/mis…"
    and joined two sentences as "mechanisms., We're"."""
    a, b = "mistralai/Mistral-7B-Instruct-v0.3", "mistralai/Mixtral-8x7B-v0.1"
    ingest(a, b)
    html = client.get("/compare/", {"models": f"{a},{b}"}).content.decode()
    verdict = html.split('class="verdict-diffs"', 1)[1].split("</table>", 1)[0]
    assert "Serving" in verdict and "Guardrails" in verdict
    assert "](" not in verdict and "`" not in verdict and "., " not in verdict
    assert (
        "It is recommended to use mistralai/Mistral-7B-Instruct-v0.3 with mistral-inference."
        in verdict
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_headline_cards_are_not_stretched_by_the_weights_footnote(
    hub, live_server, page, screenshot
):
    """Every model page's Weights card carried the same three-line fp8/int4 footnote in a
    165px column, and the grid stretched all six cards of the row to its height (256px for
    Llama-3.1-8B, 411px for DeepSeek-R1). The footnote is said once under the cards."""
    ingest("meta-llama/Llama-3.1-8B", "deepseek-ai/DeepSeek-R1")
    page.goto(f"{live_server.url}/models/meta-llama/Llama-3.1-8B/")
    heights = page.eval_on_selector_all(
        ".stats .stat", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert len(heights) == 7 and max(heights) < 180, heights
    basis = page.locator('[data-testid="weights-basis"]')
    assert basis.is_visible() and "AWQ g128" in basis.inner_text()
    assert page.locator('.stat [data-testid="weights-basis"]').count() == 0
    page.goto(f"{live_server.url}/models/deepseek-ai/DeepSeek-R1/")
    heights = page.eval_on_selector_all(
        ".stats .stat", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert max(heights) < 200, heights  # its MTP sentence is under the cards too
    assert page.locator('[data-testid="weights-mtp"]').is_visible()
    screenshot(page, "review-deepseek-r1-real", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_model_ids_and_decoder_tags_keep_their_case(hub, live_server, page):
    """The compare page's axes, config and memory tables shouted the model IDs
    ("MISTRALAI/MIXTRAL-8X7B-V0.1") while its headline table wrote them as spelled; the
    catalog's tags read "moe" and "hybrid moe" where the model page writes "MoE"."""
    a, b = "mistralai/Mistral-7B-Instruct-v0.3", "mistralai/Mixtral-8x7B-v0.1"
    ingest(a, b)
    page.goto(f"{live_server.url}/compare/?models={a},{b}")
    for table in page.locator("table:has(thead)").all():
        heads = [h.inner_text().strip() for h in table.locator("thead th").all()[1:]]
        if heads and heads[0].lower() == a.lower():
            assert heads == [a, b], heads
    page.goto(f"{live_server.url}/")
    tag = page.locator("#catalog-list li", has_text=b).locator(".tag").first
    assert tag.inner_text() == "MoE"


def test_lineage_of_a_model_without_a_card_does_not_speak_of_the_card(hub, client):
    """SmolLM3-3B's files in ../shared/hub have no README.md: "The card names no base model"
    spoke of a card there is not."""
    ingest("HuggingFaceTB/SmolLM3-3B", "deepseek-ai/DeepSeek-R1")
    html = page_html(client, "HuggingFaceTB/SmolLM3-3B")
    assert "No model card was found for this revision." in html
    assert "The card names no base model." not in html
    assert "There is no model card to name a base model." in html
    ko = page_html(client, "HuggingFaceTB/SmolLM3-3B", "ko")
    assert "기반 모델을 밝힐 모델 카드가 없습니다." in ko


def test_card_lines_under_half_confidence_are_folded_apart_as_guesses(hub, client):
    """gemma-2b-it's page showed "Base model 17%: Gemma on Kaggle" and "Weight format 36%:
    Using torch.float16" among the facts; manage.py analyze already lists such lines apart as
    guesses. The page folds them under each panel, and still counts them."""
    from catalog.models import Revision

    ingest("google/gemma-2b-it")
    html = page_html(client, "google/gemma-2b-it")
    analysis = Revision.objects.filter(model__repo_id="google/gemma-2b-it").latest("id").analysis
    low = [f for f in analysis["facts"] if (f.get("extra") or {}).get("low_confidence")]
    assert low
    for axis in {f["axis"] for f in low}:
        panel = html.split(f'id="axis-{axis}-h"', 1)[1].split("</section>", 1)[0]
        shown, _, folded = panel.partition(f'data-testid="guesses-{axis}"')
        assert folded, axis
        badges = [int(b) for b in re.findall(r'class="conf conf-\w+">(\d+)%', shown)]
        assert badges and min(badges) >= 50, (axis, badges)
        n = sum(1 for f in low if f["axis"] == axis)
        assert f"{n} guess" in folded
        total = sum(1 for f in analysis["facts"] if f["axis"] == axis)
        assert f'<span class="count">{total}</span>' in html.split(f'id="axis-{axis}-h"', 1)[1][:80]


def test_no_card_fact_is_a_bare_number_or_keeps_markdown_escapes(hub, client):
    ingest("google/medgemma-27b-it")
    values = card_fact_values(page_html(client, "google/medgemma-27b-it"))
    assert all(re.search(r"[^\W\d_]", v) for v in values), [v for v in values if len(v) < 8]
    assert not any(re.search(r"\\[.*_\[\]()#]", v) for v in values)


def test_compare_and_exercise_space_the_config_keys_of_a_locator(hub, client):
    """ "n_routed_experts,num_experts_per_tok,moe_intermediate_size,..." was one unbreakable
    word in the compare cells and the exercise's evidence; the model page spaced it."""
    ingest("deepseek-ai/DeepSeek-R1", "Qwen/Qwen3-235B-A22B")
    compare = client.get(
        "/compare/", {"models": "deepseek-ai/DeepSeek-R1,Qwen/Qwen3-235B-A22B"}
    ).content.decode()
    assert "n_routed_experts, num_experts_per_tok" in compare
    assert "n_routed_experts,num_experts_per_tok" not in compare
    response = client.post(
        "/exercise/check/",
        {"model_name": "deepseek-ai/DeepSeek-R1", "backbone": "MoE with 256 experts"},
        follow=True,
    )
    exercise = response.content.decode()
    assert "n_routed_experts, num_experts_per_tok" in exercise
    assert "n_routed_experts,num_experts_per_tok" not in exercise


def test_compare_of_attention_only_models_has_no_zero_recurrent_state_row(hub, client):
    """Llama-3.1-8B vs its AWQ copy showed "Recurrent state per sequence: 0 B | 0 B" and
    "KV cache + recurrent state at 32K tokens"; a hybrid pair keeps both."""
    a, b = "meta-llama/Llama-3.1-8B", "gurro/Llama-3.1-8B-awq-int4-g128-GEMM"
    ingest(a, b, "nvidia/Nemotron-H-56B-Base-8K")
    html = client.get("/compare/", {"models": f"{a},{b}"}).content.decode()
    assert "Recurrent state per sequence" not in html and "recurrent state at" not in html
    assert "KV cache at 32K tokens, one sequence" in html
    hybrid = client.get("/compare/", {"models": f"{a},nvidia/Nemotron-H-56B-Base-8K"})
    assert "Recurrent state per sequence" in hybrid.content.decode()
    # the API and the exports keep the row: their columns do not depend on the models
    api = client.get("/api/compare", {"models": f"{a},{b}"}).json()
    assert "state_bytes_per_sequence" in [row["key"] for row in api["headline"]]
