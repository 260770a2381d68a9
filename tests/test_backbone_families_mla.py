"""MLA and related MoE families against transformers: tiny variants of sarvam_mla,
glm4_moe_lite, glm_moe_dsa, hy_v4, minicpm3 (the DeepSeek MLA block with other defaults and
layer switches), hy_v3, mimo_v2_flash, longcat_flash and deepseek_v4 are built on the meta device and counted
parameter by parameter, as in test_backbone_reference.py; the KV cache per token is read off
the attention modules transformers built.

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

from tests.test_backbone_reference import SMALL, _build, _routed_expert_numel  # noqa: E402

MLA = {
    "q_lora_rank": 32,
    "kv_lora_rank": 16,
    "qk_nope_head_dim": 8,
    "qk_rope_head_dim": 8,
    "v_head_dim": 8,
}
EXPERTS = {"n_routed_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32}
INDEXER = {"index_n_heads": 4, "index_head_dim": 16, "index_topk": 8}

# (id, model_type, overrides of SMALL, the layer summary the engine gives)
VARIANTS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "sarvam_mla-no-q-lora",
        "sarvam_mla",
        {**EXPERTS, **{k: v for k, v in MLA.items() if k != "q_lora_rank"}},
        "4 MLA · 1 MLP + 3 MoE",
    ),
    (
        "sarvam_mla-q-lora-dense2-shared2-bias-tied",
        "sarvam_mla",
        {
            **EXPERTS,
            **MLA,
            "first_k_dense_replace": 2,
            "n_shared_experts": 2,
            "attention_bias": True,
            "tie_word_embeddings": True,
        },
        "4 MLA · 2 MLP + 2 MoE",
    ),
    ("glm4_moe_lite", "glm4_moe_lite", {**EXPERTS, **MLA}, "4 MLA · 1 MLP + 3 MoE"),
    (
        "glm4_moe_lite-mlp-layer-types-no-q-lora-bias",
        "glm4_moe_lite",
        {
            **EXPERTS,
            **MLA,
            "q_lora_rank": None,
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense"],
            "attention_bias": True,
            "n_shared_experts": 2,
            "first_k_dense_replace": 3,  # not read by Glm4MoeLite
        },
        "4 MLA · 2 MoE + 2 MLP",
    ),
    ("glm_moe_dsa", "glm_moe_dsa", {**EXPERTS, **MLA, **INDEXER}, "4 MLA · 3 MLP + 1 MoE"),
    (
        "glm_moe_dsa-shared-indexers-mlp-layer-types",
        "glm_moe_dsa",
        {
            **EXPERTS,
            **MLA,
            **INDEXER,
            "indexer_types": ["full", "shared", "full", "shared"],
            "mlp_layer_types": ["dense", "sparse", "sparse", "sparse"],
            "tie_word_embeddings": True,
        },
        "4 MLA · 1 MLP + 3 MoE",
    ),
    (
        "glm_moe_dsa-topk-pattern",
        "glm_moe_dsa",
        {**EXPERTS, **MLA, **INDEXER, "index_topk_pattern": "FSSF", "first_k_dense_replace": 1},
        "4 MLA · 1 MLP + 3 MoE",
    ),
    (
        "hy_v4-default-indexer-pattern",
        "hy_v4",
        {**EXPERTS, **MLA, **INDEXER, "num_hidden_layers": 6},
        "6 MLA · 1 MLP + 5 MoE",
    ),
    (
        "hy_v4-hc2-bias-tied-shared2-layer-types",
        "hy_v4",
        {
            **EXPERTS,
            **MLA,
            **INDEXER,
            "hc_mult": 2,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "n_shared_experts": 2,
            "indexer_types": ["full", "full", "shared", "full"],
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense"],
        },
        "4 MLA · 2 MoE + 2 MLP",
    ),
    ("minicpm3", "minicpm3", {**MLA}, "4 MLA · 4 MLP"),
    (
        "minicpm3-no-q-lora-bias-untied-default-v",
        "minicpm3",
        {
            **{k: v for k, v in MLA.items() if k != "v_head_dim"},
            "q_lora_rank": None,
            "attention_bias": True,
            "mlp_bias": True,
            "tie_word_embeddings": False,
        },
        "4 MLA · 4 MLP",
    ),
    (
        "hy_v3",
        "hy_v3",
        {"num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32, "head_dim": 16},
        "4 GQA · 1 MLP + 3 MoE",
    ),
    (
        "hy_v3-bias-shared2-mlp-layer-types-tied",
        "hy_v3",
        {
            "num_experts": 8,
            "num_experts_per_tok": 2,
            "moe_intermediate_size": 32,
            "head_dim": 16,
            "attention_bias": True,
            "mlp_bias": True,
            "num_shared_experts": 2,
            "mlp_layer_types": ["sparse", "dense", "sparse", "dense"],
            "tie_word_embeddings": True,
        },
        "4 GQA · 2 MoE + 2 MLP",
    ),
    (
        "mimo_v2_flash-default-pattern",
        "mimo_v2_flash",
        {**EXPERTS, "num_hidden_layers": 7, "head_dim": 24, "v_head_dim": 16},
        "2 full + 5 sliding · 1 MLP + 6 MoE",
    ),
    (
        "mimo_v2_flash-layer-types-bias-tied",
        "mimo_v2_flash",
        {
            **EXPERTS,
            "head_dim": 24,
            "v_head_dim": 16,
            "attention_bias": True,
            "tie_word_embeddings": True,
            "layer_types": [
                "sliding_attention",
                "full_attention",
                "sliding_attention",
                "full_attention",
            ],
            "mlp_layer_types": ["sparse", "dense", "sparse", "sparse"],
            "sliding_window": 16,
        },
        "2 sliding + 2 full · 3 MoE + 1 MLP",
    ),
    (
        "mimo_v2_flash-all-full",
        "mimo_v2_flash",
        {**EXPERTS, "head_dim": 24, "v_head_dim": 16, "layer_types": ["full_attention"] * 4},
        "4 GQA · 1 MLP + 3 MoE",
    ),
    (
        "longcat_flash-zero-experts",
        "longcat_flash",
        {
            **MLA,
            "n_routed_experts": 8,
            "moe_topk": 2,
            "expert_ffn_hidden_size": 32,
            "zero_expert_num": 4,
        },
        "4 MLA · 2 MoE with an MLP in parallel + 2 MLP",
    ),
    (
        "longcat_flash-no-zero-experts-bias-tied",
        "longcat_flash",
        {
            **MLA,
            "n_routed_experts": 8,
            "moe_topk": 2,
            "expert_ffn_hidden_size": 32,
            "zero_expert_num": 0,
            "attention_bias": True,
            "router_bias": True,
            "tie_word_embeddings": True,
        },
        "4 MLA · 2 MoE with an MLP in parallel + 2 MLP",
    ),
    (
        "longcat_flash-router-bias-widths",
        "longcat_flash",
        {
            **MLA,
            "n_routed_experts": 8,
            "moe_topk": 2,
            "expert_ffn_hidden_size": 32,
            "zero_expert_num": 8,
            "router_bias": True,
            "ffn_hidden_size": 48,
            "num_hidden_layers": 6,
        },
        "6 MLA · 3 MoE with an MLP in parallel + 3 MLP",
    ),
]


def _reference(cfg) -> tuple[int, int]:
    """(total, active) of the transformers model: active is total minus the (E - k) / E share
    of each layer's ``.experts.`` parameters (E = n_routed_experts, k = top-k)."""
    model = _build(cfg)
    total = sum(p.numel() for p in model.parameters())
    routed = _routed_expert_numel(model)
    e = getattr(cfg, "n_routed_experts", None) or getattr(cfg, "num_experts", None) or 0
    k = getattr(cfg, "moe_topk", None) or getattr(cfg, "num_experts_per_tok", None) or 0
    active = total - sum(n * (e - k) // e for n in routed.values()) if e else total
    return total, active


def _kv_elements_per_token(model, cfg) -> int:
    """What each attention module transformers built caches per token: MLA the latent and the
    RoPE key (and the DSA indexer's key where the layer has an indexer), softmax attention its
    K and V projections' widths."""
    total = 0
    for layer in model.model.layers:
        attns = layer.self_attn
        for attn in attns if isinstance(attns, torch.nn.ModuleList) else [attns]:
            if hasattr(attn, "kv_a_proj_with_mqa"):
                total += cfg.kv_lora_rank + cfg.qk_rope_head_dim
                if getattr(attn, "indexer", None) is not None:
                    total += cfg.index_head_dim
            else:
                total += attn.k_proj.out_features + attn.v_proj.out_features
    return total


@pytest.mark.parametrize("name,model_type,extra,summary", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_tiny_variant_matches_transformers(
    name: str, model_type: str, extra: dict, summary: str
) -> None:
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra})
    total, active = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    params = report["params"]
    assert report["estimated"] is False, report["notes"]
    assert report["backbone"]["family"] == model_type
    assert params["total"] == total, params["breakdown"]
    assert params["active"] == active
    assert sum(params["breakdown"].values()) == total
    model = _build(cfg)
    in_layers = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
    assert sum(params["per_layer"]) == in_layers
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model, cfg) * 2
    assert report["backbone"]["layers"]["summary"] == summary
    # the MoE layers are where transformers built experts (longcat: the first sublayer of each)
    pattern = report["backbone"]["layers"]["pattern"]
    built = [hasattr(getattr(layer, "mlp", None), "experts") for layer in model.model.layers]
    if model_type == "longcat_flash":
        assert [p["ffn"] == "moe" for p in pattern] == [b for b in built for b in (b, False)]
    else:
        assert [p["ffn"] == "moe" for p in pattern] == built


