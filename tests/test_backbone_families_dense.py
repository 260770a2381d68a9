"""Dense families the engine mirrors beyond the Llama block (phi, gpt_neox, falcon, starcoder2,
stablelm, olmo, olmo3, cohere, cohere2, glm4, exaone4, seed_oss, ministral, arcee, apertus,
helium, granite, internlm3, exaone, iquestcoder, ernie4_5, glm, hunyuan_v1_dense, nemotron):
tiny variants of each are built by transformers on the meta device and counted parameter by
parameter against the engine, with their layer pattern, attention variant and KV cache per
token.

Marker ``reference`` (imports torch + transformers), like test_backbone_reference.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_reference import SMALL, TOKENS, _build  # noqa: E402

LAYER_TYPES = ["sliding_attention", "full_attention", "sliding_attention", "sliding_attention"]

# (id, model_type, config overrides, expected attention variant, expected layer summary,
#  (K/V heads, head_dim) every attention layer caches per token)
VARIANTS: list[tuple[str, str, dict[str, Any], str, str, tuple[int, int]]] = [
    ("phi", "phi", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "phi-mha-qk-layernorm-tied",
        "phi",
        {"num_key_value_heads": 4, "qk_layernorm": True, "tie_word_embeddings": True},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("gpt_neox", "gpt_neox", {}, "MHA", "4 MHA · 4 MLP", (4, 16)),
    (
        "gpt_neox-no-attention-bias-sequential-tied",
        "gpt_neox",
        {"attention_bias": False, "use_parallel_residual": False, "tie_word_embeddings": True},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("falcon-7b-multi-query", "falcon", {}, "MQA", "4 MQA · 4 MLP", (1, 16)),
    (
        "falcon-40b-new-decoder",
        "falcon",
        {"new_decoder_architecture": True, "num_kv_heads": 2, "ffn_hidden_size": 96},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    (
        "falcon-mha-sequential-bias-alibi-untied",
        "falcon",
        {
            "multi_query": False,
            "parallel_attn": False,
            "bias": True,
            "alibi": True,
            "tie_word_embeddings": False,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    (
        "falcon-new-decoder-one-norm",
        "falcon",
        {"new_decoder_architecture": True, "num_kv_heads": 1, "num_ln_in_parallel_attn": 1},
        "MQA",
        "4 MQA · 4 MLP",
        (1, 16),
    ),
    ("starcoder2", "starcoder2", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "starcoder2-no-bias-sliding-untied",
        "starcoder2",
        {"use_bias": False, "sliding_window": 16, "tie_word_embeddings": False},
        "GQA",
        "4 sliding GQA · 4 MLP",
        (2, 16),
    ),
    ("stablelm", "stablelm", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "stablelm-qkv-bias-qk-layernorm-parallel-tied",
        "stablelm",
        {
            "use_qkv_bias": True,
            "qk_layernorm": True,
            "use_parallel_residual": True,
            "tie_word_embeddings": True,
        },
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    ("olmo", "olmo", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "olmo-bias-tied",
        "olmo",
        {"attention_bias": True, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    (
        "olmo3-default-pattern",
        "olmo3",
        {"sliding_window": 8},
        "GQA",
        "3 sliding + 1 full · 4 MLP",
        (2, 16),
    ),
    (
        "olmo3-layer-types-bias",
        "olmo3",
        {"layer_types": LAYER_TYPES, "attention_bias": True, "num_key_value_heads": 1},
        "MQA",
        "3 sliding + 1 full · 4 MLP",
        (1, 16),
    ),
    ("cohere", "cohere", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "cohere-qk-norm-bias-untied",
        "cohere",
        {"use_qk_norm": True, "attention_bias": True, "tie_word_embeddings": False},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    ("cohere2", "cohere2", {"sliding_window": 8}, "GQA", "3 sliding + 1 full · 4 MLP", (2, 16)),
    (
        "cohere2-layer-types-bias",
        "cohere2",
        {"layer_types": LAYER_TYPES, "attention_bias": True, "head_dim": 8},
        "GQA",
        "3 sliding + 1 full · 4 MLP",
        (2, 8),
    ),
    ("glm4", "glm4", {"head_dim": 16}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "glm4-no-bias-tied-default-head-dim",
        "glm4",
        {"attention_bias": False, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 128),
    ),
    (
        "exaone4",
        "exaone4",
        {"head_dim": 16, "sliding_window": 8},
        "GQA",
        "3 sliding + 1 full · 4 MLP",
        (2, 16),
    ),
    (
        "exaone4-no-window-tied",
        "exaone4",
        {
            "sliding_window": None,
            "layer_types": ["full_attention"] * 4,
            "tie_word_embeddings": True,
        },
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    ("seed_oss", "seed_oss", {"head_dim": 16}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "seed_oss-out-bias-mlp-bias-no-qkv-bias",
        "seed_oss",
        {"attention_bias": False, "attention_out_bias": True, "mlp_bias": True},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 128),
    ),
    (
        "ministral",
        "ministral",
        {"sliding_window": 8, "head_dim": 16},
        "GQA",
        "4 sliding GQA · 4 MLP",
        (2, 16),
    ),
    (
        "ministral-layer-types-head-dim-tied",
        "ministral",
        {"layer_types": LAYER_TYPES, "head_dim": 24, "tie_word_embeddings": True},
        "GQA",
        "3 sliding + 1 full · 4 MLP",
        (2, 24),
    ),
    ("arcee", "arcee", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "arcee-biases-tied",
        "arcee",
        {"attention_bias": True, "mlp_bias": True, "tie_word_embeddings": True},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    ("apertus", "apertus", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "apertus-bias-relu2",
        "apertus",
        {"attention_bias": True, "hidden_act": "relu2", "head_dim": 24},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 24),
    ),
    ("helium", "helium", {"head_dim": 16}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    # heads x head_dim (96) is not hidden (64): modeling_helium.py's o_proj is hidden -> hidden
    ("helium-head-dim-apart", "helium", {"head_dim": 24}, "GQA", "4 GQA · 4 MLP", (2, 24)),
    (
        "helium-biases-mha",
        "helium",
        {"attention_bias": True, "mlp_bias": True, "head_dim": 16, "num_key_value_heads": 4},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("granite", "granite", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "granite-biases-tied-multipliers",
        "granite",
        {
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": True,
            "embedding_multiplier": 12.0,
            "residual_multiplier": 0.22,
        },
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    ("internlm3", "internlm3", {"head_dim": 16}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "internlm3-biases-default-head-dim",
        "internlm3",
        {"attention_bias": True, "mlp_bias": True},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 128),
    ),
    ("exaone", "exaone", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    ("iquestcoder", "iquestcoder", {}, "GQA", "4 GQA · 4 MLP", (2, 128)),
    ("ernie4_5", "ernie4_5", {}, "GQA", "4 GQA · 4 MLP", (2, 128)),
    (
        "ernie4_5-bias-untied",
        "ernie4_5",
        {"use_bias": True, "tie_word_embeddings": False, "head_dim": 16},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 16),
    ),
    ("glm", "glm", {}, "GQA", "4 GQA · 4 MLP", (2, 128)),
    (
        "glm-no-bias-mqa-tied",
        "glm",
        {
            "attention_bias": False,
            "num_key_value_heads": 1,
            "head_dim": 16,
            "tie_word_embeddings": True,
        },
        "MQA",
        "4 MQA · 4 MLP",
        (1, 16),
    ),
    ("hunyuan_v1_dense", "hunyuan_v1_dense", {"head_dim": 16}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "hunyuan_v1_dense-bias-tied",
        "hunyuan_v1_dense",
        {"attention_bias": True, "tie_word_embeddings": True, "head_dim": 24},
        "GQA",
        "4 GQA · 4 MLP",
        (2, 24),
    ),
    ("nemotron", "nemotron", {}, "GQA", "4 GQA · 4 MLP", (2, 16)),
    (
        "nemotron-biases-mqa-head-dim-tied",
        "nemotron",
        {
            "attention_bias": True,
            "mlp_bias": True,
            "num_key_value_heads": 1,
            "head_dim": 24,
            "tie_word_embeddings": True,
        },
        "MQA",
        "4 MQA · 4 MLP",
        (1, 24),
    ),
]


def _check(cfg, report: dict[str, Any], model=None) -> int:
    """The engine's total, active and breakdown against the meta build (``model``, when the
    caller built it already); returns the total."""
    model = _build(cfg) if model is None else model
    total = sum(p.numel() for p in model.parameters())
    params = report["params"]
    assert report["estimated"] is False
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == total  # dense: every parameter is active
    assert sum(params["breakdown"].values()) == total
    assert len(report["backbone"]["layers"]["pattern"]) == cfg.num_hidden_layers
    return total


@pytest.mark.parametrize(
    "name,model_type,extra,variant,summary,kv", VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_dense_family_matches_transformers(
    name: str, model_type: str, extra: dict, variant: str, summary: str, kv: tuple[int, int]
) -> None:
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    report = analyze_config(cfg.to_dict())
    _check(cfg, report)
    assert report["backbone"]["layers"]["summary"] == summary
    assert report["backbone"]["attention"]["variant"] == variant
    kv_heads, head_dim = kv
    layers = cfg.num_hidden_layers
    # K and V, bf16, every attention layer at full length
    assert report["memory"]["kv_bytes_per_token"] == layers * 2 * kv_heads * head_dim * 2


# (model_type, config overrides, expected positional facts)
POSITIONAL: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("phi", {}, {"type": "rope", "partial_rotary_factor": 0.5}),
    ("gpt_neox", {}, {"type": "rope", "partial_rotary_factor": 0.25}),
    ("stablelm", {}, {"type": "rope", "partial_rotary_factor": 0.25}),
    ("glm4", {}, {"type": "rope", "partial_rotary_factor": 0.5}),
    ("nemotron", {}, {"type": "rope", "partial_rotary_factor": 0.5}),
    ("nemotron", {"partial_rotary_factor": 1.0}, {"type": "rope", "partial_rotary_factor": 1.0}),
    ("falcon", {"alibi": True}, {"type": "alibi", "rope_theta": None}),
    ("falcon", {}, {"type": "rope"}),
    ("exaone4", {"sliding_window": 8}, {"type": "rope+nope", "nope_layers": 1}),
]


@pytest.mark.parametrize(
    "model_type,extra,expected", POSITIONAL, ids=[f"{p[0]}-{p[2]['type']}" for p in POSITIONAL]
)
def test_positional_scheme(model_type: str, extra: dict, expected: dict) -> None:
    """From the config as written (no rope_parameters filled in by transformers): the partial
    rotary defaults of each configuration_*.py, ALiBi, EXAONE 4's NoPE global layers."""
    report = analyze_config({"model_type": model_type, **SMALL, **extra})
    assert report["estimated"] is False
    positional = report["backbone"]["positional"]
    assert {k: positional[k] for k in expected} == expected


