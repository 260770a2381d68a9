"""The backbone engine against transformers itself: every shared Hub config and tiny variants
of every mirrored family are built on the meta device and counted parameter by parameter.

Marker ``reference`` (imports torch + transformers). Each real config is built once per
module (cached), so the file stays at a few tens of seconds on two cores.
"""

from __future__ import annotations

import csv
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

SHARED = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)
HUB = SHARED / "hub"

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402


def _reference_rows() -> list[dict[str, str]]:
    path = HUB / "REFERENCE.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ROWS = _reference_rows()
if not ROWS:
    pytest.skip(f"no shared hub data at {HUB}", allow_module_level=True)


def _config_obj(config: dict[str, Any]):
    mt = config["model_type"]
    kwargs = {k: v for k, v in config.items() if k not in ("model_type", "auto_map")}
    return AutoConfig.for_model(mt, **kwargs)


def _build(cfg):
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(cfg, trust_remote_code=False)


def _routed_expert_numel(model) -> dict[int, int]:
    """Routed-expert parameters per layer index, read from the built model's names."""
    out: dict[int, int] = {}
    for name, p in model.named_parameters():
        if ".experts." not in name:
            continue
        parts = name.split(".")
        idx = int(parts[parts.index("layers") + 1])
        out[idx] = out.get(idx, 0) + p.numel()
    return out


def _experts(cfg) -> tuple[int, int]:
    text = getattr(cfg, "text_config", None) or cfg
    e = (
        getattr(text, "num_local_experts", None)
        or getattr(text, "n_routed_experts", None)
        or getattr(text, "num_experts", None)
        or 0
    )
    k = getattr(text, "num_experts_per_tok", None) or 0
    return int(e), int(k)


