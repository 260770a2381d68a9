"""MoE and hybrid families against transformers: tiny variants of each family the engine now
mirrors exactly (qwen2_moe, olmoe, phimoe, jamba, bamba, granitemoehybrid, glm4_moe,
minimax_m2, ernie4_5_moe, hunyuan_v1_moe, llama4_text, qwen3_5_text, qwen3_5_moe_text,
minimax, deepseek_v32, dbrx, lfm2, granitemoeshared, cohere2_moe, olmo_hybrid) are built on the
meta device and counted parameter by parameter, as in test_backbone_reference.py.

Marker ``reference`` (imports torch + transformers); each build is a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.layers import LAYER_TYPE_TO_MIXER

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

MOE = {"num_experts_per_tok": 2, "moe_intermediate_size": 32}
MAMBA2 = {"mamba_n_heads": 8, "mamba_d_state": 8, "mamba_n_groups": 2}
DELTANET = {
    "head_dim": 16,
    "linear_num_key_heads": 2,
    "linear_num_value_heads": 4,
    "linear_key_head_dim": 8,
    "linear_value_head_dim": 12,
}

# DeepSeek-V3.2: MLA + the sparse-attention indexer
DSA = {
    "q_lora_rank": 32,
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 8,
    "n_routed_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "first_k_dense_replace": 1,
    "n_group": 1,
    "topk_group": 1,
    "index_n_heads": 4,
    "index_head_dim": 16,
    "index_topk": 8,
}

VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    ("qwen2_moe", "qwen2_moe", {"num_experts": 8, **MOE, "shared_expert_intermediate_size": 40}),
    (
        "qwen2_moe-dense-layer-tied-nobias",
        "qwen2_moe",
        {
            "num_experts": 8,
            **MOE,
            "shared_expert_intermediate_size": 40,
            "mlp_only_layers": [1],
            "qkv_bias": False,
            "tie_word_embeddings": True,
        },
    ),
    (
        "qwen2_moe-step2-sliding",
        "qwen2_moe",
        {
            "num_experts": 8,
            **MOE,
            "shared_expert_intermediate_size": 40,
            "decoder_sparse_step": 2,
            "use_sliding_window": True,
            "sliding_window": 16,
            "max_window_layers": 3,
        },
    ),
    ("olmoe", "olmoe", {"num_experts": 8, "num_experts_per_tok": 2}),
    (
        "olmoe-bias-tied",
        "olmoe",
        {
            "num_experts": 8,
            "num_experts_per_tok": 2,
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    ("phimoe", "phimoe", {"num_local_experts": 4, "num_experts_per_tok": 2}),
    (
        "phimoe-bias-sliding",
        "phimoe",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "attention_bias": True,
            "lm_head_bias": True,
            "sliding_window": 16,
        },
    ),
    (
        "jamba",
        "jamba",
        {
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "attn_layer_period": 2,
            "attn_layer_offset": 1,
            "mamba_d_state": 8,
        },
    ),
    (
        "jamba-periods-bias-tied",
        "jamba",
        {
            "num_experts": 4,
            "num_experts_per_tok": 2,
            "num_hidden_layers": 6,
            "attn_layer_period": 3,
            "attn_layer_offset": 0,
            "expert_layer_period": 3,
            "expert_layer_offset": 2,
            "mamba_d_state": 8,
            "mamba_dt_rank": 6,
            "mamba_proj_bias": True,
            "mamba_conv_bias": False,
            "tie_word_embeddings": True,
        },
    ),
    (
        "jamba-dense",
        "jamba",
        {
            "num_experts": 1,
            "num_experts_per_tok": 1,
            "attn_layer_period": 4,
            "attn_layer_offset": 3,
            "mamba_d_state": 8,
        },
    ),
    ("bamba", "bamba", {**MAMBA2, "attn_layer_indices": [1]}),
    (
        "bamba-bias-tied",
        "bamba",
        {
            **MAMBA2,
            "attn_layer_indices": [0, 3],
            "attention_bias": True,
            "mlp_bias": True,
            "mamba_proj_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    (
        "granitemoehybrid-moe",
        "granitemoehybrid",
        {
            **MAMBA2,
            "layer_types": ["mamba", "attention", "mamba", "mamba"],
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "shared_intermediate_size": 48,
        },
    ),
    (
        "granitemoehybrid-dense-rope",
        "granitemoehybrid",
        {
            **MAMBA2,
            "layer_types": ["mamba", "attention", "mamba", "attention"],
            "num_local_experts": 0,
            "shared_intermediate_size": 48,
            "position_embedding_type": "rope",
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    (
        "glm4_moe",
        "glm4_moe",
        {"n_routed_experts": 8, **MOE, "n_shared_experts": 1, "first_k_dense_replace": 1},
    ),
    (
        "glm4_moe-qknorm-bias-tied",
        "glm4_moe",
        {
            "n_routed_experts": 8,
            **MOE,
            "n_shared_experts": 2,
            "first_k_dense_replace": 0,
            "use_qk_norm": True,
            "attention_bias": True,
            "head_dim": 24,
            "tie_word_embeddings": True,
        },
    ),
    (
        "minimax_m2",
        "minimax_m2",
        {"num_local_experts": 8, "num_experts_per_tok": 2, "head_dim": 16, "rotary_dim": 8},
    ),
    (
        "minimax_m2-tied",
        "minimax_m2",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "head_dim": 24,
            "tie_word_embeddings": True,
        },
    ),
    (
        "ernie4_5_moe",
        "ernie4_5_moe",
        {
            "moe_num_experts": 8,
            "moe_k": 2,
            "moe_intermediate_size": 32,
            "moe_num_shared_experts": 1,
        },
    ),
    (
        "ernie4_5_moe-bias-window",
        "ernie4_5_moe",
        {
            "moe_num_experts": 8,
            "moe_k": 2,
            "moe_intermediate_size": 32,
            "moe_num_shared_experts": 2,
            "use_bias": True,
            "moe_layer_start_index": 0,
            "moe_layer_end_index": 2,
            "tie_word_embeddings": False,
        },
    ),
    (
        "ernie4_5_moe-interval-no-shared",
        "ernie4_5_moe",
        {
            "moe_num_experts": 8,
            "moe_k": 2,
            "moe_intermediate_size": 32,
            "moe_num_shared_experts": 0,
            "moe_layer_interval": 2,
        },
    ),
    ("hunyuan_v1_moe", "hunyuan_v1_moe", {"num_experts": 4, "moe_topk": 2, "head_dim": 16}),
    (
        "hunyuan_v1_moe-list-topk-bias-tied",
        "hunyuan_v1_moe",
        {
            "num_experts": 8,
            "moe_topk": [2, 2, 2, 2],
            "attention_bias": True,
            "tie_word_embeddings": True,
            "head_dim": 24,
        },
    ),
    (
        "llama4_text",
        "llama4_text",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "intermediate_size_mlp": 80,
            "head_dim": 16,
            "attention_chunk_size": 16,
        },
    ),
    (
        "llama4_text-interleaved-nope-bias-tied",
        "llama4_text",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "intermediate_size_mlp": 80,
            "head_dim": 16,
            "interleave_moe_layer_step": 2,
            "no_rope_layer_interval": 2,
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    (
        "llama4_text-moe-layers-unchunked",
        "llama4_text",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "intermediate_size_mlp": 80,
            "head_dim": 16,
            "moe_layers": [0, 3],
            "attention_chunk_size": None,
        },
    ),
    ("qwen3_5_text", "qwen3_5_text", DELTANET),
    (
        "qwen3_5_text-layer-types-bias-tied",
        "qwen3_5_text",
        {
            **DELTANET,
            "layer_types": [
                "linear_attention",
                "full_attention",
                "linear_attention",
                "full_attention",
            ],
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    (
        "qwen3_5_moe_text",
        "qwen3_5_moe_text",
        {**DELTANET, "num_experts": 8, **MOE, "shared_expert_intermediate_size": 40},
    ),
    ("deepseek_v32", "deepseek_v32", DSA),
    (
        "deepseek_v32-mlp-layer-types-bias-tied",
        "deepseek_v32",
        {
            **DSA,
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense"],
            "attention_bias": True,
            "tie_word_embeddings": True,
            "n_shared_experts": 2,
        },
    ),
    ("minimax", "minimax", {"num_local_experts": 4, "num_experts_per_tok": 2}),
    (
        "minimax-layer-types-window-tied",
        "minimax",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "head_dim": 24,
            "layer_types": [
                "linear_attention",
                "linear_attention",
                "full_attention",
                "linear_attention",
            ],
            "sliding_window": 16,
            "tie_word_embeddings": True,
        },
    ),
    # granitemoe with a shared MLP beside the experts (none when shared_intermediate_size is 0)
    (
        "granitemoeshared",
        "granitemoeshared",
        {"num_local_experts": 4, "intermediate_size": 32, "shared_intermediate_size": 48},
    ),
    (
        "granitemoeshared-bias-top1-tied",
        "granitemoeshared",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 1,
            "intermediate_size": 32,
            "shared_intermediate_size": 24,
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
    ),
    (
        "granitemoeshared-no-shared-mlp",
        "granitemoeshared",
        {"num_local_experts": 4, "intermediate_size": 32},
    ),
    # Cohere2-MoE: parallel block, sliding/full layers, dense prefix layers, shared experts
    ("cohere2_moe", "cohere2_moe", {"num_experts": 4, "intermediate_size": 32, "head_dim": 16}),
    (
        "cohere2_moe-dense-prefix-shared-bias-rmsnorm-untied",
        "cohere2_moe",
        {
            "num_hidden_layers": 5,
            "num_key_value_heads": 1,
            "num_experts": 4,
            "intermediate_size": 32,
            "first_k_dense_replace": 2,
            "prefix_dense_intermediate_size": 80,
            "num_shared_experts": 2,
            "attention_bias": True,
            "rms_norm_eps": 1e-5,
            "tie_word_embeddings": False,
            "sliding_window": 16,
        },
    ),
    # OLMo Hybrid: Gated DeltaNet (separate projections) + OLMo-2 attention (full-width QK-norm)
    ("olmo_hybrid", "olmo_hybrid", {}),
    (
        "olmo_hybrid-layer-types-sizes-bias-tied",
        "olmo_hybrid",
        {
            "num_hidden_layers": 5,
            "attention_bias": True,
            "linear_num_key_heads": 2,
            "linear_num_value_heads": 4,
            "linear_key_head_dim": 8,
            "linear_value_head_dim": 12,
            "linear_conv_kernel_dim": 3,
            "layer_types": [
                "linear_attention",
                "full_attention",
                "linear_attention",
                "linear_attention",
                "full_attention",
            ],
            "tie_word_embeddings": True,
        },
    ),
    # LFM2: short-conv blocks where layer_types says "conv", or outside full_attn_idxs
    ("lfm2", "lfm2", {"full_attn_idxs": [1, 3]}),
    (
        "lfm2-layer-types-conv-bias-untied-width",
        "lfm2",
        {
            "layer_types": ["conv", "full_attention", "conv", "conv"],
            "conv_bias": True,
            "conv_L_cache": 4,
            "tie_word_embeddings": False,
            "intermediate_size": 200,
            "block_ffn_dim_multiplier": 1.5,
            "block_multiple_of": 32,
        },
    ),
]

EXTRA = {name: extra for name, _, extra in VARIANTS}
HYBRIDS = (
    "jamba",
    "bamba",
    "granitemoehybrid",
    "qwen3_5_text",
    "minimax",
    "lfm2",
    "olmo_hybrid",
)


def _reference(cfg) -> tuple[int, int, dict[int, int]]:
    """(total, active, routed-expert numel per layer) of the transformers model: active is
    total minus the (E - k) / E share of each layer's ``.experts.`` parameters."""
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    routed: dict[int, int] = {}
    for name, p in model.named_parameters():
        if ".experts." in name:
            parts = name.split(".")
            idx = int(parts[parts.index("layers") + 1])
            routed[idx] = routed.get(idx, 0) + p.numel()
    e = (
        getattr(cfg, "num_local_experts", None)
        or getattr(cfg, "n_routed_experts", None)
        or getattr(cfg, "num_experts", None)
        or 0
    )
    k = getattr(cfg, "num_experts_per_tok", None) or 0
    k = max(k) if isinstance(k, list) else k
    active = total - sum(n * (e - k) // e for n in routed.values()) if e else total
    return total, active, routed


def _mixer_of(layer, name: str) -> str:
    """The engine's mixer for a transformers layer: attention when it has ``self_attn``, else
    the SSM or linear-attention module it holds."""
    attn = getattr(layer, "self_attn", None)
    if attn is not None:
        # MiniMax's Lightning Attention sits where attention does: a fused qkv_proj, no q_proj
        if hasattr(attn, "kv_a_proj_with_mqa"):
            return "mla"
        return "linear_attention" if hasattr(attn, "qkv_proj") else "attention"
    if getattr(layer, "linear_attn", None) is not None:
        return "linear_attention"
    if getattr(layer, "conv", None) is not None:  # LFM2's Lfm2ShortConv
        return "short_conv"
    mamba = getattr(layer, "mamba", None)
    assert mamba is not None, f"{name}: no mixer found on {type(layer).__name__}"
    return "mamba" if hasattr(mamba, "x_proj") else "mamba2"


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
    assert len(pattern) == cfg.num_hidden_layers
    # the per-layer mix is the one transformers built: MoE exactly where the experts are,
    # attention exactly where self_attn is
    model = _build(cfg)
    for i, layer in enumerate(model.model.layers):
        assert (pattern[i]["ffn"] == "moe") == (i in routed), (i, pattern[i])
        mixer = pattern[i]["mixer"]
        built = _mixer_of(layer, name)
        if built == "attention":
            assert mixer in ("attention", "sliding_attention"), (i, mixer)
        else:
            assert mixer == built, (i, mixer, built)
    layer_types = getattr(cfg, "layer_types", None)
    if layer_types and all(
        t in ("full_attention", "sliding_attention", "chunked_attention") for t in layer_types
    ):
        assert [p["mixer"] for p in pattern] == [LAYER_TYPE_TO_MIXER[t] for t in layer_types]


def _kv_heads_x_dim(cfg) -> int:
    return cfg.num_key_value_heads * (
        getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    )


@pytest.mark.parametrize(
    "name,model_type,extra",
    [v for v in VARIANTS if v[1] in HYBRIDS],
    ids=[v[0] for v in VARIANTS if v[1] in HYBRIDS],
)
def test_hybrid_kv_cache_counts_only_attention_layers(
    name: str, model_type: str, extra: dict
) -> None:
    """KV bytes per token: 2 (K, V) x kv_heads x head_dim x 2 bytes per attention layer only;
    the Mamba / DeltaNet layers hold a constant state instead."""
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    model = _build(cfg)
    attention_layers = sum(
        1 for i, layer in enumerate(model.model.layers) if _mixer_of(layer, name) == "attention"
    )
    report = analyze_config(cfg.to_dict())
    assert report["memory"]["kv_bytes_per_token"] == attention_layers * 2 * _kv_heads_x_dim(cfg) * 2
    assert report["memory"]["state_bytes_per_sequence"] > 0
    assert report["backbone"]["decoder_type"] in ("hybrid", "hybrid_moe")
    assert report["spec"]["attention_variant"] == "GQA"


def test_mamba_state_per_sequence_is_the_cache_transformers_allocates() -> None:
    """Jamba (Mamba-1): conv intermediate x d_conv (bf16) + ssm intermediate x d_state (fp32);
    Bamba (Mamba-2): conv (intermediate + 2 groups x state) x d_conv + heads x head_dim x state."""
    cfg = AutoConfig.for_model("jamba", **{**SMALL, **EXTRA["jamba"]})
    report = analyze_config(cfg.to_dict())
    inter = cfg.mamba_expand * cfg.hidden_size
    mamba_layers = cfg.layers_block_type.count("mamba")
    assert report["memory"]["state_bytes_per_sequence"] == mamba_layers * (
        inter * cfg.mamba_d_conv * 2 + inter * cfg.mamba_d_state * 4
    )
    cfg = AutoConfig.for_model("bamba", **{**SMALL, **EXTRA["bamba"]})
    report = analyze_config(cfg.to_dict())
    inter = cfg.mamba_expand * cfg.hidden_size
    conv_dim = inter + 2 * cfg.mamba_n_groups * cfg.mamba_d_state
    mamba_layers = cfg.layers_block_type.count("linear_attention")
    assert report["memory"]["state_bytes_per_sequence"] == mamba_layers * (
        conv_dim * cfg.mamba_d_conv * 2
        + cfg.mamba_n_heads * cfg.mamba_d_head * cfg.mamba_d_state * 4
    )


def test_llama4_chunked_layers_cap_the_kv_cache_at_one_chunk() -> None:
    cfg = AutoConfig.for_model("llama4_text", **{**SMALL, **EXTRA["llama4_text"]})
    report = analyze_config(cfg.to_dict(), context_len=64)
    kv = report["memory"]["kv_bytes"]
    per_layer = 2 * _kv_heads_x_dim(cfg) * 2
    chunked = cfg.layer_types.count("chunked_attention")
    assert chunked and report["backbone"]["attention"]["sliding_window"] == 16
    assert kv["bytes"] == per_layer * (chunked * 16 + (4 - chunked) * 64)
    assert report["backbone"]["positional"]["nope_layers"] == cfg.no_rope_layers.count(0)


def test_multimodal_wrappers_are_exact_with_their_text_config_only() -> None:
    """The Llama 4 / Qwen3.5 wrappers read their text model from text_config (and count their
    vision tower: test_backbone_families_multimodal.py). Flat, without text_config, transformers
    builds the config class's default text model, not the flat keys: those stay estimated."""
    nested = {
        "llama4": {**SMALL, "num_local_experts": 4},
        "qwen3_5": {**SMALL, **DELTANET},
        "qwen3_5_moe": {**SMALL, **DELTANET, "num_experts": 8, **MOE},
    }
    for model_type, text in nested.items():
        config = {"model_type": model_type, **SMALL}
        assert analyze_config(config)["estimated"] is True, model_type
        config = {"model_type": model_type, "text_config": text}
        assert analyze_config(config)["estimated"] is False, model_type


def test_lightning_state_is_one_heads_x_head_dim_squared_matrix_per_linear_layer() -> None:
    """MiniMax's cache keeps K^T V per Lightning layer: (batch, heads, head_dim, head_dim),
    whatever the context; the engine counts it in fp32 like the other recurrent states."""
    cfg = AutoConfig.for_model("minimax", **{**SMALL, **EXTRA["minimax-layer-types-window-tied"]})
    report = analyze_config(cfg.to_dict())
    linear = cfg.layer_types.count("linear_attention")
    assert report["memory"]["state_bytes_per_sequence"] == linear * 4 * 24 * 24 * 4
    assert (
        report["backbone"]["layers"]["summary"] == "3 Lightning Attention + 1 sliding GQA · 4 MoE"
    )
    assert report["backbone"]["attention"]["sliding_window"] == 16


def _minimax_m1_shape(**extra: Any) -> dict[str, Any]:
    """MiniMax-M1's own (remote-code) spelling of a small network."""
    return {
        "model_type": "minimax_m1",
        "architectures": ["MiniMaxM1ForCausalLM"],
        **SMALL,
        "head_dim": 16,
        "num_local_experts": 4,
        "num_experts_per_tok": 2,
        "attn_type_list": [0, 0, 0, 1],
        "rotary_dim": 8,
        "postnorm": True,
        "layernorm_full_attention_alpha": 3.5,
        "shared_intermediate_size": 0,
        **extra,
    }


def test_minimax_m1_spelling_counts_as_the_native_minimax_network() -> None:
    """attn_type_list (1 = softmax) becomes layer_types; the totals are those of the native
    transformers model built with that layer_types; the remote-code alias reads the same."""
    config = _minimax_m1_shape()
    native = AutoConfig.for_model(
        "minimax",
        **{k: v for k, v in config.items() if k in SMALL or k in ("head_dim",)},
        num_local_experts=4,
        num_experts_per_tok=2,
        layer_types=["linear_attention"] * 3 + ["full_attention"],
    )
    total, active, _ = _reference(native)
    report = analyze_config(config)
    assert report["estimated"] is False and report["backbone"]["family_module"] == "minimax_m1"
    assert (report["params"]["total"], report["params"]["active"]) == (total, active)
    assert report["backbone"]["positional"]["partial_rotary_factor"] == 0.5
    alias = analyze_config(
        {**config, "model_type": "minimax_text_01", "architectures": ["MiniMaxText01ForCausalLM"]}
    )
    assert alias["params"]["total"] == total and alias["estimated"] is False
    # a shared expert the native code does not build: not claimed as exact
    shared = analyze_config(_minimax_m1_shape(shared_intermediate_size=32))
    assert shared["estimated"] is True
    assert any("shared_intermediate_size is 32" in n for n in shared["notes"])


def test_deepseek_sparse_attention_caches_the_indexer_key_and_reads_top_k_latents() -> None:
    """DeepSeek-V3.2: KV per token is the MLA latent plus the indexer's key in every layer; past
    index_topk tokens the attention FLOPs and a decode step's KV read stop growing for the
    latents and keep growing for the indexer."""
    cfg = AutoConfig.for_model("deepseek_v32", **{**SMALL, **DSA})
    latent, idx, layers = 16 + 8, 16, SMALL["num_hidden_layers"]
    at_8 = analyze_config(cfg.to_dict(), context_len=8)
    at_64 = analyze_config(cfg.to_dict(), context_len=64)
    assert at_8["memory"]["kv_bytes_per_token"] == layers * (latent + idx) * 2
    assert at_64["memory"]["kv_bytes"]["bytes"] == layers * (latent + idx) * 2 * 64  # all stored
    assert at_64["compute"]["decode_bytes_detail"]["kv"] == layers * 2 * (latent * 8 + idx * 64)
    heads, qk_v = SMALL["num_attention_heads"], 8 + 8 + 8
    assert at_64["compute"]["flops_detail"]["attention_flops"] == layers * (
        2 * heads * qk_v * 8 + 2 * 4 * 16 * 64
    )
    assert at_64["backbone"]["attention"]["sparse_top_k"] == 8
    assert any("DeepSeek Sparse Attention" in n for n in at_64["notes"])
    assert not any("layer_types" in n for n in at_64["notes"])


# DBRX writes its sizes under its own names, attention and FFN settings nested
DBRX_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    (
        "dbrx-gqa-top2",
        {
            "d_model": 64,
            "n_heads": 4,
            "n_layers": 3,
            "vocab_size": 512,
            "max_seq_len": 4096,
            "attn_config": {"kv_n_heads": 2, "clip_qkv": 8, "rope_theta": 500000},
            "ffn_config": {"ffn_hidden_size": 32, "moe_num_experts": 4, "moe_top_k": 2},
        },
    ),
    # the config class's defaults: one K/V head, 4 experts of 3584, top-1 (DbrxAttention reads
    # attn_config.rope_theta, which has no default)
    (
        "dbrx-defaults-mqa",
        {
            "d_model": 64,
            "n_heads": 4,
            "n_layers": 2,
            "vocab_size": 512,
            "attn_config": {"rope_theta": 10000},
        },
    ),
    (
        "dbrx-instruct",
        {
            "d_model": 6144,
            "n_heads": 48,
            "n_layers": 40,
            "vocab_size": 100352,
            "max_seq_len": 32768,
            "attn_config": {"clip_qkv": 8, "kv_n_heads": 8, "rope_theta": 500000},
            "ffn_config": {
                "ffn_hidden_size": 10752,
                "moe_jitter_eps": 0.01,
                "moe_loss_weight": 0.05,
                "moe_num_experts": 16,
                "moe_top_k": 4,
            },
        },
    ),
]