def test_pythia_config_spelling_of_partial_rotary() -> None:
    """Pythia's config.json says ``rotary_pct`` / ``rotary_emb_base`` (no rope_parameters)."""
    config = {
        "model_type": "gpt_neox",
        "architectures": ["GPTNeoXForCausalLM"],
        "hidden_size": 64,
        "intermediate_size": 256,
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "vocab_size": 512,
        "rotary_pct": 0.5,
        "rotary_emb_base": 10000,
        "use_parallel_residual": True,
        "tie_word_embeddings": False,
    }
    report = analyze_config(config)
    assert report["backbone"]["positional"]["partial_rotary_factor"] == 0.5
    assert report["backbone"]["positional"]["rope_theta"] == 10000.0
    cfg = AutoConfig.for_model("gpt_neox", **{k: v for k, v in config.items() if k != "model_type"})
    _check(cfg, report)


# Full-size shapes of published checkpoints (their config.json sizes), built on the meta device
FULL_SIZE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "phi-2",
        "phi",
        {
            "vocab_size": 51200,
            "hidden_size": 2560,
            "intermediate_size": 10240,
            "num_hidden_layers": 32,
            "num_attention_heads": 32,
            "partial_rotary_factor": 0.4,
        },
    ),
    (
        "pythia-1b",
        "gpt_neox",
        {
            "vocab_size": 50304,
            "hidden_size": 2048,
            "intermediate_size": 8192,
            "num_hidden_layers": 16,
            "num_attention_heads": 8,
            "rotary_pct": 0.25,
        },
    ),
    (
        "falcon-7b",
        "falcon",
        {
            "vocab_size": 65024,
            "hidden_size": 4544,
            "num_hidden_layers": 32,
            "num_attention_heads": 71,
            "multi_query": True,
            "parallel_attn": True,
        },
    ),
    (
        "nemotron-4-minitron-4b",
        "nemotron",
        {
            "vocab_size": 256000,
            "hidden_size": 3072,
            "intermediate_size": 9216,
            "num_hidden_layers": 32,
            "num_attention_heads": 24,
            "num_key_value_heads": 8,
            "hidden_act": "relu2",
            "norm_eps": 1e-05,
            "partial_rotary_factor": 0.5,
            "kv_channels": 128,
        },
    ),
    (
        "falcon-40b",
        "falcon",
        {
            "vocab_size": 65024,
            "hidden_size": 8192,
            "num_hidden_layers": 60,
            "num_attention_heads": 128,
            "num_kv_heads": 8,
            "new_decoder_architecture": True,
        },
    ),
]


