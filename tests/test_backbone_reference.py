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
        # e.g. MiniMax-M1 (remote code only): read as the native family it spells differently
        # (its own test builds that family), or the generic fallback, which says why it
        # is an estimate
        assert report["params"]["total"] > 0
        if report["backbone"]["family_module"] == "generic":
            assert report["estimated"] is True
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
    (
        # NemotronHForCausalLM ties no weights (_tied_weights_keys = {}): the engine dropped
        # the lm_head when tie_word_embeddings was true
        "nemotron_h-tie-ignored",
        "nemotron_h",
        {
            "hybrid_override_pattern": "M*-E",
            "mamba_num_heads": 4,
            "mamba_head_dim": 16,
            "n_groups": 1,
            "ssm_state_size": 8,
            "head_dim": 16,
            "n_routed_experts": 4,
            "moe_intermediate_size": 32,
            "moe_shared_expert_intermediate_size": 48,
            "num_experts_per_tok": 2,
            "tie_word_embeddings": True,
        },
    ),
    ("mamba", "mamba", {"state_size": 8}),
    ("falcon_mamba-bias", "falcon_mamba", {"state_size": 8, "use_bias": True}),
    # tiiuae/falcon-mamba-7b's shape: expand 16 but intermediate_size 2 x hidden, which wins
    (
        "falcon_mamba-7b-shape",
        "falcon_mamba",
        {"state_size": 8, "expand": 16, "intermediate_size": 128, "time_step_rank": 8},
    ),
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


