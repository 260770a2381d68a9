"""The backbone engine without torch: normalization, layer mixes, KV, state, GPUs, roofline,
checkpoint comparison, fallbacks and malformed configs. Fast (milliseconds per config)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from axes.backbone import GPUS, ArchSpec, ConfigError, analyze_config, backbone_facts, normalize
from axes.taxonomy import KINDS

SHARED = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)
HUB = SHARED / "hub"
REPO = Path(__file__).resolve().parents[1]

needs_hub = pytest.mark.skipif(not HUB.is_dir(), reason=f"no shared hub data at {HUB}")


def hub_config(name: str) -> dict[str, Any]:
    return json.loads((HUB / name / "config.json").read_text(encoding="utf-8"))


def hub_json(name: str, file: str) -> dict[str, Any]:
    return json.loads((HUB / name / file).read_text(encoding="utf-8"))


LLAMA_TINY: dict[str, Any] = {
    "model_type": "llama",
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 96,
    "vocab_size": 100,
    "max_position_embeddings": 1024,
}


def test_import_does_not_pull_torch_or_django() -> None:
    code = (
        "import sys, axes.backbone, axes.backbone.report;"
        "bad = [m for m in ('torch', 'transformers', 'django') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


# -- normalization ----------------------------------------------------------------------


def test_aliases_of_unknown_model_type_are_read_and_marked_estimated() -> None:
    config = {
        "model_type": "my_new_arch",
        "n_embd": 64,
        "n_layer": 3,
        "n_head": 4,
        "vocab_size": 100,
        "multi_query": True,
    }
    report = analyze_config(config)
    spec = normalize(config)
    assert (spec.hidden_size, spec.num_layers, spec.num_attention_heads) == (64, 3, 4)
    assert spec.num_kv_heads == 1
    assert report["backbone"]["attention"]["variant"] == "MQA"
    assert report["estimated"] is True
    assert any("estimate" in n for n in report["notes"])
    # 4x hidden MLP assumed and said so
    assert spec.intermediate_size == 256
    assert any("intermediate_size" in n for n in report["notes"])


@pytest.mark.parametrize(
    ("act", "matrices"),
    [("silu", 3), (None, 3), ("gelu_pytorch_tanh", 3), ("gelu", 2), ("relu2", 2)],
)
def test_unknown_model_type_counts_a_plain_mlp_when_hidden_act_names_one(act, matrices) -> None:
    """GPT-2/NeoX/Phi-style GELU and Nemotron-style relu2 MLPs have an up and a down matrix;
    SiLU (and no hidden_act) is read as the Llama line's gated SwiGLU, three matrices."""
    config = {**LLAMA_TINY, "model_type": "my_new_arch"}
    if act is not None:
        config["hidden_act"] = act
    report = analyze_config(config)
    assert report["params"]["breakdown"]["dense_mlp"] == 2 * matrices * 64 * 96
    (note,) = [n for n in report["notes"] if "is not one of the families" in n]
    if matrices == 2:
        assert f"plain up/down MLP, as hidden_act '{act}' suggests" in note
    else:
        assert "SwiGLU" in note


def test_unknown_model_type_reads_bias_keys() -> None:
    plain = analyze_config({**LLAMA_TINY, "model_type": "my_new_arch"})["params"]["breakdown"]
    biased = analyze_config(
        {**LLAMA_TINY, "model_type": "my_new_arch", "attention_bias": True, "mlp_bias": True}
    )["params"]["breakdown"]
    # q (4 heads x 16) + k, v (2 x 16 each) + o (64) biases per layer; gate/up (96 each) + down (64)
    assert biased["attention"] - plain["attention"] == 2 * (64 + 32 + 32 + 64)
    assert biased["dense_mlp"] - plain["dense_mlp"] == 2 * (96 + 96 + 64)


def test_d_model_alias_and_to_dict_keys_are_family_independent() -> None:
    a = normalize({**LLAMA_TINY}).to_dict()
    b = normalize(
        {"model_type": "x", "d_model": 64, "num_layers": 2, "num_heads": 4, "vocab_size": 100}
    ).to_dict()
    stable = {
        "hidden_size",
        "num_layers",
        "num_attention_heads",
        "num_kv_heads",
        "head_dim",
        "intermediate_size",
        "vocab_size",
        "tied_embeddings",
        "rope_theta",
        "max_position_embeddings",
        "num_experts",
        "experts_per_token",
    }
    assert stable <= set(a) and set(a) == set(b)
    assert b["hidden_size"] == 64 and b["num_layers"] == 2
    json.dumps(a)


@needs_hub
def test_text_config_nesting_and_evidence_locator() -> None:
    config = hub_config("google--medgemma-27b-it")
    spec = normalize(config)
    assert spec.hidden_size == 5376 and spec.num_kv_heads == 16 and spec.vision is not None
    report = analyze_config(config)
    facts = backbone_facts(config, report)
    attention = next(f for f in facts if f.kind == "backbone.attention")
    assert "text_config.num_key_value_heads" in attention.evidence.locator
    assert "num_key_value_heads = 16" in attention.evidence.text
    assert attention.evidence.source == "config.json" and attention.extractor == "config"
    assert {f.kind for f in facts} <= set(KINDS)
    assert "backbone.modality" in {f.kind for f in facts}


# -- layer mix, decoder type, attention variant per family -------------------------------

