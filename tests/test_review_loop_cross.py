"""How Mllama, CPM-Ant and the looped types (Inkling-2 Loop, Dory) read to a person, found by
reading their analyze output, model pages, a compare page and the exercise in en / ko / de:

- Mllama's strip drew its 8 cross-attention layers as plain attention (the legend said
  "Attention (40)" beside the summary "32 GQA + 8 cross-attention"); the exercise could not
  read "8 cross-attention layers" ("9 cross-attention layers" was not found, not contradicted),
  judged "32 attention layers" wrong and "40 attention layers" right, though the KV cache per
  token holds 32;
- Inkling's positional fact said "no position encoding; the recurrent (SSM) mixers carry the
  order" for a model with no SSM mixer and a learned relative position bias (d_rel,
  rel_extent); CPM-Ant's bucketed position bias had no positional fact at all;
- a looped model's strip showed 48 cells as "48 layers", each tooltip "Layer 40" of a 24-layer
  model, nothing saying that layers run several times per token;
- a contradicted claim named only the fact's quoted key: "40 attention layers" ≠ config.json:
  num_hidden_layers = 40, which reads as agreement.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from axes.backbone.facts import backbone_facts
from axes.backbone.report import analyze_config
from axes.claims import text_claims
from axes.exercise import phrase_support
from tests.test_new_types_readable import _config, _text


def _report(model_type: str) -> tuple[dict, dict]:
    config = _config(model_type)
    report = analyze_config(config)
    report["facts"] = [f.to_dict() for f in backbone_facts(config, report)]
    return config, report


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# ---------------------------------------------------------------------------------------------
# Mllama's cross-attention layers


@pytest.mark.parametrize(
    "text",
    ["8 cross-attention layers", "8 Cross-Attention-Layer", "크로스 어텐션 레이어 8개",
     "cross-attention 레이어 8개", "Cross-Attention-Layer: 8"],
)  # fmt: skip
def test_a_count_of_cross_attention_layers_is_read(text):
    got = {c.facet: c.value for c in text_claims(text)}
    assert got == {"cross_attention_layers": (8.0,)}, got


def test_mllamas_cross_attention_layers_are_judged_apart_from_its_attention_layers():
    config, report = _report("mllama")
    cross = config["text_config"]["cross_attention_layers"]
    n = config["text_config"]["num_hidden_layers"]
    facts = report["facts"]

    def support(phrase: str) -> str:
        return phrase_support(phrase, facts)["support"]

    assert support(f"{len(cross)} cross-attention layers") == "sourced"
    assert support(f"{len(cross)} Cross-Attention-Layer") == "sourced"
    assert support(f"크로스 어텐션 레이어 {len(cross)}개") == "sourced"
    assert support(f"{len(cross) + 1} cross-attention layers") == "conflicts"
    assert support(f"{n - len(cross)} attention layers") == "sourced"
    assert support(f"{n - len(cross)} self-attention layers") == "sourced"
    assert support(f"{n} attention layers") == "conflicts"
    assert support(f"{n} layers") == "sourced"


def test_a_model_without_cross_attention_does_not_lose_its_attention_layers():
    _config_, report = _report("llama")
    assert phrase_support("32 attention layers", report["facts"])["support"] == "sourced"


@pytest.mark.parametrize("model_type", ["llama", "qwen3_moe", "nemotron_h"])
def test_cross_attention_layers_claimed_for_a_model_without_them_are_contradicted(model_type):
    """A config's layer pattern with no cross-attention layers says there are none: "8
    cross-attention layers" about Llama was "not found" (as if the model might have them)."""
    _config_, report = _report(model_type)
    got = phrase_support("8 cross-attention layers", report["facts"])
    assert got["support"] == "conflicts", got
    # a card's words without a config say nothing about the layers: still not found
    card = [f for f in report["facts"] if f["kind"] != "backbone.layers"]
    assert phrase_support("8 cross-attention layers", card)["support"] == "not_found"


def test_mllamas_strip_draws_its_cross_attention_layers_as_their_own_kind():
    from catalog.views_support import layer_strip

    config, report = _report("mllama")
    cross = config["text_config"]["cross_attention_layers"]
    strip = layer_strip(report)
    assert strip is not None
    counts = {block: n for block, _title, n in strip.counts}
    assert counts["cross_attention"] == len(cross)
    assert counts["attention"] == len(strip.layers) - len(cross)
    assert [i for i, layer in enumerate(strip.layers) if "cross_attention" in layer] == cross