@pytest.mark.parametrize("name,config", DBRX_VARIANTS, ids=[v[0] for v in DBRX_VARIANTS])
def test_dbrx_nested_configs_match_transformers(name: str, config: dict[str, Any]) -> None:
    """DBRX: fused Wqkv (kv_n_heads from attn_config), GLU experts w1/v1/w2 and a router from
    ffn_config, bias-free LayerNorms; read as config.json writes it and as transformers
    round-trips it, both to the parameter, KV and the nested keys quoted as evidence."""
    from axes.backbone.facts import backbone_facts

    cfg = AutoConfig.for_model("dbrx", **config)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    ffn = cfg.ffn_config
    active = total - routed * (ffn.moe_num_experts - ffn.moe_top_k) // ffn.moe_num_experts
    written = {"model_type": "dbrx", "architectures": ["DbrxForCausalLM"], **config}
    for report in (analyze_config(written), analyze_config(cfg.to_dict())):
        params = report["params"]
        assert report["estimated"] is False, report["notes"]
        assert (params["total"], params["active"]) == (total, active), params["breakdown"]
        assert params["breakdown"]["routed_experts"] == routed
        assert sum(params["breakdown"].values()) == total
        kv_heads, head_dim = cfg.attn_config.kv_n_heads, cfg.d_model // cfg.n_heads
        assert report["memory"]["kv_bytes_per_token"] == cfg.n_layers * 2 * kv_heads * head_dim * 2
        assert report["backbone"]["context_length"] == cfg.max_seq_len
        moe = f"{cfg.n_layers} MoE"
        variant = "MQA" if kv_heads == 1 else "GQA"
        assert report["backbone"]["layers"]["summary"] == f"{cfg.n_layers} {variant} · {moe}"
        assert not any("intermediate_size" in n for n in report["notes"])
    facts = {f.kind: f for f in backbone_facts(written, analyze_config(written))}
    assert facts["backbone.attention"].evidence.locator.endswith(
        "attn_config.kv_n_heads" if "kv_n_heads" in config["attn_config"] else "n_heads"
    )
    theta = config["attn_config"]["rope_theta"]
    assert facts["backbone.positional"].value["rope_theta"] == theta
    if "ffn_config" in config:
        assert "ffn_config.moe_num_experts" in facts["backbone.moe"].evidence.locator
    if name == "dbrx-instruct":  # the model card's 132B total, 36B active
        assert (total, active) == (131_596_523_520, 36_469_708_800)