def test_default_configs_match_transformers() -> None:
    """Each type's config class defaults (the released checkpoints' shapes), to the parameter."""
    expected = {
        "sarvam_mla": 106_031_763_456,
        "glm4_moe_lite": 29_943_390_976,
        "glm_moe_dsa": 743_911_199_232,
        "minicpm3": 4_073_875_968,
        "hy_v3": 295_033_528_320,
        "mimo_v2_flash": 308_778_768_832,
        "longcat_flash": 741_053_585_408,
        "hy_v4": 58_278_193_133,
    }
    for model_type, total in expected.items():
        cfg = AutoConfig.for_model(model_type)
        report = analyze_config(cfg.to_dict())
        assert report["estimated"] is False, model_type
        assert report["params"]["total"] == total, model_type
    assert (
        sum(p.numel() for p in _build(AutoConfig.for_model("minicpm3")).parameters())
        == (expected["minicpm3"])
    )


def test_glm_moe_dsa_indexer_schedule_as_config_json_writes_it() -> None:
    """Without indexer_types, GlmMoeDsaConfig derives it from index_topk_freq /
    index_skip_topk_offset: a layer that reuses the previous top-k builds no indexer and caches
    no indexer key, and the engine says how many do."""
    written = {"model_type": "glm_moe_dsa", **SMALL, **EXPERTS, **MLA, **INDEXER}
    written.update(num_hidden_layers=6, index_topk_freq=2, index_skip_topk_offset=1)
    cfg = AutoConfig.for_model(
        "glm_moe_dsa", **{k: v for k, v in written.items() if k != "model_type"}
    )
    model = _build(cfg)
    shared = sum(layer.self_attn.indexer is None for layer in model.model.layers)
    assert shared == 3
    report = analyze_config(written)
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model, cfg) * 2
    assert f"{shared} of the 6 layers reuse the previous indexer's top-k" in " ".join(
        report["notes"]
    )
    at_64 = analyze_config(written, context_len=64)
    latent, idx = 16 + 8, 16
    assert at_64["compute"]["decode_bytes_detail"]["kv"] == 2 * (
        6 * latent * 8 + (6 - shared) * idx * 64
    )
    bad = analyze_config({**written, "indexer_types": ["full", "sometimes"] * 3})
    assert "indexer_types does not say full or shared for every layer; ignored" in bad["notes"]