FAMILY_TABLE = [
    ("meta-llama--Llama-3.1-8B", "dense", "GQA", "32 GQA · 32 MLP"),
    ("google--gemma-2b-it", "dense", "MQA", "18 MQA · 18 MLP"),
    ("google--medgemma-27b-it", "dense", "GQA", "52 sliding + 10 full · 62 MLP"),
    ("openai--gpt-oss-20b", "moe", "GQA", "12 sliding + 12 full · 24 MoE"),
    ("deepseek-ai--DeepSeek-R1", "moe", "MLA", "61 MLA · 3 MLP + 58 MoE"),
    (
        "Qwen--Qwen3-Next-80B-A3B-Thinking",
        "hybrid_moe",
        "GQA",
        "36 Gated DeltaNet + 12 GQA · 48 MoE",
    ),
    ("nvidia--Nemotron-H-56B-Base-8K", "hybrid", "GQA", "54 Mamba-2 + 10 GQA + 54 MLP"),
    ("mistralai--Mixtral-8x7B-v0.1", "moe", "GQA", "32 GQA · 32 MoE"),
    ("ibm-granite--granite-3.1-1b-a400m-instruct", "moe", "GQA", "24 GQA · 24 MoE"),
]


@needs_hub
@pytest.mark.parametrize(
    "name,decoder,variant,summary", FAMILY_TABLE, ids=[r[0] for r in FAMILY_TABLE]
)
def test_decoder_type_attention_and_layer_summary(name, decoder, variant, summary) -> None:
    report = analyze_config(hub_config(name))
    bb = report["backbone"]
    assert bb["decoder_type"] == decoder
    assert bb["attention"]["variant"] == variant
    assert bb["layers"]["summary"] == summary
    assert len(bb["layers"]["pattern"]) == bb["layers"]["num_layers"]
    assert set(bb["layers"]["pattern"][0]) == {"mixer", "ffn"}


def test_nemotron3_style_hybrid_moe_summary() -> None:
    pattern = "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEMEME"
    assert pattern.count("*") == 6
    config = {
        "model_type": "nemotron_h",
        "hybrid_override_pattern": pattern,
        "hidden_size": 64,
        "vocab_size": 100,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,
        "intermediate_size": 96,
        "mamba_num_heads": 4,
        "mamba_head_dim": 16,
        "n_groups": 1,
        "ssm_state_size": 8,
        "n_routed_experts": 8,
        "num_experts_per_tok": 2,
        "moe_intermediate_size": 32,
        "moe_shared_expert_intermediate_size": 32,
    }
    report = analyze_config(config)
    counts = report["backbone"]["layers"]["counts"]
    assert report["backbone"]["decoder_type"] == "hybrid_moe"
    assert report["backbone"]["layers"]["summary"] == (
        f"{pattern.count('M')} Mamba-2 + 6 GQA + {pattern.count('E')} MoE"
    )
    assert counts["blocks"] == len(pattern)


def test_pure_ssm_has_no_kv_and_unbounded_context() -> None:
    config = {
        "model_type": "mamba",
        "hidden_size": 64,
        "num_hidden_layers": 4,
        "vocab_size": 100,
        "state_size": 16,
        "expand": 2,
        "conv_kernel": 4,
    }
    report = analyze_config(config, context_len=4096)
    assert report["backbone"]["decoder_type"] == "ssm"
    assert report["backbone"]["attention"]["variant"] == "none"
    assert report["memory"]["kv_bytes_per_token"] == 0
    # per layer: conv 128 x 4 x 2 B + ssm 128 x 16 x 4 B
    assert report["memory"]["state_bytes_per_sequence"] == 4 * (128 * 4 * 2 + 128 * 16 * 4)
    assert report["memory"]["max_context_by_gpu"]["H100-SXM"] is None


# -- KV cache, state, GPUs, roofline ------------------------------------------------------


@needs_hub
@pytest.mark.parametrize(
    "name,kv",
    [
        ("meta-llama--Llama-3.1-8B", 131_072),
        ("deepseek-ai--DeepSeek-R1", 70_272),
        ("nvidia--Nemotron-H-56B-Base-8K", 40_960),
    ],
)
def test_fixed_kv_bytes_per_token(name: str, kv: int) -> None:
    assert analyze_config(hub_config(name))["memory"]["kv_bytes_per_token"] == kv


@needs_hub
def test_mla_latent_formula() -> None:
    c = hub_config("deepseek-ai--DeepSeek-R1")
    expected = (c["kv_lora_rank"] + c["qk_rope_head_dim"]) * c["num_hidden_layers"] * 2
    assert analyze_config(c)["memory"]["kv_bytes_per_token"] == expected == 70_272


@needs_hub
def test_routed_expert_params_per_layer_follow_the_dense_first_layers() -> None:
    from axes.backbone.params import count_params, expert_params

    c = hub_config("deepseek-ai--DeepSeek-R1")
    spec = normalize(c)
    count = count_params(spec)
    dense, layers = c["first_k_dense_replace"], c["num_hidden_layers"]
    per_expert = expert_params(spec)
    assert per_expert == 3 * c["hidden_size"] * c["moe_intermediate_size"]
    routed = count.routed_expert_params_per_layer
    active = count.active_routed_per_layer
    assert routed == [0] * dense + [c["n_routed_experts"] * per_expert] * (layers - dense)
    assert active == [0] * dense + [c["num_experts_per_tok"] * per_expert] * (layers - dense)
    assert sum(routed) - sum(active) == count.inactive_routed
    assert sum(routed) == count.breakdown["routed_experts"]
    # a dense stack: no routed experts in any layer
    dense_count = count_params(normalize(LLAMA_TINY))
    assert dense_count.routed_expert_params_per_layer == [0, 0]
    assert dense_count.active_routed_per_layer == [0, 0]