def test_dbrx_nested_config_of_the_wrong_kind_is_refused_by_name() -> None:
    from axes.backbone.errors import ConfigError

    config = {"model_type": "dbrx", "d_model": 64, "n_heads": 4, "n_layers": 2, "vocab_size": 512}
    with pytest.raises(ConfigError, match="ffn_config must be a JSON object, not list"):
        analyze_config({**config, "ffn_config": [32]})
    with pytest.raises(ConfigError, match=r"num_attention_heads \(4\) is not a multiple of"):
        analyze_config({**config, "attn_config": {"kv_n_heads": 3}})


def test_lfm2_conv_state_is_hidden_x_conv_l_cache_per_conv_layer() -> None:
    """LFM2's cache keeps the last conv_L_cache inputs of each short-conv layer, (batch, hidden,
    conv_L_cache) in the model dtype: a state per sequence, counted as the Mamba conv states
    are, with the depthwise conv's FLOPs; the attention layers alone hold KV."""
    extra = EXTRA["lfm2-layer-types-conv-bias-untied-width"]
    cfg = AutoConfig.for_model("lfm2", **{**SMALL, **extra})
    report = analyze_config(cfg.to_dict(), context_len=64)
    memory = report["memory"]
    conv = 3 * 64 * 4 * 2  # 3 conv layers x hidden 64 x conv_L_cache 4 x bf16
    assert memory["state_bytes_detail"] == {
        "conv_bytes": conv,
        "ssm_bytes": 0,
        "total": conv,
        "conv_dtype": "bf16",  # the KV cache's dtype
    }
    assert memory["state_bytes_basis"] == (
        "per sequence, constant in context: conv state in bf16 (the KV-cache dtype)"
    )
    assert memory["state_bytes_per_sequence"] == conv
    assert memory["kv_bytes_per_token"] == 1 * 2 * 2 * 16 * 2
    assert report["backbone"]["layers"]["summary"] == "3 short conv + 1 GQA · 4 MLP"
    attention = 4 * 4 * 16 * 64  # one attention layer at context 64
    assert report["compute"]["flops_detail"]["attention_flops"] == attention + 3 * 2 * 64 * 4
    assert report["compute"]["decode_bytes_detail"]["state"] == conv