@pytest.mark.django_db
def test_mllamas_model_and_compare_pages_show_the_cross_attention_layers(client, web_model):
    config, report = _report("mllama")
    web_model("meta-llama/mllama-default", analysis=report, config=config)
    html = _text(client.get("/models/meta-llama/mllama-default/", {"lang": "en"}))
    assert html.count('class="seg b-cross_attention"') == 8
    assert "Cross-attention (to the image) <span" in html
    assert 'Attention <span class="muted">(32)</span>' in html
    assert "Layer 3: Cross-attention (to the image) + Dense MLP" in html
    compare = _text(client.get("/compare/", {"models": "meta-llama/mllama-default", "lang": "en"}))
    assert 'class="seg b-cross_attention"' in compare


@pytest.mark.django_db
def test_a_contradicted_config_claim_names_what_the_fact_says(client, web_model):
    config, report = _report("mllama")
    web_model("meta-llama/mllama-default", analysis=report, config=config)
    check = client.post(
        reverse("catalog:exercise_check") + "?lang=en",
        {"model_name": "meta-llama/mllama-default", "backbone": "40 attention layers"},
    )
    assert check.status_code == 303
    html = _text(client.get(check["Location"]))
    against = html.split('data-testid="contradicted-by"', 1)[1].split("</ul>", 1)[0]
    assert "32 GQA + 8 cross-attention" in against, against
    assert "num_hidden_layers = 40" in against  # the quote stays


# ---------------------------------------------------------------------------------------------
# Relative position bias (CPM-Ant, Inkling)


@pytest.mark.parametrize(
    ("model_type", "locator"),
    [
        ("cpmant", "position_bias_num_buckets,position_bias_max_distance"),
        ("inkling2_loop_text", "d_rel,rel_extent"),
        ("inkling2_text", "d_rel,rel_extent"),
    ],
)
def test_a_relative_position_bias_is_the_positional_fact(model_type, locator):
    from axes.readable import backbone_sentence

    _config_, report = _report(model_type)
    (fact,) = [f for f in report["facts"] if f["kind"] == "backbone.positional"]
    assert fact["value"]["type"] == "relative_bias"
    assert fact["evidence"]["locator"] == locator
    sentence = backbone_sentence(fact["kind"], fact["value"])
    assert sentence and sentence.startswith("relative position bias")
    assert "SSM" not in sentence
    assert phrase_support("uses RoPE", [fact])["support"] == "conflicts"
    assert phrase_support("relative position bias", [fact])["support"] == "sourced"


@pytest.mark.django_db
def test_the_relative_position_bias_reads_on_the_model_page(client, web_model):
    config, report = _report("inkling2_loop_text")
    web_model("acme/inkling2-loop", analysis=report, config=config)
    html = _text(client.get("/models/acme/inkling2-loop/", {"lang": "en"}))
    assert "relative position bias: a learned bias on each attention score" in html
    assert "recurrent (SSM) mixers carry the order" not in html


@pytest.mark.parametrize("model_type", ["ctrl", "xglm"])
def test_sinusoidal_positions_are_the_positional_fact(client, web_model, model_type):
    """CTRL and XGLM add a fixed sine/cosine table to the embeddings: they had no positional
    fact at all, so "uses RoPE" was 'not found' rather than contradicted."""
    from django.utils import translation

    from axes.readable import backbone_sentence

    config, report = _report(model_type)
    (fact,) = [f for f in report["facts"] if f["kind"] == "backbone.positional"]
    assert fact["value"]["type"] == "sinusoidal"
    assert fact["evidence"]["locator"] == "model_type"
    sentence = backbone_sentence(fact["kind"], fact["value"])
    assert sentence and sentence.startswith("sinusoidal: a fixed sine/cosine table")
    assert phrase_support("uses RoPE", [fact])["support"] == "conflicts"
    assert phrase_support("sinusoidal positions", [fact])["support"] == "sourced"
    web_model(f"acme/{model_type}", analysis=report, config=config)
    for lang, words in (
        ("en", "sinusoidal: a fixed sine/cosine table"),
        ("de", "sinusförmig"),
        ("ko", "사인파"),
    ):
        with translation.override(lang):
            html = _text(client.get(f"/models/acme/{model_type}/", {"lang": lang}))
        assert words in html, lang


# ---------------------------------------------------------------------------------------------
# Looped layers