@needs_hub
def test_nemotron_mamba_state() -> None:
    report = analyze_config(hub_config("nvidia--Nemotron-H-56B-Base-8K"))
    inter, groups, state, heads, hd = 256 * 64, 8, 256, 256, 64
    conv = (inter + 2 * groups * state) * 4 * 2
    ssm = heads * hd * state * 4
    assert report["memory"]["state_bytes_per_sequence"] == 54 * (conv + ssm)


@needs_hub
def test_sliding_window_layers_are_capped() -> None:
    report = analyze_config(hub_config("openai--gpt-oss-20b"), context_len=8192, batch=2)
    per_layer = 2 * 8 * 64 * 2
    expected = 2 * (12 * per_layer * 8192 + 12 * per_layer * 128)
    kv = report["memory"]["kv_bytes"]
    assert kv["bytes"] == expected and kv["sliding_windows_capped"] is True
    assert report["memory"]["kv_bytes_per_token"] == 24 * per_layer
    fp8 = analyze_config(
        hub_config("openai--gpt-oss-20b"), context_len=8192, batch=2, kv_dtype="fp8"
    )
    assert fp8["memory"]["kv_bytes"]["bytes"] == expected // 2


@needs_hub
def test_max_context_and_roofline_per_gpu() -> None:
    report = analyze_config(hub_config("meta-llama--Llama-3.1-8B"), context_len=4096)
    weights = report["memory"]["weights_bytes"]["stored"]
    assert weights == 8_030_261_248 * 2
    h100 = GPUS["H100-SXM"]
    assert report["memory"]["max_context_by_gpu"]["H100-SXM"] == (
        (h100.memory_bytes - weights) // 131_072
    )
    assert report["memory"]["max_context_by_gpu"]["RTX-4090"] > 0
    # a decode step reads every weight but the input embedding table, of which one row
    read = 8_030_261_248 - 128_256 * 4096 + 4096
    per_token = read * 2 + 131_072 * 4096
    roofline = report["compute"]["roofline"]["H100-SXM"]
    assert roofline == round(h100.bandwidth_bytes_per_s / per_token, 2) == 215.48
    for gpu in GPUS.values():  # every GPU: tokens/s to two decimals
        exact = gpu.bandwidth_bytes_per_s / per_token
        value = report["compute"]["roofline"][gpu.key]
        assert abs(value - exact) <= 0.005 and value == round(value, 2)
    # 2 x active matmul params (no input embedding) + attention at context 4096
    matmul = 8_030_261_248 - 128_256 * 4096 - (32 * 2 + 1) * 4096
    assert report["compute"]["flops_per_token"] == 2 * matmul + 32 * 4 * 32 * 128 * 4096
    for gpu in GPUS.values():
        assert gpu.source_url.startswith("https://") and gpu.memory_bytes > 0


@needs_hub
def test_weights_formats() -> None:
    awq = analyze_config(hub_config("gurro--Llama-3.1-8B-awq-int4-g128-GEMM"))
    w = awq["memory"]["weights_bytes"]
    # int4 is what an AWQ g128 checkpoint stores: this one
    assert w["int4"] == w["stored"] < w["fp8"] < w["bf16"]
    oss = analyze_config(hub_config("openai--gpt-oss-120b"))["memory"]["weights_bytes"]
    assert 60e9 < oss["stored"] < 67e9  # the MXFP4 release is ~65 GB on disk
    refl = analyze_config(hub_config("mattshumer--Reflection-Llama-3.1-70B"))
    assert refl["memory"]["weights_bytes"]["stored"] == 70_553_804_800 * 4  # float32
    index = hub_json("mattshumer--Reflection-Llama-3.1-70B", "model.safetensors.index.json")
    assert index["metadata"]["total_size"] == refl["memory"]["weights_bytes"]["stored"]
    ds = analyze_config(hub_config("deepseek-ai--DeepSeek-R1"))
    assert ds["backbone"]["weights_format"]["quantization"]["label"] == "FP8 block-wise"
    assert ds["params"]["mtp"]["layers"] == 1 and ds["params"]["mtp"]["params"] > 10**10