def test_mimo_v2_flash_sliding_layers_cache_their_doubled_kv_heads_up_to_the_window() -> None:
    """Sliding layers hold 2 x num_key_value_heads K and V heads (K head_dim, V v_head_dim
    wide) for at most sliding_window tokens; full layers num_key_value_heads for every token."""
    extra = dict(VARIANTS[[v[0] for v in VARIANTS].index("mimo_v2_flash-layer-types-bias-tied")][2])
    cfg = AutoConfig.for_model("mimo_v2_flash", **{**SMALL, **extra})
    report = analyze_config(cfg.to_dict(), context_len=64)
    full, sliding = 2 * (24 + 16), 4 * (24 + 16)
    assert report["memory"]["kv_bytes"]["bytes"] == 2 * (2 * full * 64 + 2 * sliding * 16)
    assert report["backbone"]["attention"]["sinks"] is True
    assert any("twice num_key_value_heads (4 K/V heads)" in n for n in report["notes"])


def test_hy_v4_indexer_schedule_and_hyper_connections_as_config_json_writes_it() -> None:
    """Without indexer_types, HYV4Config runs the indexer in layer 0 and every 4th layer from
    layer 1; the hyper-connections add hc_mult-stream mixing weights around every attention and
    FFN and before the final norm, which the total counts and the layer pattern does not
    change."""
    written = {"model_type": "hy_v4", **SMALL, **EXPERTS, **MLA, **INDEXER}
    written.update(num_hidden_layers=7, hc_mult=3)
    cfg = AutoConfig.for_model("hy_v4", **{k: v for k, v in written.items() if k != "model_type"})
    model = _build(cfg)
    indexed = [layer.self_attn.indexer is not None for layer in model.model.layers]
    assert indexed == [True, True, False, False, False, True, False]
    report = analyze_config(written)
    assert report["params"]["total"] == sum(p.numel() for p in model.parameters())
    assert report["memory"]["kv_bytes_per_token"] == _kv_elements_per_token(model, cfg) * 2
    hc = sum(p.numel() for n, p in model.named_parameters() if "_hc." in n or "hc_head" in n)
    assert report["params"]["breakdown"]["other"] == hc
    assert report["backbone"]["attention"]["output_gate"] is True
    assert report["backbone"]["attention"]["sinks"] is True


