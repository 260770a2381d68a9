"""How the newly exact model types read to a person (found by reading each one's analyze output,
model page and compare page in en / ko / de, and checking true claims about them):

- the SSM fact of a Kimi Delta Attention (Kimi Linear, Bailing Hybrid) or mLSTM (xLSTM) model
  named its mixer "Gated DeltaNet", while the layer summary beside it said the right name;
- an MLA model's head_dim (qk_nope_head_dim + qk_rope_head_dim) was quoted as the config's own
  head_dim key (64 in DeepseekV3Config and Kimi Linear), a number that contradicts the fact;
- LongCat-Flash's config counts 28 decoder layers (two sublayers each, 56 blocks): the fact gave
  56 against its evidence "num_layers = 28", so "LongCat-Flash has 28 layers" was judged wrong;
  the compare verdict's layer summary dropped "with an MLP in parallel" (and Gemma 4's K/V
  sharing) that the model page shows;
- Zamba's "Mamba-2 with the shared transformer block" stayed English on ko / de pages;
- the decoder-type fact showed the engine's id "hybrid_moe" where the headline says "hybrid MoE".
"""

from __future__ import annotations

import html as html_lib

import pytest

from axes.backbone.facts import backbone_facts
from axes.backbone.report import analyze_config


def _config(model_type: str) -> dict:
    from transformers import AutoConfig

    return AutoConfig.for_model(model_type).to_dict()


def _facts(config: dict) -> dict[str, dict]:
    report = analyze_config(config)
    return {f.kind: f.to_dict() for f in backbone_facts(config, report)}


def _stored(web_model, model_type: str, repo_id: str) -> dict:
    """transformers' default config of ``model_type`` stored as ``repo_id`` with its analysis
    and backbone facts, as ingestion stores a model; returns the analysis."""
    config = _config(model_type)
    report = analyze_config(config)
    report["facts"] = [f.to_dict() for f in backbone_facts(config, report)]
    web_model(repo_id, analysis=report, config=config)
    return report


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("model_type", "label", "quoted"),
    [
        ("kimi_linear", "Kimi Delta Attention", "linear_num_heads = 32"),
        ("bailing_hybrid", "Kimi Delta Attention", "linear_num_heads = 32"),
        ("xlstm", "mLSTM", "num_heads = 8"),
        ("qwen3_next", "Gated DeltaNet", "linear_num_value_heads = 32"),
    ],
)
def test_the_ssm_fact_names_the_linear_attention_kind_the_layers_name(model_type, label, quoted):
    facts = _facts(_config(model_type))
    ssm = facts["backbone.ssm"]
    assert ssm["value"]["type"] == label
    assert label in facts["backbone.layers"]["value"]["summary"]
    assert quoted in ssm["evidence"]["text"]


@pytest.mark.parametrize("model_type", ["kimi_linear", "deepseek_v3", "glm_moe_dsa"])
def test_an_mla_head_dim_is_quoted_as_its_nope_and_rope_parts(model_type):
    config = _config(model_type)
    fact = _facts(config)["backbone.hidden_size"]
    nope, rope = config["qk_nope_head_dim"], config["qk_rope_head_dim"]
    assert fact["value"]["head_dim"] == nope + rope
    text = fact["evidence"]["text"]
    assert f"qk_nope_head_dim = {nope}; qk_rope_head_dim = {rope}" in text
    assert "; head_dim =" not in text  # the config's own head_dim (64) is not this head size


def test_a_gqa_head_dim_is_still_quoted_as_head_dim():
    config = {**_config("qwen3"), "head_dim": 128}
    assert "head_dim = 128" in _facts(config)["backbone.hidden_size"]["evidence"]["text"]


def test_longcat_flash_layers_read_as_the_config_counts_them():
    from axes.exercise import phrase_support
    from axes.readable import fact_value_text

    config = _config("longcat_flash")
    facts = _facts(config)
    layers = facts["backbone.layers"]
    assert config["num_layers"] == 28
    assert layers["value"]["num_layers"] == 28
    assert layers["value"]["counts"]["blocks"] == 56
    assert layers["evidence"]["text"] == "num_layers = 28"
    assert fact_value_text("backbone.layers", layers["value"]) == (
        "56 blocks: 56 MLA · 28 MoE with an MLP in parallel + 28 MLP · num_layers: 28"
    )
    found = list(facts.values())
    assert phrase_support("LongCat-Flash has 28 layers.", found)["support"] == "sourced"
    assert phrase_support("LongCat-Flash has 56 layers.", found)["support"] == "sourced"
    assert phrase_support("LongCat-Flash has 30 layers.", found)["support"] == "conflicts"
    # every other model: one count, the layers the config names
    llama = _facts(_config("llama"))["backbone.layers"]["value"]
    assert llama["num_layers"] == llama["counts"]["blocks"] == 32


@pytest.mark.parametrize(
    "model_type", ["longcat_flash", "gemma3n_text", "kimi_linear", "zamba2", "deepseek_v4"]
)
def test_the_compare_verdicts_layer_summary_is_the_model_pages(model_type):
    from axes.verdict import layer_pattern_summary

    report = analyze_config(_config(model_type))
    assert layer_pattern_summary(report["spec"]) == report["backbone"]["layers"]["summary"]


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html_lib.unescape(response.content.decode())


