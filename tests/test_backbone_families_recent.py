"""Recently added model types against transformers: tiny variants of qwen4_exp_text (and its qwen4_exp
wrapper) and of gemma4_unified_text (and its gemma4_unified / gemma4_unified_assistant
wrappers), of minimax_m3_vl_text and of hrm_text built on the meta device and counted parameter
by parameter, as in
test_backbone_reference.py, with the KV cache each built attention module holds per token and
the recurrent state the engine derives from the same shapes.

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

# Qwen4-Exp: Gated DeltaNet + gated attention with the QSA indexer, a shared-expert MoE in
# every layer, low-rank gated hyper-connections
QWEN4 = {
    "head_dim": 16,
    "linear_num_key_heads": 2,
    "linear_num_value_heads": 4,
    "linear_key_head_dim": 8,
    "linear_value_head_dim": 12,
    "num_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "shared_expert_intermediate_size": 48,
    "hc_count": 3,
    "hc_lowrank": 10,
    "indexer_n_heads": 2,
    "indexer_kv_heads": 1,
    "indexer_head_dim": 16,
    "indexer_budget": 64,
    "indexer_compress_ratio": 4,
}
# PLE: hashed n-gram tables sized by primes from ngram_vocab_size_base
PLE = {"eos_token_id": 1, "ngram_vocab_size_base": 1000, "heads_per_ngram": 2, "ple_embed_dim": 32}

VARIANTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("qwen4_exp_text", "qwen4_exp_text", QWEN4, "3 Gated DeltaNet + 1 GQA · 4 MoE"),
    (
        "qwen4_exp_text-ple-two-layers-hc4",
        "qwen4_exp_text",
        {**QWEN4, **PLE, "ple_layer_ids": [2, 1], "hc_count": 4, "hc_lowrank": 6},
        "3 Gated DeltaNet + 1 GQA · 4 MoE",
    ),
    (
        "qwen4_exp_text-ple-4gram-tied-layer-types",
        "qwen4_exp_text",
        {
            **QWEN4,
            **PLE,
            "num_hidden_layers": 6,
            "layer_types": ["linear_attention", "full_attention"] * 3,
            "ple_layer_ids": [5, 1],
            "ngram_size": 4,
            "heads_per_ngram": 4,
            "ple_embed_dim": 48,
            "ple_conv_kernel_size": 3,
            "make_ngram_vocab_size_divisible_by": 64,
            "tie_word_embeddings": True,
            "attention_bias": True,
        },
        "3 Gated DeltaNet + 3 GQA · 6 MoE",
    ),
    (
        "qwen4_exp-wrapper-ple",
        "qwen4_exp",
        {"text_config": {**SMALL, **QWEN4, **PLE, "ple_layer_ids": [3]}},
        "3 Gated DeltaNet + 1 GQA · 4 MoE",
    ),
]


def _reference(model, cfg) -> tuple[int, int]:
    """(total, active) of the transformers model: active is total minus the (E - k) / E share
    of each layer's ``.experts.`` parameters."""
    text = getattr(cfg, "text_config", None) or cfg
    total = sum(p.numel() for p in model.parameters())
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    e, k = text.num_experts, text.num_experts_per_tok
    return total, total - routed * (e - k) // e


def _kv_elements_per_token(model) -> int:
    """Each built attention module's K and V widths, plus its QSA indexer's key."""
    total = 0
    for layer in model.model.layers:
        attn = getattr(layer, "self_attn", None)
        if attn is None:
            continue
        total += attn.k_proj.out_features + attn.v_proj.out_features
        total += attn.indexer.index_kv_heads * attn.indexer.index_head_dim
    return total


def _ple_conv_state(model) -> int:
    """Elements of the PLE layers' conv states: each conv's channels x its state length."""
    return sum(
        layer.ple.conv1d.in_channels * layer.ple.short_conv_state_len
        for layer in model.model.layers
        if layer.ple is not None
    )


