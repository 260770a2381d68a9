"""Hybrid families whose layers hold more than one mixer, against transformers: Falcon-H1 runs
attention and a Mamba-2 mixer side by side in every layer; RecurrentGemma (Griffin) alternates
RG-LRU recurrent blocks with local attention. Tiny variants are built on the meta device and
counted module by module, as in test_backbone_families_moe.py; the recurrent state and the
local KV cache are checked against what a real forward pass fills.

Marker ``reference`` (imports torch + transformers); each build is a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

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


# -- RecurrentGemma (Griffin): RG-LRU recurrent blocks and local attention ----------------------

RECURRENT_GEMMA: list[tuple[str, dict[str, Any], str]] = [
    # block_types' default (recurrent, recurrent, attention), lru_width = hidden_size
    ("recurrent_gemma-default-blocks", {}, "3 RG-LRU + 1 sliding GQA · 4 MLP"),
    (
        # a narrower RG-LRU, untied, q/k/v biases, MQA, another conv width and block pattern
        "recurrent_gemma-lru-width-untied-bias-mqa",
        {
            "num_hidden_layers": 5,
            "lru_width": 32,
            "conv1d_width": 3,
            "block_types": ["recurrent", "attention"],
            "attention_bias": True,
            "tie_word_embeddings": False,
            "num_key_value_heads": 1,
            "attention_window_size": 8,
        },
        "3 RG-LRU + 2 sliding MQA · 5 MLP",
    ),
    (
        # attention first, every head its own K/V, a head_dim that is not hidden // heads
        "recurrent_gemma-attention-first-mha-head-dim",
        {
            "num_key_value_heads": None,
            "head_dim": 8,
            "block_types": ["attention", "recurrent", "recurrent"],
        },
        "2 sliding MHA + 2 RG-LRU · 4 MLP",
    ),
]


@pytest.mark.parametrize("name,extra,summary", RECURRENT_GEMMA, ids=[v[0] for v in RECURRENT_GEMMA])
def test_recurrent_gemma_counts_each_component_as_transformers_builds_it(
    name: str, extra: dict, summary: str
) -> None:
    """Totals, the breakdown (recurrent blocks -> ssm, attention blocks -> attention, mlp_block
    -> dense_mlp), each layer and the layer mix, against the meta build, from the config
    class's dict and from the config.json keys alone; the generic reading is another count."""
    kwargs = {**SMALL, **extra}
    cfg = AutoConfig.for_model("recurrent_gemma", **kwargs)
    model = _build(cfg)
    layers = model.model.layers
    total = sum(p.numel() for p in model.parameters())
    recurrent = [layer for layer in layers if hasattr(layer.temporal_block, "rg_lru")]
    attention = [layer for layer in layers if not hasattr(layer.temporal_block, "rg_lru")]
    want = {
        "ssm": _numel(layer.temporal_block for layer in recurrent),
        "attention": _numel(layer.temporal_block for layer in attention),
        "dense_mlp": _numel(layer.mlp_block for layer in layers),
        "norms": _numel([model.model.final_norm])
        + _numel(n for layer in layers for n in (layer.temporal_pre_norm, layer.channel_pre_norm)),
        "embeddings": model.model.embed_tokens.weight.numel(),
        "lm_head": 0 if cfg.tie_word_embeddings else model.lm_head.weight.numel(),
    }
    assert sum(want.values()) == total
    written = {k: v for k, v in kwargs.items() if v is not None}
    for config in (cfg.to_dict(), {"model_type": "recurrent_gemma", **written}):
        report = analyze_config(config)
        params = report["params"]
        assert report["estimated"] is False, report["notes"]
        assert params["total"] == params["active"] == total, params["breakdown"]
        assert {k: v for k, v in params["breakdown"].items() if v} == {
            k: v for k, v in want.items() if v
        }
        assert params["per_layer"] == [_numel([layer]) for layer in layers]
        assert report["backbone"]["layers"]["summary"] == summary
        assert report["backbone"]["decoder_type"] == "hybrid"
        assert report["backbone"]["context_length"] is None  # the class has no such field
    generic = analyze_config({**cfg.to_dict(), "model_type": "recurrent_gemma_unknown"})
    assert generic["estimated"] is True and generic["params"]["total"] != total


