"""The classic decoders the engine mirrors (gpt_bigcode, bloom, opt, gptj, gpt_neo, mpt,
codegen): tiny variants of each, written with the
family's own config keys (``n_embd``, ``n_layer``, ...) as their config.json files are, are
built by transformers on the meta device and counted parameter by parameter against the engine,
with their layer pattern, attention variant and KV cache per token; then full-size shapes of
published checkpoints.

Marker ``reference`` (imports torch + transformers), like test_backbone_reference.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from axes.backbone import analyze_config

pytestmark = pytest.mark.reference

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from transformers import AutoConfig  # noqa: E402

from tests.test_backbone_families_dense import _check as check_dense  # noqa: E402
from tests.test_backbone_reference import SMALL, TOKENS, _build  # noqa: E402

# GPT-2 spellings of SMALL's sizes (gpt_bigcode, gptj, codegen)
GPT2_KEYS = {"vocab_size": 512, "n_embd": 64, "n_layer": 4, "n_head": 4}
BLOOM_KEYS = {"vocab_size": 512, "hidden_size": 64, "n_layer": 4, "n_head": 4}
NEO_KEYS = {
    "vocab_size": 512,
    "hidden_size": 64,
    "num_layers": 4,
    "num_heads": 4,
    "attention_types": [[["global", "local"], 2]],
    "window_size": 8,
}
MPT_KEYS = {"vocab_size": 512, "d_model": 64, "n_layers": 4, "n_heads": 4}
MOSAIC_ONLY = {
    "expansion_ratio": 2,
    "no_bias": False,
    "learned_pos_emb": True,
    "attn_config": {"attn_type": "multiquery_attention", "qk_ln": True, "alibi": False},
}
OPT_KEYS = {
    "vocab_size": 512,
    "hidden_size": 64,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "ffn_dim": 96,
}

# (id, model_type, config.json keys, expected attention variant, expected layer summary,
#  (K/V heads, head_dim) every attention layer caches per token)
VARIANTS: list[tuple[str, str, dict[str, Any], str, str, tuple[int, int]]] = [
    ("gpt_bigcode-multi-query-tied", "gpt_bigcode", GPT2_KEYS, "MQA", "4 MQA · 4 MLP", (1, 16)),
    (
        "gpt_bigcode-mha-n-inner-untied",
        "gpt_bigcode",
        {
            **GPT2_KEYS,
            "multi_query": False,
            "n_inner": 96,
            "n_positions": 128,
            "tie_word_embeddings": False,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    # SMALL's keys as transformers writes them: num_key_value_heads and intermediate_size are
    # kept in config.json but not read by modeling_gpt_bigcode.py (multi_query, n_inner are)
    ("gpt_bigcode-unread-keys", "gpt_bigcode", SMALL, "MQA", "4 MQA · 4 MLP", (1, 16)),
    ("bloom-tied", "bloom", BLOOM_KEYS, "MHA", "4 MHA · 4 MLP", (4, 16)),
    (
        # bloom-560m's config.json spells the width n_embed (BloomConfig prefers it)
        "bloom-n-embed-untied-post-layernorm-residual",
        "bloom",
        {
            **{k: v for k, v in BLOOM_KEYS.items() if k != "hidden_size"},
            "n_embed": 64,
            "tie_word_embeddings": False,
            "apply_residual_connection_post_layernorm": True,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("bloom-unread-keys", "bloom", SMALL, "MHA", "4 MHA · 4 MLP", (4, 16)),
    ("opt-125m-like", "opt", OPT_KEYS, "MHA", "4 MHA · 4 MLP", (4, 16)),
    (
        # opt-350m: a 512-wide token table with project_in / project_out, post-LN (no final
        # layer norm)
        "opt-350m-like-projections-post-ln",
        "opt",
        {
            **OPT_KEYS,
            "word_embed_proj_dim": 32,
            "do_layer_norm_before": False,
            "max_position_embeddings": 128,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    (
        "opt-untied-projections-no-bias-final-norm-removed",
        "opt",
        {
            **OPT_KEYS,
            "word_embed_proj_dim": 48,
            "tie_word_embeddings": False,
            "enable_bias": False,
            "_remove_final_layer_norm": True,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    (
        "opt-norms-without-weights",
        "opt",
        {**OPT_KEYS, "layer_norm_elementwise_affine": False},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("opt-unread-keys", "opt", {**SMALL, "ffn_dim": 96}, "MHA", "4 MHA · 4 MLP", (4, 16)),
    (
        "gptj-partial-rotary",
        "gptj",
        {**GPT2_KEYS, "rotary_dim": 8},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    (
        # a tied GPT-J keeps its lm_head bias
        "gptj-n-inner-tied",
        "gptj",
        {**GPT2_KEYS, "n_inner": 96, "tie_word_embeddings": True, "n_positions": 256},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("gptj-unread-keys", "gptj", {**SMALL, "rotary_dim": 8}, "MHA", "4 MHA · 4 MLP", (4, 16)),
    ("gpt_neo-global-local", "gpt_neo", NEO_KEYS, "MHA", "2 full + 2 sliding · 4 MLP", (4, 16)),
    (
        "gpt_neo-all-global-intermediate-untied",
        "gpt_neo",
        {
            **NEO_KEYS,
            "attention_types": [[["global"], 4]],
            "intermediate_size": 96,
            "tie_word_embeddings": False,
            "max_position_embeddings": 128,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    (
        "gpt_neo-two-groups",
        "gpt_neo",
        {**NEO_KEYS, "attention_types": [[["local"], 1], [["global", "local", "local"], 1]]},
        "MHA",
        "3 sliding + 1 full · 4 MLP",
        (4, 16),
    ),
    ("mpt-tied", "mpt", MPT_KEYS, "MHA", "4 MHA · 4 MLP", (4, 16)),
    (
        # MosaicML's keys that transformers' MptForCausalLM does not read: still 4 x d_model,
        # no biases, three full-width heads' q/k/v, no q/k norms, ALiBi
        "mpt-unread-mosaic-keys-untied",
        "mpt",
        {**MPT_KEYS, **MOSAIC_ONLY, "tie_word_embeddings": False, "max_seq_len": 128},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("mpt-unread-keys", "mpt", {**SMALL, "n_heads": 4}, "MHA", "4 MHA · 4 MLP", (4, 16)),
    (
        "codegen-partial-rotary",
        "codegen",
        {**GPT2_KEYS, "rotary_dim": 8},
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    (
        "codegen-n-inner-tied-n-ctx",
        "codegen",
        {
            **GPT2_KEYS,
            "n_inner": 96,
            "tie_word_embeddings": True,
            "n_positions": 256,
            "n_ctx": 256,
            "rotary_dim": 16,
        },
        "MHA",
        "4 MHA · 4 MLP",
        (4, 16),
    ),
    ("codegen-unread-keys", "codegen", {**SMALL, "rotary_dim": 8}, "MHA", "4 MHA · 4 MLP", (4, 16)),
]


def _check(cfg, report: dict[str, Any]) -> int:
    """The engine's total, active and breakdown against the meta build; returns the total."""
    model = _build(cfg)
    if cfg.model_type == "gpt_neo":  # each layer's kind as GPTNeoAttention builds it
        built = [block.attn.attention_type for block in model.transformer.h]
        mixers = {"global": "attention", "local": "sliding_attention"}
        pattern = report["backbone"]["layers"]["pattern"]
        assert [layer["mixer"] for layer in pattern] == [mixers[kind] for kind in built]
    return check_dense(cfg, report, model=model)