ZAMBA2_SUMMARY = {
    "en": "45 Mamba-2 + 9 Mamba-2 with the shared transformer block",
    "de": "45 Mamba-2 + 9 Mamba-2 mit dem shared transformer block",
    "ko": "45 Mamba-2 + 9 Mamba-2(shared transformer block과 함께)",
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "de", "ko"])
def test_zambas_shared_block_layers_read_in_the_page_language(client, web_model, lang):
    _stored(web_model, "zamba2", "zyphra/zamba2-default")
    html = _text(client.get("/models/zyphra/zamba2-default/", {"lang": lang}))
    strip = html.split('class="strip-summary"', 1)[1].split("</p>", 1)[0]
    assert ZAMBA2_SUMMARY[lang] in strip
    fact = html.split('data-kind="backbone.layers"', 1)[1].split("</li>", 1)[0]
    assert ZAMBA2_SUMMARY[lang] in fact
    if lang != "en":
        assert "with the shared" not in html


@pytest.mark.django_db
def test_the_decoder_type_fact_reads_as_the_headline(client, web_model):
    from axes.readable import fact_value_text

    _stored(web_model, "kimi_linear", "moonshotai/kimi-linear-default")
    for lang in ("en", "de", "ko"):
        html = _text(client.get("/models/moonshotai/kimi-linear-default/", {"lang": lang}))
        fact = html.split('data-kind="backbone.decoder_type"', 1)[1].split("</li>", 1)[0]
        value = fact.split('class="fact-value">', 1)[1].split("</div>", 1)[0]
        assert value == "hybrid MoE", (lang, value)
    assert fact_value_text("backbone.decoder_type", "hybrid_moe") == "hybrid MoE"
    assert fact_value_text("backbone.decoder_type", "dense") == "dense"


def test_a_decimal_context_length_is_not_written_in_binary_thousands():
    """LFM2 / LFM3 read 128,000 positions: the page said '125K' (128,000 = 125 x 1024), where
    the model's card and config say 128K / 128000."""
    from django.utils import translation

    from catalog.templatetags.mechanic import tokens_h

    with translation.override("en"):
        assert tokens_h(128_000) == "128,000"
        assert tokens_h(256_000) == "256,000"
        assert tokens_h(131_072) == "128K"
        assert tokens_h(1_048_576) == "1M"
        assert tokens_h(8_192) == "8K"
        assert tokens_h(8_000) == "8,000"
    with translation.override("de"):
        assert tokens_h(128_000) == "128.000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model_type", "lang", "title"),
    [
        ("kimi_linear", "en", "Linear attention (Kimi Delta Attention)"),
        ("kimi_linear", "de", "Lineare Attention (Kimi Delta Attention)"),
        ("xlstm", "ko", "Linear attention (mLSTM)"),
    ],
)
def test_the_strip_legend_and_tooltips_name_the_linear_attention(
    client, web_model, model_type, lang, title
):
    """The summary says "21 Kimi Delta Attention + 6 MLA"; the legend and the tooltips said
    only "Linear attention"."""
    config = _config(model_type)
    web_model(f"acme/{model_type}", analysis=analyze_config(config), config=config)
    html = _text(client.get(f"/models/acme/{model_type}/", {"lang": lang}))
    figure = html.split('class="layer-strip"', 1)[1].split("</figure>", 1)[0]
    legend = figure.split('class="legend"', 1)[1].split("</ul>", 1)[0]
    assert f'aria-hidden="true"></span>{title} <span class="muted">' in legend
    layer0 = figure.split('class="layer" title="', 1)[1].split('"', 1)[0]
    assert title in layer0, layer0


def test_jetmoes_attention_fact_says_its_attention_is_routed_to_experts():
    """JetMoE's layer summary reads "12 GQA · 12 MoE": the attention fact was the only place to
    say that its query and output projections are experts too, and it did not."""
    config = _config("jetmoe")
    attention = _facts(config)["backbone.attention"]
    assert attention["value"]["attention_experts"] == config["num_local_experts"] == 8
    assert "num_local_experts = 8" in attention["evidence"]["text"]
    assert "attention_experts" not in _facts(_config("mixtral"))["backbone.attention"]["value"]


@pytest.mark.parametrize(
    ("model_type", "mixers"),
    [
        ("kimi_linear", "linear-attention mixers"),  # KDA layers beside NoPE MLA
        ("xlstm", "linear-attention mixers"),  # mLSTM
        ("jamba", "recurrent (SSM) mixers"),
        ("zamba2", "recurrent (SSM) mixers"),
        ("mamba", "recurrent (SSM) mixers"),
    ],
)
def test_the_positional_fact_names_the_mixers_that_carry_the_order(model_type, mixers):
    """Kimi Linear has no position encoding because its KDA layers carry the order: they are
    linear attention, not SSM, as the fact said."""
    from axes.readable import fact_value_text

    fact = _facts(_config(model_type))["backbone.positional"]
    assert fact["value"]["type"] == "none"
    text = fact_value_text("backbone.positional", fact["value"])
    assert text == f"none: no position encoding; the {mixers} carry the order"


