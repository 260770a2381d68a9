"""Multimodal wrappers against transformers: tiny llama4, mistral3, qwen3_5 and qwen3_5_moe
configs are built on the meta device and counted parameter by parameter. The total is what
``AutoModelForCausalLM`` builds, the reference the engine is held to: for llama4 and qwen3_5
the text model alone (the vision tower + projector, which the checkpoint and
``AutoModelForImageTextToText`` hold, is reported under ``vision_not_built``); for mistral3,
which AutoModelForCausalLM cannot build, the ``<Type>ForConditionalGeneration`` model with its
tower under ``vision``. The text model's own figures (KV cache, FLOPs, decode weights) are the
same either way.

Marker ``reference`` (imports torch + transformers); each build is a few milliseconds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.errors import ConfigError

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import (  # noqa: E402
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForImageTextToText,
)

from tests.test_backbone_reference import SMALL  # noqa: E402

VISION_MARKERS = ("vision_model.", "vision_tower.", "multi_modal_projector.", "visual.")
LLAMA4_VISION = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "intermediate_size": 48,
    "num_attention_heads": 2,
    "image_size": 28,
    "patch_size": 14,
    "vision_output_dim": 40,
    "projector_input_dim": 48,
    "projector_output_dim": 48,
}
PIXTRAL = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "intermediate_size": 48,
    "num_attention_heads": 2,
    "image_size": 28,
    "patch_size": 14,
}
QWEN3_5_VISION = {
    "hidden_size": 32,
    "depth": 2,
    "intermediate_size": 48,
    "num_heads": 2,
    "out_hidden_size": 64,
    "patch_size": 14,
}
DELTANET = {
    "head_dim": 16,
    "linear_num_key_heads": 2,
    "linear_num_value_heads": 4,
    "linear_key_head_dim": 8,
    "linear_value_head_dim": 12,
}
QWEN_MOE = {
    "num_experts": 4,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "shared_expert_intermediate_size": 40,
}

# (name, wrapper type, text_config, vision_config, the wrapper's own keys)
VARIANTS: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    (
        "llama4-moe-every-layer",
        "llama4",
        {**SMALL, "num_local_experts": 4, "intermediate_size_mlp": 80, "head_dim": 16},
        LLAMA4_VISION,
        {},
    ),
    (
        "llama4-interleaved-tied-1-channel",
        "llama4",
        {
            **SMALL,
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "interleave_moe_layer_step": 2,
            "tie_word_embeddings": True,
        },
        {**LLAMA4_VISION, "image_size": 42, "num_channels": 1, "projector_output_dim": 24},
        {},
    ),
    (
        "mistral3-untied",
        "mistral3",
        {**SMALL, "model_type": "mistral", "head_dim": 16},
        PIXTRAL,
        {"tie_word_embeddings": False},
    ),
    (
        "mistral3-tied-bias-merge3-two-feature-layers",
        "mistral3",
        {**SMALL, "model_type": "mistral", "sliding_window": 16},
        {**PIXTRAL, "num_channels": 1},
        {
            "tie_word_embeddings": True,
            "multimodal_projector_bias": True,
            "spatial_merge_size": 3,
            "vision_feature_layer": [-1, -2],
        },
    ),
    (
        "mistral3-llama-text-default-tower",
        "mistral3",
        {**SMALL, "model_type": "llama", "attention_bias": True},
        {},
        {"tie_word_embeddings": False},
    ),
    ("qwen3_5", "qwen3_5", {**SMALL, **DELTANET}, QWEN3_5_VISION, {}),
    (
        "qwen3_5-tied-3d-merge3",
        "qwen3_5",
        {**SMALL, **DELTANET},
        {
            **QWEN3_5_VISION,
            "temporal_patch_size": 1,
            "spatial_merge_size": 3,
            "num_position_embeddings": 16,
            "in_channels": 1,
        },
        {"tie_word_embeddings": True},
    ),
    ("qwen3_5_moe", "qwen3_5_moe", {**SMALL, **DELTANET, **QWEN_MOE}, QWEN3_5_VISION, {}),
    (
        "qwen3_5_moe-tied-deeper-tower",
        "qwen3_5_moe",
        {**SMALL, **DELTANET, **QWEN_MOE},
        {**QWEN3_5_VISION, "depth": 3},
        {"tie_word_embeddings": True},
    ),
]


def _config(model_type: str, text: dict, vision: dict, top: dict):
    return AutoConfig.for_model(model_type, text_config=text, vision_config=vision, **top)


def _reference(cfg) -> dict[str, int]:
    """The ForConditionalGeneration model's total, vision share and active count (total
    less the (E - k) / E share of the routed experts)."""
    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(cfg)
    text = cfg.get_text_config()
    e = getattr(text, "num_local_experts", None) or getattr(text, "num_experts", None) or 0
    k = getattr(text, "num_experts_per_tok", None) or 0
    total = vision = routed = 0
    for name, p in model.named_parameters():
        total += p.numel()
        if name.startswith(VISION_MARKERS) or any(f".{m}" in name for m in VISION_MARKERS):
            vision += p.numel()
        elif ".experts." in name:
            routed += p.numel()
    active = total - routed * (e - k) // e if e else total
    out = {"total": total, "vision": vision, "active": active, "layers": text.num_hidden_layers}
    if cfg.model_type in TEXT_ONLY_CAUSAL_LM:
        with torch.device("meta"):
            causal = AutoModelForCausalLM.from_config(cfg)
        out["causal_lm"] = sum(p.numel() for p in causal.parameters())
        skipped = sum(p.numel() for n, p in causal.named_parameters() if ".experts." in n)
        out["causal_lm_active"] = out["causal_lm"] - (skipped * (e - k) // e if e else 0)
    return out


# wrappers whose AutoModelForCausalLM is the text model alone (Llama4ForCausalLM,
# Qwen3_5ForCausalLM / Qwen3_5MoeForCausalLM); mistral3 has no AutoModelForCausalLM
TEXT_ONLY_CAUSAL_LM = ("llama4", "qwen3_5", "qwen3_5_moe")


@pytest.mark.parametrize("name,model_type,text,vision,top", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_wrapper_matches_transformers_vision_tower_included(
    name: str, model_type: str, text: dict, vision: dict, top: dict
) -> None:
    cfg = _config(model_type, text, vision, top)
    want = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == model_type
    if model_type in TEXT_ONLY_CAUSAL_LM:
        # the total is AutoModelForCausalLM's text model (tied by text_config's flag); the
        # tower is reported beside it
        assert params["total"] == want["causal_lm"]
        assert params["breakdown"]["vision"] == 0
        assert params["vision_not_built"]["params"] == want["vision"]
        assert params["active"] == want["causal_lm_active"]
        if not top.get("tie_word_embeddings"):  # the two models tie alike
            assert params["vision_not_built"]["total_with_vision"] == want["total"]
        assert any("AutoModelForCausalLM builds the text model only" in n for n in report["notes"])
    else:
        assert params["total"] == want["total"], params["breakdown"]
        assert params["breakdown"]["vision"] == want["vision"]
        assert params["vision_not_built"]["params"] == 0
        assert params["active"] == want["active"]
    assert sum(params["breakdown"].values()) == params["total"]
    assert len(report["backbone"]["layers"]["pattern"]) == want["layers"]
    assert report["backbone"]["vision"]["kind"] in ("llama4", "pixtral", "qwen3_5")


@pytest.mark.parametrize("name,model_type,text,vision,top", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_the_tower_leaves_the_text_models_figures_alone(
    name: str, model_type: str, text: dict, vision: dict, top: dict
) -> None:
    """KV cache, FLOPs, decode bytes and the layer mix are the text model's: the wrapper's
    report equals the report of its text_config read as that text model (with the lm_head
    tied as the wrapper ties it), and active minus the tower is the text model's active."""
    cfg = _config(model_type, text, vision, top)
    config = cfg.to_dict()
    wrapper = analyze_config(config)
    text_config = cfg.get_text_config()
    alone = text_config.to_dict()
    alone["tie_word_embeddings"] = wrapper["backbone"]["tied_embeddings"]
    text_only = analyze_config(alone)
    assert text_only["estimated"] is False
    vision_params = wrapper["params"]["breakdown"]["vision"]  # 0 where it is not built
    assert vision_params + wrapper["params"]["vision_not_built"]["params"] > 0
    assert wrapper["params"]["total"] - vision_params == text_only["params"]["total"]
    assert wrapper["params"]["active"] - vision_params == text_only["params"]["active"]
    assert wrapper["memory"]["kv_bytes_per_token"] == text_only["memory"]["kv_bytes_per_token"]
    assert wrapper["compute"]["flops_per_token"] == text_only["compute"]["flops_per_token"]
    assert (
        wrapper["compute"]["decode_bytes_per_token"]
        == text_only["compute"]["decode_bytes_per_token"]
    )
    assert wrapper["backbone"]["layers"] == text_only["backbone"]["layers"]