@needs_hub
def test_fp8_and_int4_weights_are_sized_as_real_checkpoints_store_them() -> None:
    """fp8 and int4 were params x 1 B and x 0.5 B (Llama-3.1-8B int4 3.74 GiB against
    5.33 GiB for the AWQ g128 checkpoint of the same model): scales and the 16-bit
    embeddings, lm_head and norms were left out."""
    w = analyze_config(hub_config("meta-llama--Llama-3.1-8B"))["memory"]
    h, layers, kv, inter = 4096, 32, 1024, 14_336
    linears = layers * (2 * h * h + 2 * h * kv + 3 * h * inter)  # q, o, k, v; gate, up, down
    assert linears == 6_979_321_856
    rest = 8_030_261_248 - linears  # embed_tokens, lm_head, norms: 16-bit
    # fp8: 1 B per weight + an fp32 scale per 128x128 block
    assert w["weights_bytes"]["fp8"] == linears + linears // (128 * 128) * 4 + rest * 2
    # int4: 4 bits per weight + an fp16 scale and a 4-bit zero per group of 128 inputs
    int4 = linears // 2 + linears // 128 * (2 + 0.5) + rest * 2
    assert w["weights_bytes"]["int4"] == int4 == 5_727_854_592  # 5.33 GiB
    awq = analyze_config(hub_config("gurro--Llama-3.1-8B-awq-int4-g128-GEMM"))["memory"]
    assert awq["weights_bytes"]["stored"] == w["weights_bytes"]["int4"]
    # the bf16 release's fp8 figure is what the FP8 release stores
    qwen = analyze_config(hub_config("Qwen--Qwen3-235B-A22B"))["memory"]["weights_bytes"]
    fp8 = analyze_config(hub_config("Qwen--Qwen3-235B-A22B-FP8"))["memory"]["weights_bytes"]
    assert qwen["fp8"] == fp8["stored"] == fp8["fp8"]
    # gpt-oss: the whole decoder in AWQ int4 is smaller than MXFP4 experts + bf16 attention
    oss = analyze_config(hub_config("openai--gpt-oss-20b"))["memory"]["weights_bytes"]
    assert 11 * 2**30 < oss["int4"] < oss["stored"] < 13 * 2**30
    # the same figures as the stored size of a checkpoint in those formats
    from axes.backbone.quantization import AWQ_INT4_G128, FP8_BLOCK_128, stored_bytes

    counts = {"total_params": 8_030_261_248, "quantizable_params": linears, "expert_params": 0}
    for fmt, quantization in (("fp8", FP8_BLOCK_128), ("int4", AWQ_INT4_G128)):
        stored = stored_bytes(**counts, dtype="bfloat16", quantization=quantization)[0]
        assert w["weights_bytes"][fmt] == stored
    basis = w["weights_basis"]
    assert set(basis) == {"bf16", "fp8", "int4", "stored"}
    assert "fp32 scale per 128x128 block" in basis["fp8"] and "16 bits" in basis["fp8"]
    assert "AWQ int4 g128" in basis["int4"] and "fp16 scale" in basis["int4"]
    assert basis["stored"] == w["weights_bytes"]["stored_basis"]


@needs_hub
@needs_hub
@pytest.mark.parametrize(
    "name,published",
    # the safetensors index's metadata.total_size of openai/gpt-oss-20b and the 120b's tensor
    # bytes, as published with the checkpoints
    [("openai--gpt-oss-20b", 13_761_264_768), ("openai--gpt-oss-120b", 65_248_815_744)],
)
def test_mxfp4_stored_size_is_the_published_checkpoint_to_the_byte(name, published) -> None:
    """MXFP4 packs the expert matrices (4 bits + an e8m0 scale per 32); their biases, like
    attention, router, embeddings and norms, stay bf16. Counting the biases at 4.25 bits too
    left gpt-oss-20b 9,745,920 bytes short."""
    assert analyze_config(hub_config(name))["memory"]["weights_bytes"]["stored"] == published


def test_moe_roofline_reads_the_active_weights_at_their_own_density() -> None:
    """gpt-oss-120b stores its routed experts in MXFP4 and the rest in bf16: the checkpoint's
    average (0.558 B/param) applied to the active weights, which are mostly bf16, put the
    bound at 958.79 tok/s on an H100, 1.5x too fast."""
    report = analyze_config(hub_config("openai--gpt-oss-120b"), context_len=8192)
    h = 2880
    matrices = 3 * h * 2880  # gate_up + down: MXFP4
    biases = 2 * 2880 + h  # their biases: bf16, like the rest
    active_matrices = 36 * 4 * matrices
    experts_bytes = active_matrices // 2 + active_matrices // 32  # 4 bits + an e8m0 per 32
    # attention, router, lm_head, norms, the active experts' biases; one embedding row
    other = 2_127_557_952 - 201_088 * h + h + 36 * 4 * biases
    kv = 18 * 2 * 8 * 64 * 2 * 8192 + 18 * 2 * 8 * 64 * 2 * 128  # sliding layers hold 128
    assert report["memory"]["kv_bytes"]["bytes"] == kv == 306_708_480
    per_token = experts_bytes + other * 2 + kv
    compute = report["compute"]
    assert compute["decode_bytes_per_token"] == per_token
    assert compute["decode_bytes_detail"] == {
        "weight_params": active_matrices + other,
        "weights": experts_bytes + other * 2,
        "kv": kv,
        "state": 0,
    }
    h100 = GPUS["H100-SXM"].bandwidth_bytes_per_s
    assert compute["roofline"]["H100-SXM"] == round(h100 / per_token, 2) == 630.93
    assert "MXFP4 experts" in compute["roofline_basis"]


@needs_hub
def test_dense_roofline_reads_one_row_of_the_input_embedding() -> None:
    """Llama-3.1-8B at 8192 tokens: 7,504,928,768 weights (the 525M-param input table is a
    row lookup) x 2 B + 1 GiB of KV: 208.29 tok/s on an H100 (the whole table made it
    195.51). A tied table is the lm_head and is read whole, once."""
    report = analyze_config(hub_config("meta-llama--Llama-3.1-8B"), context_len=8192)
    weights = (8_030_261_248 - 128_256 * 4096 + 4096) * 2
    assert report["compute"]["decode_bytes_per_token"] == weights + 1_073_741_824
    assert report["compute"]["roofline"]["H100-SXM"] == 208.29
    basis = report["compute"]["roofline_basis"]
    assert "context 8,192, KV cache in bf16" in basis
    assert "one row" in basis and "lm_head is read whole" in basis
    tied = analyze_config(hub_config("meta-llama--Llama-3.2-1B"), context_len=8192)
    total = tied["params"]["total"]
    assert tied["params"]["active_excluding_input_embedding"] == total
    kv = 16 * 2 * 8 * 64 * 2 * 8192
    assert tied["compute"]["decode_bytes_per_token"] == total * 2 + kv
    # a vision tower runs at prefill only: medgemma's decode step does not read it
    gemma = analyze_config(hub_config("google--medgemma-27b-it"))
    vision = gemma["params"]["breakdown"]["vision"]
    read = gemma["compute"]["decode_bytes_detail"]["weight_params"]
    assert read == gemma["params"]["active_excluding_input_embedding"] - vision