# DeepSeek-V4: shared-KV MQA with compressors, grouped output, mHC, hash-routed first layers
DSV4 = {
    "head_dim": 16,
    "num_key_value_heads": 1,
    "q_lora_rank": 32,
    "o_groups": 2,
    "o_lora_rank": 16,
    "index_n_heads": 4,
    "index_head_dim": 8,
    "index_topk": 4,
    "n_routed_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 32,
    "hc_mult": 2,
    "sliding_window": 16,
    "compress_rates": {"compressed_sparse_attention": 4, "heavily_compressed_attention": 8},
}
DSV4_VARIANTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("default-layer-types-hash", {}, {}),
    (
        "layer-types-hc3-mlp-bias-tied",
        {
            "num_hidden_layers": 5,
            "layer_types": [
                "sliding_attention",
                "compressed_sparse_attention",
                "heavily_compressed_attention",
                "compressed_sparse_attention",
                "sliding_attention",
            ],
            "hc_mult": 3,
            "mlp_bias": True,
            "tie_word_embeddings": True,
            "mlp_layer_types": ["moe", "hash_moe", "moe", "moe", "moe"],
        },
        {},
    ),
    # the legacy keys a V4 config.json may carry, read as DeepseekV4Config folds them in
    (
        "legacy-compress-ratios",
        {},
        {"compress_ratios": [0, 4, 128, 4], "compress_rate_hca": 8, "num_hash_layers": 1},
    ),
]


def _dsv4_kv_elements(model) -> int:
    """Per token at full length, read off the built modules: every layer's window of K=V
    (head_dim), a compressor's head_dim entry per compress_rate tokens, a CSA indexer's key per
    its rate."""
    total = 0
    for layer in model.model.layers:
        attn = layer.self_attn
        total += attn.head_dim
        compressor = attn.compressor
        if compressor is not None:
            total += compressor.head_dim // compressor.compress_rate
            indexer = getattr(compressor, "indexer", None)
            if indexer is not None:
                total += indexer.head_dim // indexer.compress_rate
    return total


