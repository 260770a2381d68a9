"""Inkling (inkling_text), Inkling-2 (inkling2_text), Inkling-2 Loop (inkling2_loop_text) and
Dory (dory) against transformers: tiny variants built on the CPU, counted parameter by
parameter, then run one short forward pass with a DynamicCache whose K/V and conv states give
the KV cache per token and the state per sequence the engine must report (Inkling-2 Loop and
Dory cache every run of their looped layers, Dory's "last_loop" mode the last run only).

Marker ``reference`` (imports torch + transformers).
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config
from axes.backbone.errors import ConfigError

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig, AutoModelForCausalLM, DynamicCache  # noqa: E402

BASE = {
    "vocab_size": 512,
    "hidden_size": 64,
    "num_hidden_layers": 6,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 0,
}
INKLING = {
    **BASE,
    "swa_num_attention_heads": 8,
    "swa_num_key_value_heads": 4,
    "swa_head_dim": 8,
    "intermediate_size": 96,
    "moe_intermediate_size": 32,
    "n_routed_experts": 8,
    "num_experts_per_tok": 2,
    "n_shared_experts": 1,
    "sliding_window_size": 8,
    "rel_extent": 12,
    "d_rel": 4,
}
INKLING2 = {
    **BASE,
    "swa_num_attention_heads": 4,
    "swa_num_key_value_heads": 1,
    "swa_head_dim": 16,
    "moe_intermediate_size": 32,
    "n_routed_experts": 8,
    "num_experts_per_tok": 2,
    "sliding_window_size": 8,
    "rel_extent": 12,
    "d_rel": 4,
    "unpadded_vocab_size": 500,
    "n_layers_per_attn_res_block": 2,
    "eos_token_id": 2,
}
LOOP = {
    **INKLING2,
    "num_hidden_layers": 8,
    "layer_types": ["hybrid_sliding", "hybrid"] * 4,
    "loop_layer_index_start": 2,
    "loop_layer_index_end": 6,
    "loop_num_passes": 3,
    "loop_gate_rank": 8,
}
DORY = {
    **BASE,
    "num_hidden_layers": 8,
    "n_input_layers": 2,
    "n_output_layers": 2,
    "n_recurrent_loops": 3,
    "intermediate_size": 96,
    "sliding_window": 8,
}

# (id, model_type, kwargs, analyze the kwargs as a raw config.json (not to_dict()), runs,
# layer summary)
VARIANTS: list[tuple[str, str, dict[str, Any], bool, int, str]] = [
    (
        "inkling-dense-and-moe",
        "inkling_text",
        {**INKLING, "mlp_layer_types": ["dense", "sparse", "sparse", "dense", "sparse", "sparse"]},
        False,
        6,
        "5 sliding + 1 full · 2 MLP + 4 MoE",
    ),
    (
        "inkling-raw-local-ids-dense-idx-dense-width",
        "inkling_text",
        {
            **INKLING,
            "local_layer_ids": [0, 2, 3],
            "dense_mlp_idx": 2,
            "dense_intermediate_size": 80,
            "n_shared_experts": 2,
        },
        True,
        6,
        "3 sliding + 3 full · 2 MLP + 4 MoE",
    ),
    ("inkling2", "inkling2_text", INKLING2, False, 6, "5 sliding + 1 full · 6 MoE"),
    (
        "inkling2-raw-full-first-aliases",
        "inkling2_text",
        {
            **{
                k: v
                for k, v in INKLING2.items()
                if k not in ("moe_intermediate_size", "sliding_window_size")
            },
            "layer_types": ["hybrid", "hybrid_sliding", "hybrid_sliding"] * 2,
            "intermediate_size": 24,
            "sliding_window": 6,
        },
        True,
        6,
        "2 full + 4 sliding · 6 MoE",
    ),
    ("inkling2-loop", "inkling2_loop_text", LOOP, False, 16, "8 sliding + 8 full · 16 MoE"),
    (
        "inkling2-loop-one-pass",
        "inkling2_loop_text",
        {**LOOP, "loop_num_passes": 1},
        False,
        8,
        "4 sliding + 4 full · 8 MoE",
    ),
    (
        "inkling2-loop-raw-loop-config",
        "inkling2_loop_text",
        {
            **{k: v for k, v in LOOP.items() if not k.startswith("loop_")},
            "loop_config": {"core_start": 4, "core_end": 8, "num_passes": 2, "gate_rank": 4},
        },
        True,
        12,
        "6 sliding + 6 full · 12 MoE",
    ),
    ("dory-per-loop", "dory", DORY, False, 16, "12 sliding + 4 full · 16 MLP"),
    (
        "dory-last-loop-biases-tied",
        "dory",
        {
            **DORY,
            "recurrent_kv_cache_mode": "last_loop",
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": True,
        },
        False,
        16,
        "12 sliding + 4 full · 16 MLP",
    ),
    (
        "dory-one-loop",
        "dory",
        {**DORY, "n_recurrent_loops": 1, "n_recurrent_layers": 4},
        False,
        8,
        "6 sliding + 2 full · 8 MLP",
    ),
    (
        "dory-raw-plain-layer-types",
        "dory",
        {**DORY, "layer_types": ["sliding_attention", "full_attention"] * 4},
        True,
        16,
        "8 sliding + 8 full · 16 MLP",
    ),
]


def _experts(cfg) -> tuple[int, int]:
    e = getattr(cfg, "n_routed_experts", 0) or 0
    return e, getattr(cfg, "num_experts_per_tok", 0) or 0


def _cache_figures(model, cfg) -> tuple[int, int]:
    """(K/V elements per token, conv-state bytes) of a DynamicCache after a 3-token forward."""
    cache = DynamicCache(config=cfg)
    tokens = 3
    with torch.no_grad():
        model(input_ids=torch.arange(1, 1 + tokens)[None], use_cache=True, cache=cache)
    kv = conv = 0
    for layer in cache.layers:
        if getattr(layer, "keys", None) is not None and layer.keys.numel():
            kv += layer.keys.numel() + layer.values.numel()
        states = getattr(layer, "conv_states", None) or {}
        for state in states.values() if isinstance(states, dict) else states:
            if state is not None:
                conv += state.numel() * state.element_size()
    return kv // tokens, conv


def _matmul_runs(model, cfg, model_type: str) -> int:
    """Matmul weights one token runs: every run of a layer (its linears, the router, k of its
    experts; an Inkling-2 Loop layer's message gates from the second pass on), the lm_head."""
    e, k = _experts(cfg)
    passes = getattr(cfg, "loop_num_passes", None) or getattr(cfg, "n_recurrent_loops", 1)
    if model_type == "inkling2_loop_text":
        looped = range(cfg.loop_layer_index_start, cfg.loop_layer_index_end)
    elif model_type == "dory":
        looped = range(cfg.n_input_layers, cfg.n_input_layers + cfg.n_recurrent_layers)
    else:
        looped = range(0)
    total = model.lm_head.weight.numel()
    for i, layer in enumerate(model.model.layers):
        own = gates = 0
        for name, module in layer.named_modules():
            if isinstance(module, torch.nn.Linear):
                if "message_gate" in name:
                    gates += module.weight.numel()
                else:
                    own += module.weight.numel()
        for name, p in layer.named_parameters():
            if ".experts." in f".{name}":
                own += p.numel() * k // e
            elif ".gate." in f".{name}" and "mlp" in name:  # the router's weight (and scale)
                own += p.numel()
            elif "shared_experts." in name:
                own += p.numel()
        runs = passes if i in looped else 1
        total += runs * own + (runs - 1) * gates
    return total


@pytest.mark.parametrize(
    "name,model_type,extra,raw,runs,summary", VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_tiny_variant_matches_transformers(
    name: str, model_type: str, extra: dict, raw: bool, runs: int, summary: str
) -> None:
    cfg = AutoConfig.for_model(model_type, **extra)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg).eval()
    total = sum(p.numel() for p in model.parameters())
    e, k = _experts(cfg)
    routed = sum(p.numel() for n, p in model.named_parameters() if ".experts." in n)
    active = total - (routed * (e - k) // e if e else 0)
    report = analyze_config({"model_type": model_type, **extra} if raw else cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
    in_layers = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
    assert sum(params["per_layer"]) == in_layers
    assert len(params["per_layer"]) == runs
    tied = getattr(cfg, "tie_word_embeddings", False)
    embed = 0 if tied else model.model.embed_tokens.weight.numel()
    assert params["active_excluding_input_embedding"] == active - embed
    kv, conv = _cache_figures(model, cfg)
    assert report["memory"]["kv_bytes_per_token"] == kv * 2
    assert report["memory"]["state_bytes_per_sequence"] == conv  # fp32 conv states
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["compute"]["flops_detail"]["active_matmul_params"] == _matmul_runs(
        model, cfg, model_type
    )


@pytest.mark.parametrize(
    "model_type,total,active",
    [
        ("inkling_text", 975_340_270_146, 41_059_054_146),
        ("inkling2_text", 593_718_478_848, 18_880_727_040),
        ("inkling2_loop_text", 26_068_156_416, 3_135_799_296),
        ("dory", 3_975_229_440, 3_975_229_440),
    ],
)
def test_default_configs_are_exact(model_type: str, total: int, active: int) -> None:
    """The config classes' defaults, counted on the meta device (as tools/sweep does)."""
    cfg = AutoConfig.for_model(model_type)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    assert sum(p.numel() for p in model.parameters()) == total
    report = analyze_config(cfg.to_dict())
    assert report["estimated"] is False
    assert report["params"]["total"] == total
    assert report["params"]["active"] == active


def test_attention_variant_and_decoder_type() -> None:
    for model_type, decoder in (
        ("inkling_text", "moe"),
        ("inkling2_text", "moe"),
        ("dory", "dense"),
    ):
        backbone = analyze_config(AutoConfig.for_model(model_type).to_dict())["backbone"]
        assert backbone["family_module"] == model_type.split("_")[0].rstrip("2")
        assert backbone["decoder_type"] == decoder
        assert backbone["attention"]["variant"] == "GQA"


def _garbled(config: dict[str, Any]):
    for key in config:
        if key in ("model_type", "architectures", "transformers_version"):
            continue
        for value in (None, 0, -3, "x", [1, 2], {"a": 1}):
            yield key, {**config, key: value}


@pytest.mark.parametrize(
    "model_type", ["inkling_text", "inkling2_text", "inkling2_loop_text", "dory"]
)
def test_garbled_keys_raise_config_error_or_fall_back(model_type: str) -> None:
    """Each key of the default config set to null, 0, negative, a string, a list, an object:
    the engine refuses with a ConfigError or reads the config; it never crashes."""
    config = AutoConfig.for_model(model_type).to_dict()
    assert analyze_config(config)["estimated"] is False
    for key, garbled in _garbled(config):
        try:
            analyze_config(garbled)
        except ConfigError:
            pass
        except Exception as exc:  # pragma: no cover - the failure message names the key
            raise AssertionError(f"{key}={garbled[key]!r}: {type(exc).__name__}: {exc}") from exc


def test_loop_and_block_settings_are_checked() -> None:
    loop = {"model_type": "inkling2_loop_text", **LOOP}
    for bad in (
        {"loop_layer_index_start": 0},
        {"loop_layer_index_start": 3},
        {"loop_layer_index_end": 10},
        {"loop_num_passes": 0},
    ):
        with pytest.raises(ConfigError, match="loop_layer_index"):
            analyze_config({**loop, **bad})
    with pytest.raises(ConfigError, match="layer runs"):
        analyze_config({**loop, "loop_num_passes": 10**12})
    dory = {"model_type": "dory", **DORY}
    with pytest.raises(ConfigError, match="layer runs"):
        analyze_config({**dory, "n_recurrent_loops": 10**12})
    with pytest.raises(ConfigError, match="n_input_layers"):
        analyze_config({**dory, "n_recurrent_layers": 3})
    with pytest.raises(ConfigError, match="n_recurrent_loops"):
        analyze_config({**dory, "n_recurrent_loops": 0})
    with pytest.raises(ConfigError, match="recurrent_kv_cache_mode"):
        analyze_config({**dory, "recurrent_kv_cache_mode": "sometimes"})
    with pytest.raises(ConfigError, match="swa_num_key_value_heads"):
        analyze_config({"model_type": "inkling_text", **INKLING, "swa_num_key_value_heads": 3})


def test_the_state_line_names_inklings_fp32_conv_state_and_no_ssm(capsys) -> None:
    """Inkling keeps four short-convolution states per layer in fp32 and has no SSM: the basis
    and `analyze` said "SSM / recurrent state fp32, conv state bf16"."""
    from axes.cli import _state_parts

    report = analyze_config(AutoConfig.for_model("inkling2_text").to_dict())
    memory = report["memory"]
    assert memory["state_bytes_per_sequence"] > 0
    assert memory["state_bytes_basis"] == "per sequence, constant in context: conv state in fp32"
    assert _state_parts(memory["state_bytes_detail"]) == " (conv state fp32)"
    # a Mamba hybrid keeps both parts, the conv state in the KV dtype
    mamba = analyze_config(AutoConfig.for_model("nemotron_h").to_dict(), kv_dtype="fp8")
    assert _state_parts(mamba["memory"]["state_bytes_detail"]) == (
        " (SSM / recurrent state fp32, conv state fp8)"
    )