KIMI_LINEAR_POSITIONS = {
    "en": "none: no position encoding; the linear-attention mixers carry the order",
    "de": "keine: keine Positionskodierung; die Mixer mit linearer Attention tragen die "
    "Reihenfolge",
    "ko": "없음: 위치 인코딩이 없습니다. linear attention mixer가 순서를 담습니다",
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "de", "ko"])
def test_kimi_linears_positional_fact_reads_in_the_page_language(client, web_model, lang):
    _stored(web_model, "kimi_linear", "moonshotai/kimi-linear-positions")
    html = _text(client.get("/models/moonshotai/kimi-linear-positions/", {"lang": lang}))
    fact = html.split('data-kind="backbone.positional"', 1)[1].split("</li>", 1)[0]
    value = " ".join(fact.split('class="fact-value">', 1)[1].split("</div>", 1)[0].split())
    assert value == KIMI_LINEAR_POSITIONS[lang], (lang, value)


DEEPSEEK_V4_SUMMARY = {
    "en": "43 sliding MQA, 20 adding CSA, 23 adding HCA · 43 MoE",
    "de": "43 sliding MQA, 20 zusätzlich mit CSA, 23 zusätzlich mit HCA · 43 MoE",
    "ko": "43 sliding MQA, 20개는 CSA 추가, 23개는 HCA 추가 · 43 MoE",
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "de", "ko"])
def test_deepseek_v4s_layer_summary_says_which_layers_carry_compressed_attention(
    client, web_model, lang
):
    """It read "43 sliding MQA · 43 MoE": the CSA / HCA compressors of DeepSeek-V4's default
    layer_types (two HCA, then CSA and HCA alternating) were only in a note."""
    from transformers import AutoConfig

    layer_types = AutoConfig.for_model("deepseek_v4").layer_types
    assert layer_types.count("compressed_sparse_attention") == 20
    assert layer_types.count("heavily_compressed_attention") == 23
    report = _stored(web_model, "deepseek_v4", "deepseek-ai/deepseek-v4-default")
    assert report["backbone"]["layers"]["summary"] == DEEPSEEK_V4_SUMMARY["en"]
    html = _text(client.get("/models/deepseek-ai/deepseek-v4-default/", {"lang": lang}))
    fact = html.split('data-kind="backbone.layers"', 1)[1].split("</li>", 1)[0]
    assert DEEPSEEK_V4_SUMMARY[lang] in fact
    if lang != "en":
        assert " adding " not in html


@pytest.mark.django_db
def test_a_decoder_type_contradiction_reads_as_the_headline(client, web_model):
    """Granite 3.1 1B-A400M's card calls it dense; its config is MoE. The flag read "card:
    dense · config: moe" (the engine's id) on the page, the compare table and in analyze, beside
    a headline and a fact saying "MoE"."""
    from axes.readable import fact_value_text

    flagged = {
        "axis": "backbone",
        "kind": "backbone.decoder_type",
        "value": {"card": "dense", "config": "moe"},
        "evidence": {"source": "README.md", "locator": "L81", "text": "a dense transformer"},
        "confidence": 0.8,
        "extractor": "card_rules",
        "extra": {"flag": "contradiction", "card_value": "dense", "config_value": "moe"},
    }
    assert fact_value_text("backbone.decoder_type", flagged["value"]) == "card: dense · config: MoE"
    analysis = analyze_config(_config("granitemoe"))
    web_model("ibm-granite/granite-flagged", analysis={**analysis, "facts": [flagged]})
    for lang in ("en", "de", "ko"):
        html = _text(client.get("/models/ibm-granite/granite-flagged/", {"lang": lang}))
        fact = html.split('data-kind="backbone.decoder_type"', 1)[1].split("</li>", 1)[0]
        assert "config: MoE" in fact and "config: moe" not in fact, (lang, fact[:400])


def test_whole_floats_from_1000_on_are_grouped_but_versions_and_small_ones_stay_as_written():
    """rope_theta 500000.0 read raw beside grouped integers (the CLI as the pages, which group
    it); a factor 8.0 and a "version: 1.0" stay as config.json and the card write them."""
    from axes.readable import nested_text, pairs_text, plain_text

    assert plain_text(500000.0) == "500,000"
    assert plain_text(8.0) == "8.0" and plain_text(1e-05) == "1e-05"
    assert nested_text({"factor": 8.0, "original_max_position_embeddings": 8192.0}) == (
        "(factor: 8.0, original_max_position_embeddings: 8,192)"
    )
    assert pairs_text({"version": 1.0, "year": 2024.0}) == "version: 1.0 · year: 2024.0"


def test_a_huge_whole_float_is_written_as_the_config_does_not_as_inexact_digits():
    """1e23 as an integer is 99,999,999,999,999,991,611,392: from 1e15 on, as written."""
    from axes.readable import plain_text

    assert plain_text(1e23) == "1e+23" and plain_text(123456789012345.0) == "123,456,789,012,345"