@pytest.mark.parametrize(("model_type", "runs"), [("inkling2_loop_text", 48), ("dory", 56)])
def test_a_looped_models_strip_says_its_cells_are_layer_runs(client, web_model, model_type, runs):
    from catalog.views_support import layer_strip

    config, report = _report(model_type)
    strip = layer_strip(report)
    assert strip is not None and strip.looped and len(strip.layers) == runs
    assert strip.cells[-1]["title"].startswith(f"Layer run {runs - 1}:")
    web_model(f"acme/{model_type}", analysis=report, config=config)
    html = _text(client.get(f"/models/acme/{model_type}/", {"lang": "en"}))
    assert "Some layers run several times per token" in html
    assert f"show {runs} layer runs" in html
    compare = _text(client.get("/compare/", {"models": f"acme/{model_type}", "lang": "en"}))
    assert f"{runs} layer runs</figcaption>" in compare


def test_a_plain_models_strip_is_not_looped():
    from catalog.views_support import layer_strip

    _config_, report = _report("llama")
    strip = layer_strip(report)
    assert strip is not None and not strip.looped
    assert strip.cells[0]["title"].startswith("Layer 0:")


# ---------------------------------------------------------------------------------------------
# Dory's doubled layer count


def test_dorys_layer_count_is_the_models_not_the_doubled_one_in_config_json():
    """DoryConfig.to_dict() lists attention and MLP as layer_types entries of their own and
    writes num_hidden_layers 72; transformers builds 36 DoryDecoderLayers. "36 layers" was
    contradicted and the fact read "num_layers: 72"."""
    from transformers import AutoConfig

    from axes.readable import backbone_sentence

    built = AutoConfig.for_model("dory").num_hidden_layers
    config, report = _report("dory")
    assert config["num_hidden_layers"] == 2 * built
    (fact,) = [f for f in report["facts"] if f["kind"] == "backbone.layers"]
    sentence = backbone_sentence(fact["kind"], fact["value"])
    assert f"num_layers: {built} ({2 * built} in config.json" in sentence, sentence

    def support(phrase: str) -> str:
        return phrase_support(phrase, report["facts"])["support"]

    assert support(f"{built} layers") == "sourced"
    assert support(f"{2 * built} layers") == "sourced"  # what config.json says
    assert support(f"{built + 1} layers") == "conflicts"


@pytest.mark.django_db
def test_dorys_layer_count_reads_on_the_model_page(client, web_model):
    config, report = _report("dory")
    web_model("acme/dory", analysis=report, config=config)
    html = _text(client.get("/models/acme/dory/", {"lang": "en"}))
    assert "num_layers: 36 (72 in config.json, which lists attention and MLP apart)" in html


@pytest.mark.parametrize(
    ("model_type", "name"),
    [("mllama", "Mllama ViT"), ("gemma3", "SigLIP"), ("fuyu", "Fuyu patch projection")],
)
def test_the_vision_tower_is_named_not_given_as_an_id(model_type, name):
    """The modality fact read "vision: mllama", the engine's kind id."""
    from axes.backbone.facts import VISION_NAMES

    _config_, report = _report(model_type)
    (fact,) = [f for f in report["facts"] if f["kind"] == "backbone.modality"]
    assert fact["value"]["vision"] == name
    assert fact["value"]["params"] > 0
    assert set(VISION_NAMES.values()).isdisjoint(VISION_NAMES)


@pytest.mark.parametrize(("model_type", "runs", "layers"), [("inkling2_loop_text", 48, 24)])
def test_a_looped_models_layers_fact_counts_layer_runs(client, web_model, model_type, runs, layers):
    """The layers fact read "48 blocks: ... · num_layers: 24" for 24 layers of which some run
    three times: the 48 are layer runs, as the strip now says."""
    from axes.readable import backbone_sentence

    config, report = _report(model_type)
    (fact,) = [f for f in report["facts"] if f["kind"] == "backbone.layers"]
    sentence = backbone_sentence(fact["kind"], fact["value"])
    assert sentence.startswith(f"{runs} layer runs: ") and f"num_layers: {layers}" in sentence
    web_model(f"acme/{model_type}", analysis=report, config=config)
    for lang, words in (("en", f"{runs} layer runs: "), ("de", f"{runs} Layer-Durchläufe: ")):
        html = _text(client.get(f"/models/acme/{model_type}/", {"lang": lang}))
        assert words in html, lang
        assert f"{runs} blocks" not in html