def _variant_kwargs(model_type: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The keys a variant's config.json holds (the config class fills in the rest)."""
    kwargs = dict(SMALL)
    if model_type in SSM_TYPES:
        for key in ("num_attention_heads", "num_key_value_heads", "intermediate_size"):
            kwargs.pop(key)
    if model_type == "gpt2":
        kwargs = dict(TOKENS, vocab_size=512)
    if model_type == "nemotron_h":
        kwargs.pop("num_hidden_layers")
    kwargs.update(extra)
    return kwargs


def _variant_config(model_type: str, extra: dict[str, Any]):
    return AutoConfig.for_model(model_type, **_variant_kwargs(model_type, extra))


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


# -- what each layer attends to, and the context window, as transformers builds them -------


def _attends_over(attn, cfg) -> int | None:
    """The window a built attention module slides over, or None (the full context): its own
    ``sliding_window`` attribute where the modeling code sets one per layer (qwen2, gemma2,
    gpt_oss, ...), else ``config.sliding_window`` where its forward reads the config's
    (mistral, mixtral, phi3), else None (llama, gemma, olmo2: the code never mentions one)."""
    import inspect

    if "sliding_window" in vars(attn):
        return attn.sliding_window
    if "sliding_window" in inspect.getsource(type(attn).forward):
        return cfg.sliding_window
    return None


def _transformers_layer_kinds(model, cfg) -> list[tuple[str, int | None]]:
    """Per decoder layer of the built model: ("sliding", window), ("full", None) or ("none",
    None) for a layer without softmax attention (Gated DeltaNet, Mamba, an MLP block)."""
    kinds: list[tuple[str, int | None]] = []
    base = model.base_model
    for layer in base.h if hasattr(base, "h") else base.layers:  # gpt2 names its blocks h
        attn = getattr(layer, "self_attn", None)
        if attn is None:
            attn = getattr(layer, "attn", None)  # gpt2
        mixer = getattr(layer, "mixer", None)
        if attn is None and mixer is not None and "Attention" in type(mixer).__name__:
            attn = mixer  # nemotron_h: the attention block is the layer's mixer
        if attn is None:
            kinds.append(("none", None))
            continue
        window = _attends_over(attn, cfg)
        kinds.append(("sliding", window) if window is not None else ("full", None))
    return kinds


def _engine_layer_kinds(report: dict[str, Any]) -> list[tuple[str, int | None]]:
    window = report["backbone"]["attention"]["sliding_window"]
    out: list[tuple[str, int | None]] = []
    for layer in report["backbone"]["layers"]["pattern"]:
        mixer = layer["mixer"]
        if mixer == "sliding_attention":
            out.append(("sliding", window))
        elif mixer in ("attention", "mla"):
            out.append(("full", None))
        else:
            out.append(("none", None))
    return out


def _kinds_match(model_type: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Build ``kwargs`` with transformers on the meta device and read the same keys as a
    config.json with the engine: the layer kinds must agree; returns the engine's report."""
    cfg = AutoConfig.for_model(model_type, **kwargs)
    model = _build(cfg)
    report = analyze_config({"model_type": model_type, **kwargs})
    assert _engine_layer_kinds(report) == _transformers_layer_kinds(model, cfg)
    return report


@pytest.mark.parametrize("name,model_type,extra", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variant_layer_kinds_and_context_from_the_config_keys_alone(
    name: str, model_type: str, extra: dict
) -> None:
    """Each tiny variant read from its own keys only (the config class's defaults not written
    out, as in a config.json that omits them): per-layer attention as transformers builds
    it, and the context window its config class defaults to, said in a note."""
    kwargs = _variant_kwargs(model_type, extra)
    report = _kinds_match(model_type, kwargs)
    cfg = AutoConfig.for_model(model_type, **kwargs)
    if model_type in SSM_TYPES:
        assert report["backbone"]["context_length"] is None
        return
    native = cfg.n_positions if model_type == "gpt2" else cfg.max_position_embeddings
    assert report["backbone"]["context_length"] == native
    key = "n_positions" if model_type == "gpt2" else "max_position_embeddings"
    note = f"no {key} in config.json: transformers' {model_type} default, {native:,}, is used"
    assert (note in report["notes"]) == (key not in kwargs), report["notes"]


ALTERNATING = ["sliding_attention", "full_attention"] * 2
TINY = dict(SMALL, max_position_embeddings=4096)

LAYER_KIND_CASES: list[tuple[str, str, dict[str, Any], str | None]] = [
    # modeling_llama.py reads neither layer_types nor sliding_window: full attention throughout
    (
        "llama-ignores-layer_types",
        "llama",
        {"layer_types": ALTERNATING, "sliding_window": 16},
        "layer_types is not read by modeling_llama.py; ignored",
    ),
    # mistral: the window on every layer (MistralConfig default 4096; null: none)
    (
        "mistral-window-everywhere",
        "mistral",
        {"layer_types": ALTERNATING, "sliding_window": 16},
        "layer_types is not read by modeling_mistral.py; ignored",
    ),
    (
        "mistral-default-window",
        "mistral",
        {},
        "no sliding_window in config.json: transformers' mistral default, 4,096, is used",
    ),
    ("mistral-null-window", "mistral", {"sliding_window": None}, None),
    (
        "mixtral-ignores-layer_types",
        "mixtral",
        {"layer_types": ALTERNATING, "num_local_experts": 4},
        "layer_types is not read by modeling_mixtral.py; ignored",
    ),
    ("phi3-window", "phi3", {"layer_types": ALTERNATING, "sliding_window": 16}, None),
    # qwen2/qwen3: layer_types is read, but no window without use_sliding_window
    (
        "qwen2-sliding-disabled",
        "qwen2",
        {"layer_types": ALTERNATING, "use_sliding_window": False, "sliding_window": 16},
        "2 layers are marked sliding_attention, but use_sliding_window is false: transformers "
        "gives them no window, so they are counted as full attention",
    ),
    (
        "qwen2-sliding-enabled",
        "qwen2",
        {"layer_types": ALTERNATING, "use_sliding_window": True, "sliding_window": 16},
        None,
    ),
    (
        "qwen2-max-window-layers",
        "qwen2",
        {"use_sliding_window": True, "max_window_layers": 3},
        "no sliding_window in config.json: transformers' qwen2 default, 4,096, is used",
    ),
    (
        "qwen3-sliding-disabled",
        "qwen3",
        {"layer_types": ALTERNATING, "head_dim": 16},
        "2 layers are marked sliding_attention, but use_sliding_window is false: transformers "
        "gives them no window, so they are counted as full attention",
    ),
    # qwen3_moe: Qwen3MoeAttention reads config.sliding_window in every layer
    (
        "qwen3_moe-window-everywhere",
        "qwen3_moe",
        {
            "num_experts": 4,
            **MOE_SMALL,
            "use_sliding_window": True,
            "sliding_window": 16,
            "max_window_layers": 2,
        },
        None,
    ),
    # smollm3: sliding only with use_sliding_window; by default on the NoPE layers
    (
        "smollm3-nope-layers-slide",
        "smollm3",
        {"use_sliding_window": True, "sliding_window": 16, "no_rope_layer_interval": 2},
        None,
    ),
    (
        "smollm3-sliding-disabled",
        "smollm3",
        {"layer_types": ALTERNATING, "sliding_window": 16},
        "2 layers are marked sliding_attention, but use_sliding_window is false: transformers "
        "gives them no window, so they are counted as full attention",
    ),
    (
        "gemma-ignores-layer_types",
        "gemma",
        {"layer_types": ALTERNATING, "head_dim": 16},
        "layer_types is not read by modeling_gemma.py; ignored",
    ),
    (
        "gemma2-null-window",
        "gemma2",
        {"head_dim": 16, "sliding_window": None},
        "2 layers are marked sliding_attention, but there is no sliding_window: they are "
        "counted as full attention",
    ),
    (
        "gemma3_text-layer_types",
        "gemma3_text",
        {
            "head_dim": 16,
            "sliding_window": 8,
            "layer_types": ["full_attention"] * 3 + ["sliding_attention"],
        },
        None,
    ),
    (
        "gpt_oss-layer_types",
        "gpt_oss",
        {
            "num_local_experts": 4,
            "num_experts_per_tok": 2,
            "head_dim": 16,
            "layer_types": ["full_attention"] * 3 + ["sliding_attention"],
        },
        "no sliding_window in config.json: transformers' gpt_oss default, 128, is used",
    ),
    (
        "olmo2-ignores-layer_types",
        "olmo2",
        {"layer_types": ALTERNATING},
        "layer_types is not read by modeling_olmo2.py; ignored",
    ),
    (
        "granitemoe-ignores-layer_types",
        "granitemoe",
        {"layer_types": ALTERNATING, "num_local_experts": 4, "num_experts_per_tok": 2},
        "layer_types is not read by modeling_granitemoe.py; ignored",
    ),
]


@pytest.mark.parametrize(
    "name,model_type,extra,note", LAYER_KIND_CASES, ids=[c[0] for c in LAYER_KIND_CASES]
)
def test_layer_kinds_follow_the_modeling_code(
    name: str, model_type: str, extra: dict, note: str | None
) -> None:
    """layer_types, sliding_window and use_sliding_window count only where the family's
    modeling code reads them; the layer mix, the window and the KV figures agree."""
    report = _kinds_match(model_type, {**TINY, **extra})
    if note is not None:
        assert note in report["notes"], report["notes"]
    sliding = report["backbone"]["attention"]["sliding"]
    assert sliding == ("sliding" in report["backbone"]["layers"]["summary"])
    assert sliding == bool(report["backbone"]["attention"]["sliding_window"])