@needs_hub
def test_state_and_flops_conventions_are_stated() -> None:
    """Nemotron-H keeps its SSM state in fp32 and its conv state in the KV dtype: the basis
    says so, and a decode step reads the state as it reads the KV cache."""
    report = analyze_config(hub_config("nvidia--Nemotron-H-56B-Base-8K"), kv_dtype="fp8")
    memory = report["memory"]
    conv = (256 * 64 + 2 * 8 * 256) * 4 * 1  # conv state in fp8, as the KV cache
    ssm = 256 * 64 * 256 * 4  # fp32
    assert memory["state_bytes_per_sequence"] == 54 * (conv + ssm)
    basis = memory["state_bytes_basis"]
    assert "SSM / recurrent state in fp32" in basis and "conv state in fp8" in basis
    assert "SSM state fp32" in memory["max_context_basis"]
    detail = report["compute"]["decode_bytes_detail"]
    assert detail["state"] == 54 * (conv + ssm)
    assert report["compute"]["decode_bytes_per_token"] == (
        detail["weights"] + detail["kv"] + detail["state"]
    )
    assert "KV cache in fp8" in report["compute"]["roofline_basis"]
    flops = report["compute"]["flops_basis"]
    assert flops.startswith("forward pass per token at position 8,192: 2 × the active matmul")
    llama = analyze_config(hub_config("meta-llama--Llama-3.1-8B"))["memory"]
    assert llama["state_bytes_basis"] == "no recurrent layers: no state per sequence"


# -- checkpoint comparison ---------------------------------------------------------------


@needs_hub
def test_medgemma_index_total_is_explained_by_the_tied_duplicate() -> None:
    name = "google--medgemma-27b-it"
    report = analyze_config(
        hub_config(name), safetensors_index=hub_json(name, "model.safetensors.index.json")
    )
    ck = report["checkpoint"]
    assert ck["stored_total"] == 28_842_036_848
    assert ck["analytic_total"] == 27_432_406_640  # vision tower included
    assert report["params"]["breakdown"]["vision"] > 400_000_000
    assert ck["explained"] is True
    assert [e["kind"] for e in ck["explanations"]] == ["tied_duplicate"]
    assert ck["difference"] == 262_208 * 5376
    assert "vision" in ck["tensor_classes_present"]


@needs_hub
def test_smollm3_index_total_parameters_matches() -> None:
    name = "HuggingFaceTB--SmolLM3-3B"
    report = analyze_config(
        hub_config(name), safetensors_index=hub_json(name, "model.safetensors.index.json")
    )
    assert report["checkpoint"]["difference"] == 0 and report["checkpoint"]["explained"]