@cache
def _meta_counts(key: str, config_json: str) -> tuple[int, int]:
    """(total, active reference) of the transformers model; cached once per config."""
    config = json.loads(config_json)
    cfg = _config_obj(config)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    e, k = _experts(cfg)
    routed = _routed_expert_numel(model)
    active = total - sum(n * (e - k) // e for n in routed.values()) if e else total
    del model
    return total, active


def _load(dir_name: str) -> dict[str, Any]:
    return json.loads((HUB / dir_name / "config.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", ROWS, ids=[r["dir"] for r in ROWS])
def test_hub_config_matches_transformers_and_reference_csv(row: dict[str, str]) -> None:
    config = _load(row["dir"])
    report = analyze_config(config)
    if config["model_type"] not in CONFIG_MAPPING:
        # e.g. MiniMax-M1 (remote code only): the generic fallback must still answer.
        assert report["estimated"] is True
        assert report["params"]["total"] > 0
        assert report["notes"], "the fallback must say why it is an estimate"
        assert not row["total_params"]
        return
    total, active = _meta_counts(row["dir"], json.dumps(config, sort_keys=True))
    assert report["estimated"] is False
    assert report["params"]["total"] == total
    assert report["params"]["active"] == active
    assert report["params"]["total"] == int(row["total_params"])
    assert report["params"]["active"] == int(row["active_params"])
    assert report["memory"]["kv_bytes_per_token"] == int(
        row["kv_bytes_per_token_bf16_all_attention_layers"]
    )
    assert sum(report["params"]["breakdown"].values()) == total


TOKENS = {"pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2}
SMALL = {
    "vocab_size": 512,
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 96,
    **TOKENS,
}
MOE_SMALL = {"num_experts_per_tok": 2, "moe_intermediate_size": 32}
SIGLIP = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "intermediate_size": 48,
    "num_attention_heads": 2,
    "image_size": 28,
    "patch_size": 14,
}

VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    ("llama-untied", "llama", {}),
    (
        "llama-tied-bias",
        "llama",
        {"tie_word_embeddings": True, "attention_bias": True, "mlp_bias": True},
    ),
    ("llama-headdim", "llama", {"head_dim": 24}),
    ("llama-mha", "llama", {"num_key_value_heads": 4}),
    ("mistral-sliding", "mistral", {"sliding_window": 16}),
    ("mixtral", "mixtral", {"num_local_experts": 4, "num_experts_per_tok": 2}),
    ("qwen2", "qwen2", {}),
    ("qwen2-tied", "qwen2", {"tie_word_embeddings": True}),
    ("qwen3-bias", "qwen3", {"attention_bias": True, "head_dim": 16}),
    (
        "qwen3_moe-dense-first",
        "qwen3_moe",
        {
            "num_experts": 8,
            **MOE_SMALL,
            "mlp_only_layers": [0],
            "decoder_sparse_step": 1,
            "head_dim": 16,
        },
    ),
    ("qwen3_moe-step2", "qwen3_moe", {"num_experts": 8, **MOE_SMALL, "decoder_sparse_step": 2}),
    (
        "qwen3_next",
        "qwen3_next",
        {
            "num_experts": 8,
            **MOE_SMALL,
            "shared_expert_intermediate_size": 40,
            "head_dim": 16,
            "layer_types": [
                "linear_attention",
                "full_attention",
                "linear_attention",
                "full_attention",
            ],
            "linear_num_key_heads": 2,
            "linear_num_value_heads": 4,
            "linear_key_head_dim": 8,
            "linear_value_head_dim": 12,
            "mlp_only_layers": [2],
        },
    ),
    (
        "deepseek_v2-no-q-lora",
        "deepseek_v2",
        {
            "n_routed_experts": 8,
            **MOE_SMALL,
            "n_shared_experts": 2,
            "first_k_dense_replace": 1,
            "q_lora_rank": None,
            "kv_lora_rank": 16,
            "qk_nope_head_dim": 8,
            "qk_rope_head_dim": 4,
            "v_head_dim": 8,
            "n_group": 1,
            "topk_group": 1,
        },
    ),
    (
        "deepseek_v3-bias",
        "deepseek_v3",
        {
            "n_routed_experts": 8,
            **MOE_SMALL,
            "n_shared_experts": 1,
            "first_k_dense_replace": 2,
            "q_lora_rank": 24,
            "kv_lora_rank": 16,
            "qk_nope_head_dim": 8,
            "qk_rope_head_dim": 4,
            "v_head_dim": 8,
            "attention_bias": True,
            "n_group": 1,
            "topk_group": 1,
        },
    ),
    ("gemma", "gemma", {"head_dim": 16}),
    ("gemma2", "gemma2", {"head_dim": 16, "sliding_window": 8}),
    ("gemma3_text", "gemma3_text", {"head_dim": 16, "sliding_window": 8, "num_hidden_layers": 7}),
    ("gemma3_text-untied", "gemma3_text", {"head_dim": 16, "tie_word_embeddings": False}),
    ("phi3", "phi3", {}),
    ("gpt2", "gpt2", {"n_embd": 64, "n_layer": 3, "n_head": 4, "n_positions": 128}),
    (
        "gpt_oss",
        "gpt_oss",
        {"num_local_experts": 4, "num_experts_per_tok": 2, "head_dim": 16, "sliding_window": 8},
    ),
    (
        "nemotron_h-hybrid-moe",
        "nemotron_h",
        {
            "hybrid_override_pattern": "M-*EME",
            "mamba_num_heads": 4,
            "mamba_head_dim": 16,
            "n_groups": 2,
            "ssm_state_size": 8,
            "head_dim": 16,
            "n_routed_experts": 4,
            "moe_intermediate_size": 32,
            "moe_shared_expert_intermediate_size": 48,
            "num_experts_per_tok": 2,
            "use_bias": True,
            "mlp_bias": True,
        },
    ),
    (
        "nemotron_h-latent",
        "nemotron_h",
        {
            "hybrid_override_pattern": "ME*E",
            "mamba_num_heads": 4,
            "mamba_head_dim": 16,
            "n_groups": 1,
            "ssm_state_size": 8,
            "head_dim": 16,
            "n_routed_experts": 4,
            "moe_intermediate_size": 32,
            "moe_shared_expert_intermediate_size": 48,
            "num_experts_per_tok": 2,
            "moe_latent_size": 24,
        },
    ),
    ("mamba", "mamba", {"state_size": 8}),
    ("falcon_mamba-bias", "falcon_mamba", {"state_size": 8, "use_bias": True}),
    ("mamba2", "mamba2", {"num_heads": 8, "head_dim": 16, "n_groups": 2, "state_size": 8}),
    (
        "granitemoe-bias",
        "granitemoe",
        {"num_local_experts": 4, "num_experts_per_tok": 2, "attention_bias": True},
    ),
    ("smollm3", "smollm3", {}),
    ("smollm3-untied", "smollm3", {"tie_word_embeddings": False, "no_rope_layer_interval": 2}),
    ("olmo2-bias", "olmo2", {"attention_bias": True}),
]

SSM_TYPES = {"mamba", "falcon_mamba", "mamba2"}


def _variant_config(model_type: str, extra: dict[str, Any]):
    kwargs = dict(SMALL)
    if model_type in SSM_TYPES:
        for key in ("num_attention_heads", "num_key_value_heads", "intermediate_size"):
            kwargs.pop(key)
    if model_type == "gpt2":
        kwargs = dict(TOKENS, vocab_size=512)
    if model_type == "nemotron_h":
        kwargs.pop("num_hidden_layers")
    kwargs.update(extra)
    return AutoConfig.for_model(model_type, **kwargs)


@pytest.mark.parametrize("name,model_type,extra", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_variant_matches_transformers(name: str, model_type: str, extra: dict) -> None:
    cfg = _variant_config(model_type, extra)
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    e, k = _experts(cfg)
    routed = _routed_expert_numel(model)
    active = total - sum(n * (e - k) // e for n in routed.values()) if e else total
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == total, report["params"]["breakdown"]
    assert report["params"]["active"] == active
    assert len(report["backbone"]["layers"]["pattern"]) == cfg.num_hidden_layers
    assert sum(report["params"]["breakdown"].values()) == total


@pytest.mark.parametrize("use_head", [False, True])
def test_gemma3_with_vision_tower_matches_transformers(use_head: bool) -> None:
    from transformers.models.gemma3 import Gemma3Config

    text = dict(SMALL, head_dim=16, sliding_window=8)
    cfg = Gemma3Config(
        text_config=text,
        vision_config=dict(SIGLIP, vision_use_head=use_head),
        mm_tokens_per_image=4,
    )
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    vision = sum(
        p.numel()
        for n, p in model.named_parameters()
        if "vision_tower" in n or "multi_modal_projector" in n
    )
    report = analyze_config(cfg.to_dict())
    assert report["params"]["total"] == total
    assert report["params"]["breakdown"]["vision"] == vision
