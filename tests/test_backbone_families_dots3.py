"""dots3_note_text (and its dots3_note wrapper), flint and aria_text against transformers: tiny
variants built on the meta device and counted parameter by parameter, as in
test_backbone_reference.py, with the KV cache each built attention module holds per token
(MLA: the latent, the shared RoPE key and the DSA indexer's key; sliding layers capped at the
window).

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
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402


def _reference(model, e: int, k: int) -> tuple[int, int]:
    """(total, active): active is total minus the (E - k) / E share of the routed experts."""
    total = sum(p.numel() for p in model.parameters())
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    return total, total - routed * (e - k) // e if e else total


def _text_model(model):
    inner = model.model
    return getattr(inner, "language_model", inner)


def _check(cfg, model, report: dict[str, Any], e: int, k: int, summary: str) -> None:
    total, active = _reference(model, e, k)
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
    in_layers = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
    assert sum(params["per_layer"]) == in_layers
    text = getattr(cfg, "text_config", None) or cfg
    embed = 0 if text.tie_word_embeddings else _text_model(model).embed_tokens.weight.numel()
    assert params["active_excluding_input_embedding"] == active - embed
    assert report["backbone"]["layers"]["summary"] == summary


# dots3 Note: indexed MLA (DSA) on layers 0, 1, 5, sliding MLA of other sizes on 2-4
DOTS = {
    **SMALL,
    "num_hidden_layers": 6,
    "num_key_value_heads": 4,
    "q_lora_rank": 24,
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 12,
    "head_dim": 16,
    "n_routed_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "shared_experts_intermediate_size": 40,
    "index_n_heads": 2,
    "index_head_dim": 16,
    "index_topk": 8,
    # the released checkpoint's spelling of the sliding layers' sizes
    "swa_num_attention_heads": 2,
    "swa_num_key_value_heads": 2,
    "swa_q_lora_rank": 20,
    "swa_kv_lora_rank": 24,
    "swa_head_dim": 24,
    "swa_qk_nope_head_dim": 16,
    "swa_v_head_dim": 10,
    "sliding_window_size": 16,
}
# the wrapper's encoders must project to the text width (not built by AutoModelForCausalLM)
ADAPTERS = {"vision_config": {"adapter_out_dim": 64}, "audio_config": {"adapter_out_dim": 64}}
DOTS_VARIANTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("dots3_note_text", "dots3_note_text", DOTS, "3 MLA + 3 sliding MLA · 1 MLP + 5 MoE"),
    (
        "dots3_note_text-bias-tied-two-shared-freq2",
        "dots3_note_text",
        {
            **DOTS,
            "num_hidden_layers": 9,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "n_shared_experts": 2,
            "first_k_dense_replace": 2,
            "moe_layer_freq": 2,
            "swa_head_dim": 20,
            "swa_qk_rope_head_dim": 4,
            "sliding_window_size": 4,
        },
        "3 MLA + 6 sliding MLA · 5 MLP + 4 MoE",
    ),
    (
        "dots3_note_text-no-dsa-no-sliding",
        "dots3_note_text",
        {**DOTS, "use_dsa": False, "use_sliding_window": False},
        "6 MLA · 1 MLP + 5 MoE",
    ),
    (
        "dots3_note_text-mixed-layer-types-mlp-layer-types",
        "dots3_note_text",
        {
            **DOTS,
            "layer_types": [
                "indexed_attention",
                "sliding_attention",
                "full_attention",
                "sliding_attention",
                "indexed_attention",
                "full_attention",
            ],
            "per_layer_config": {
                1: {"num_attention_heads": 2, "num_key_value_heads": 2, "kv_lora_rank": 20},
                3: {"num_attention_heads": 2, "num_key_value_heads": 2, "kv_lora_rank": 20},
            },
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense", "sparse", "sparse"],
        },
        "4 MLA + 2 sliding MLA · 4 MoE + 2 MLP",
    ),
    (
        "dots3_note-wrapper",
        "dots3_note",
        {"text_config": DOTS, **ADAPTERS},
        "3 MLA + 3 sliding MLA · 1 MLP + 5 MoE",
    ),
    (
        "dots3_note-wrapper-top-level-text",
        "dots3_note",
        {**DOTS, **ADAPTERS, "attention_bias": True},
        "3 MLA + 3 sliding MLA · 1 MLP + 5 MoE",
    ),
]


def _dots_kv(model) -> tuple[int, int]:
    """(KV elements per token of every built MLA layer, of the sliding ones): the latent and
    the shared RoPE key, plus the indexer's key where the layer has one."""
    total = sliding = 0
    text = _text_model(model)
    for i, layer in enumerate(text.layers):
        attn = layer.self_attn
        width = attn.kv_lora_rank + attn.qk_rope_head_dim
        if attn.indexer is not None:
            width += attn.indexer.head_dim
        total += width
        if text.config.layer_types[i] == "sliding_attention":
            sliding += width
    return total, sliding