@pytest.mark.parametrize(
    "name,model_type,keys,variant,summary,kv", VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_classic_family_matches_transformers(
    name: str, model_type: str, keys: dict, variant: str, summary: str, kv: tuple[int, int]
) -> None:
    """Read from the config.json keys alone and from transformers' full to_dict(): the same
    counts, equal to the meta build."""
    cfg = AutoConfig.for_model(model_type, **{**TOKENS, **keys})
    for config in ({"model_type": model_type, **TOKENS, **keys}, cfg.to_dict()):
        report = analyze_config(config)
        _check(cfg, report)
        assert report["backbone"]["layers"]["summary"] == summary
        assert report["backbone"]["attention"]["variant"] == variant
        kv_heads, head_dim = kv
        # K and V, bf16, every attention layer at full length
        layers = cfg.num_hidden_layers
        assert report["memory"]["kv_bytes_per_token"] == layers * 2 * kv_heads * head_dim * 2
        # None for bloom: ALiBi, and no max_position_embeddings in BloomConfig; mpt: the
        # max_seq_len keys its ALiBi tensor is built for
        native = getattr(cfg, "max_position_embeddings", getattr(cfg, "max_seq_len", None))
        assert report["backbone"]["context_length"] == native


# Full-size shapes of published checkpoints (their config.json sizes), built on the meta device
FULL_SIZE: list[tuple[str, str, dict[str, Any], int]] = [
    (
        "bigcode/starcoder",
        "gpt_bigcode",
        {
            "vocab_size": 49152,
            "n_embd": 6144,
            "n_inner": 24576,
            "n_layer": 40,
            "n_head": 48,
            "n_positions": 8192,
            "multi_query": True,
        },
        15_517_456_384,
    ),
    (
        "bigscience/bloom-560m",
        "bloom",
        {"vocab_size": 250880, "n_embed": 1024, "n_layer": 24, "num_attention_heads": 16},
        559_214_592,
    ),
    (
        "bigscience/bloom",
        "bloom",
        {"vocab_size": 250880, "hidden_size": 14336, "n_layer": 70, "n_head": 112},
        176_247_271_424,
    ),
    (
        "facebook/opt-350m",
        "opt",
        {
            "vocab_size": 50272,
            "hidden_size": 1024,
            "num_hidden_layers": 24,
            "num_attention_heads": 16,
            "ffn_dim": 4096,
            "word_embed_proj_dim": 512,
            "do_layer_norm_before": False,
            "max_position_embeddings": 2048,
        },
        331_196_416,
    ),
    (
        "facebook/opt-6.7b",
        "opt",
        {
            "vocab_size": 50272,
            "hidden_size": 4096,
            "num_hidden_layers": 32,
            "num_attention_heads": 32,
            "ffn_dim": 16384,
            "max_position_embeddings": 2048,
        },
        6_658_473_984,
    ),
    (
        "EleutherAI/gpt-j-6b",
        "gptj",
        {
            "vocab_size": 50400,
            "n_embd": 4096,
            "n_layer": 28,
            "n_head": 16,
            "rotary_dim": 64,
            "n_positions": 2048,
        },
        6_050_882_784,
    ),
    (
        "EleutherAI/gpt-neo-2.7B",
        "gpt_neo",
        {
            "vocab_size": 50257,
            "hidden_size": 2560,
            "num_layers": 32,
            "num_heads": 20,
            "attention_types": [[["global", "local"], 16]],
            "window_size": 256,
            "max_position_embeddings": 2048,
        },
        2_651_307_520,
    ),
    (
        "mosaicml/mpt-7b",
        "mpt",
        {
            "vocab_size": 50432,
            "d_model": 4096,
            "n_layers": 32,
            "n_heads": 32,
            "expansion_ratio": 4,
            "max_seq_len": 2048,
            "no_bias": True,
            "attn_config": {"alibi": True, "attn_type": "multihead_attention"},
        },
        6_649_286_656,
    ),
    (
        "mosaicml/mpt-30b",
        "mpt",
        {"vocab_size": 50432, "d_model": 7168, "n_layers": 48, "n_heads": 64, "max_seq_len": 8192},
        29_957_200_896,
    ),
    (
        "Salesforce/codegen-6B-mono",
        "codegen",
        {
            "vocab_size": 51200,
            "n_embd": 4096,
            "n_layer": 33,
            "n_head": 16,
            "rotary_dim": 64,
            "n_positions": 2048,
            "n_ctx": 2048,
        },
        7_064_213_504,
    ),
]


@pytest.mark.parametrize(
    "name,model_type,config,expected", FULL_SIZE, ids=[f[0] for f in FULL_SIZE]
)
def test_full_size_shapes_match_transformers(
    name: str, model_type: str, config: dict, expected: int
) -> None:
    cfg = AutoConfig.for_model(model_type, **config, **TOKENS)
    report = analyze_config({"model_type": model_type, **config})
    assert _check(cfg, report) == expected


def test_learned_positions_are_a_positional_fact() -> None:
    """StarCoder's wpe: learned absolute positions, as many as n_positions."""
    from axes.backbone.facts import backbone_facts

    config = {"model_type": "gpt_bigcode", **GPT2_KEYS, "n_positions": 8192}
    facts = backbone_facts(config, analyze_config(config))
    (positional,) = [f for f in facts if f.kind == "backbone.positional"]
    assert positional.value == {"type": "learned", "positions": 8192}
    assert positional.evidence.locator == "n_positions"


def test_alibi_is_a_positional_fact_without_a_key() -> None:
    """BLOOM always uses ALiBi (modeling_bloom.py build_alibi_tensor): no key says so, the
    fact quotes model_type; no context length is claimed."""
    from axes.backbone.facts import backbone_facts

    config = {"model_type": "bloom", **BLOOM_KEYS}
    report = analyze_config(config)
    assert report["backbone"]["positional"]["type"] == "alibi"
    assert report["backbone"]["context_length"] is None
    facts = backbone_facts(config, report)
    (positional,) = [f for f in facts if f.kind == "backbone.positional"]
    assert positional.value == {"type": "alibi"}
    assert positional.evidence.locator == "model_type"
    assert not [f for f in facts if f.kind == "backbone.context_length"]


def test_opt_positions_and_projections() -> None:
    """OPT's position table has max_position_embeddings + 2 rows, but a token has 2,048
    positions; opt-350m's project_in / project_out are counted (under other), its token table
    and lm_head are 512 wide, and the lm_head matmul a decode step does is that narrow one."""
    from axes.backbone.facts import backbone_facts

    config = {
        "model_type": "opt",
        **OPT_KEYS,
        "word_embed_proj_dim": 32,
        "max_position_embeddings": 2048,
        "tie_word_embeddings": False,
    }
    report = analyze_config(config)
    breakdown = report["params"]["breakdown"]
    assert breakdown["embeddings"] == 512 * 32 + (2048 + 2) * 64
    assert breakdown["lm_head"] == 512 * 32
    assert breakdown["other"] == 2 * 64 * 32
    assert report["params"]["active_excluding_input_embedding"] == (
        report["params"]["total"] - breakdown["embeddings"]
    )
    # FLOPs: the decoder linears, the 32-wide lm_head and both projections
    layers = 4 * (4 * 64 * 64 + 2 * 64 * 96)
    detail = report["compute"]["flops_detail"]
    assert detail["active_matmul_params"] == layers + 512 * 32 + 2 * 64 * 32
    # a decode step reads one 32-wide token row and one 64-wide position row
    weight_params = report["compute"]["decode_bytes_detail"]["weight_params"]
    assert weight_params == report["params"]["total"] - breakdown["embeddings"] + 32 + 64
    facts = backbone_facts(config, report)
    (positional,) = [f for f in facts if f.kind == "backbone.positional"]
    assert positional.value == {"type": "learned", "positions": 2048}


@pytest.mark.parametrize(
    "model_type,keys,factor",
    [
        ("gptj", {"n_embd": 4096, "n_head": 16, "rotary_dim": 64}, 0.25),
        ("codegen", {"n_embd": 1024, "n_head": 16, "rotary_dim": 32}, 0.5),
    ],
)
def test_rotary_dim_is_a_partial_rotary_factor(model_type: str, keys: dict, factor: float) -> None:
    """rotary_dim of each head's head_dim turn (GPT-J: 64 of 256; codegen-350M: 32 of 64),
    base 10000."""
    config = {"model_type": model_type, "vocab_size": 512, "n_layer": 2, **keys}
    positional = analyze_config(config)["backbone"]["positional"]
    assert positional["type"] == "rope"
    assert positional["partial_rotary_factor"] == factor
    assert positional["rope_theta"] == 10000.0


def test_gpt_neo_local_layers_attend_to_the_window() -> None:
    """GPT-Neo's local layers mask all but the last window_size tokens: at 2,048 tokens their KV
    stops at 256, the global layers' does not."""
    config = {
        "model_type": "gpt_neo",
        **NEO_KEYS,
        "window_size": 256,
        "max_position_embeddings": 2048,
    }
    report = analyze_config(config, context_len=2048)
    assert report["backbone"]["attention"]["sliding_window"] == 256
    kinds = [layer["mixer"] for layer in report["backbone"]["layers"]["pattern"]]
    assert kinds == ["attention", "sliding_attention"] * 2
    per_token = 2 * 4 * 16 * 2  # K and V, 4 heads of 16, bf16
    kv = report["memory"]["kv_bytes"]
    assert kv["sliding_windows_capped"] is True
    assert kv["bytes"] == 2 * per_token * 2048 + 2 * per_token * 256


@pytest.mark.parametrize(
    "attention_types,message",
    [
        ([[["global", "local"], 3]], "attention_types gives 6 layers but num_layers is 4"),
        ([[["global", "dilated"], 2]], "attention_types names the layer kind 'dilated'"),
        ([["global", 4]], "attention_types must be a list of [layer kinds, repeats] pairs"),
        ([[["global"], 10**12]], "attention_types gives 1,000,000,000,000 layers"),
    ],
)
def test_gpt_neo_attention_types_transformers_refuses_are_refused(
    attention_types: list, message: str
) -> None:
    from axes.backbone.errors import ConfigError

    config = {"model_type": "gpt_neo", **NEO_KEYS, "attention_types": attention_types}
    with pytest.raises(ConfigError, match=re.escape(message)):
        analyze_config(config)


def test_mpt_alibi_context_and_the_keys_transformers_does_not_read() -> None:
    """MPT's ALiBi quotes attn_config.alibi; max_seq_len is the context (its default said in a
    note when absent); each MosaicML-only key set otherwise than transformers builds is
    noted, each with a template to be shown translated."""
    from axes.backbone.facts import backbone_facts
    from catalog.notes_l10n import note_match

    config = {"model_type": "mpt", **MPT_KEYS, "attn_config": {"alibi": True}}
    report = analyze_config(config)
    assert report["backbone"]["context_length"] == 2048
    assert (
        "no max_seq_len in config.json: transformers' mpt default, 2,048, is used"
        in (report["notes"])
    )
    facts = backbone_facts(config, report)
    (positional,) = [f for f in facts if f.kind == "backbone.positional"]
    assert positional.value == {"type": "alibi"}
    assert positional.evidence.locator == "attn_config.alibi"

    notes = analyze_config({"model_type": "mpt", **MPT_KEYS, **MOSAIC_ONLY})["notes"]
    unread = [n for n in notes if "is not read by modeling_mpt.py" in n]
    assert unread == [
        f"{key} = {value} is not read by modeling_mpt.py; counted as transformers builds the model"
        for key, value in (
            ("expansion_ratio", "2"),
            ("no_bias", "false"),
            ("attn_config.attn_type", '"multiquery_attention"'),
            ("attn_config.qk_ln", "true"),
            ("attn_config.alibi", "false"),
        )
    ]
    assert all(note_match(n) is not None for n in unread)  # shown in the page's language


@pytest.mark.parametrize(
    "model_type,keys,kinds",
    [
        ("gpt_bigcode", GPT2_KEYS, ["attention"] * 4),
        ("bloom", BLOOM_KEYS, ["attention"] * 4),
        ("opt", OPT_KEYS, ["attention"] * 4),
        ("gptj", GPT2_KEYS, ["attention"] * 4),
        ("codegen", GPT2_KEYS, ["attention"] * 4),
        ("mpt", MPT_KEYS, ["attention"] * 4),
        ("gpt_neo", NEO_KEYS, ["attention", "sliding_attention"] * 2),
    ],
)
def test_layer_types_is_not_read_by_the_classic_families(
    model_type: str, keys: dict, kinds: list[str]
) -> None:
    """None of these modeling files reads layer_types: the layers are what transformers builds
    (GPT-Neo's from attention_types), and a layer_types that says otherwise is noted."""
    layer_types = ["sliding_attention", "sliding_attention", "full_attention", "full_attention"]
    config = {"model_type": model_type, **keys, "layer_types": layer_types, "sliding_window": 2}
    report = analyze_config(config)
    assert [layer["mixer"] for layer in report["backbone"]["layers"]["pattern"]] == kinds
    note = f"layer_types is not read by modeling_{model_type}.py; ignored"
    assert note in report["notes"]