@pytest.mark.parametrize("name,model_type,config", FULL_SIZE, ids=[f[0] for f in FULL_SIZE])
def test_full_size_shapes_match_transformers(name: str, model_type: str, config: dict) -> None:
    cfg = AutoConfig.for_model(model_type, **config, **TOKENS)
    report = analyze_config({"model_type": model_type, **config})
    total = _check(cfg, report)
    assert report["params"]["total"] == total


def test_nemotron_reads_head_dim_as_transformers_does_and_says_when_it_cannot_build() -> None:
    """NeMo exports write ``kv_channels`` and ``layer_norm_eps``: NemotronConfig reads neither
    as head_dim (hidden_size // heads unless ``head_dim`` is set), and neither does the engine;
    without num_key_value_heads transformers cannot build the model, which the engine says."""
    cfg = AutoConfig.for_model("nemotron", **SMALL)
    report = analyze_config(
        {**cfg.to_dict(), "head_dim": None, "kv_channels": 24, "layer_norm_eps": 1e-5}
    )
    _check(cfg, report)
    assert report["memory"]["kv_bytes_per_token"] == 4 * 2 * 2 * 16 * 2
    written = {k: v for k, v in SMALL.items() if k != "num_key_value_heads"}
    report = analyze_config({"model_type": "nemotron", **written})
    assert report["backbone"]["attention"]["variant"] == "MHA"
    assert any("transformers' nemotron cannot build this config" in n for n in report["notes"])
    with pytest.raises(TypeError):
        _build(AutoConfig.for_model("nemotron", **written))