@pytest.mark.parametrize("model_type", ["llama4", "mistral3", "qwen3_5", "qwen3_5_moe"])
def test_the_config_class_defaults_count_as_transformers_builds_them(model_type: str) -> None:
    """Llama 4 Scout's, Mistral Small 3.1's and Qwen3.5's shapes (the config classes'
    defaults, as the Hub configs spell them: text_config and vision_config in full)."""
    cfg = AutoConfig.for_model(model_type)
    want = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False
    tower = params["breakdown"]["vision"] + params["vision_not_built"]["params"]
    assert tower == want["vision"]
    assert params["total"] == want.get("causal_lm", want["total"])
    assert params["vision_not_built"]["total_with_vision"] == want["total"]


def test_mistral3_without_a_top_level_tie_flag_counts_the_lm_head_the_checkpoint_stores(
    tmp_path,
) -> None:
    """Mistral Small 3.1's config.json has no top-level tie_word_embeddings (saved by
    transformers 4). Mistral3Config defaults it to true, yet a checkpoint that stores
    lm_head.weight apart loads untied: the engine counts what from_pretrained gives."""
    cfg = _config(
        "mistral3",
        {**SMALL, "model_type": "mistral", "num_hidden_layers": 1},
        {**PIXTRAL, "num_hidden_layers": 1},
        {"tie_word_embeddings": False},
    )
    model = AutoModelForImageTextToText.from_config(cfg)  # real (tiny) weights, on the CPU
    model.save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "config.json").read_text())
    saved.pop("tie_word_embeddings", None)
    saved["text_config"].pop("tie_word_embeddings", None)
    (tmp_path / "config.json").write_text(json.dumps(saved))
    loaded = AutoModelForImageTextToText.from_pretrained(tmp_path)
    total = sum(p.numel() for p in loaded.parameters())
    assert loaded.lm_head.weight is not loaded.get_input_embeddings().weight
    report = analyze_config(saved)
    assert report["params"]["total"] == total
    assert report["backbone"]["tied_embeddings"] is False
    assert any("no tie_word_embeddings at the top" in n for n in report["notes"])
    # an explicit flag is the one transformers builds with
    tied = analyze_config({**saved, "tie_word_embeddings": True})
    assert tied["params"]["total"] == total - SMALL["vocab_size"] * SMALL["hidden_size"]
    assert not any("no tie_word_embeddings" in n for n in tied["notes"])


@pytest.mark.parametrize("model_type", ["llama4", "mistral3", "qwen3_5", "qwen3_5_moe"])
def test_a_wrapper_without_text_config_stays_estimated(model_type: str) -> None:
    """Without text_config transformers builds the config class's default text model and
    ignores top-level sizes: the engine does not claim those keys as exact."""
    report = analyze_config({"model_type": model_type, **SMALL})
    assert report["estimated"] is True
    assert any("has no text_config" in n for n in report["notes"])
    assert not any("is not one of the families" in n for n in report["notes"])


def test_a_bad_vision_config_value_names_its_key() -> None:
    config = _config(*VARIANTS[0][1:]).to_dict()
    config["vision_config"]["hidden_size"] = "wide"
    with pytest.raises(ConfigError) as caught:
        analyze_config(config)
    assert caught.value.key == "vision_config.hidden_size"
    assert "vision_config.hidden_size" in str(caught.value)