@pytest.mark.parametrize(
    "name,model_type,extra,summary", DOTS_VARIANTS, ids=[v[0] for v in DOTS_VARIANTS]
)
def test_dots3_note_matches_transformers(
    name: str, model_type: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model(model_type, **extra)
    model = _build(cfg)
    text = getattr(cfg, "text_config", None) or cfg
    kv, sliding = _dots_kv(model)
    # the config as transformers writes it (per_layer_config) and as the checkpoint ships it
    # (the swa_* keys, no per_layer_config)
    raw = {"model_type": model_type, **extra}
    if "per_layer_config" in raw:
        raw["per_layer_config"] = {str(k): v for k, v in raw["per_layer_config"].items()}
    for config in (cfg.to_dict(), raw):
        report = analyze_config(config, context_len=64)
        _check(cfg, model, report, text.n_routed_experts, text.num_experts_per_tok, summary)
        memory = report["memory"]
        assert memory["kv_bytes_per_token"] == kv * 2
        assert memory["kv_bytes_per_token_sliding"] == sliding * 2
        window = text.sliding_window
        assert memory["kv_bytes"]["bytes"] == 2 * ((kv - sliding) * 64 + sliding * window)
        assert memory["state_bytes_per_sequence"] == 0
        assert report["backbone"]["attention"]["variant"] == "MLA"


def test_dots3_note_default_config_is_exact() -> None:
    """The config class's own sizes: 13 indexed MLA layers (128 heads, kv_lora_rank 512) and 33
    sliding ones (64 heads, kv_lora_rank 1024, window 512)."""
    cfg = AutoConfig.for_model("dots3_note_text")
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == 279_551_718_016
    assert report["backbone"]["layers"]["summary"] == "13 MLA + 33 sliding MLA · 1 MLP + 45 MoE"
    assert report["memory"]["kv_bytes_per_token"] == 2 * (13 * (512 + 64 + 128) + 33 * 1088)
    assert report["memory"]["kv_bytes_per_token_sliding"] == 2 * 33 * 1088


def test_dots3_note_sliding_layers_attend_to_the_window() -> None:
    """Past the window a sliding MLA layer's scores and sum run over sliding_window tokens, an
    indexed one over index_topk; a decode step reads the window's latents and the top-k ones,
    and every indexer key."""
    report = analyze_config({"model_type": "dots3_note_text", **DOTS}, context_len=64)
    indexed = 3 * (2 * 4 * (8 + 8 + 12) * 8 + 2 * 2 * 16 * 64)
    sliding = 3 * (2 * 2 * (16 + 8 + 10) * 16)
    assert report["compute"]["flops_detail"]["attention_flops"] == indexed + sliding
    kv = 2 * (3 * (16 + 8) * 8 + 3 * 16 * 64 + 3 * (24 + 8) * 16)
    assert report["compute"]["decode_bytes_detail"]["kv"] == kv


def test_dots3_note_refuses_malformed_sizes() -> None:
    config = {"model_type": "dots3_note_text", **DOTS}
    with pytest.raises(ConfigError, match="q_lora_rank"):
        analyze_config({**config, "q_lora_rank": None})
    for bad in ({"2": {"kv_lora_rank": -1}}, {"2": {"kv_lora_rank": "wide"}}, {"x": {}}, [1]):
        with pytest.raises(ConfigError, match="per_layer_config"):
            analyze_config({**config, "per_layer_config": bad})
    with pytest.raises(ConfigError, match="swa_kv_lora_rank"):
        analyze_config({**config, "swa_kv_lora_rank": "wide"})
    with pytest.raises(ConfigError, match="moe_layer_freq"):
        analyze_config({**config, "moe_layer_freq": [1, 0]})
    # per-layer sizes the engine does not mirror: counted with each kind's first layer's
    uneven = {"2": {"kv_lora_rank": 20}, "3": {"kv_lora_rank": 28}}
    report = analyze_config({**config, "per_layer_config": uneven})
    assert any(n.startswith("per_layer_config gives layers settings") for n in report["notes"])


# Flint: Qwen3-MoE attention with sinks, NoPE full layers, an ungated shared expert
FLINT = {
    **SMALL,
    "num_hidden_layers": 6,
    "head_dim": 16,
    "num_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "shared_expert_intermediate_size": 24,
    "sliding_window": 8,
}
FLINT_VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    ("flint", FLINT, "3 full + 3 sliding · 2 MLP + 4 MoE"),
    (
        "flint-bias-tied-sparse-step-layer-types",
        {
            **FLINT,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "mlp_only_layers": [3],
            "decoder_sparse_step": 2,
            "layer_types": ["sliding_attention", "full_attention"] * 3,
        },
        "3 sliding + 3 full · 4 MLP + 2 MoE",
    ),
]