def test_lfm2_as_liquid_writes_its_config() -> None:
    """LFM2-1.2B's config.json: block_ff_dim (the MLP width before Lfm2MLP adjusts it),
    tie_embedding, full_attn_idxs and no layer_types: 1,170,340,608 parameters, as the meta
    build, with its 10 conv layers' state."""
    config = {
        "architectures": ["Lfm2ForCausalLM"],
        "block_auto_adjust_ff_dim": True,
        "block_dim": 2048,
        "block_ff_dim": 12288,
        "block_ffn_dim_multiplier": 1.0,
        "block_multiple_of": 256,
        "conv_L_cache": 3,
        "conv_bias": False,
        "full_attn_idxs": [2, 5, 8, 10, 12, 14],
        "hidden_size": 2048,
        "max_position_embeddings": 128000,
        "norm_eps": 1e-05,
        "num_attention_heads": 32,
        "num_heads": 32,
        "num_hidden_layers": 16,
        "num_key_value_heads": 8,
        "rope_theta": 1000000.0,
        "tie_embedding": True,
        "vocab_size": 65536,
    }
    total, _, _ = _reference(AutoConfig.for_model("lfm2", **config))
    report = analyze_config({"model_type": "lfm2", **config})
    assert report["estimated"] is False and report["notes"] == []
    assert report["params"]["total"] == total == 1_170_340_608
    assert report["backbone"]["layers"]["summary"] == "10 short conv + 6 GQA · 16 MLP"
    assert report["backbone"]["decoder_type"] == "hybrid"
    assert report["memory"]["state_bytes_per_sequence"] == 10 * 2048 * 3 * 2