@pytest.mark.parametrize("name,extra,written", DSV4_VARIANTS, ids=[v[0] for v in DSV4_VARIANTS])
def test_deepseek_v4_matches_transformers(name: str, extra: dict, written: dict) -> None:
    # V4 reads intermediate_size as moe_intermediate_size (attribute_map): SMALL's is left out
    small = {k: v for k, v in SMALL.items() if k != "intermediate_size"}
    config = {**small, **DSV4, **extra, **written}
    cfg = AutoConfig.for_model("deepseek_v4", **config)
    total, active = _reference(cfg)
    model = _build(cfg)
    # as transformers round-trips it and as config.json writes it
    for report in (
        analyze_config(cfg.to_dict()),
        analyze_config({"model_type": "deepseek_v4", **config}),
    ):
        params = report["params"]
        assert report["estimated"] is False, report["notes"]
        assert (params["total"], params["active"]) == (total, active), params["breakdown"]
        in_layers = sum(p.numel() for n, p in model.named_parameters() if ".layers." in n)
        assert sum(params["per_layer"]) == in_layers
        assert report["memory"]["kv_bytes_per_token"] == _dsv4_kv_elements(model) * 2
        n = cfg.num_hidden_layers
        csa = cfg.layer_types.count("compressed_sparse_attention")
        hca = cfg.layer_types.count("heavily_compressed_attention")
        # the summary says which layers carry compressed attention, not only the notes
        compressed = "".join(
            f", {k} adding {label}" for k, label in ((csa, "CSA"), (hca, "HCA")) if k
        )
        assert report["backbone"]["layers"]["summary"] == (f"{n} sliding MQA{compressed} · {n} MoE")
        assert f"; {csa} CSA layers add one entry per" in " ".join(report["notes"])


def test_deepseek_v4_default_config_and_its_cache() -> None:
    """DeepSeek-V4-Flash's shapes (the config class defaults): 284,325,869,015 parameters,
    ~13.8B active; at 1M tokens the cache holds the compressed entries of every token and a
    128-token window per layer."""
    cfg = AutoConfig.for_model("deepseek_v4")
    report = analyze_config(cfg.to_dict(), context_len=1_000_000)
    assert report["params"]["total"] == 284_325_869_015
    csa = cfg.layer_types.count("compressed_sparse_attention")
    hca = cfg.layer_types.count("heavily_compressed_attention")
    grows = csa * (512 + 128) // 4 + hca * 512 // 128
    window = cfg.num_hidden_layers * 512
    assert report["memory"]["kv_bytes"]["bytes"] == 2 * (grows * 1_000_000 + window * 128)
    assert report["memory"]["kv_bytes_per_token_sliding"] == window * 2
    assert report["backbone"]["attention"]["sparse_top_k"] == 512
    assert not any("DeepSeek Sparse Attention" in n for n in report["notes"])


@pytest.mark.parametrize(
    "model_type,key",
    [
        ("deepseek_v32", "mlp_layer_types"),
        ("glm_moe_dsa", "indexer_types"),
        ("glm_moe_dsa", "index_topk_pattern"),
        ("hy_v3", "mlp_layer_types"),
        ("mimo_v2_flash", "mlp_layer_types"),
        ("deepseek_v4", "layer_types"),
        ("deepseek_v4", "compress_ratios"),
    ],
)
def test_per_layer_lists_with_odd_entries_are_noted_not_a_crash(model_type: str, key: str) -> None:
    """A per-layer list holding lists or objects (unhashable) is ignored with a note, as one
    with unknown strings is; the count falls back to the config class's default pattern."""
    config = AutoConfig.for_model(model_type).to_dict()
    if key in ("index_topk_pattern", "compress_ratios"):
        config.pop("indexer_types" if key == "index_topk_pattern" else "layer_types")
    default = analyze_config(config)["params"]["total"]
    config[key] = [[1]] * config["num_hidden_layers"]
    report = analyze_config(config)
    assert report["params"]["total"] == default
    if key != "compress_ratios":  # transformers cannot build these: the default pattern, no note
        assert any(key.split("_")[0] in n and "ignored" in n for n in report["notes"])