def test_falcon_alibi_is_a_positional_fact_quoting_its_key() -> None:
    from axes.backbone.facts import backbone_facts

    config = {"model_type": "falcon", **SMALL, "alibi": True}
    facts = backbone_facts(config, analyze_config(config))
    (positional,) = [f for f in facts if f.kind == "backbone.positional"]
    assert positional.value == {"type": "alibi"}
    assert positional.evidence.locator == "alibi"


@pytest.mark.parametrize(
    "model_type",
    [
        "cohere",
        "glm4",
        "glm4_moe",
        "ernie4_5_moe",
        "hunyuan_v1_moe",
        "minimax_m2",
        "olmoe",
        "granite",
        "glm",
        "ernie4_5",
        "hunyuan_v1_dense",
    ],
)
def test_layer_types_is_ignored_where_the_modeling_code_never_reads_it(model_type: str) -> None:
    """A layer_types list in such a config builds no sliding layers in transformers: the engine
    counts every layer as full attention (KV, max context) and says the list was ignored."""
    layer_types = ["sliding_attention", "full_attention"]
    cfg = AutoConfig.for_model(model_type, **{**SMALL, "num_hidden_layers": 2})
    config = {**cfg.to_dict(), "layer_types": layer_types, "sliding_window": 64}
    report = analyze_config(config)
    kinds = [layer["mixer"] for layer in report["backbone"]["layers"]["pattern"]]
    assert kinds == ["attention", "attention"]
    assert any(f"modeling_{model_type}.py" in n and "ignored" in n for n in report["notes"])


