"""How dots3.note, Flint and Aria's text model read to a person (found by reading their analyze
output, model pages and compare pages in en / ko / de):

- the compare page's config diff showed dots3.note's sliding MLA sizes as six bare numbers
  ("sliding_mla  [64, 1024, 1024, 192, 64, 128]");
- the layer strip's legend called dots3.note's sliding MLA layers "Sliding-window attention"
  beside a summary that says "13 MLA + 33 sliding MLA";
- the DeepSeek Sparse Attention note said the indexer key is cached "per token and layer",
  while only dots3.note's 13 indexed layers have an indexer (the 33 sliding MLA layers none);
- Flint's positional fact ("nope_layers: 14") quoted only rope_parameters: the NoPE layers are
  the full layers of layer_types.
"""

from __future__ import annotations

import pytest

from axes.backbone.facts import backbone_facts
from axes.backbone.report import analyze_config
from tests.test_new_types_readable import _config, _stored, _text


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_sliding_mla_sizes_are_named_in_the_normalized_spec():
    spec = analyze_config(_config("dots3_note"))["spec"]
    assert spec["sliding_mla"] == {
        "num_attention_heads": 64,
        "q_lora_rank": 1024,
        "kv_lora_rank": 1024,
        "qk_nope_head_dim": 192,
        "qk_rope_head_dim": 64,
        "v_head_dim": 128,
    }
    assert analyze_config(_config("deepseek_v3"))["spec"]["sliding_mla"] is None


@pytest.mark.django_db
def test_the_compare_config_diff_names_each_sliding_mla_size(client, web_model):
    _stored(web_model, "dots3_note", "rednote/dots3-default")
    _stored(web_model, "deepseek_v3", "deepseek/v3-default")
    html = _text(client.get("/compare/", {"models": "rednote/dots3-default,deepseek/v3-default"}))
    assert "[64, 1024" not in html
    assert "sliding_mla.kv_lora_rank" in html
    assert "sliding_mla.num_attention_heads" in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "de", "ko"])
def test_the_strip_legend_calls_dots3s_sliding_layers_sliding_mla(client, web_model, lang):
    _stored(web_model, "dots3_note", "rednote/dots3-default")
    html = _text(client.get("/models/rednote/dots3-default/", {"lang": lang}))
    figure = html.split('class="layer-strip"', 1)[1].split("</figure>", 1)[0]
    legend = figure.split('class="legend"', 1)[1].split("</ul>", 1)[0]
    assert "Sliding-window MLA" in legend or (lang != "en" and "MLA" in legend), legend
    assert "Sliding-window attention" not in legend
    assert "Sliding-Window-Attention" not in legend


def test_the_dsa_note_counts_only_dots3s_indexed_layers():
    from django.utils import translation

    from catalog.notes_l10n import note_l10n, note_match

    notes = analyze_config(_config("dots3_note"))["notes"]
    (dsa,) = [n for n in notes if n.startswith("DeepSeek Sparse Attention")]
    assert "per token and layer" not in dsa
    assert "in the 13 indexed layers" in dsa and "the 33 sliding MLA layers" in dsa
    assert note_match(dsa) is not None
    with translation.override("en"):
        assert note_l10n(dsa) == dsa
    # DeepSeek-V3.2 indexes every layer: its note is as before
    (v32,) = [
        n
        for n in analyze_config(_config("deepseek_v32"))["notes"]
        if n.startswith("DeepSeek Sparse Attention")
    ]
    assert "per token and layer" in v32


def test_flints_nope_layers_quote_layer_types():
    config = _config("flint")
    report = analyze_config(config)
    facts = {f.kind: f for f in backbone_facts(config, report)}
    pos = facts["backbone.positional"]
    assert pos.value["nope_layers"] == 14
    assert "layer_types" in pos.evidence.locator.split(","), pos.evidence.locator
    assert "rope_parameters" in pos.evidence.locator


def test_a_wrong_recurrent_mixer_is_shown_the_model_type_it_contradicts():
    """ "36 KDA layers" for Qwen3-Next was shown as contradicted by
    "linear_num_value_heads = 32", a quote that says nothing about which mixer it is; the SSM
    fact now quotes the model type its mixer follows from first."""
    from axes.exercise import phrase_support

    config = _config("qwen3_next")
    report = analyze_config(config)
    facts = [f.to_dict() for f in backbone_facts(config, report)]
    got = phrase_support("36 KDA layers", facts)
    assert got["support"] == "conflicts"
    (against,) = got["contradicted_by"]
    assert against["text"].startswith('model_type = "qwen3_next"'), against


def test_dots3s_attention_fact_gives_the_sliding_layers_own_mla_sizes():
    """The attention fact gave only the indexed layers' sizes (128 heads, kv_lora_rank 512):
    the 33 sliding MLA layers have 64 heads and a 1024-wide latent, quoted from
    per_layer_config."""
    config = _config("dots3_note")
    report = analyze_config(config)
    facts = {f.kind: f for f in backbone_facts(config, report)}
    att = facts["backbone.attention"]
    assert att.value["num_attention_heads"] == 128
    assert att.value["sliding_mla"]["num_attention_heads"] == 64
    assert att.value["sliding_mla"]["kv_lora_rank"] == 1024
    assert "text_config.per_layer_config" in att.evidence.locator.split(",")
    assert analyze_config(_config("deepseek_v3"))["backbone"]["attention"]["sliding_mla"] is None


@pytest.mark.django_db
def test_dots3s_sliding_mla_sizes_read_on_the_model_page(client, web_model):
    _stored(web_model, "dots3_note", "rednote/dots3-default")
    html = _text(client.get("/models/rednote/dots3-default/"))
    fact = html.split('data-kind="backbone.attention"', 1)[1].split("</li>", 1)[0]
    # every size named, in the engine's order on both databases (catalog.fields)
    assert (
        "sliding_mla: (num_attention_heads: 64, q_lora_rank: 1,024, kv_lora_rank: 1,024, "
        "qk_nope_head_dim: 192, qk_rope_head_dim: 64, v_head_dim: 128)" in fact
    ), fact
