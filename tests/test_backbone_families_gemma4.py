"""Gemma 4 against transformers: tiny gemma4_text variants (and the gemma4 wrapper) are built on
the meta device and counted parameter by parameter, layer by layer; the KV cache per token is
checked against the cache transformers fills in a real forward pass.

What Gemma 4 adds to the Gemma 3 block, each exercised by a variant: full layers with their own
head_dim (global_head_dim) and, with attention_k_eq_v, their own K/V heads and no v_proj; the
last num_kv_shared_layers layers reusing an earlier layer's K/V (no k/v weights, no cache;
use_double_wide_mlp doubles their MLP); per-layer embeddings (PLE); MoE layers that run the
dense MLP beside the experts.

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
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

TINY = {**SMALL, "head_dim": 16, "global_head_dim": 32, "sliding_window": 8}
PLE = {"hidden_size_per_layer_input": 8, "vocab_size_per_layer_input": 128}
ALTERNATING = ["sliding_attention", "full_attention"] * 3

# (id, config overrides, layer summary, experts per token or 0)
VARIANTS: list[tuple[str, dict[str, Any], str, int]] = [
    (
        "ple-default-pattern",  # five sliding then one full; the last layer forced full
        {**TINY, **PLE, "num_hidden_layers": 7},
        "5 sliding + 2 full · 7 MLP",
        0,
    ),
    (
        "k-eq-v-kv-shared-double-wide-mlp",  # the E2B shape, small
        {
            **TINY,
            **PLE,
            "num_hidden_layers": 6,
            "layer_types": ALTERNATING,
            "attention_k_eq_v": True,
            "num_global_key_value_heads": 1,
            "num_kv_shared_layers": 2,
            "use_double_wide_mlp": True,
        },
        "3 sliding + 3 full, the last 2 reusing earlier layers' K/V · 6 MLP",
        0,
    ),
    (
        "moe-beside-mlp-untied-bias-no-ple",  # the 26B-A4B shape, small
        {
            **TINY,
            "hidden_size_per_layer_input": 0,
            "enable_moe_block": True,
            "num_experts": 4,
            "top_k_experts": 2,
            "moe_intermediate_size": 24,
            "tie_word_embeddings": False,
            "attention_bias": True,
            "attention_k_eq_v": True,
            "num_global_key_value_heads": 1,
        },
        "3 sliding + 1 full · 4 MoE with an MLP in parallel",
        2,
    ),
]


def _numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _kv_bytes_per_token(model) -> int:
    """bf16 K and V per token of every layer that computes its own (has a k_proj): V is as
    wide as K, whether from v_proj or, with attention_k_eq_v, from k_proj itself."""
    return sum(
        2 * layer.self_attn.k_proj.out_features * 2
        for layer in model.model.layers
        if getattr(layer.self_attn, "k_proj", None) is not None
    )


@pytest.mark.parametrize("name,extra,summary,top_k", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_gemma4_text_matches_transformers(name: str, extra: dict, summary: str, top_k: int) -> None:
    cfg = AutoConfig.for_model("gemma4_text", **extra)
    model = _build(cfg)
    total = _numel(model)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert sum(params["breakdown"].values()) == total
    assert params["per_layer"] == [_numel(layer) for layer in model.model.layers]
    experts = sum(
        p.numel() for n, p in model.named_parameters() if ".experts." in n
    )  # a token uses top_k of num_experts
    inactive = experts - experts * top_k // cfg.num_experts if top_k else 0
    assert params["active"] == total - inactive
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["memory"]["kv_bytes_per_token"] == _kv_bytes_per_token(model)
    # the generic Llama-style reading of the same config is another count: the variant
    # exercises what only the Gemma 4 reader mirrors
    generic = analyze_config({**cfg.to_dict(), "model_type": "gemma4_unknown"})
    assert generic["estimated"] is True and generic["params"]["total"] != total


def test_default_config_and_hub_spelling() -> None:
    """Gemma4TextConfig() is 5,077,177,856 parameters, 2,013,265,920 of them the PLE table,
    which a token reads one row of (left out of active_excluding_input_embedding like the
    embedding). A Hub config.json writes global_head_dim / num_global_key_value_heads where
    transformers 5 saves per_layer_config: both read the same."""
    cfg = AutoConfig.for_model("gemma4_text")
    saved = cfg.to_dict()
    assert "per_layer_config" in saved and "global_head_dim" not in saved
    report = analyze_config(saved)
    params = report["params"]
    assert params["total"] == _numel(_build(cfg)) == 5_077_177_856
    ple_table = 262_144 * 30 * 256
    assert params["active_excluding_input_embedding"] == params["total"] - ple_table
    # 25 sliding layers x 4 K/V heads x 256 + 5 full layers x 4 x 512, K and V, bf16
    assert report["memory"]["kv_bytes_per_token"] == (25 * 4 * 256 + 5 * 4 * 512) * 2 * 2
    assert report["backbone"]["attention"]["global_head_dim"] == 512

    extra = VARIANTS[1][1]
    cfg = AutoConfig.for_model("gemma4_text", **extra)
    hub = {"model_type": "gemma4_text", **extra}  # as written on the Hub: no per_layer_config
    assert analyze_config(hub)["params"] == analyze_config(cfg.to_dict())["params"]
    assert analyze_config(hub)["params"]["total"] == _numel(_build(cfg))


def test_kv_cache_is_the_one_transformers_fills() -> None:
    """A real forward pass (CPU, bf16): the layers that reuse K/V get a placeholder cache
    layer, full layers cache global_num_kv_heads x global_head_dim per token. Within the window
    the engine's KV bytes are the cache's; past it a sliding layer keeps window - 1 tokens
    between steps (cache_utils DynamicSlidingWindowLayer) and the engine counts the window the
    next token attends, one token more."""
    extra = {**VARIANTS[1][1], "sliding_window": 4}
    cfg = AutoConfig.for_model("gemma4_text", **extra)
    model = AutoModelForCausalLM.from_config(cfg).to(torch.bfloat16).eval()
    sliding_layers_with_cache = 2  # layers 0 and 2; 4 (sliding) reuses layer 2's K/V
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


def cached_kv_bytes(cache) -> int:
    """The bytes of K and V a forward pass left in a transformers cache (a KV-sharing layer's
    placeholder holds no tensors)."""
    return sum(
        t.numel() * t.element_size()
        for layer in cache.layers
        for t in (getattr(layer, "keys", None), getattr(layer, "values", None))
        if isinstance(t, torch.Tensor)
    )


def test_gemma4_wrapper() -> None:
    """Gemma4ForConditionalGeneration: without towers it is the text model and its tied
    lm_head, exact; a vision or audio tower is not mirrored, so the count is marked estimated
    and says why."""
    text = {**TINY, **PLE}
    cfg = AutoConfig.for_model("gemma4", text_config=text)
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False, report["notes"]
    assert report["params"]["total"] == _numel(_build(cfg))
    towers = AutoConfig.for_model("gemma4", text_config=text, vision_config={}).to_dict()
    report = analyze_config(towers)
    assert report["estimated"] is True
    assert any("vision_config" in n and "not counted" in n for n in report["notes"])


@pytest.mark.parametrize(
    "extra,key",
    [
        ({"num_kv_shared_layers": 5}, "num_kv_shared_layers"),
        # the last layer is full; a shared sliding layer would have no earlier one to read
        (
            {
                "layer_types": ["full_attention", "sliding_attention", "full_attention"] * 2,
                "num_kv_shared_layers": 5,
            },
            "num_kv_shared_layers",
        ),
        ({"sliding_window": None}, "sliding_window"),
        ({"per_layer_config": {"x": {"head_dim": 8}}}, "per_layer_config"),
    ],
    ids=["more-shared-than-layers", "shared-type-without-producer", "null-window", "bad-plc"],
)
def test_configs_transformers_refuses_are_refused(extra: dict, key: str) -> None:
    config = {"model_type": "gemma4_text", **TINY, "num_hidden_layers": 4, **extra}
    if "layer_types" in extra:
        config["num_hidden_layers"] = 6
    with pytest.raises(ConfigError) as refused:
        analyze_config(config)
    assert refused.value.key == key


def test_model_page_kv_at_another_context_uses_the_engines_sliding_share() -> None:
    """The model page recomputes the KV cache at the context a reader picks from the stored
    report. Gemma 4's layers differ in KV width (full layers 512 wide, shared layers none),
    so the sliding share comes from the engine, not from counting layers of the pattern."""
    from catalog.views_support import kv_bytes_at

    for _name, extra, _summary, _top_k in VARIANTS:
        config = AutoConfig.for_model("gemma4_text", **extra).to_dict()
        stored = analyze_config(config, context_len=16)
        for context in (4, 8, 100, 4096):
            want = analyze_config(config, context_len=context)["memory"]["kv_bytes"]["bytes"]
            assert kv_bytes_at(stored, context) == want, (_name, context)
