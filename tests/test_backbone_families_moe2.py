"""More MoE families against transformers: tiny variants of afmoe, sarvam_moe, solar_open,
exaone_moe, flex_olmo, granitemoe_swa, dots1, laguna, axk1 and axk2 are built on the meta device and counted parameter by
parameter (total, active, the layer mix transformers built, KV per token), as in
test_backbone_families_moe.py.

Marker ``reference`` (imports torch + transformers); each build is a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_families_moe import MOE, _reference  # noqa: E402
from tests.test_backbone_reference import SMALL, _build  # noqa: E402

# DeepSeek-V3 MLA, small
MLA = {
    "q_lora_rank": 32,
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 8,
    "n_group": 1,
    "topk_group": 1,
}
DOTS1 = {"n_routed_experts": 8, "n_shared_experts": 1, **MOE}
LAGUNA = {
    "num_experts": 8,
    **MOE,
    "head_dim": 16,
    "shared_expert_intermediate_size": 40,
}

VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    # AFMoE: gate_proj on the attention output, four norms a layer, expert_bias a parameter
    ("afmoe", "afmoe", {"num_experts": 8, **MOE, "head_dim": 16}),
    (
        "afmoe-bias-tied-dense2-every2-shared1",
        "afmoe",
        {
            "num_experts": 8,
            **MOE,
            "head_dim": 24,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "num_dense_layers": 2,
            "global_attn_every_n_layers": 2,
            "num_shared_experts": 1,
            "sliding_window": 16,
        },
    ),
    (
        "afmoe-layer-types-no-shared",
        "afmoe",
        {
            "num_experts": 4,
            "num_experts_per_tok": 1,
            "moe_intermediate_size": 40,
            "head_dim": 16,
            "num_dense_layers": 0,
            "num_shared_experts": 0,
            "layer_types": [
                "full_attention",
                "sliding_attention",
                "full_attention",
                "sliding_attention",
            ],
        },
    ),
    # Sarvam-MoE: Glm4MoeForCausalLM with its own defaults (QK-norm on, head_dim 64)
    ("sarvam_moe", "sarvam_moe", {"n_routed_experts": 8, **MOE}),
    (
        "sarvam_moe-no-qknorm-bias-tied-dense2",
        "sarvam_moe",
        {
            "n_routed_experts": 8,
            **MOE,
            "use_qk_norm": False,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "first_k_dense_replace": 2,
            "n_shared_experts": 2,
            "head_dim": 16,
        },
    ),
    # Solar Open: Llama attention (o_proj without bias), MoE in every layer
    ("solar_open", "solar_open", {"n_routed_experts": 8, **MOE, "head_dim": 16}),
    (
        "solar_open-bias-tied-shared2",
        "solar_open",
        {
            "n_routed_experts": 8,
            **MOE,
            "head_dim": 24,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "n_shared_experts": 2,
        },
    ),
    # EXAONE-MoE: EXAONE 4 attention in a pre-norm block, dense / sparse per mlp_layer_types
    ("exaone_moe", "exaone_moe", {"num_experts": 8, **MOE, "head_dim": 16}),
    (
        "exaone_moe-mlp-layer-types-shared2-tied-all-full",
        "exaone_moe",
        {
            "num_experts": 8,
            **MOE,
            "head_dim": 16,
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense"],
            "num_shared_experts": 2,
            "tie_word_embeddings": True,
            "sliding_window_pattern": 1,
        },
    ),
    (
        "exaone_moe-dense2-pattern2",
        "exaone_moe",
        {
            "num_experts": 4,
            "num_experts_per_tok": 1,
            "moe_intermediate_size": 40,
            "head_dim": 24,
            "first_k_dense_replace": 2,
            "sliding_window_pattern": 2,
            "sliding_window": 16,
        },
    ),
    # FlexOlmo: OLMoE's attention and experts in the OLMo 2 post-norm block
    ("flex_olmo", "flex_olmo", {"num_experts": 4, "num_experts_per_tok": 2}),
    (
        "flex_olmo-bias-tied-top1",
        "flex_olmo",
        {
            "num_experts": 7,
            "num_experts_per_tok": 1,
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    # Granite MoE SWA: sinks in every attention, sliding layers, optional shared MLP
    ("granitemoe_swa", "granitemoe_swa", {"num_local_experts": 4, "intermediate_size": 32}),
    (
        "granitemoe_swa-shared-bias-tied-layer-types-nope",
        "granitemoe_swa",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "intermediate_size": 32,
            "shared_intermediate_size": 48,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "sliding_window": 16,
            "layer_types": [
                "sliding_attention",
                "full_attention",
                "sliding_attention",
                "full_attention",
            ],
            "layer_rope_theta": [10000.0, 0, 10000.0, 0],
        },
    ),
    # dots.llm1: Qwen3 attention, DeepSeek-V3 MoE, sliding layers from max_window_layers
    ("dots1", "dots1", {**DOTS1, "first_k_dense_replace": 1}),
    (
        "dots1-window-bias-tied-shared2",
        "dots1",
        {
            **DOTS1,
            "n_shared_experts": 2,
            "max_window_layers": 2,
            "sliding_window": 16,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "head_dim": 24,
        },
    ),
    # Laguna: per-head (or full) output gate, per-layer query heads, router bias parameter
    ("laguna", "laguna", LAGUNA),
    (
        "laguna-heads-per-layer-full-gate-bias-tied-sliding",
        "laguna",
        {
            **LAGUNA,
            "num_attention_heads_per_layer": [4, 8, 2, 4],
            "gating": "per-element",
            "attention_bias": True,
            "tie_word_embeddings": True,
            "sliding_window": 16,
            "layer_types": [
                "full_attention",
                "sliding_attention",
                "sliding_attention",
                "full_attention",
            ],
            "mlp_layer_types": ["sparse", "dense", "sparse", "sparse"],
        },
    ),
    (
        "laguna-no-gate-flag",
        "laguna",
        {**LAGUNA, "gating": False, "num_attention_heads_per_layer": [6, 6, 6, 6]},
    ),
    # A.X-K1: DeepSeek-V3 with a norm on each MoE block's output
    (
        "axk1",
        "axk1",
        {**MLA, "n_routed_experts": 8, **MOE, "num_key_value_heads": 4},
    ),
    (
        "axk1-freq2-dense2-bias-tied-shared2",
        "axk1",
        {
            **MLA,
            "n_routed_experts": 8,
            **MOE,
            "num_key_value_heads": 4,
            "num_hidden_layers": 6,
            "first_k_dense_replace": 2,
            "moe_layer_freq": 2,
            "n_shared_experts": 2,
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    # A.X-K2: MLA with q_gate_proj, the V3.2 indexer, norms gated by a low-rank MLP
    (
        "axk2",
        "axk2",
        {
            "n_routed_experts": 8,
            **MOE,
            "num_key_value_heads": 4,
            "index_n_heads": 4,
            "index_head_dim": 16,
            "gated_norm_rank": 8,
        },
    ),
    (
        "axk2-freq2-dense2-bias-tied-shared2-sizes",
        "axk2",
        {
            "n_routed_experts": 8,
            **MOE,
            "num_key_value_heads": 4,
            "num_hidden_layers": 5,
            "first_k_dense_replace": 2,
            "moe_layer_freq": 2,
            "n_shared_experts": 2,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "q_lora_rank": 24,
            "kv_lora_rank": 16,
            "qk_nope_head_dim": 8,
            "qk_rope_head_dim": 8,
            "v_head_dim": 12,
            "index_n_heads": 2,
            "index_head_dim": 8,
            "gated_norm_rank": 4,
        },
    ),
]
MLA_TYPES = ("axk1", "axk2")


def _kv_bytes(cfg, attention_layers: int) -> int:
    if cfg.model_type in MLA_TYPES:  # the cached latent and the rope key (+ the indexer key)
        index = getattr(cfg, "index_head_dim", 0)
        return attention_layers * (cfg.kv_lora_rank + cfg.qk_rope_head_dim + index) * 2
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    return attention_layers * 2 * cfg.num_key_value_heads * head_dim * 2


@pytest.mark.parametrize("name,model_type,extra", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_variant_matches_transformers(name: str, model_type: str, extra: dict) -> None:
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    total, active, routed = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == model_type
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
    pattern = report["backbone"]["layers"]["pattern"]
    model = _build(cfg)
    layers = model.model.layers
    assert len(pattern) == len(layers)
    for i, layer in enumerate(layers):
        # MoE exactly where the experts are; sliding exactly where transformers sets a window
        assert (pattern[i]["ffn"] == "moe") == (i in routed), (i, pattern[i])
        attn = layer.self_attn
        sliding = getattr(attn, "is_sliding", None)  # EXAONE keeps the window on every layer
        if sliding is None:
            sliding = getattr(attn, "sliding_window", None) is not None
        assert (pattern[i]["mixer"] == "sliding_attention") == sliding, (i, pattern[i])
    # each layer's own parameters (Laguna's per-layer heads, AFMoE's four norms, A.X-K1's norm)
    assert params["per_layer"] == [sum(p.numel() for p in layer.parameters()) for layer in layers]
    assert report["memory"]["kv_bytes_per_token"] == _kv_bytes(cfg, len(layers))
    # as a config.json writes it (only the keys given; the config class's defaults elsewhere)
    written = analyze_config({"model_type": model_type, **SMALL, **extra})
    assert (written["params"]["total"], written["params"]["active"]) == (total, active)
    assert written["backbone"]["context_length"] == cfg.max_position_embeddings
    gated = model_type in ("afmoe", "laguna")  # a gate linear on the attention output
    assert report["backbone"]["attention"]["output_gate"] is gated
    variant = "MLA" if model_type in MLA_TYPES else "GQA"
    assert report["spec"]["attention_variant"] == variant


def test_axk1_as_config_json_writes_it() -> None:
    """A.X-K1's config.json gives first_k_dense_replace and moe_layer_freq, not mlp_layer_types:
    the layers from first_k_dense_replace on are sparse where i % moe_layer_freq == 0."""
    written = {
        "model_type": "axk1",
        **SMALL,
        **MLA,
        "n_routed_experts": 8,
        **MOE,
        "num_key_value_heads": 4,
        "num_hidden_layers": 7,
        "first_k_dense_replace": 3,
        "moe_layer_freq": 2,
    }
    cfg = AutoConfig.for_model("axk1", **{k: v for k, v in written.items() if k != "model_type"})
    total, active, routed = _reference(cfg)
    report = analyze_config(written)
    assert (report["params"]["total"], report["params"]["active"]) == (total, active)
    assert sorted(routed) == [4, 6]
    assert report["backbone"]["layers"]["summary"] == "7 MLA · 5 MLP + 2 MoE"


def test_dots1_without_routed_experts_is_left_to_the_estimate() -> None:
    """Dots1Config has no default expert count: transformers cannot build such a config, so the
    engine does not claim an exact count for it."""
    with pytest.raises(TypeError):
        _build(AutoConfig.for_model("dots1", **SMALL))
    report = analyze_config({"model_type": "dots1", **SMALL})
    assert report["estimated"] is True
    assert report["backbone"]["family_module"] == "generic"


@pytest.mark.parametrize(
    "model_type,spelled",
    [
        # the original sarvamai/sarvam-30b config.json (SarvamMoEConfig's attribute_map)
        ("sarvam_moe", {"num_experts": 8, "num_shared_experts": 2, "use_qkv_bias": True}),
        ("solar_open", {"num_local_experts": 8}),
        ("flex_olmo", {"num_local_experts": 4}),
    ],
)
def test_alias_spellings_the_config_classes_map(model_type: str, spelled: dict) -> None:
    """Keys a config class aliases (attribute_map) are read as transformers reads them."""
    written = {**SMALL, **MOE, "head_dim": 16, **spelled}
    cfg = AutoConfig.for_model(model_type, **written)
    total, active, _ = _reference(cfg)
    report = analyze_config({"model_type": model_type, **written})
    assert (report["params"]["total"], report["params"]["active"]) == (total, active)


@pytest.mark.parametrize("model_type", ["exaone4", "exaone_moe"])
def test_exaone_without_sliding_window_has_the_config_class_window(model_type: str) -> None:
    """A config.json without sliding_window gets Exaone4Config's / ExaoneMoeConfig's 4096, so
    the layers sliding_window_pattern marks are sliding and the full ones NoPE, as transformers
    builds them; an explicit null is no window."""
    extra = {"num_experts": 4, **MOE} if model_type == "exaone_moe" else {}
    written = {**SMALL, "head_dim": 16, **extra}
    model = _build(AutoConfig.for_model(model_type, **written))
    report = analyze_config({"model_type": model_type, **written})
    pattern = [p["mixer"] for p in report["backbone"]["layers"]["pattern"]]
    assert pattern == [
        "sliding_attention" if layer.self_attn.is_sliding else "attention"
        for layer in model.model.layers
    ]
    assert pattern == ["sliding_attention"] * 3 + ["attention"]
    assert report["backbone"]["attention"]["sliding_window"] == 4096
    assert report["backbone"]["positional"]["type"] == "rope+nope"
    unwindowed = analyze_config({"model_type": model_type, **written, "sliding_window": None})
    assert unwindowed["backbone"]["layers"]["summary"].startswith("4 GQA")