@pytest.mark.parametrize(
    "extra",
    [
        {"first_k_dense_replace": 2, "sliding_window_pattern": 2},
        {"first_k_dense_replace": 3, "prefix_dense_sliding_window_pattern": 2},
        {"sliding_window": None},
    ],
    ids=["dense-prefix", "prefix-pattern", "no-window"],
)
def test_cohere2_moe_layer_mix_from_the_keys_config_json_writes(extra: dict[str, Any]) -> None:
    """Without layer_types / mlp_layer_types, the sliding and dense layers come from
    first_k_dense_replace and the two window patterns, as Cohere2MoeConfig expands them (and a
    null sliding_window leaves the sliding layers unwindowed, full attention)."""
    written = {
        "model_type": "cohere2_moe",
        **SMALL,
        "num_hidden_layers": 7,
        "num_experts": 4,
        "intermediate_size": 32,
        "head_dim": 16,
        **extra,
    }
    cfg = AutoConfig.for_model(
        "cohere2_moe", **{k: v for k, v in written.items() if k != "model_type"}
    )
    model = _build(cfg)
    report = analyze_config(written)
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    pattern = report["backbone"]["layers"]["pattern"]
    assert [p["ffn"] for p in pattern] == [
        "mlp" if t == "dense" else "moe" for t in cfg.mlp_layer_types
    ]
    window = [layer.self_attn.sliding_window for layer in model.model.layers]
    assert [p["mixer"] == "sliding_attention" for p in pattern] == [w is not None for w in window]
    slides = any(w is not None for w in window)
    assert report["backbone"]["attention"]["sliding_window"] == (4096 if slides else None)


