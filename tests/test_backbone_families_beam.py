"""Beam (Reflection AI) against transformers: the default BeamConfig and tiny variants built on
the meta device and counted parameter by parameter (total, active, each layer's parameters,
the sliding / full and dense / sparse layers transformers built, the NoPE layers, the KV cache
with its sliding windows), as in test_backbone_families_moe2.py.

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

from tests.test_backbone_families_moe import _reference  # noqa: E402
from tests.test_backbone_reference import SMALL, _build  # noqa: E402

BEAM = {
    **SMALL,
    "num_hidden_layers": 8,
    "head_dim": 16,
    "num_experts": 8,
    "n_group": 2,
    "topk_group": 1,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
}
ROPE_BOTH = {
    "sliding_attention": {"rope_type": "default", "rope_theta": 50000.0},
    "full_attention": {"rope_type": "default", "rope_theta": 1000000.0},
}

VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    ("default-layout", {}, "6 sliding + 2 full · 3 MLP + 5 MoE"),
    (
        "tied-bias",
        {"tie_word_embeddings": True, "attention_bias": True},
        "6 sliding + 2 full · 3 MLP + 5 MoE",
    ),
    (
        "layer-types-mlp-layer-types-window",
        {
            "num_hidden_layers": 4,
            "layer_types": [
                "full_attention",
                "sliding_attention",
                "full_attention",
                "sliding_attention",
            ],
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense"],
            "sliding_window": 32,
        },
        "2 full + 2 sliding · 2 MoE + 2 MLP",
    ),
    ("no-window", {"sliding_window": None}, "8 GQA · 3 MLP + 5 MoE"),
    ("rope-on-every-layer", {"rope_parameters": ROPE_BOTH}, "6 sliding + 2 full · 3 MLP + 5 MoE"),
    ("two-layers-dense", {"num_hidden_layers": 2}, "1 sliding + 1 full · 2 MLP"),
    (
        "all-sparse-other-widths",
        {
            "mlp_layer_types": ["sparse"] * 8,
            "num_key_value_heads": 1,
            "head_dim": 24,
            "num_experts_per_tok": 3,
        },
        "6 sliding + 2 full · 8 MoE",
    ),
]


def _kv_bytes_at(model, context: int) -> int:
    """bf16 K and V of each built attention module at ``context`` tokens, a sliding layer
    holding at most its window."""
    total = 0
    for layer in model.model.layers:
        attn = layer.self_attn
        width = attn.k_proj.out_features + attn.v_proj.out_features
        window = attn.sliding_window
        total += width * (min(window, context) if window else context) * 2
    return total


@pytest.mark.parametrize("name,extra,summary", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_beam_matches_transformers(name: str, extra: dict, summary: str) -> None:
    cfg = AutoConfig.for_model("beam", **{**BEAM, **extra})
    total, active, routed = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == "beam"
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
    model = _build(cfg)
    layers = model.model.layers
    # each layer's own parameters: four norms, the output gate and its per-head bias
    assert params["per_layer"] == [sum(p.numel() for p in layer.parameters()) for layer in layers]
    pattern = report["backbone"]["layers"]["pattern"]
    assert len(pattern) == len(layers)
    for i, layer in enumerate(layers):
        # MoE exactly where the experts are; sliding exactly where transformers sets a window
        assert (pattern[i]["ffn"] == "moe") == (i in routed), (i, pattern[i])
        sliding = layer.self_attn.sliding_window is not None
        assert (pattern[i]["mixer"] == "sliding_attention") == sliding, (i, pattern[i])
    assert report["backbone"]["layers"]["summary"] == summary
    # NoPE: the layers whose layer type rope_parameters gives null
    nope = sum(1 for t in cfg.layer_types if cfg.rope_parameters.get(t) is None)
    assert report["backbone"]["positional"]["nope_layers"] == nope
    width = cfg.num_key_value_heads * cfg.head_dim
    assert report["memory"]["kv_bytes_per_token"] == len(layers) * 2 * width * 2
    kv = report["memory"]["kv_bytes"]
    assert kv["bytes"] == _kv_bytes_at(model, kv["context"])
    assert report["backbone"]["attention"]["output_gate"] is True
    variant = "MQA" if cfg.num_key_value_heads == 1 else "GQA"
    assert report["spec"]["attention_variant"] == variant
    # as a config.json writes it (only the keys given; the config class's defaults elsewhere)
    written = analyze_config({"model_type": "beam", **BEAM, **extra})
    assert (written["params"]["total"], written["params"]["active"]) == (total, active)
    assert written["backbone"]["layers"]["summary"] == summary
    assert written["backbone"]["context_length"] == cfg.max_position_embeddings


def test_default_beam_config_is_counted_exactly() -> None:
    """BeamConfig() (the 501B-A23B layout): 52 layers, every sixth and the last full and NoPE,
    the first three dense, 256 experts of which 8 run; the KV of the 43 sliding layers stops
    at 512 tokens."""
    cfg = AutoConfig.for_model("beam")
    total, active, routed = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert (report["params"]["total"], report["params"]["active"]) == (total, active)
    assert total == 501_267_599_808
    assert report["backbone"]["layers"]["summary"] == "43 sliding + 9 full · 3 MLP + 49 MoE"
    assert sorted(routed) == list(range(3, 52))
    positional = report["backbone"]["positional"]
    assert (positional["type"], positional["nope_layers"]) == ("rope+nope", 9)
    assert positional["rope_theta"] == cfg.rope_parameters["sliding_attention"]["rope_theta"]
    kv = report["memory"]["kv_bytes"]
    width = 2 * cfg.num_key_value_heads * cfg.head_dim * 2
    assert kv["bytes"] == (9 * kv["context"] + 43 * min(512, kv["context"])) * width
    assert report["params"]["breakdown"]["shared_experts"] == 0


def test_beam_config_json_without_sizes_gets_the_config_class_defaults() -> None:
    """A config.json that leaves out intermediate_size, the head counts and the layer lists
    is read with BeamConfig's defaults (20480, 48 heads, 8 KV heads), as transformers builds
    it, and says so in the notes."""
    written = {
        "model_type": "beam",
        "vocab_size": 512,
        "hidden_size": 64,
        "num_hidden_layers": 7,
        "num_experts": 16,
        "moe_intermediate_size": 32,
    }
    cfg = AutoConfig.for_model("beam", **{k: v for k, v in written.items() if k != "model_type"})
    total, active, _ = _reference(cfg)
    report = analyze_config(written)
    assert (report["params"]["total"], report["params"]["active"]) == (total, active)
    assert report["backbone"]["attention"]["num_attention_heads"] == 48
    assert report["backbone"]["attention"]["num_kv_heads"] == 8
    assert any("intermediate_size" in n and "20,480" in n for n in report["notes"])
    assert report["backbone"]["layers"]["summary"] == "5 sliding + 2 full · 3 MLP + 4 MoE"