@pytest.mark.parametrize("name,model_type,extra,summary", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_variant_matches_transformers(
    name: str, model_type: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model(
        model_type, **({**SMALL, **extra} if "text_config" not in extra else extra)
    )
    model = _build(cfg)
    total, active = _reference(model, cfg)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
    in_layers = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
    assert sum(params["per_layer"]) == in_layers
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model) * 2
    assert report["backbone"]["layers"]["summary"] == summary
    text = getattr(cfg, "text_config", None) or cfg
    # Gated DeltaNet: conv over 2 x key_dim + value_dim (bf16), recurrent state (fp32); PLE
    # layers their own conv state
    linear = text.layer_types.count("linear_attention")
    kd = text.linear_num_key_heads * text.linear_key_head_dim
    vd = text.linear_num_value_heads * text.linear_value_head_dim
    conv = linear * (2 * kd + vd) * text.linear_conv_kernel_dim + _ple_conv_state(model)
    ssm = (
        linear * text.linear_num_value_heads * text.linear_key_head_dim * text.linear_value_head_dim
    )
    assert report["memory"]["state_bytes_per_sequence"] == 2 * conv + 4 * ssm
    # the n-gram tables are lookups: out of active_excluding_input_embedding like embed_tokens
    tables = sum(p.numel() for n, p in model.named_parameters() if "ngram_embedding" in n)
    embed = 0 if text.tie_word_embeddings else model.model.embed_tokens.weight.numel()
    assert params["active_excluding_input_embedding"] == active - embed - tables


def test_qwen4_exp_qsa_attends_to_the_budget_and_scores_every_block() -> None:
    """Past indexer_budget + compress_ratio - 1 tokens, an attention layer's scores and sum run
    over the picked tokens, its indexer scores every complete block, and a decode step reads
    every indexer key but the K/V of the picked tokens only."""
    cfg = AutoConfig.for_model("qwen4_exp_text", **{**SMALL, **QWEN4})
    report = analyze_config(cfg.to_dict(), context_len=256)
    attended, blocks = 64 + 3, 256 // 4
    deltanet = 3 * 4 * 4 * 8 * 12
    attention = 4 * 4 * 16 * attended + 2 * 2 * 16 * blocks
    assert report["compute"]["flops_detail"]["attention_flops"] == deltanet + attention
    assert report["compute"]["decode_bytes_detail"]["kv"] == 2 * (2 * 2 * 16 * attended + 16 * 256)
    assert report["backbone"]["attention"]["sparse_top_k"] == attended
    assert any(n.startswith("QSA: each query of the 1 attention layers") for n in report["notes"])


def test_qwen4_exp_default_config_without_indexer_is_counted_and_says_so() -> None:
    """The config class's defaults leave the indexer_* keys unset, and transformers then cannot
    build the attention layers (Qwen4ExpTextQSAIndexer divides None by None): the engine counts
    the rest exactly (checked against the same config with a complete indexer, less the
    indexers) and says the indexer is left out."""
    with pytest.raises(TypeError):
        _build(AutoConfig.for_model("qwen4_exp_text", **SMALL, head_dim=16))
    indexer = {k: QWEN4[k] for k in QWEN4 if k.startswith("indexer_")}
    # a tiny model, and the config class's own sizes (RoPE over all 256 dims of a head: the
    # indexer's heads must be as wide)
    for kwargs, width in (({**SMALL, "head_dim": 16}, 16), ({}, 256)):
        report = analyze_config(AutoConfig.for_model("qwen4_exp_text", **kwargs).to_dict())
        assert "counted without one" in " ".join(report["notes"])
        indexer["indexer_head_dim"] = width
        model = _build(AutoConfig.for_model("qwen4_exp_text", **kwargs, **indexer))
        total = sum(p.numel() for n, p in model.named_parameters() if ".indexer." not in n)
        assert report["params"]["total"] == total


def test_qwen4_exp_ple_layer_ids_must_name_linear_layers() -> None:
    """transformers refuses PLE on an attention layer or past the last layer; so does the
    engine, naming the key."""
    from axes.backbone.errors import ConfigError

    config = {"model_type": "qwen4_exp_text", **SMALL, **QWEN4, **PLE}
    for ids in ([4], [0], [5]):
        with pytest.raises(ConfigError, match="ple_layer_ids"):
            analyze_config({**config, "ple_layer_ids": ids})
    with pytest.raises(ConfigError, match="ple_embed_dim"):
        analyze_config({**config, "ple_layer_ids": [1], "ple_embed_dim": 30})


# Gemma 4 Unified: Gemma 4's text model without PLE or MoE, wrapped with encoder-free
# embedders (gemma4_unified) or as a K/V-sharing draft model (gemma4_unified_assistant)
GEMMA = {**SMALL, "head_dim": 16, "global_head_dim": 32, "sliding_window": 8}
ALTERNATING = ["sliding_attention", "full_attention"] * 3
# the keys Gemma 4 reads that Gemma 4 Unified's config has not: not built, not counted
NOT_UNIFIED = {"hidden_size_per_layer_input": 8, "enable_moe_block": True, "num_experts": 4}

GEMMA_VARIANTS: list[tuple[str, str, dict[str, Any], str]] = [
    ("gemma4_unified_text", "gemma4_unified_text", GEMMA, "3 sliding + 1 full · 4 MLP"),
    (
        "gemma4_unified_text-k-eq-v-shared-wide-untied",
        "gemma4_unified_text",
        {
            **GEMMA,
            **NOT_UNIFIED,
            "num_hidden_layers": 6,
            "layer_types": ALTERNATING,
            "attention_k_eq_v": True,
            "num_global_key_value_heads": 1,
            "num_kv_shared_layers": 2,
            "use_double_wide_mlp": True,
            "tie_word_embeddings": False,
            "attention_bias": True,
        },
        "3 sliding + 3 full, the last 2 reusing earlier layers' K/V · 6 MLP",
    ),
    (
        "gemma4_unified-untied-top-level-vision-audio",
        "gemma4_unified",
        {
            "text_config": {**GEMMA, "tie_word_embeddings": True},
            "tie_word_embeddings": False,
            "vision_config": {"mm_embed_dim": 40, "output_proj_dims": 40, "mm_posemb_size": 10},
            "audio_config": {"audio_embed_dim": 24},
        },
        "3 sliding + 1 full · 4 MLP",
    ),
    (
        "gemma4_unified-audio-only",
        "gemma4_unified",
        {"text_config": GEMMA, "audio_config": {"audio_embed_dim": 24}},
        "3 sliding + 1 full · 4 MLP",
    ),
    (
        "gemma4_unified_assistant",
        "gemma4_unified_assistant",
        {"text_config": GEMMA, "backbone_hidden_size": 48},
        "3 sliding + 1 full, the last 4 reusing earlier layers' K/V · 4 MLP",
    ),
    (
        "gemma4_unified_assistant-centroids-wide-untied",
        "gemma4_unified_assistant",
        {
            "text_config": {**GEMMA, "use_double_wide_mlp": True},
            "backbone_hidden_size": 48,
            "use_ordered_embeddings": True,
            "num_centroids": 16,
            "tie_word_embeddings": False,
        },
        "3 sliding + 1 full, the last 4 reusing earlier layers' K/V · 4 MLP",
    ),
    (
        "gemma4_unified_assistant-own-kv-layers",
        "gemma4_unified_assistant",
        {
            "text_config": {
                **GEMMA,
                "num_hidden_layers": 6,
                "layer_types": ALTERNATING,
                "num_kv_shared_layers": 2,
            },
            "backbone_hidden_size": 48,
        },
        "3 sliding + 3 full, the last 2 reusing earlier layers' K/V · 6 MLP",
    ),
]


def _gemma_kv_elements_per_token(text_model) -> int:
    """K and V of every layer that computes its own (has a k_proj): V is as wide as K,
    whether from v_proj or, with attention_k_eq_v, from k_proj itself."""
    return sum(
        2 * layer.self_attn.k_proj.out_features
        for layer in text_model.layers
        if getattr(layer.self_attn, "k_proj", None) is not None
    )


@pytest.mark.parametrize(
    "name,model_type,extra,summary", GEMMA_VARIANTS, ids=[v[0] for v in GEMMA_VARIANTS]
)
def test_gemma4_unified_matches_transformers(
    name: str, model_type: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model(model_type, **extra)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config({**cfg.to_dict(), **extra})
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert sum(params["breakdown"].values()) == total
    text = model.model.language_model if model_type == "gemma4_unified" else model.model
    assert params["per_layer"] == [sum(p.numel() for p in x.parameters()) for x in text.layers]
    assert report["memory"]["kv_bytes_per_token"] == 2 * _gemma_kv_elements_per_token(text)
    assert report["backbone"]["layers"]["summary"] == summary
    embedders = sum(
        p.numel()
        for n, p in model.named_parameters()
        if ".embed_vision." in n or ".embed_audio." in n
    )
    assert params["breakdown"]["vision"] == embedders
    own_kv = report["memory"]["kv_bytes_per_token"] > 0
    assert own_kv != any(n.startswith("every layer of this assistant") for n in report["notes"])


# MiniMax-M3: GQA with per-head QK-norm, a lightning indexer on the minimax_m3_sparse layers,
# sigmoid-routed experts with one shared expert, or a dense MLP
M3 = {
    **SMALL,
    "num_hidden_layers": 3,
    "head_dim": 16,
    "intermediate_size": 32,
    "dense_intermediate_size": 96,
    "shared_intermediate_size": 40,
    "num_local_experts": 4,
    "num_experts_per_tok": 2,
    "index_n_heads": 2,
    "index_head_dim": 8,
    "index_block_size": 4,
    "index_topk_blocks": 2,
}

M3_VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    ("minimax_m3_vl_text", {}, "3 GQA · 3 MoE"),
    (
        "minimax_m3_vl_text-sparse-dense-tied",
        {
            "layer_types": ["full_attention", "minimax_m3_sparse", "minimax_m3_sparse"],
            "mlp_layer_types": ["dense", "sparse", "sparse"],
            "tie_word_embeddings": True,
        },
        "3 GQA · 1 MLP + 2 MoE",
    ),
    (
        # as a released config.json writes them: the legacy keys transformers converts
        "minimax_m3_vl_text-legacy-keys",
        {
            "sparse_attention_config": {
                "sparse_attention_freq": [1, 0, 1],
                "sparse_num_index_heads": 3,
                "sparse_index_dim": 4,
            },
            "moe_layer_freq": [0, 0, 1],
        },
        "3 GQA · 2 MLP + 1 MoE",
    ),
]


@pytest.mark.parametrize("name,extra,summary", M3_VARIANTS, ids=[v[0] for v in M3_VARIANTS])
def test_minimax_m3_matches_transformers(name: str, extra: dict, summary: str) -> None:
    written = {**M3, **extra}
    cfg = AutoConfig.for_model("minimax_m3_vl_text", **written)
    model = _build(cfg)
    total, active = _reference(model, cfg)
    report = analyze_config({"model_type": "minimax_m3_vl_text", **written})
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert params["per_layer"] == [
        sum(p.numel() for p in x.parameters()) for x in model.model.layers
    ]
    kv = 0
    for layer in model.model.layers:
        attn = layer.self_attn
        kv += attn.k_proj.out_features + attn.v_proj.out_features
        kv += attn.indexer.k_proj.out_features if attn.indexer is not None else 0
    assert report["memory"]["kv_bytes_per_token"] == 2 * kv
    assert report["backbone"]["layers"]["summary"] == summary


def test_minimax_m3_sparse_layers_attend_to_the_picked_blocks() -> None:
    """Past index_topk_blocks x index_block_size tokens, a sparse layer's scores and sum run
    over the picked blocks, its indexer scores every key, and a decode step reads every
    indexer key but the picked blocks' K/V; full layers attend to everything."""
    written = {"model_type": "minimax_m3_vl_text", **M3, **dict(M3_VARIANTS[1][1])}
    report = analyze_config(written, context_len=64)
    attended = 2 * 4
    full = 4 * 4 * 16 * 64
    sparse = 4 * 4 * 16 * attended + 2 * 2 * 8 * 64
    assert report["compute"]["flops_detail"]["attention_flops"] == full + 2 * sparse
    kv = 2 * 2 * 16  # K and V of the two KV heads
    assert report["compute"]["decode_bytes_detail"]["kv"] == 2 * (
        kv * 64 + 2 * (kv * attended + 8 * 64)
    )
    assert report["backbone"]["attention"]["sparse_top_k"] == attended
    assert any(n.startswith("block-sparse attention: each query of the 2") for n in report["notes"])
    plain = analyze_config({"model_type": "minimax_m3_vl_text", **M3}, context_len=64)
    assert plain["compute"]["flops_detail"]["attention_flops"] == 3 * full


# HRM-Text: two stacks of gated MHA + SwiGLU layers with weightless norms, run H_cycles x
# (L_cycles + 1) times a token
HRM = {**SMALL, "num_hidden_layers": 2, "head_dim": 16}

HRM_VARIANTS: list[tuple[str, dict[str, Any], int]] = [
    ("hrm_text", {}, 2 * 2 * (3 + 1)),
    (
        "hrm_text-biases-tied-3x1-cycles",
        {
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": True,
            "H_cycles": 3,
            "L_cycles": 1,
        },
        2 * 3 * (1 + 1),
    ),
]


@pytest.mark.parametrize("name,extra,runs", HRM_VARIANTS, ids=[v[0] for v in HRM_VARIANTS])
def test_hrm_text_matches_transformers(name: str, extra: dict, runs: int) -> None:
    """Parameters once per physical layer; every layer run caches its K/V (transformers'
    num_hidden_layers is the number of runs) and runs its matmuls. Read both as transformers
    writes the config (num_hidden_layers = runs, num_layers_per_stack) and as a legacy one
    (num_hidden_layers = layers per stack)."""
    cfg = AutoConfig.for_model("hrm_text", **{**HRM, **extra})
    assert cfg.num_hidden_layers == runs
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    for written in (cfg.to_dict(), {"model_type": "hrm_text", **HRM, **extra}):
        report = analyze_config(written)
        params = report["params"]
        assert report["estimated"] is False, report["notes"]
        assert params["total"] == total, params["breakdown"]
        assert params["active"] == total
        stacks = [model.model.L_module, model.model.H_module]
        in_layers = sum(p.numel() for s in stacks for p in s.parameters())
        assert sum(params["per_layer"]) == in_layers
        attn = model.model.L_module.layers[0].self_attn
        per_run = attn.k_proj.out_features + attn.v_proj.out_features
        assert report["memory"]["kv_bytes_per_token"] == 2 * runs * per_run
        assert report["backbone"]["layers"]["summary"] == f"{runs} MHA · {runs} MLP"
        # every run's matmuls: the L stack H x L times, the H stack H times, and the lm_head
        layer = sum(
            m.weight.numel()
            for m in model.model.L_module.layers[0].modules()
            if isinstance(m, torch.nn.Linear)
        )
        matmul = runs * layer + model.lm_head.weight.numel()
        assert report["compute"]["flops_detail"]["active_matmul_params"] == matmul
        # the per-run bookkeeping (two entries a repeated run) stays out of the exported spec
        assert "layer_extras" not in report["spec"]


def test_a_list_model_type_beside_a_gemma4_unified_text_config_is_read() -> None:
    """``"model_type": []`` beside a gemma4_unified_text text_config: the text_config's model
    type is read (the unified-wrapper check crashed with "unhashable type: 'list'")."""
    config = {"model_type": [], "text_config": {**GEMMA, "model_type": "gemma4_unified_text"}}
    cfg = AutoConfig.for_model("gemma4_unified_text", **GEMMA)
    total = sum(p.numel() for p in _build(cfg).parameters())
    assert analyze_config(config)["params"]["total"] == total
