"""Hybrid families whose layers hold more than one mixer, against transformers: Falcon-H1 runs
attention and a Mamba-2 mixer side by side in every layer. Tiny variants are built on the meta
device and counted module by module, as in test_backbone_families_moe.py.

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

MAMBA2 = {"mamba_n_heads": 8, "mamba_d_state": 8, "mamba_n_groups": 2}

# -- Falcon-H1: attention and Mamba-2 in parallel in every layer ------------------------------

FALCON_H1: list[tuple[str, dict[str, Any]]] = [
    # the class defaults: mamba_d_ssm 1024 (not expand x hidden), 128 Mamba heads, no gated
    # RMSNorm, untied
    ("falcon_h1-defaults", {}),
    (
        "falcon_h1-tied-biases-gated-norm",
        {
            **MAMBA2,
            "mamba_d_ssm": 128,
            "tie_word_embeddings": True,
            "attention_bias": True,
            "mlp_bias": True,
            "mamba_proj_bias": True,  # in_proj only: out_proj follows projectors_bias
            "mamba_rms_norm": True,
        },
    ),
    (
        # an explicit null mamba_d_ssm is mamba_expand x hidden; MHA with its own head_dim;
        # out_proj bias without an in_proj bias; no conv bias
        "falcon_h1-expand-mha-headdim",
        {
            "mamba_d_ssm": None,
            "mamba_expand": 1,
            "mamba_n_heads": 4,
            "mamba_d_state": 16,
            "mamba_d_conv": 2,
            "mamba_conv_bias": False,
            "projectors_bias": True,
            "num_key_value_heads": 4,
            "head_dim": 24,
        },
    ),
    (
        # Falcon-H1-7B's widths (two layers): head_dim 128 is not hidden // heads (256)
        "falcon_h1-7b-widths",
        {
            "hidden_size": 3072,
            "num_hidden_layers": 2,
            "num_attention_heads": 12,
            "num_key_value_heads": 2,
            "head_dim": 128,
            "intermediate_size": 256,
            "mamba_d_ssm": 3072,
            "mamba_n_heads": 24,
            "mamba_d_head": 128,
            "mamba_d_state": 256,
            "mamba_n_groups": 1,
        },
    ),
]


def _numel(modules) -> int:
    return sum(p.numel() for m in modules for p in m.parameters())


@pytest.mark.parametrize("name,extra", FALCON_H1, ids=[v[0] for v in FALCON_H1])
def test_falcon_h1_counts_each_component_as_transformers_builds_it(name: str, extra: dict) -> None:
    """Totals, the breakdown by component (self_attn -> attention, mamba -> ssm, ...) and the
    layer mix, against the meta build; read from the config class's full dict and from the
    config.json keys alone (its defaults left out, as a published config.json leaves them)."""
    kwargs = {**SMALL, **extra}
    cfg = AutoConfig.for_model("falcon_h1", **kwargs)
    model = _build(cfg)
    layers = model.model.layers
    total = sum(p.numel() for p in model.parameters())
    want = {
        "attention": _numel(layer.self_attn for layer in layers),
        "ssm": _numel(layer.mamba for layer in layers),
        "dense_mlp": _numel(layer.feed_forward for layer in layers),
        "norms": _numel([model.model.final_layernorm])
        + _numel(n for layer in layers for n in (layer.input_layernorm, layer.pre_ff_layernorm)),
        "embeddings": model.model.embed_tokens.weight.numel(),
        "lm_head": 0 if cfg.tie_word_embeddings else model.lm_head.weight.numel(),
    }
    assert sum(want.values()) == total
    for config in (cfg.to_dict(), {"model_type": "falcon_h1", **kwargs}):
        report = analyze_config(config)
        params = report["params"]
        assert report["estimated"] is False, report["notes"]
        assert params["total"] == params["active"] == total, params["breakdown"]
        assert {k: v for k, v in params["breakdown"].items() if v} == {
            k: v for k, v in want.items() if v
        }
        pattern = report["backbone"]["layers"]["pattern"]
        assert pattern == [{"mixer": "attention+mamba2", "ffn": "mlp"}] * len(layers)
        assert all(layer.self_attn is not None and layer.mamba is not None for layer in layers)


def test_falcon_h1_is_a_hybrid_with_kv_and_mamba_state_in_every_layer() -> None:
    """Every layer caches K/V (2 x kv_heads x head_dim, bf16) and a Mamba-2 state (conv
    conv_dim x d_conv in bf16, SSM heads x head_dim x state in fp32), read off the built
    modules; the layer mix says both run in parallel."""
    extra = dict(FALCON_H1)["falcon_h1-tied-biases-gated-norm"]
    cfg = AutoConfig.for_model("falcon_h1", **{**SMALL, **extra})
    model = _build(cfg)
    layers = model.model.layers
    attn, mamba = layers[0].self_attn, layers[0].mamba
    kv_width = attn.k_proj.out_features  # kv_heads x head_dim
    state = mamba.conv_dim * mamba.conv_kernel_size * 2 + (
        mamba.num_heads * mamba.head_dim * mamba.ssm_state_size * 4
    )
    report = analyze_config(cfg.to_dict(), context_len=64)
    memory = report["memory"]
    assert memory["kv_bytes_per_token"] == len(layers) * 2 * kv_width * 2
    assert memory["kv_bytes"]["bytes"] == len(layers) * 2 * kv_width * 2 * 64
    assert memory["state_bytes_per_sequence"] == len(layers) * state
    backbone = report["backbone"]
    assert backbone["decoder_type"] == "hybrid"
    assert backbone["attention"]["variant"] == "GQA"
    assert backbone["layers"]["summary"] == "4 GQA with Mamba-2 in parallel · 4 MLP"
    assert backbone["layers"]["counts"]["mixer"] == {"attention+mamba2": 4}
    # the FLOPs against the context hold both mixers: attention grows with it, Mamba-2 not
    short = analyze_config(cfg.to_dict(), context_len=64)["compute"]
    long = analyze_config(cfg.to_dict(), context_len=128)["compute"]
    grows = len(layers) * 4 * cfg.num_attention_heads * attn.head_dim * 64
    assert long["flops_per_token"] - short["flops_per_token"] == grows


def test_falcon_h1_without_mamba_d_ssm_says_which_width_it_used() -> None:
    config = {"model_type": "falcon_h1", **SMALL}
    report = analyze_config(config)
    assert report["spec"]["ssm_intermediate_size"] == 1024
    note = "no mamba_d_ssm in config.json: transformers' falcon_h1 default, 1,024, is used"
    assert note in report["notes"]
