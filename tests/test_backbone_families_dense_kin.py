"""Dense kin of families the engine already mirrors, counted exactly against transformers:
ministral3, cwm, granite_swa, hyperclovax, bitnet, diffllama, jais2, nanochat, apertus1p5_text
(Llama block), vaultgemma (Gemma 2 block), persimmon (Phi's modules), youtu (DeepSeek MLA with
dense MLPs), doge (dynamic-mask attention, CDMoE) and mellum (Qwen3-MoE block with layer
types). Tiny variants of each are built by transformers on the meta device and compared
parameter by parameter, with the layer summary, attention variant and KV cache per token.

Marker ``reference`` (imports torch + transformers), like test_backbone_reference.py.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, _build  # noqa: E402

LAYER_TYPES = ["sliding_attention", "full_attention", "sliding_attention", "sliding_attention"]
YOUTU = {
    "kv_lora_rank": 16,
    "q_lora_rank": 32,
    "qk_rope_head_dim": 8,
    "qk_nope_head_dim": 8,
    "v_head_dim": 8,
}
MELLUM = {"num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32, "head_dim": 16}

# (id, model_type, config overrides, expected attention variant, expected layer summary)
VARIANTS: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("ministral3", "ministral3", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "ministral3-sliding-tied-head-dim",
        "ministral3",
        {"sliding_window": 16, "tie_word_embeddings": True, "head_dim": 24},
        "GQA",
        "4 sliding GQA · 4 MLP",
    ),
    ("vaultgemma", "vaultgemma", {}, "GQA", "2 sliding + 2 full · 4 MLP"),
    (
        "vaultgemma-layer-types-bias-untied",
        "vaultgemma",
        {
            "layer_types": LAYER_TYPES,
            "sliding_window": 16,
            "attention_bias": True,
            "tie_word_embeddings": False,
            "head_dim": 16,
        },
        "GQA",
        "3 sliding + 1 full · 4 MLP",
    ),
    ("cwm", "cwm", {}, "GQA", "1 full + 3 sliding · 4 MLP"),
    (
        "cwm-layer-types-mlp-bias-tied",
        "cwm",
        {
            "layer_types": LAYER_TYPES,
            "sliding_window": 16,
            "mlp_bias": True,
            "tie_word_embeddings": True,
        },
        "GQA",
        "3 sliding + 1 full · 4 MLP",
    ),
    ("granite_swa", "granite_swa", {}, "GQA", "1 full + 3 sliding · 4 MLP"),
    (
        "granite_swa-layer-types-bias-untied",
        "granite_swa",
        {
            "layer_types": LAYER_TYPES,
            "sliding_window": 16,
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": False,
        },
        "GQA",
        "3 sliding + 1 full · 4 MLP",
    ),
    ("hyperclovax", "hyperclovax", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "hyperclovax-no-post-norm-bias-tied",
        "hyperclovax",
        {
            "use_post_norm": False,
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": True,
        },
        "GQA",
        "4 GQA · 4 MLP",
    ),
    ("bitnet", "bitnet", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "bitnet-bias-tied",
        "bitnet",
        {"attention_bias": True, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
    ),
    ("diffllama", "diffllama", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "diffllama-bias-head-dim-tied",
        "diffllama",
        {"attention_bias": True, "head_dim": 24, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
    ),
    ("jais2", "jais2", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "jais2-no-bias-tied",
        "jais2",
        {"attention_bias": False, "mlp_bias": False, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
    ),
    ("nanochat", "nanochat", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "nanochat-bias-tied",
        "nanochat",
        {"attention_bias": True, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
    ),
    ("apertus1p5_text", "apertus1p5_text", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "apertus1p5_text-bias-pruned-head",
        "apertus1p5_text",
        {"attention_bias": True, "output_vocab_size": 300},
        "GQA",
        "4 GQA · 4 MLP",
    ),
    (
        "apertus1p5_text-tied",
        "apertus1p5_text",
        {"tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
    ),
    # modeling_persimmon.py is multi-head whatever num_key_value_heads says (SMALL: 2)
    ("persimmon", "persimmon", {}, "MHA", "4 MHA · 4 MLP"),
    (
        "persimmon-no-qk-layernorm-tied",
        "persimmon",
        {"qk_layernorm": False, "tie_word_embeddings": True},
        "MHA",
        "4 MHA · 4 MLP",
    ),
    ("youtu", "youtu", YOUTU, "MLA", "4 MLA · 4 MLP"),
    (
        "youtu-no-q-lora-bias-untied",
        "youtu",
        {**YOUTU, "q_lora_rank": None, "attention_bias": True, "tie_word_embeddings": False},
        "MLA",
        "4 MLA · 4 MLP",
    ),
    ("doge", "doge", {}, "GQA", "4 GQA · 4 MLP"),
    (
        "doge-cdmoe-bias",
        "doge",
        {
            "is_moe": True,
            "num_experts": 64,
            "num_experts_per_tok": 4,
            "attention_bias": True,
            "mlp_bias": True,
        },
        "GQA",
        "4 GQA · 4 MoE",
    ),
    (
        "doge-sliding-tied",
        "doge",
        {"sliding_window": 16, "tie_word_embeddings": True},
        "GQA",
        "4 sliding GQA · 4 MLP",
    ),
    ("mellum", "mellum", MELLUM, "GQA", "4 GQA · 4 MoE"),
    (
        "mellum-layer-types-dense-first-bias",
        "mellum",
        {
            **MELLUM,
            "layer_types": LAYER_TYPES,
            "mlp_layer_types": ["dense", "sparse", "sparse", "sparse"],
            "sliding_window": 16,
            "attention_bias": True,
        },
        "GQA",
        "3 sliding + 1 full · 1 MLP + 3 MoE",
    ),
]


def _active(cfg, model, total: int) -> int:
    """Total minus the routed-expert parameters a token skips: (E - k) / E of each layer's
    experts (Mellum's ``.experts.``, Doge's CDMoE ``down_embed`` / ``up_embed`` rows)."""
    routed = sum(
        p.numel()
        for name, p in model.named_parameters()
        if ".experts." in name or name.endswith(("down_embed.weight", "up_embed.weight"))
    )
    if not routed:
        return total
    e = getattr(cfg, "num_local_experts", None) or cfg.num_experts
    return total - routed + routed * cfg.num_experts_per_tok // e


def _kv_bytes_per_token(cfg, model) -> int:
    """K and V (bf16) of every attention layer at full length; MLA caches its latent
    (kv_lora_rank + qk_rope_head_dim); Persimmon is multi-head (hidden // heads per head)."""
    layers = cfg.num_hidden_layers
    if getattr(cfg, "kv_lora_rank", None):
        return layers * (cfg.kv_lora_rank + cfg.qk_rope_head_dim) * 2
    attn = model.model.layers[0].self_attn
    kv_width = attn.k_proj.out_features if hasattr(attn, "k_proj") else cfg.hidden_size
    return layers * 2 * kv_width * 2


@pytest.mark.parametrize(
    "name,model_type,extra,variant,summary", VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_dense_kin_matches_transformers(
    name: str, model_type: str, extra: dict, variant: str, summary: str
) -> None:
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == _active(cfg, model, total)
    assert sum(params["breakdown"].values()) == total
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["backbone"]["attention"]["variant"] == variant
    assert report["memory"]["kv_bytes_per_token"] == _kv_bytes_per_token(cfg, model)
    # sliding exactly where transformers gives a layer a window
    pattern = report["backbone"]["layers"]["pattern"]
    for i, layer in enumerate(model.model.layers):
        if model_type in ("doge", "ministral3"):  # config.sliding_window, in every layer
            window = cfg.sliding_window
        else:  # the window each attention module holds (None: full attention)
            window = getattr(layer.self_attn, "sliding_window", None)
        assert (pattern[i]["mixer"] == "sliding_attention") == bool(window), (i, pattern[i])


def test_default_configs_match_transformers() -> None:
    """Each type's own default config (full size), built on the meta device."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    types = sorted({v[1] for v in VARIANTS})
    wrong = []
    for model_type in types:
        cfg = CONFIG_MAPPING[model_type]()
        total = sum(p.numel() for p in _build(cfg).parameters())
        report = analyze_config(cfg.to_dict())
        if report["estimated"] or report["params"]["total"] != total:
            wrong.append((model_type, total, report["params"]["total"]))
    assert wrong == []
    assert len(types) == 14


def test_doge_router_is_product_keys_and_experts_are_embedding_rows() -> None:
    """CDMoE: the router scores 2 x floor(sqrt(E)) keys, not E experts; an expert is one
    down_embed and one up_embed row (2 x hidden), num_experts_per_tok of them per token."""
    extra = {"is_moe": True, "num_experts": 50, "num_experts_per_tok": 3}
    cfg = AutoConfig.for_model("doge", **{**SMALL, **extra})
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    h, layers = SMALL["hidden_size"], SMALL["num_hidden_layers"]
    assert params["breakdown"]["router"] == layers * 2 * math.isqrt(50) * h
    assert params["breakdown"]["routed_experts"] == layers * 50 * 2 * h
    assert params["params_per_expert"] == 2 * h
    assert params["total"] - params["active"] == layers * (50 - 3) * 2 * h


def test_persimmon_reads_no_key_value_heads() -> None:
    """num_key_value_heads is not read by modeling_persimmon.py: the model is multi-head, and
    the engine says the key was not read."""
    report = analyze_config({"model_type": "persimmon", **SMALL})
    assert report["backbone"]["attention"]["variant"] == "MHA"
    assert any(
        n.startswith("num_key_value_heads = 2 is not read by modeling_persimmon.py")
        for n in report["notes"]
    )
