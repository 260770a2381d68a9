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