def _header_for(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A synthetic safetensors header with the tiny llama's real tensor shapes."""
    h, v, inter, kv = 64, 100, 96, 2 * 16
    tensors: dict[str, Any] = {
        "model.embed_tokens.weight": {"dtype": "BF16", "shape": [v, h]},
        "lm_head.weight": {"dtype": "BF16", "shape": [v, h]},
        "model.norm.weight": {"dtype": "BF16", "shape": [h]},
    }
    for i in range(2):
        p = f"model.layers.{i}."
        tensors |= {
            p + "self_attn.q_proj.weight": {"dtype": "F8_E4M3", "shape": [h, h]},
            p + "self_attn.q_proj.weight_scale_inv": {"dtype": "F32", "shape": [1, 1]},
            p + "self_attn.k_proj.weight": {"dtype": "BF16", "shape": [kv, h]},
            p + "self_attn.v_proj.weight": {"dtype": "BF16", "shape": [kv, h]},
            p + "self_attn.o_proj.weight": {"dtype": "BF16", "shape": [h, h]},
            p + "mlp.gate_proj.weight": {"dtype": "BF16", "shape": [inter, h]},
            p + "mlp.up_proj.weight": {"dtype": "BF16", "shape": [inter, h]},
            p + "mlp.down_proj.weight": {"dtype": "BF16", "shape": [h, inter]},
            p + "input_layernorm.weight": {"dtype": "BF16", "shape": [h]},
            p + "post_attention_layernorm.weight": {"dtype": "BF16", "shape": [h]},
        }
    tensors["model.layers.2.eh_proj.weight"] = {"dtype": "BF16", "shape": [h, 2 * h]}
    return {"model-00001-of-00001.safetensors": {"__metadata__": {"format": "pt"}, **tensors}}


def test_headers_give_dtypes_and_explain_every_difference() -> None:
    report = analyze_config(LLAMA_TINY)
    headers = _header_for(report)
    out = analyze_config(LLAMA_TINY, safetensors_headers=headers)["checkpoint"]
    assert out["stored_by_dtype"]["F8_E4M3"] == 2 * 64 * 64
    assert out["stored_by_dtype"]["F32"] == 2
    kinds = {e["kind"]: e["params"] for e in out["explanations"]}
    assert kinds == {"mtp": 64 * 128, "quant_scales": 2}
    assert out["explained"] is True
    assert out["stored_total"] - out["analytic_total"] == 64 * 128 + 2


def test_model_info_counts_by_dtype() -> None:
    total = analyze_config(LLAMA_TINY)["params"]["total"]
    info = {"safetensors": {"parameters": {"BF16": total}, "total": total}}
    out = analyze_config(LLAMA_TINY, model_info=info)["checkpoint"]
    assert out["stored_by_dtype"] == {"BF16": total}
    assert out["difference"] == 0 and out["explained"]


# -- fallbacks and malformed configs ----------------------------------------------------


def test_an_unknown_linear_attention_falls_back_to_an_estimate() -> None:
    """A model type the engine does not know, with linear-attention layers (MiniMax's
    ``attn_type_list`` spelling): an estimate, and a state it cannot lay out is said, not
    shown as a silent 0 B."""
    config = {
        **LLAMA_TINY,
        "model_type": "lightning_lab",
        "attn_type_list": [0, 1] * (LLAMA_TINY["num_hidden_layers"] // 2),
    }
    report = analyze_config(config)
    assert report["estimated"] is True
    assert report["backbone"]["decoder_type"] == "hybrid"
    linear = report["backbone"]["layers"]["counts"]["mixer"]["linear_attention"]
    assert linear == LLAMA_TINY["num_hidden_layers"] // 2
    assert report["memory"]["state_bytes_per_sequence"] == 0
    assert any(
        f"recurrent state of the {linear} linear-attention layers is not counted" in n
        for n in report["notes"]
    )
    facts = backbone_facts(config, report)
    assert facts and all(f.confidence < 1 for f in facts)


@needs_hub
def test_minimax_m1_is_counted_as_transformers_minimax() -> None:
    """MiniMax-M1's remote-code config reads as the native minimax network: 456B (the card's
    figure) exactly, its 70 Lightning Attention layers' state counted, every fact certain."""
    report = analyze_config(hub_config("MiniMaxAI--MiniMax-M1-80k"))
    assert report["estimated"] is False and report["backbone"]["family_module"] == "minimax_m1"
    assert report["backbone"]["decoder_type"] == "hybrid_moe"
    assert report["backbone"]["layers"]["summary"] == "70 Lightning Attention + 10 GQA · 80 MoE"
    assert report["params"]["total"] == 456_089_655_296
    # one heads x head_dim x head_dim state per Lightning layer, fp32 like the other states
    assert report["memory"]["state_bytes_per_sequence"] == 70 * 64 * 128 * 128 * 4
    assert report["memory"]["kv_bytes_per_token"] == 10 * 2 * 8 * 128 * 2
    assert not any("not counted" in n for n in report["notes"])
    facts = backbone_facts(hub_config("MiniMaxAI--MiniMax-M1-80k"), report)
    assert facts and all(f.confidence == 1 for f in facts)
    norm = next(f for f in facts if f.kind == "backbone.norm")
    assert norm.value["placement"] == "post"  # the config's postnorm: true, as transformers runs
    ssm = next(f for f in facts if f.kind == "backbone.ssm")
    assert ssm.value["type"] == "Lightning Attention"
    assert "attn_type_list" in ssm.evidence.locator


@pytest.mark.parametrize(
    "config,key",
    [
        ({"model_type": "llama", "num_hidden_layers": 2, "vocab_size": 10}, "hidden_size"),
        ({**LLAMA_TINY, "hidden_size": "wide"}, "hidden_size"),
        ({**LLAMA_TINY, "num_key_value_heads": 3}, "num_key_value_heads"),
        ({**LLAMA_TINY, "tie_word_embeddings": "maybe"}, "tie_word_embeddings"),
        ({**LLAMA_TINY, "num_hidden_layers": 0}, "num_hidden_layers"),
        # sizes that give nonsense numbers, then crashes further on (the profiler divides)
        ({**LLAMA_TINY, "num_key_value_heads": 0}, "num_key_value_heads"),
        ({**LLAMA_TINY, "num_attention_heads": 0, "num_key_value_heads": 0}, "attention"),
        ({**LLAMA_TINY, "intermediate_size": -128}, "intermediate_size"),
        ({**LLAMA_TINY, "hidden_size": 10**30}, "hidden_size"),
        ({**LLAMA_TINY, "max_position_embeddings": -1}, "max_position_embeddings"),
        ({**LLAMA_TINY, "hidden_size": None}, "hidden_size: null"),  # NaN / Infinity read so
        (
            {
                "model_type": "nemotron_h",
                "hybrid_override_pattern": "MX*",
                "hidden_size": 8,
                "vocab_size": 10,
            },
            "hybrid_override_pattern",
        ),
        (
            {"model_type": "nemotron_h", "hidden_size": 8, "vocab_size": 10},
            "hybrid_override_pattern",
        ),
        # found by feeding every exact family's default config odd values, key by key: these
        # escaped as TypeError / ValueError ("int() argument must be ... not 'list'")
        (
            {
                "model_type": "mamba",
                "hidden_size": 16,
                "num_hidden_layers": 2,
                "vocab_size": 10,
                "time_step_rank": [],
            },
            "time_step_rank",
        ),
        (
            {**LLAMA_TINY, "model_type": "jamba", "mamba_dt_rank": "wide"},
            "mamba_dt_rank",
        ),
    ],
)
def test_malformed_configs_raise_a_typed_error_naming_the_key(config, key) -> None:
    with pytest.raises(ConfigError) as err:
        analyze_config(config)
    assert key in str(err.value) or key == err.value.key
    assert str(err.value)


def test_a_model_type_that_is_not_a_string_is_read_from_the_text_config() -> None:
    """``"model_type": []`` beside a Qwen3.5 text_config: the text_config's model type is
    what the engine reads (it crashed with "unhashable type: 'list'")."""
    config = {
        "model_type": [],
        "text_config": {**LLAMA_TINY, "model_type": "qwen3_5_text", "head_dim": 16},
    }
    report = analyze_config(config)
    assert report["params"]["total"] > 0


def test_not_a_dict_and_numeric_strings() -> None:
    with pytest.raises(ConfigError):
        analyze_config(["not", "a", "config"])  # type: ignore[arg-type]
    report = analyze_config({**LLAMA_TINY, "hidden_size": "64", "num_hidden_layers": 2.0})
    assert report["params"]["total"] == analyze_config(LLAMA_TINY)["params"]["total"]
    assert any("read as the integer 64" in n for n in report["notes"])


def test_short_layer_types_is_a_note_not_a_crash() -> None:
    report = analyze_config({**LLAMA_TINY, "layer_types": ["full_attention"]})
    assert any("layer_types" in n for n in report["notes"])
    assert len(report["backbone"]["layers"]["pattern"]) == 2
    qwen = {**LLAMA_TINY, "model_type": "qwen2", "layer_types": ["full_attention"]}
    assert "layer_types does not describe every layer; ignored" in analyze_config(qwen)["notes"]


def test_an_unknown_layer_type_is_named() -> None:
    """Not "does not describe every layer" (it does): the entry that is no layer type."""
    for model_type in ("qwen2", "gemma2", "gpt_oss", "smollm3", "llama", "some_new_arch"):
        config = {
            **LLAMA_TINY,
            "model_type": model_type,
            "layer_types": ["full_attention", "banana_attention"],
        }
        notes = analyze_config(config)["notes"]
        assert "layer_types has an unknown entry, 'banana_attention' (layer 1); ignored" in notes
        assert not any("does not describe every layer" in n for n in notes), notes


@needs_hub
def test_layer_types_in_a_llama_config_change_nothing() -> None:
    """transformers' Llama never reads layer_types: full-length KV in every layer."""
    config = hub_config("meta-llama--Llama-3.1-8B")
    alternating = ["sliding_attention", "full_attention"] * 16
    report = analyze_config({**config, "layer_types": alternating, "sliding_window": 4096})
    plain = analyze_config(config)
    assert report["memory"] == plain["memory"]
    assert report["memory"]["kv_bytes"]["bytes"] == 32 * 2 * 8 * 128 * 2 * 8192  # 1.07 GB
    assert report["memory"]["max_context_by_gpu"]["H100-SXM"] == 487_819
    assert report["backbone"]["layers"]["summary"] == "32 GQA · 32 MLP"
    assert report["backbone"]["attention"]["sliding"] is False
    assert "layer_types is not read by modeling_llama.py; ignored" in report["notes"]
    facts = backbone_facts({**config, "layer_types": alternating}, report)
    assert not any("layer_types" in f.evidence.locator for f in facts)


@needs_hub
def test_qwen2_layer_types_without_use_sliding_window_are_full_attention() -> None:
    """The layer mix says what the memory figures count: Qwen2 gives layers no window unless
    use_sliding_window is true, whatever layer_types marks."""
    config = hub_config("Qwen--Qwen2.5-7B")
    marked = {**config, "layer_types": ["sliding_attention", "full_attention"] * 14}
    report = analyze_config(marked)
    assert report["backbone"]["layers"]["summary"] == "28 GQA · 28 MLP"
    assert report["memory"] == analyze_config(config)["memory"]
    assert (
        "14 layers are marked sliding_attention, but use_sliding_window is false: transformers "
        "gives them no window, so they are counted as full attention"
    ) in report["notes"]
    windowed = analyze_config({**marked, "use_sliding_window": True, "sliding_window": 4096})
    assert windowed["backbone"]["layers"]["summary"] == "14 sliding + 14 full · 28 MLP"
    assert windowed["memory"]["kv_bytes_per_token"] == report["memory"]["kv_bytes_per_token"]
    at = 32768
    long = analyze_config(
        {**marked, "use_sliding_window": True, "sliding_window": 4096}, context_len=at
    )
    full = analyze_config(marked, context_len=at)
    per_layer = 2 * 4 * 128 * 2
    assert long["memory"]["kv_bytes"]["bytes"] == 14 * per_layer * at + 14 * per_layer * 4096
    assert full["memory"]["kv_bytes"]["bytes"] == 28 * per_layer * at


def test_a_missing_context_window_is_the_config_class_default() -> None:
    """LlamaConfig's max_position_embeddings default is 2048: that, said in a note, not "no
    fixed limit"; a family without a transformers default (the generic reading) stays open."""
    config = {k: v for k, v in LLAMA_TINY.items() if k != "max_position_embeddings"}
    report = analyze_config(config)
    assert report["backbone"]["context_length"] == 2048
    assert (
        "no max_position_embeddings in config.json: transformers' llama default, 2,048, is used"
        in (report["notes"])
    )
    assert analyze_config(LLAMA_TINY)["backbone"]["context_length"] == 1024
    assert not any("default" in n for n in analyze_config(LLAMA_TINY)["notes"])
    mistral = analyze_config({**config, "model_type": "mistral"})
    assert mistral["backbone"]["context_length"] == 131072
    generic = analyze_config({**config, "model_type": "some_new_arch"})
    assert generic["backbone"]["context_length"] is None


def test_bad_arguments_are_value_errors() -> None:
    with pytest.raises(ValueError, match="KV-cache dtype"):
        analyze_config(LLAMA_TINY, kv_dtype="int3")
    with pytest.raises(ValueError):
        analyze_config(LLAMA_TINY, batch=0)


@needs_hub
def test_every_hub_config_report_is_json() -> None:
    # Speed is measured in bench/bench_backbone.py, not asserted here.
    for d in sorted(p for p in HUB.iterdir() if (p / "config.json").is_file()):
        config = hub_config(d.name)
        report = analyze_config(config)
        json.dumps(report)
        assert isinstance(normalize(config), ArchSpec)
        assert all(f.kind in KINDS for f in backbone_facts(config, report))


def test_dense_nemotron_h_has_no_expert_fields() -> None:
    """transformers' MoE defaults (8 experts, top-2, ...) are not facts of a dense Nemotron-H:
    its spec, which the compare page diffs against Llama, must not show experts."""
    repo = Path(__file__).resolve().parents[1]
    dense = json.loads(
        (repo / "catalog/demo/nvidia--Nemotron-H-8B-Base-8K.json").read_text(encoding="utf-8")
    )["config"]
    llama = json.loads(
        (repo / "catalog/demo/meta-llama--Meta-Llama-3-8B.json").read_text(encoding="utf-8")
    )["config"]
    spec, llama_spec = normalize(dense).to_dict(), normalize(llama).to_dict()
    moe_keys = (
        "num_experts", "experts_per_token", "num_experts_per_token", "moe_intermediate_size",
        "num_shared_experts", "shared_expert_intermediate_size", "router_scoring",
        "norm_topk_prob", "expert_gated", "shared_expert_gated", "mtp_block_types",
    )  # fmt: skip
    assert {k: spec[k] for k in moe_keys} == {k: llama_spec[k] for k in moe_keys}
    assert spec["num_experts"] == 0 and spec["mtp_block_types"] == []
    # the hybrid MoE (Nemotron 3) keeps its experts
    moe = json.loads(
        (repo / "catalog/demo/nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B.json").read_text(
            encoding="utf-8"
        )
    )["config"]
    moe_spec = normalize(moe).to_dict()
    assert moe_spec["num_experts"] == 128 and moe_spec["router_scoring"] == "sigmoid"


@needs_hub
@pytest.mark.parametrize(
    ("folder", "key", "value"),
    [
        ("Qwen--Qwen3-235B-A22B", "num_experts", -2),
        ("Qwen--Qwen3-235B-A22B", "num_experts_per_tok", -3),
        ("mistralai--Mistral-7B-Instruct-v0.3", "sliding_window", -10),
        ("deepseek-ai--DeepSeek-R1", "kv_lora_rank", -1),
        ("nvidia--Nemotron-H-56B-Base-8K", "mamba_num_heads", -1),
        ("Qwen--Qwen3-Next-80B-A3B-Thinking", "linear_num_value_heads", -2),
    ],
)
def test_a_negative_size_is_refused_naming_its_key(folder, key, value) -> None:
    """Negative sizes gave smaller, plausible-looking counts (Qwen3-235B with -2 experts: a
    22B "total"); every integer the engine reads is a size or a count."""
    with pytest.raises(ConfigError, match=f"{key} must not be negative, not {value}"):
        analyze_config({**hub_config(folder), key: value})


def test_an_absurd_total_is_refused() -> None:
    with pytest.raises(ConfigError, match="past any real model"):
        analyze_config({**LLAMA_TINY, "num_hidden_layers": 5000, "hidden_size": 900_000})


def test_readme_lists_every_model_type_the_engine_counts_exactly() -> None:
    """The README's list of exact architectures is the registry's, no more and no less."""
    import re
    from pathlib import Path

    from axes.backbone.families import REGISTRY

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Which architectures are exact", 1)[1].split("\n## ", 1)[0]
    listed = re.split(r"\.\s+Any other", section.split("to the parameter:", 1)[1], maxsplit=1)[0]
    # model types are words of [a-z0-9_], some joined by hyphens (openai-gpt, gpt-sw3)
    named = set(re.findall(r"[a-z][a-z0-9_]+(?:-[a-z0-9_]+)*", re.sub(r"\([^)]*\)", "", listed)))
    named |= {"kimi_k2", "gemma3_text"}  # written as "(and kimi_k2)", "(text and vision tower)"
    exact = {k for k, module in REGISTRY.items() if not module.__name__.endswith(".generic")}
    assert named == exact


def test_a_qwen3_next_style_mtp_prefix_is_explained_as_mtp() -> None:
    """Qwen3-Next and Qwen3.5 store their MTP module as ``mtp.fc`` / ``mtp.layers.0.…``: the
    ``layers.0`` in those names is not the decoder's first layer, and the difference they
    make is MTP, exactly as the header counts it."""
    report = analyze_config(LLAMA_TINY)
    headers = _header_for(report)
    shard = headers["model-00001-of-00001.safetensors"]
    del shard["model.layers.2.eh_proj.weight"]
    h = 64
    mtp = {
        "mtp.fc.weight": [h, 2 * h],
        "mtp.pre_fc_norm_embedding.weight": [h],
        "mtp.pre_fc_norm_hidden.weight": [h],
        "mtp.layers.0.self_attn.q_proj.weight": [h, h],
        "mtp.layers.0.input_layernorm.weight": [h],
        "mtp.norm.weight": [h],
    }
    shard |= {name: {"dtype": "BF16", "shape": shape} for name, shape in mtp.items()}
    out = analyze_config(LLAMA_TINY, safetensors_headers=headers)["checkpoint"]
    expected_mtp = 2 * h * h + h * h + 4 * h
    assert {e["kind"]: e["params"] for e in out["explanations"]} == {
        "mtp": expected_mtp,
        "quant_scales": 2,
    }
    assert out["explained"] is True
    assert out["stored_total"] - out["analytic_total"] == expected_mtp + 2