def test_recurrent_gemma_state_and_local_kv_are_the_ones_transformers_fills() -> None:
    """A real forward pass (CPU, bf16) with a cache: each recurrent block keeps the RG-LRU's
    lru_width values in fp32 and its conv's last conv1d_width - 1 inputs (bf16); the attention
    blocks cache K/V up to the window, past it window - 1 tokens between steps (the engine
    counts the window the next token attends, one token more)."""
    from transformers import DynamicCache

    extra = dict((v[0], v[1]) for v in RECURRENT_GEMMA)["recurrent_gemma-lru-width-untied-bias-mqa"]
    kwargs = {**SMALL, **extra, "attention_window_size": 4}
    cfg = AutoConfig.for_model("recurrent_gemma", **kwargs)
    model = AutoModelForCausalLM.from_config(cfg).to(torch.bfloat16).eval()
    blocks = [layer.temporal_block for layer in model.model.layers]
    attention_token = sum(2 * b.k_proj.out_features * 2 for b in blocks if not hasattr(b, "rg_lru"))
    for tokens, past_window in ((3, 0), (9, 1)):
        cache = DynamicCache(config=cfg)
        with torch.no_grad():
            model(torch.arange(tokens)[None] + 3, use_cache=True, cache=cache)
        state = sum(
            b.conv1d_state.numel() * b.conv1d_state.element_size()
            + b.rg_lru.recurrent_states.numel() * b.rg_lru.recurrent_states.element_size()
            for b in blocks
            if hasattr(b, "rg_lru")
        )
        cached = sum(
            t.numel() * t.element_size()
            for layer in cache.layers
            for t in (getattr(layer, "keys", None), getattr(layer, "values", None))
            if isinstance(t, torch.Tensor)
        )
        memory = analyze_config(cfg.to_dict(), context_len=tokens)["memory"]
        assert memory["state_bytes_per_sequence"] == state == 3 * (32 * 4 + 32 * 2 * 2)
        assert memory["kv_bytes_per_token"] == attention_token
        assert memory["kv_bytes"]["bytes"] == cached + past_window * attention_token, tokens


def test_recurrentgemma_2b_as_google_writes_its_config() -> None:
    """recurrentgemma-2b's config.json (its head_dim and the keys the class recomputes kept):
    2,682,862,080 parameters as transformers builds them; 8 attention layers of 1 K/V head x
    256 capped at the 2,048-token window, and 18 recurrent layers of 2,560 RG-LRU units."""
    config = {
        "architectures": ["RecurrentGemmaForCausalLM"],
        "attention_bias": False,
        "attention_window_size": 2048,
        "block_types": ["recurrent", "recurrent", "attention"],
        "conv1d_width": 4,
        "embeddings_scale_by_sqrt_dim": True,
        "final_w_init_variance_scale": 0.07692307692307693,
        "head_dim": 256,
        "hidden_activation": "gelu_pytorch_tanh",
        "hidden_size": 2560,
        "intermediate_size": 15360,
        "logits_soft_cap": 30.0,
        "lru_width": 2560,
        "model_type": "recurrent_gemma",
        "num_attention_heads": 10,
        "num_hidden_layers": 26,
        "num_key_value_heads": 1,
        "partial_rotary_factor": 0.5,
        "rms_norm_eps": 1e-06,
        "rope_theta": 10000.0,
        "torch_dtype": "float32",
        "vocab_size": 256000,
        "w_init_variance_scale": 0.01,
    }
    kwargs = {k: v for k, v in config.items() if k != "model_type"}
    total = sum(
        p.numel() for p in _build(AutoConfig.for_model("recurrent_gemma", **kwargs)).parameters()
    )
    report = analyze_config(config, context_len=4096)
    assert report["params"]["total"] == total == 2_682_862_080
    memory = report["memory"]
    assert memory["kv_bytes_per_token"] == 8 * 2 * 256 * 2
    assert memory["kv_bytes"]["bytes"] == 8 * 2 * 256 * 2 * 2048
    assert memory["state_bytes_per_sequence"] == 18 * (2560 * 4 + 2560 * 3 * 2)
    positional = report["backbone"]["positional"]
    assert positional["partial_rotary_factor"] == 0.5 and positional["rope_theta"] == 10000.0
    assert report["notes"] == []


@pytest.mark.parametrize(
    "extra,key",
    [
        ({"lru_width": 30}, "lru_width"),
        ({"block_types": []}, "block_types"),
    ],
    ids=["lru-width-not-split-by-heads", "no-block-types"],
)
def test_recurrent_gemma_configs_it_cannot_run_are_refused(extra: dict, key: str) -> None:
    from axes.backbone.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        analyze_config({"model_type": "recurrent_gemma", **SMALL, **extra})
    assert refused.value.key == key