def test_a_missing_max_position_embeddings_is_the_config_class_default() -> None:
    """For every model type the engine counts exactly, a config.json without
    max_position_embeddings has the native context transformers' config class gives it."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.backbone.families import REGISTRY

    checked, wrong = [], []
    for model_type, module in sorted(REGISTRY.items()):
        if module.__name__.endswith(".generic") or model_type not in CONFIG_MAPPING:
            continue  # kimi_k2 has no config class in transformers
        cfg = AutoConfig.for_model(model_type)
        config = cfg.to_dict()
        config.pop("max_position_embeddings", None)
        # mpt: ALiBi built for max_seq_len keys, its context; bloom: neither, no limit
        want = getattr(cfg, "max_position_embeddings", getattr(cfg, "max_seq_len", None))
        if isinstance(config.get("text_config"), dict):  # gemma3: the text model's window
            want = cfg.get_text_config().max_position_embeddings
            config["text_config"].pop("max_position_embeddings", None)
        got = analyze_config(config)["backbone"].get("context_length")
        checked.append(model_type)
        if got != want:
            wrong.append((model_type, want, got))
    assert wrong == []
    assert len(checked) >= 50


def test_remote_code_spellings_of_llama_built_types() -> None:
    """InternLM3's own config.json writes ``qkv_bias`` / ``bias`` and EXAONE's ``num_layers`` /
    ``layer_norm_epsilon``: transformers' config classes alias them, and so does the engine."""
    cfg = AutoConfig.for_model("internlm3", **{**SMALL, "attention_bias": True, "mlp_bias": True})
    native = analyze_config(cfg.to_dict())
    total = _check(cfg, native)
    spelled = {k: v for k, v in cfg.to_dict().items() if k not in ("attention_bias", "mlp_bias")}
    report = analyze_config({**spelled, "qkv_bias": True, "bias": True})
    assert report["params"]["total"] == total
    cfg = AutoConfig.for_model("exaone", **SMALL)
    layers = {k: v for k, v in cfg.to_dict().items() if k != "num_hidden_layers"}
    report = analyze_config({**layers, "num_layers": SMALL["num_hidden_layers"]})
    assert report["params"]["total"] == _check(cfg, report)


@pytest.mark.parametrize("head_dim", [16, 24])
def test_helium_with_heads_times_head_dim_apart_from_hidden_says_it_cannot_run(head_dim):
    """modeling_helium.py's o_proj is hidden -> hidden: with heads × head_dim (4 × 24 = 96)
    not hidden (64) the model builds (and is counted so) but its forward pass fails on the
    o_proj matmul. The engine says so; with 4 × 16 = 64 the model runs and nothing is said."""
    from transformers import AutoModelForCausalLM

    cfg = AutoConfig.for_model("helium", **{**SMALL, "head_dim": head_dim})
    report = analyze_config(cfg.to_dict())
    assert report["params"]["total"] == sum(p.numel() for p in _build(cfg).parameters())
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg)
    try:
        model(torch.tensor([[1, 2, 3, 4]]))
        runs = True
    except RuntimeError:
        runs = False
    note = (
        f"num_attention_heads × head_dim ({4 * head_dim}) is not hidden_size (64): "
        "modeling_helium.py builds o_proj from hidden_size, so the count follows it, but "
        "transformers cannot run a forward pass of this config"
    )
    assert runs == (head_dim == 16)
    assert (note in report["notes"]) == (not runs)
