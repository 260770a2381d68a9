"""Dense kin of families the engine already mirrors, counted exactly against transformers:
ministral3, cwm, granite_swa, hyperclovax, bitnet, diffllama, jais2, nanochat, apertus1p5_text
and emu3's text model (Llama block), vaultgemma (Gemma 2 block), persimmon (Phi's modules),
youtu (DeepSeek MLA with dense MLPs), doge (dynamic-mask attention, CDMoE), mellum (Qwen3-MoE
block with layer types), lara_mini (Qwen3.5 Gated DeltaNet hybrid), zaya (CCA attention,
recurrent router), kolibri1 (EXAONE 4 attention, sandwich norms, shared-expert MoE),
gpt_neox_japanese, openai-gpt (GPT-2 modules, post-LN), ctrl and biogpt. Tiny variants of each are built by transformers on the meta device and compared
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
LARA = {
    "num_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "shared_expert_intermediate_size": 48,
    "head_dim": 16,
    "linear_num_key_heads": 2,
    "linear_num_value_heads": 4,
    "linear_key_head_dim": 8,
    "linear_value_head_dim": 12,
}
ZAYA = {
    "num_experts": 4,
    "num_experts_per_tok": 1,
    "moe_intermediate_size": 32,
    "head_dim": 16,
    "router_hidden_size": 16,
}
KOLIBRI = {
    "num_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "shared_expert_intermediate_size": 48,
    "head_dim": 16,
}

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
    # SMALL's 4 layers are all sliding under the default (i + 1) % 5 == 0 rule
    ("kolibri1", "kolibri1", KOLIBRI, "GQA", "4 sliding GQA · 4 MoE"),
    (
        "kolibri1-layer-types-nope-tied",
        "kolibri1",
        {
            **KOLIBRI,
            "layer_types": LAYER_TYPES,
            "sliding_window": 16,
            "tie_word_embeddings": True,
            "norm_topk_prob": True,
        },
        "GQA",
        "3 sliding + 1 full · 4 MoE",
    ),
    # SMALL's 4 layers under the default period-5 pattern: linear, sliding, linear, full
    ("lara_mini", "lara_mini", LARA, "GQA", "2 Gated DeltaNet + 1 sliding + 1 full · 4 MoE"),
    (
        "lara_mini-layer-types-bias-untied",
        "lara_mini",
        {
            **LARA,
            "layer_types": [
                "full_attention",
                "linear_attention",
                "sliding_attention",
                "sliding_attention",
            ],
            "sliding_window": 16,
            "attention_bias": True,
            "tie_word_embeddings": False,
        },
        "GQA",
        "1 full + 1 Gated DeltaNet + 2 sliding · 4 MoE",
    ),
    ("zaya", "zaya", ZAYA, "GQA", "4 GQA · 4 MoE"),
    (
        "zaya-sliding-bias-untied-kernels",
        "zaya",
        {
            **ZAYA,
            "layer_types": ["hybrid_sliding", "hybrid", "hybrid_sliding", "hybrid_sliding"],
            "sliding_window": 16,
            "attention_bias": True,
            "lm_head_bias": True,
            "tie_word_embeddings": False,
            "cca_time0": 3,
            "cca_time1": 4,
        },
        "GQA",
        "3 sliding + 1 full · 4 MoE",
    ),
    ("gpt_neox_japanese", "gpt_neox_japanese", {}, "MHA", "4 MHA · 4 MLP"),
    (
        "gpt_neox_japanese-width-untied",
        "gpt_neox_japanese",
        {"intermediate_multiple_size": 2, "tie_word_embeddings": False},
        "MHA",
        "4 MHA · 4 MLP",
    ),
    ("openai-gpt", "openai-gpt", {}, "MHA", "4 MHA · 4 MLP"),
    (
        "openai-gpt-positions-untied",
        "openai-gpt",
        {"n_positions": 128, "tie_word_embeddings": False},
        "MHA",
        "4 MHA · 4 MLP",
    ),
    ("ctrl", "ctrl", {"dff": 80}, "MHA", "4 MHA · 4 MLP"),
    ("ctrl-untied", "ctrl", {"dff": 80, "tie_word_embeddings": False}, "MHA", "4 MHA · 4 MLP"),
    ("biogpt", "biogpt", {}, "MHA", "4 MHA · 4 MLP"),
    (
        "biogpt-positions-untied",
        "biogpt",
        {"max_position_embeddings": 64, "tie_word_embeddings": False},
        "MHA",
        "4 MHA · 4 MLP",
    ),
]


def _active(cfg, model, total: int) -> int:
    """Total minus the routed-expert parameters a token skips: (E - k) / E of each layer's
    experts (Mellum's ``.experts.``, Doge's CDMoE ``down_embed`` / ``up_embed`` rows)."""
    routed = sum(
        p.numel()
        for name, p in model.named_parameters()
        if ".experts." in name or name.endswith(("down_embed.weight", "up_embed.weight"))
    )  # (ZAYA's router "skip" class has no expert: not among them)
    if not routed:
        return total
    e = getattr(cfg, "num_local_experts", None) or cfg.num_experts
    return total - routed + routed * cfg.num_experts_per_tok // e


def _kv_bytes_per_token(cfg, model) -> int:
    """K and V (bf16) of every attention layer at full length; MLA caches its latent
    (kv_lora_rank + qk_rope_head_dim); Persimmon is multi-head (hidden // heads per head)."""
    # Lara-mini's Gated DeltaNet layers keep a constant state instead
    layers = sum(1 for layer in _decoder_layers(model) if not hasattr(layer, "linear_attn"))
    if getattr(cfg, "kv_lora_rank", None):
        return layers * (cfg.kv_lora_rank + cfg.qk_rope_head_dim) * 2
    heads = cfg.num_attention_heads
    kv_heads = getattr(cfg, "num_key_value_heads", None) or heads
    if cfg.model_type in _MULTI_HEAD:  # modeling_<type>.py reads no K/V head count
        kv_heads = heads
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // heads
    return layers * 2 * kv_heads * head_dim * 2


_MULTI_HEAD = ("persimmon", "gpt_neox_japanese", "openai-gpt", "ctrl", "biogpt")


def _decoder_layers(model):
    """The built decoder layers, whatever the model names them."""
    base = model.base_model
    for name in ("layers", "h", "layer"):
        if hasattr(base, name):
            return getattr(base, name)
    raise AssertionError(f"no decoder layers on {type(base).__name__}")


@pytest.mark.parametrize(
    "name,model_type,extra,variant,summary", VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_dense_variant_matches_transformers(
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
    for i, layer in enumerate(_decoder_layers(model)):
        if model_type in ("doge", "ministral3"):  # config.sliding_window, in every layer
            window = cfg.sliding_window
        elif model_type == "kolibri1":  # Exaone4Attention keeps the window on every layer
            window = layer.self_attn.is_sliding and cfg.sliding_window
        else:  # the window each attention module holds (None: full attention)
            window = getattr(getattr(layer, "self_attn", None), "sliding_window", None)
        assert (pattern[i]["mixer"] == "sliding_attention") == bool(window), (i, pattern[i])


def test_default_configs_match_transformers() -> None:
    """Each type's own default config (full size), built on the meta device."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    types = sorted({v[1] for v in VARIANTS} | {"emu3"})
    wrong = []
    for model_type in types:
        cfg = CONFIG_MAPPING[model_type]()
        total = sum(p.numel() for p in _build(cfg).parameters())
        report = analyze_config(cfg.to_dict())
        if report["estimated"] or report["params"]["total"] != total:
            wrong.append((model_type, total, report["params"]["total"]))
    assert wrong == []
    assert len(types) == 22


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


def test_kolibri1_full_layers_apply_no_rope_while_the_config_has_a_window() -> None:
    """Exaone4Attention (Kolibri1Attention): RoPE only on sliding layers when a window is set."""
    extra = {**KOLIBRI, "layer_types": LAYER_TYPES, "sliding_window": 16}
    report = analyze_config(AutoConfig.for_model("kolibri1", **{**SMALL, **extra}).to_dict())
    positional = report["backbone"]["positional"]
    assert positional["type"] == "rope+nope"
    assert positional["nope_layers"] == 1
    assert not any("intermediate_size" in n for n in report["notes"])


EMU3_TEXT = {**SMALL, "intermediate_size": 96}


@pytest.mark.parametrize(
    "extra",
    [{}, {"tie_word_embeddings": True, "attention_bias": True, "mlp_bias": True}],
    ids=["untied", "tied-bias"],
)
def test_emu3_counts_its_text_model_as_transformers_builds_it(extra: dict) -> None:
    """Emu3ForCausalLM is the text_config's llama block (tied by text_config's flag); the
    VQ-VAE is not built, which the engine says. Flat keys, without text_config, build the
    config class's default text model: estimated, as for the other wrappers."""
    cfg = AutoConfig.for_model("emu3", text_config={**EMU3_TEXT, **extra})
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == total
    assert report["backbone"]["layers"]["summary"] == "4 GQA · 4 MLP"
    assert any(n.startswith("the VQ-VAE image tokenizer") for n in report["notes"])
    assert analyze_config({"model_type": "emu3", **SMALL})["estimated"] is True


def test_gpt_neox_japanese_dense_bias_is_on_the_last_layer_only() -> None:
    cfg = AutoConfig.for_model("gpt_neox_japanese", **SMALL)
    report = analyze_config(cfg.to_dict())
    per_layer = report["params"]["per_layer"]
    assert per_layer[-1] - per_layer[0] == SMALL["hidden_size"]
    assert per_layer[0] == per_layer[1] == per_layer[2]


def test_lara_mini_full_layers_are_nope_and_its_deltanet_layers_hold_a_state() -> None:
    cfg = AutoConfig.for_model("lara_mini", **{**SMALL, **LARA})
    report = analyze_config(cfg.to_dict())
    assert report["backbone"]["positional"]["type"] == "rope+nope"
    assert report["backbone"]["positional"]["nope_layers"] == 1
    assert report["memory"]["state_bytes_per_sequence"] > 0
    assert report["backbone"]["attention"]["sliding_window"] == 512
    assert not any("intermediate_size" in n for n in report["notes"])


def test_zaya_router_differs_in_layer_zero_and_the_cca_state_is_noted() -> None:
    """Layer 0's router has no router_states_scale (no previous router state): it holds
    router_hidden_size fewer parameters than the others."""
    cfg = AutoConfig.for_model("zaya", **{**SMALL, **ZAYA})
    model = _build(cfg)
    report = analyze_config(cfg.to_dict())
    per_layer = report["params"]["per_layer"]
    built = [sum(p.numel() for p in layer.parameters()) for layer in model.model.layers]
    assert per_layer == built
    assert per_layer[1] - per_layer[0] == ZAYA["router_hidden_size"]
    assert report["backbone"]["positional"]["rope_theta"] == 5_000_000.0
    assert any(n.startswith("the CCA attention's conv state") for n in report["notes"])
