"""Gemma 3n against transformers: tiny gemma3n_text variants are built on the meta device and
counted parameter by parameter, layer by layer; the KV cache is checked against the cache
transformers fills in a real forward pass.

What Gemma 3n adds to the Gemma 3 block, each exercised by a variant: AltUp (altup_num_inputs
streams: per-layer router and coefficients, the model's altup projections), LAuReL
(laurel_rank), per-layer embeddings (PLE, as Gemma 4 has them), per-layer MLP widths
(intermediate_size as a list), the last num_kv_shared_layers layers reusing an earlier
layer's K/V (no k/v weights, no cache).

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.errors import ConfigError

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from huggingface_hub.errors import StrictDataclassError  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

from tests.test_backbone_families_gemma4 import cached_kv_bytes  # noqa: E402
from tests.test_backbone_reference import SMALL, _build  # noqa: E402

TINY = {**SMALL, "head_dim": 16, "sliding_window": 8}
PLE = {"hidden_size_per_layer_input": 8, "vocab_size_per_layer_input": 128}
ALTERNATING = ["sliding_attention", "full_attention"] * 3

# (id, config overrides, layer summary)
VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    (
        # the E2B / E4B shape, small: four sliding then one full, the last layers sharing K/V
        "ple-altup-laurel-kv-shared",
        {
            **TINY,
            **PLE,
            "num_hidden_layers": 7,
            "num_kv_shared_layers": 2,
            "activation_sparsity_pattern": [0.95, 0.95] + [0.0] * 5,
        },
        "6 sliding + 1 full, the last 2 reusing earlier layers' K/V · 7 MLP",
    ),
    (
        # a width per layer, three AltUp streams, another LAuReL rank, untied, biases, no
        # layer sharing K/V
        "per-layer-widths-untied-bias",
        {
            **TINY,
            **PLE,
            "num_hidden_layers": 5,
            "intermediate_size": [96, 128, 64, 96, 32],
            "layer_types": ALTERNATING[:5],
            "num_kv_shared_layers": 0,
            "altup_num_inputs": 3,
            "laurel_rank": 8,
            "tie_word_embeddings": False,
            "attention_bias": True,
        },
        "3 sliding + 2 full · 5 MLP",
    ),
    (
        # no PLE (its per-layer norm is still built), one AltUp stream: no altup projections
        "no-ple-one-stream-mha",
        {
            **TINY,
            "num_key_value_heads": 4,
            "hidden_size_per_layer_input": 0,
            "altup_num_inputs": 1,
            "num_kv_shared_layers": 2,
            "layer_types": ALTERNATING[:4],
        },
        "2 sliding + 2 full, the last 2 reusing earlier layers' K/V · 4 MLP",
    ),
]


def _numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _kv_bytes_per_token(model) -> int:
    """bf16 K and V per token of every layer that computes its own (has a k_proj)."""
    return sum(
        2 * layer.self_attn.k_proj.out_features * 2
        for layer in model.model.layers
        if getattr(layer.self_attn, "k_proj", None) is not None
    )


@pytest.mark.parametrize("name,extra,summary", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_gemma3n_text_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("gemma3n_text", **extra)
    model = _build(cfg)
    total = _numel(model)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == params["active"] == total, params["breakdown"]
    assert sum(params["breakdown"].values()) == total
    assert params["per_layer"] == [_numel(layer) for layer in model.model.layers]
    breakdown = params["breakdown"]
    mlps = sum(_numel(layer.mlp) for layer in model.model.layers)
    assert breakdown["dense_mlp"] == mlps
    assert breakdown["attention"] == sum(_numel(layer.self_attn) for layer in model.model.layers)
    lm_head = 0 if cfg.tie_word_embeddings else model.lm_head.weight.numel()
    assert breakdown["lm_head"] == lm_head
    # the PLE table is a lookup: a token reads one row of it
    ple = model.model.embed_tokens_per_layer.weight.numel()
    embedding = model.model.embed_tokens.weight.numel()
    input_tables = ple + (0 if cfg.tie_word_embeddings else embedding)
    assert params["active_excluding_input_embedding"] == total - input_tables
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["memory"]["kv_bytes_per_token"] == _kv_bytes_per_token(model)
    assert report["memory"]["state_bytes_per_sequence"] == 0
    # the generic Llama-style reading of the same config is another count: the variant
    # exercises what only the Gemma 3n reader mirrors
    generic = analyze_config({**cfg.to_dict(), "model_type": "gemma3n_unknown"})
    assert generic["estimated"] is True and generic["params"]["total"] != total


def test_default_config_and_hub_spelling() -> None:
    """Gemma3nTextConfig() (the E4B text model) is 6,835,235,568 parameters, 2,348,810,240 of
    them the PLE table. Of its 35 layers the last 15 reuse K/V: 16 sliding and 4 full layers
    cache 2 K/V heads x 256, K and V, and the sliding ones stop at the 512-token window. A Hub
    config.json written without the config class's defaults reads the same."""
    cfg = AutoConfig.for_model("gemma3n_text")
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert params["total"] == _numel(_build(cfg)) == 6_835_235_568
    ple_table = 262_144 * 35 * 256
    assert ple_table == 2_348_810_240
    assert params["active_excluding_input_embedding"] == params["total"] - ple_table
    layer = 2 * 2 * 256 * 2  # K and V, 2 heads x 256, bf16
    memory = analyze_config(cfg.to_dict(), context_len=4096)["memory"]
    assert memory["kv_bytes_per_token"] == 20 * layer
    assert memory["kv_bytes"]["bytes"] == 4 * layer * 4096 + 16 * layer * 512
    assert report["backbone"]["context_length"] == 32_768

    extra = VARIANTS[0][1]
    hub = {"model_type": "gemma3n_text", **extra}
    assert (
        analyze_config(hub)["params"]
        == analyze_config(AutoConfig.for_model("gemma3n_text", **extra).to_dict())["params"]
    )
    # the E2B checkpoint writes one width per layer, all equal: a uniform stack
    listed = {**hub, "intermediate_size": [96] * 7}
    assert analyze_config(listed)["params"] == analyze_config(hub)["params"]


