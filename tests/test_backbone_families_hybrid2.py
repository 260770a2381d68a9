"""Hybrid families with a transformer block shared across layers, against transformers:
Zamba (Mamba-1 layers, one shared attention + MLP block run before the Mamba mixer of every
"hybrid" layer) and Zamba2 (Mamba-2 layers, ``num_mem_blocks`` shared blocks cycled over the
hybrid layers, LoRA adapters per hybrid layer). Tiny variants are built on the meta device and
counted parameter by parameter (tied blocks once), as in test_backbone_families_moe.py.

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

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

ZAMBA = {"mamba_d_state": 8, "n_mamba_heads": 2}
ZAMBA2 = {"mamba_d_state": 8, "n_mamba_heads": 4, "adapter_rank": 4}

# (id, model_type, config keys over SMALL, layer summary)
SHARED_BLOCK: list[tuple[str, str, dict[str, Any], str]] = [
    # layers_block_type from attn_layer_period / offset: layer 2, then 3 + (i % 2 == 1)
    (
        "zamba-period",
        "zamba",
        {**ZAMBA, "num_hidden_layers": 8, "attn_layer_period": 2, "attn_layer_offset": 1},
        "5 Mamba + 3 Mamba with the shared transformer block",
    ),
    (
        "zamba-untied-biases-dt-rank-heads-default",
        "zamba",
        {
            **ZAMBA,
            "num_hidden_layers": 6,
            "layers_block_type": ["mamba", "hybrid", "mamba", "mamba", "hybrid", "mamba"],
            "tie_word_embeddings": False,
            "mamba_proj_bias": True,
            "mamba_conv_bias": False,
            "mamba_dt_rank": 6,
            "attention_head_dim": 24,
        },
        "4 Mamba + 2 Mamba with the shared transformer block",
    ),
    (
        "zamba2-one-block",
        "zamba2",
        {**ZAMBA2, "num_hidden_layers": 5, "layers_block_type": ["mamba"] + ["hybrid"] * 4},
        "1 Mamba-2 + 4 Mamba-2 with the shared transformer block",
    ),
    (
        "zamba2-two-blocks-attention-adapters-biases-untied",
        "zamba2",
        {
            **ZAMBA2,
            "num_hidden_layers": 6,
            "layers_block_type": ["mamba", "hybrid", "mamba", "hybrid", "hybrid", "mamba"],
            "num_mem_blocks": 2,
            "use_shared_attention_adapter": True,
            "add_bias_linear": True,
            "mamba_ngroups": 2,
            "tie_word_embeddings": False,
            "use_mem_rope": True,
        },
        "3 Mamba-2 + 3 Mamba-2 with the shared transformer block",
    ),
    # more blocks than hybrid layers: transformers builds one per hybrid layer
    (
        "zamba2-blocks-past-hybrid-layers",
        "zamba2",
        {
            **ZAMBA2,
            "layers_block_type": ["hybrid", "mamba", "hybrid", "mamba"],
            "num_mem_blocks": 3,
            "intermediate_size": None,
        },
        "2 Mamba-2 with the shared transformer block + 2 Mamba-2",
    ),
]


def _shared_config(model_type: str, extra: dict[str, Any]):
    kwargs = {**SMALL, **extra}
    return AutoConfig.for_model(model_type, **{k: v for k, v in kwargs.items() if v is not None})


def _hybrid_layers(model) -> list[Any]:
    return [
        layer
        for layer in model.model.layers
        if hasattr(layer, "shared_transf") or hasattr(layer, "shared_transformer")
    ]


@pytest.mark.parametrize(
    "name,model_type,extra,summary", SHARED_BLOCK, ids=[v[0] for v in SHARED_BLOCK]
)
def test_shared_block_hybrids_count_as_transformers_builds_them(
    name: str, model_type: str, extra: dict, summary: str
) -> None:
    cfg = _shared_config(model_type, extra)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())  # tied blocks once
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == model_type
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total
    assert sum(params["breakdown"].values()) == total
    assert sum(params["per_layer"]) == total - sum(
        p.numel()
        for n, p in model.named_parameters()
        if not n.startswith("model.layers.")  # embeddings, final norm, an untied lm_head
    )
    layers = report["backbone"]["layers"]
    assert layers["summary"] == summary
    hybrid = _hybrid_layers(model)
    # untied, transformers ties none of the blocks: one per hybrid layer, and a note says so
    untied_note = [n for n in report["notes"] if "ties none of the" in n]
    assert bool(untied_note) == (not cfg.tie_word_embeddings and len(hybrid) > 1)
    assert [p["mixer"].startswith("shared_attention+") for p in layers["pattern"]] == [
        layer in hybrid for layer in model.model.layers
    ]
    # KV: every hybrid layer caches the shared attention's K and V (bf16); state: every layer's
    # Mamba conv (bf16) and SSM (fp32) state
    attn = getattr(hybrid[0], "shared_transf", None) or hybrid[0].shared_transformer
    kv_width = attn.self_attn.k_proj.out_features
    assert report["memory"]["kv_bytes_per_token"] == len(hybrid) * 2 * kv_width * 2
    state = 0
    for layer in model.model.layers:
        mixer = layer.mamba_decoder.mamba if layer in hybrid else layer.mamba
        conv = mixer.conv1d.in_channels * mixer.conv1d.kernel_size[0]
        ssm = mixer.intermediate_size * mixer.ssm_state_size
        state += conv * 2 + ssm * 4
    assert report["memory"]["state_bytes_per_sequence"] == state
    assert report["backbone"]["decoder_type"] == "hybrid"
    # FLOPs count the shared block's weights once per hybrid layer that runs it
    matmul = report["compute"]["flops_detail"]["active_matmul_params"]
    block = sum(
        m.weight.numel()
        for m in attn.modules()
        if isinstance(m, torch.nn.Linear) and "adapter" not in str(type(m))
    )
    assert matmul > len(hybrid) * block


# -- JetMoE: a mixture of attention heads and a sparse MoE MLP in every layer ------------------

JETMOE: list[tuple[str, dict[str, Any], str]] = [
    ("jetmoe-tied", {"num_local_experts": 4, "kv_channels": 16}, "4 GQA · 4 MoE"),
    (
        "jetmoe-untied-top1-wide-heads",
        {
            "num_local_experts": 6,
            "num_experts_per_tok": 1,
            "num_key_value_heads": 3,
            "num_attention_heads": None,  # JetMoeConfig: kv heads x top_k
            "kv_channels": 24,
            "tie_word_embeddings": False,
            "num_hidden_layers": 3,
        },
        "3 MHA · 3 MoE",
    ),
    # config.json without kv_channels / num_key_value_heads: JetMoeConfig's 128 and 16
    (
        "jetmoe-class-defaults-top3",
        {
            "num_key_value_heads": None,
            "num_attention_heads": None,
            "num_experts_per_tok": 3,
            "num_hidden_layers": 2,
        },
        "2 GQA · 2 MoE",
    ),
]


@pytest.mark.parametrize("name,extra,summary", JETMOE, ids=[v[0] for v in JETMOE])
def test_jetmoe_counts_attention_and_mlp_experts_as_transformers_builds_them(
    name: str, extra: dict, summary: str
) -> None:
    kwargs = {k: v for k, v in {**SMALL, **extra}.items() if v is not None}
    cfg = AutoConfig.for_model("jetmoe", **kwargs)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    e, k = cfg.num_local_experts, cfg.num_experts_per_tok
    # routed experts: the MoA's query / output projections and the MoE's input / output
    routed = sum(
        p.numel()
        for n, p in model.named_parameters()
        if "input_linear" in n or "output_linear" in n
    )
    config = cfg.to_dict()
    for key, value in extra.items():
        if value is None:  # a key config.json lacks: the config class's default
            config.pop(key)
    if "num_key_value_heads" not in config:
        config.pop("kv_channels")
    report = analyze_config(config)
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == "jetmoe"
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total - routed * (e - k) // e
    assert sum(params["breakdown"].values()) == total
    assert report["backbone"]["layers"]["summary"] == summary
    # K and V from kv_proj: kv_heads x kv_channels each, every layer
    attn = model.model.layers[0].self_attention
    kv_width = attn.kv_proj.out_features // 2
    assert report["memory"]["kv_bytes_per_token"] == cfg.num_hidden_layers * 2 * kv_width * 2
    assert report["spec"]["num_attention_heads"] == attn.num_heads


# -- Kimi Linear: Kimi Delta Attention layers, MLA every few layers, MoE ------------------------

KIMI = {
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 12,
    "num_experts": 8,
    "num_experts_per_token": 2,
    "moe_intermediate_size": 32,
    "linear_num_heads": 4,
    "linear_head_dim": 12,
    "num_hidden_layers": 5,
}

KIMI_LINEAR: list[tuple[str, str, dict[str, Any], str]] = [
    # the default mix: MLA at layer 4 (i > 0, i % 4 == 0), dense layer 0 (first_k_dense_replace)
    ("kimi_linear-defaults", "kimi_linear", KIMI, "4 Kimi Delta Attention + 1 MLA · 1 MLP + 4 MoE"),
    (
        "kimi_linear-q-lora-bias-tied-two-dense-two-shared",
        "kimi_linear",
        {
            **KIMI,
            "q_lora_rank": 24,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "first_k_dense_replace": 2,
            "num_shared_experts": 2,
            "linear_conv_kernel_dim": 3,
        },
        "4 Kimi Delta Attention + 1 MLA · 2 MLP + 3 MoE",
    ),
    (
        "kimi_linear-layer-types-mlp-layer-types",
        "kimi_linear",
        {
            **KIMI,
            "layer_types": ["full_attention", "linear_attention"] * 2 + ["full_attention"],
            "mlp_layer_types": ["sparse", "dense", "sparse", "sparse", "dense"],
        },
        "3 MLA + 2 Kimi Delta Attention · 3 MoE + 2 MLP",
    ),
    # the checkpoint's own spelling: linear_attn_config, 1-indexed layer lists
    (
        "kimi_linear-linear-attn-config",
        "kimi_linear",
        {
            **KIMI,
            "linear_attn_config": {
                "full_attn_layers": [2, 5],
                "kda_layers": [1, 3, 4],
                "head_dim": 8,
                "num_heads": 6,
                "short_conv_kernel_size": 2,
            },
        },
        "3 Kimi Delta Attention + 2 MLA · 1 MLP + 4 MoE",
    ),
    # Bailing Hybrid (Ling 3): MLA with a per-head output gate and RoPE, full-rank KDA gates;
    # full attention every layer_group_size layers, two dense layers first by default
    (
        "bailing_hybrid-group-3",
        "bailing_hybrid",
        {**KIMI, "num_hidden_layers": 6, "layer_group_size": 3, "head_dim": 12, "n_group": 1},
        "4 Kimi Delta Attention + 2 MLA · 2 MLP + 4 MoE",
    ),
    (
        "bailing_hybrid-q-lora-bias-tied-linear-sizes",
        "bailing_hybrid",
        {
            **KIMI,
            "q_lora_rank": 24,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "first_k_dense_replace": 1,
            "linear_num_heads": 3,
            "linear_head_dim": 16,
            "linear_conv_kernel_dim": 2,
            "layer_types": ["linear_attention", "full_attention"] * 2 + ["linear_attention"],
            "n_group": 2,
            "topk_group": 1,
        },
        "3 Kimi Delta Attention + 2 MLA · 1 MLP + 4 MoE",
    ),
]


@pytest.mark.parametrize(
    "name,model_type,extra,summary", KIMI_LINEAR, ids=[v[0] for v in KIMI_LINEAR]
)
def test_kimi_linear_counts_kda_mla_and_moe_as_transformers_builds_them(
    name: str, model_type: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    e, k = cfg.num_local_experts, cfg.num_experts_per_tok
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    config = cfg.to_dict()
    if "linear_attn_config" in extra:  # as the checkpoint writes it: no transformers-side keys
        for key in ("layer_types", "linear_head_dim", "linear_num_heads", "linear_conv_kernel_dim"):
            config.pop(key)
        config["linear_attn_config"] = extra["linear_attn_config"]
    report = analyze_config(config)
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == model_type
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total - routed * (e - k) // e
    assert sum(params["breakdown"].values()) == total
    assert report["backbone"]["layers"]["summary"] == summary
    # the lm_head is never tied (_tied_weights_keys = {}): said when config.json asks for it
    assert model.lm_head.weight is not model.model.embed_tokens.weight
    tied_note = f"tie_word_embeddings is true, but modeling_{model_type}.py ties no weights"
    assert any(n.startswith(tied_note) for n in report["notes"]) == cfg.tie_word_embeddings
    # KV: the MLA latent + rope key (bf16) per MLA layer; state: every KDA layer's conv over
    # q/k/v (bf16) and heads x head_dim x head_dim recurrent state (fp32)
    mla = [layer for layer in model.model.layers if hasattr(layer.self_attn, "kv_b_proj")]
    kda = [layer.self_attn for layer in model.model.layers if layer not in mla]
    assert (
        report["memory"]["kv_bytes_per_token"]
        == len(mla) * (cfg.kv_lora_rank + cfg.qk_rope_head_dim) * 2
    )
    assert report["memory"]["state_bytes_per_sequence"] == sum(
        a.conv_dim * a.conv_kernel_size * 2 + a.num_heads * a.head_dim * a.head_dim * 4 for a in kda
    )
    assert report["backbone"]["decoder_type"] == "hybrid_moe"


# -- LFM2-MoE: LFM2's short-conv / attention mix, sparse MoE after the dense layers -------------

LFM2_MOE: list[tuple[str, dict[str, Any], str]] = [
    # the config class's default cannot be built (layer_types is None): a complete tiny config
    (
        "lfm2_moe-two-dense",
        {
            "num_hidden_layers": 5,
            "layer_types": ["conv", "conv", "full_attention", "conv", "full_attention"],
            "num_experts": 8,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 24,
        },
        "3 short conv + 2 GQA · 2 MLP + 3 MoE",
    ),
    (
        "lfm2_moe-untied-conv-bias-no-dense-head-dim",
        {
            "layer_types": ["full_attention", "conv", "conv", "conv"],
            "num_dense_layers": 0,
            "tie_embedding": False,
            "conv_bias": True,
            "conv_L_cache": 4,
            "head_dim": 24,
            "num_experts": 6,
            "num_experts_per_tok": 3,
            "moe_intermediate_size": 20,
        },
        "1 GQA + 3 short conv · 4 MoE",
    ),
]


@pytest.mark.parametrize("name,extra,summary", LFM2_MOE, ids=[v[0] for v in LFM2_MOE])
def test_lfm2_moe_counts_dense_and_sparse_layers_as_transformers_builds_them(
    name: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model("lfm2_moe", **{**SMALL, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    e, k = cfg.num_experts, cfg.num_experts_per_tok
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    config = cfg.to_dict()
    if "tie_embedding" in extra:  # LFM2's own spelling, as its config.json writes it
        config.pop("tie_word_embeddings")
        config["tie_embedding"] = extra["tie_embedding"]
    report = analyze_config(config)
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == "lfm2_moe"
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total - routed * (e - k) // e
    assert sum(params["breakdown"].values()) == total
    assert report["backbone"]["layers"]["summary"] == summary
    attention = [layer.self_attn for layer in model.model.layers if layer.is_attention_layer]
    convs = [layer.conv for layer in model.model.layers if not layer.is_attention_layer]
    kv_width = attention[0].k_proj.out_features
    assert report["memory"]["kv_bytes_per_token"] == len(attention) * 2 * kv_width * 2
    assert report["memory"]["state_bytes_per_sequence"] == sum(
        c.conv.in_channels * c.conv.kernel_size[0] * 2 for c in convs
    )
    assert report["backbone"]["decoder_type"] == "hybrid_moe"


# -- LFM3: LFM2's short convs with full and sliding attention, gated heads, sandwich norms ------

LFM3: list[tuple[str, dict[str, Any], str]] = [
    # the default mix over 7 layers: conv, conv, full, conv, sliding, conv, full
    (
        "lfm3-defaults",
        {"num_hidden_layers": 7, "head_dim": 16, "sliding_window": 8},
        "4 short conv + 2 full + 1 sliding · 7 MLP",
    ),
    (
        "lfm3-no-gate-no-sandwich-bias-untied",
        {
            "layer_types": ["full_attention", "conv", "sliding_attention", "conv"],
            "use_attention_gate": False,
            "use_sandwich_norm": False,
            "attention_bias": True,
            "tie_word_embeddings": False,
            "conv_bias": True,
            "conv_L_cache": 3,
            "head_dim": 24,
        },
        "1 full + 2 short conv + 1 sliding · 4 MLP",
    ),
]


@pytest.mark.parametrize("name,extra,summary", LFM3, ids=[v[0] for v in LFM3])
def test_lfm3_counts_gated_attention_and_sandwich_norms_as_transformers_builds_them(
    name: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model("lfm3", **{**SMALL, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == "lfm3"
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total
    assert sum(params["breakdown"].values()) == total
    assert report["backbone"]["layers"]["summary"] == summary
    layers = model.model.layers
    attention = [layer.self_attn for layer in layers if layer.is_attention_layer]
    convs = [layer.conv for layer in layers if not layer.is_attention_layer]
    kv_width = attention[0].k_proj.out_features
    memory = report["memory"]
    assert memory["kv_bytes_per_token"] == len(attention) * 2 * kv_width * 2
    sliding = sum(1 for a in attention if a.sliding_window)
    assert memory["kv_bytes_per_token_sliding"] == sliding * 2 * kv_width * 2
    assert memory["state_bytes_per_sequence"] == sum(
        c.conv.in_channels * c.conv.kernel_size[0] * 2 for c in convs
    )
    assert report["backbone"]["attention"]["output_gate"] is cfg.use_attention_gate


# -- xLSTM: mLSTM blocks and a SwiGLU, no attention ---------------------------------------------

XLSTM: list[tuple[str, dict[str, Any]]] = [
    ("xlstm-defaults", {}),
    (
        "xlstm-bias-fused-factors-tied",
        {
            "use_bias": True,
            "weight_mode": "fused",
            "qk_dim_factor": 0.25,
            "v_dim_factor": 0.5,
            "ffn_proj_factor": 1.3,
            "ffn_round_up_to_multiple_of": 48,
            "tie_word_embeddings": True,
            "num_heads": 2,
        },
    ),
]


@pytest.mark.parametrize("name,extra", XLSTM, ids=[v[0] for v in XLSTM])
@pytest.mark.parametrize("spelling", ["transformers", "checkpoint"])
def test_xlstm_counts_mlstm_blocks_as_transformers_builds_them(
    name: str, extra: dict, spelling: str
) -> None:
    kwargs = {"vocab_size": 512, "hidden_size": 128, "num_hidden_layers": 3, "num_heads": 4}
    cfg = AutoConfig.for_model("xlstm", **{**kwargs, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    config = cfg.to_dict()
    if spelling == "checkpoint":  # NX-AI/xLSTM-7b writes embedding_dim and num_blocks
        config.pop("hidden_size")
        config.pop("num_hidden_layers")
    report = analyze_config(config)
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == "xlstm"
    assert params["total"] == total, params["breakdown"]
    assert model.lm_head.weight is not model.backbone.embeddings.weight  # never tied
    assert sum(params["breakdown"].values()) == total
    assert report["backbone"]["layers"]["summary"] == "3 mLSTM · 3 MLP"
    assert report["backbone"]["decoder_type"] == "ssm"
    assert report["memory"]["kv_bytes_per_token"] == 0
    # per layer and sequence: C (heads x qk x v head dims), n (heads x qk head dim), m (heads)
    layer = model.backbone.blocks[0].mlstm_layer
    heads = cfg.num_heads
    qk, v = layer.qk_dim // heads, layer.v_dim // heads
    state = heads * (qk * v + qk + 1) * 4
    assert report["memory"]["state_bytes_per_sequence"] == cfg.num_hidden_layers * state
    tied_note = "tie_word_embeddings is true, but modeling_xlstm.py ties no weights"
    assert any(n.startswith(tied_note) for n in report["notes"]) == cfg.tie_word_embeddings


def test_xlstm_depth_is_num_blocks_where_both_keys_differ() -> None:
    """xLSTMModel builds ``num_blocks`` blocks; num_hidden_layers only fills num_blocks when
    it is absent. A config.json that writes both (to_dict does) with num_hidden_layers edited
    down was counted at num_hidden_layers' depth (3 of 6 blocks)."""
    config = AutoConfig.for_model(
        "xlstm", vocab_size=512, hidden_size=128, num_hidden_layers=6, num_heads=4
    ).to_dict()
    config["num_hidden_layers"] = 3
    kwargs = {k: v for k, v in config.items() if k != "model_type"}
    model = _build(AutoConfig.for_model("xlstm", **kwargs))
    assert len(model.backbone.blocks) == 6
    report = analyze_config(config)
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["backbone"]["layers"]["summary"] == "6 mLSTM · 6 MLP"


def test_xlstm_ffn_multiple_of_zero_is_refused_by_name() -> None:
    """xLSTMFeedForward rounds its width up to a multiple of ffn_round_up_to_multiple_of: 0
    divides by zero in transformers too; the engine says which key."""
    from axes.backbone.errors import ConfigError

    config = AutoConfig.for_model("xlstm", hidden_size=128, num_heads=4).to_dict()
    config["ffn_round_up_to_multiple_of"] = 0
    with pytest.raises(ConfigError, match="ffn_round_up_to_multiple_of must be positive"):
        analyze_config(config)