@pytest.mark.parametrize("name,extra,summary", FLINT_VARIANTS, ids=[v[0] for v in FLINT_VARIANTS])
def test_flint_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("flint", **extra)
    model = _build(cfg)
    report = analyze_config(cfg.to_dict(), context_len=64)
    _check(cfg, model, report, cfg.num_experts, cfg.num_experts_per_tok, summary)
    kv = sliding = 0
    for layer in model.model.layers:
        attn = layer.self_attn
        width = attn.k_proj.out_features + attn.v_proj.out_features
        kv += width
        if attn.sliding_window is not None:
            sliding += width
    memory = report["memory"]
    assert memory["kv_bytes_per_token"] == kv * 2
    assert memory["kv_bytes"]["bytes"] == 2 * ((kv - sliding) * 64 + sliding * 8)
    attention = report["backbone"]["attention"]
    assert attention["variant"] == "GQA" and attention["sinks"] is True
    assert report["spec"]["nope_layers"] == 3 and report["spec"]["positional"] == "rope+nope"


def test_flint_default_config_is_exact() -> None:
    report = analyze_config(AutoConfig.for_model("flint").to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == 39_785_287_456
    assert report["backbone"]["layers"]["summary"] == "14 full + 35 sliding · 2 MLP + 47 MoE"


# Aria's text model: Llama attention, a MoE with shared experts of intermediate_size each
ARIA = {**SMALL, "moe_num_experts": 8, "moe_topk": 2, "moe_num_shared_experts": 2}
ARIA_VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    ("aria_text", ARIA, "4 GQA · 4 MoE"),
    (
        "aria_text-biases-tied-one-shared-mha-head-dim",
        {
            **ARIA,
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": True,
            "moe_num_shared_experts": 1,
            "num_key_value_heads": 4,
            "head_dim": 24,
        },
        "4 MHA · 4 MoE",
    ),
]


@pytest.mark.parametrize("name,extra,summary", ARIA_VARIANTS, ids=[v[0] for v in ARIA_VARIANTS])
def test_aria_text_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("aria_text", **extra)
    model = _build(cfg)
    report = analyze_config(cfg.to_dict())
    _check(cfg, model, report, cfg.moe_num_experts, cfg.moe_topk, summary)
    kv = sum(
        layer.self_attn.k_proj.out_features + layer.self_attn.v_proj.out_features
        for layer in model.model.layers
    )
    assert report["memory"]["kv_bytes_per_token"] == kv * 2


def test_aria_text_default_config_is_exact() -> None:
    report = analyze_config(AutoConfig.for_model("aria_text").to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == 18_517_069_824
    assert report["backbone"]["decoder_type"] == "moe"