def test_kv_cache_is_the_one_transformers_fills() -> None:
    """A real forward pass (CPU, bf16): the layers that reuse K/V get no cache of their own.
    Within the window the engine's KV bytes are the cache's; past it a sliding layer keeps
    window - 1 tokens between steps and the engine counts the window the next token attends,
    one token more."""
    extra = {**VARIANTS[0][1], "sliding_window": 4}
    cfg = AutoConfig.for_model("gemma3n_text", **extra)
    model = AutoModelForCausalLM.from_config(cfg).to(torch.bfloat16).eval()
    sliding_layers_with_cache = 4  # layers 0-3; 5 and 6 (sliding) reuse layer 3's K/V
    sliding_token = (
        sliding_layers_with_cache * 2 * TINY["num_key_value_heads"] * TINY["head_dim"] * 2
    )
    for tokens, past_window in ((3, 0), (9, 1)):
        with torch.no_grad():
            out = model(torch.arange(tokens)[None] + 3, use_cache=True)
        cached = cached_kv_bytes(out.past_key_values)
        report = analyze_config(cfg.to_dict(), context_len=tokens)
        counted = report["memory"]["kv_bytes"]["bytes"]
        assert counted == cached + past_window * sliding_token, tokens


def test_gemma3n_wrapper_counts_the_text_model_and_says_the_towers_are_not() -> None:
    """Gemma3nForConditionalGeneration always builds its vision and audio towers (the config
    class's defaults when config.json has none); the engine counts the text model and its
    tied lm_head exactly and marks the whole estimated, saying why."""
    text = {**TINY, **PLE, "num_hidden_layers": 5, "num_kv_shared_layers": 0}
    wrapper = AutoConfig.for_model("gemma3n", text_config=text).to_dict()
    report = analyze_config(wrapper)
    assert report["estimated"] is True
    assert any("towers" in n and "not counted" in n for n in report["notes"]), report["notes"]
    text_model = _numel(_build(AutoConfig.for_model("gemma3n_text", **text)))
    assert report["params"]["total"] == text_model


@pytest.mark.parametrize(
    "extra,key",
    [
        ({"num_kv_shared_layers": 5}, "num_kv_shared_layers"),
        # Gemma3nTextConfig.kv_sharing_modes: no layer left to produce a cache
        ({"num_kv_shared_layers": 4}, "num_kv_shared_layers"),
        # the default pattern's first four layers are sliding: a shared full layer has no
        # earlier one to read
        ({"num_hidden_layers": 5, "num_kv_shared_layers": 1}, "num_kv_shared_layers"),
        ({"sliding_window": None}, "sliding_window"),
        ({"intermediate_size": [96, 96]}, "intermediate_size"),
        ({"intermediate_size": [96, "x", 96, 96]}, "intermediate_size"),
        ({"activation_sparsity_pattern": [0.95]}, "activation_sparsity_pattern"),
        ({"layer_types": ["sliding_attention", "mamba"] * 2}, "layer_types"),
    ],
    ids=[
        "more-shared-than-layers",
        "every-layer-shared",
        "shared-type-without-producer",
        "null-window",
        "widths-not-one-per-layer",
        "width-not-an-integer",
        "sparsity-not-one-per-layer",
        "unknown-layer-type",
    ],
)
def test_configs_transformers_refuses_are_refused(extra: dict, key: str) -> None:
    config = {"model_type": "gemma3n_text", **TINY, "num_kv_shared_layers": 0, **extra}
    with pytest.raises(ConfigError) as refused:
        analyze_config(config)
    assert refused.value.key == key
    if extra.get("num_kv_shared_layers", 0) > TINY["num_hidden_layers"]:
        # transformers builds this one (its first shared layer is negative), but layer 0
        # would then read K/V that no layer has produced
        return
    cls_kwargs = {k: v for k, v in config.items() if k != "model_type"}
    # transformers refuses it too: its config class, or the model's rotary embedding
    with pytest.raises((ValueError, KeyError, StrictDataclassError)):
        _build(AutoConfig.for_model("gemma3n_text", **cls_kwargs))