def test_cohere2_moe_unusable_mlp_layer_types_is_noted_and_first_k_dense_replace_read() -> None:
    config = {
        "model_type": "cohere2_moe",
        **SMALL,
        "num_experts": 4,
        "intermediate_size": 32,
        "first_k_dense_replace": 1,
        "mlp_layer_types": ["dense", "moe", "sparse", "sparse"],
    }
    report = analyze_config(config)
    assert (
        "mlp_layer_types does not say dense or sparse for every layer; ignored" in (report["notes"])
    )
    assert report["backbone"]["layers"]["summary"] == "1 full + 3 sliding · 1 MLP + 3 MoE"


@pytest.mark.parametrize("layers", [6, 2])
def test_olmo_hybrid_as_config_json_writes_it(layers: int) -> None:
    """Without layer_types every 4th layer is full attention (the last one when none is), the
    DeltaNet sizes default from the attention heads, and a null rope_parameters (the released
    checkpoints) means no RoPE; the DeltaNet state is counted per linear layer."""
    written = {"model_type": "olmo_hybrid", **SMALL, "num_hidden_layers": layers}
    cfg = AutoConfig.for_model(
        "olmo_hybrid", **{k: v for k, v in written.items() if k != "model_type"}
    )
    report = analyze_config({**written, "rope_parameters": None})
    assert report["params"]["total"] == _reference(cfg)[0]
    mixers = [p["mixer"] for p in report["backbone"]["layers"]["pattern"]]
    assert mixers == [LAYER_TYPE_TO_MIXER[t] for t in cfg.layer_types]
    assert report["backbone"]["positional"]["type"] == "none"
    linear = cfg.layer_types.count("linear_attention")
    key_dim, value_dim = 4 * cfg.linear_key_head_dim, 4 * cfg.linear_value_head_dim
    assert report["memory"]["state_bytes_per_sequence"] == linear * (
        (2 * key_dim + value_dim) * 4 * 2
        + 4 * cfg.linear_key_head_dim * cfg.linear_value_head_dim * 4
    )
    with_rope = analyze_config(written)["backbone"]["positional"]
    assert (with_rope["type"], with_rope["rope_theta"]) == ("rope", 10000.0)


def test_hunyuan_per_layer_top_k_counts_each_layers_own() -> None:
    """Hunyuan's moe_topk may be a list, one top-k per layer (HunYuanMoEV1Gate reads
    moe_topk[layer_idx]). Active parameters used the largest for every layer, marked an
    estimate; they are now exact: total minus, in each layer, the share of its routed experts
    that its own top-k leaves out, read from the built model's gates."""
    cfg = AutoConfig.for_model(
        "hunyuan_v1_moe", **{**SMALL, "num_experts": 8, "moe_topk": [1, 2, 4, 2], "head_dim": 16}
    )
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    skipped = 0
    for layer in model.model.layers:
        experts, top_k = layer.mlp.experts, layer.mlp.gate.top_k
        routed = sum(p.numel() for p in experts.parameters())
        skipped += routed * (experts.num_experts - top_k) // experts.num_experts
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False, report["notes"]
    assert report["params"]["total"] == total
    assert report["params"]["active"] == total - skipped
    assert report["spec"]["experts_per_token"] == 4
    assert (
        "moe_topk differs between layers ([1, 2, 4]): experts_per_token shows the largest; "
        "active parameters count each layer's own"
    ) in report["notes"]