def test_longcat_flash_sizes_past_any_model_are_refused_and_no_routed_experts_counted() -> None:
    from axes.backbone.errors import ConfigError

    config = AutoConfig.for_model("longcat_flash").to_dict()
    with pytest.raises(ConfigError, match="num_layers is 1,000,000,000"):
        analyze_config({**config, "num_layers": 10**9})
    report = analyze_config({**config, "n_routed_experts": 0})
    assert report["params"]["active"] <= report["params"]["total"]


@pytest.mark.parametrize(
    "model_type,extra",
    [
        ("deepseek_v2", {**EXPERTS, **MLA}),
        ("deepseek_v3", {**EXPERTS, **MLA}),
        ("glm4_moe_lite", {**EXPERTS, **MLA}),
        ("minicpm3", MLA),
        ("longcat_flash", {**MLA, "n_routed_experts": 8, "moe_topk": 2}),
        ("kimi_linear", {**EXPERTS, **MLA, "num_hidden_layers": 5}),  # MLA at layer 4
        ("axk1", {**EXPERTS, **MLA}),
    ],
)
def test_mla_counts_a_num_key_value_heads_that_does_not_divide_the_heads(
    model_type: str, extra: dict
) -> None:
    """MLA builds its keys and values from the latent and no weights from num_key_value_heads:
    transformers builds 4 query heads with num_key_value_heads 3 (and runs them: 4 // 3 is
    one key per query head), so the engine counts it (to the parameter) and says so instead
    of refusing the config."""
    cfg = AutoConfig.for_model(model_type, **{**SMALL, **extra, "num_key_value_heads": 3})
    total, _ = _reference(cfg)
    report = analyze_config(cfg.to_dict())
    assert report["params"]["total"] == total
    assert report["backbone"]["attention"]["variant"] == "MLA"
    assert any(
        n.startswith("num_key_value_heads = 3 does not divide num_attention_heads (4)")
        and "MLA builds no weights from it" in n
        for n in report["notes"]
    ), report["notes"]


def test_softmax_attention_still_refuses_heads_that_num_key_value_heads_does_not_divide() -> None:
    from axes.backbone.errors import ConfigError

    with pytest.raises(ConfigError, match="not a multiple of num_key_value_heads"):
        analyze_config({**SMALL, "model_type": "llama", "num_key_value_heads": 3})


def _forward_runs(cfg) -> bool:
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager")
    try:
        model(torch.tensor([[1, 2, 3, 4]]))
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize(("heads", "kv"), [(8, 4), (8, 3), (4, 8)])
def test_mla_says_a_config_whose_attention_repeats_the_keys_does_not_run(
    heads: int, kv: int
) -> None:
    """MLA builds nothing from num_key_value_heads, but transformers' attention repeats the
    keys heads // kv times: only 1 runs. The engine counts the model as built and says that
    its forward pass fails (checked: a forward pass of the same small model)."""
    cfg = AutoConfig.for_model(
        "deepseek_v3",
        **{
            **SMALL,
            **EXPERTS,
            **MLA,
            "num_attention_heads": heads,
            "num_key_value_heads": kv,
            "n_group": 1,
            "topk_group": 1,
        },
    )
    report = analyze_config(cfg.to_dict())
    assert report["params"]["total"] == _reference(cfg)[0]
    assert not _forward_runs(cfg)
    eager = " with eager attention" if heads < kv else ""
    assert (
        f"num_key_value_heads = {kv} with num_attention_heads = {heads}: MLA builds no weights "
        "from it (its keys and values come from the kv_lora_rank latent, one per query head), "
        "so the model is counted as transformers builds it; but transformers' attention "
        f"repeats the keys num_attention_heads // num_key_value_heads = {heads // kv} times, "
        f"so this config does not run there{eager}"
    ) in report["notes"]
    assert not any("does not divide" in n for n in report["notes"])


def test_mla_with_one_key_per_query_head_runs_and_is_not_said_to_fail() -> None:
    cfg = AutoConfig.for_model(
        "deepseek_v3",
        **{**SMALL, **EXPERTS, **MLA, "num_key_value_heads": 3, "n_group": 1, "topk_group": 1},
    )
    assert _forward_runs(cfg)  # 4 heads // 3 = 1
    notes = analyze_config(cfg.to_dict())["notes"]
    assert not any("does not run" in n for n in notes), notes
