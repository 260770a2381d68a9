"""The optimistic floor for the full report: straight-line code for one dense config.

    .venv/bin/python bench/bench_floor.py

Builds the whole ``analyze_config`` report of Llama-3.2-1B (the smallest meta build among the
shared configs, with gemma-2b-it) from code written for that one shape: it reads the config
dict's keys directly, with no aliases, no provenance, no validation and no branch for sliding
windows, experts or recurrent layers. It checks that the report is identical to the engine's
(it says so when the report has moved on and this file has not), then times both in the same
process (``timeit`` with the collector on, minimum of 7 repeats). What a per-family, straight-line engine could reach
at best: a real one needs the aliases, checks and branches this leaves out.
"""

import json
import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from axes.backbone import analyze_config
from axes.backbone.gpus import GPU_BANDWIDTHS, GPU_KEYS, GPU_MEMORY_BYTES
from axes.backbone.quantization import WEIGHTS_BASIS, weights_basis_fields

CONV = {
    "total": "every parameter transformers builds for this config (AutoModelForCausalLM, sum of numel, tied lm_head counted once, buffers excluded; MTP modules and a vision tower that it does not build are reported under mtp and vision_not_built, not in total)",
    "active": "parameters one token touches in a decoder forward pass: total minus the routed experts it skips, per MoE layer (num_experts - experts_per_token) × params_per_expert; embeddings, lm_head and any vision tower included",
    "active_excluding_input_embedding": "active minus the input embedding lookup table (kept when it is tied to the lm_head, which is a real matmul) and any per-layer embedding table (Gemma 4's PLE, Qwen4-Exp's n-gram tables), of which a token reads a few rows",
}
KVB = "bf16, every attention layer at full length (sliding windows not capped); MLA layers cache the latent (kv_lora_rank + qk_rope_head_dim)"

# spec fields of the families added since this floor was written: constants for a Llama shape
SPEC_REST = {
    "lm_head_vocab": None,
    "attention_head_gate": False,
    "attention_gate": None,
    "attention_extra": 0,
    "one_layer_extra": None,
    "attention_sinks_sliding_only": False,
    "layer_extra_norms": 0,
    "mlp_extra": 0,
    "mlp_extra_weights": 0,
    "index_n_heads": None,
    "index_head_dim": None,
    "index_topk": None,
    "mla_q_gate": False,
    "gated_norm_rank": 0,
    "sliding_mla": None,
    "mla_rope_norm": False,
    "index_shared_layers": None,
    "hyper_connections": 0,
    "hyper_connection_comb": False,
    "attention_kv_shared": False,
    "o_groups": 0,
    "o_lora_rank": 0,
    "compressed_attention": None,
    "compress_rates": None,
    "global_head_dim": None,
    "global_num_kv_heads": None,
    "global_k_eq_v": False,
    "o_proj_in": None,
    "kv_shared_layers": 0,
    "kv_uncached": None,
    "cross_attention_layers": None,
    "kv_shared_mlp_factor": 1,
    "per_layer_input_size": 0,
    "per_layer_input_vocab": 0,
    "moe_beside_mlp": False,
    "shortcut_moe": False,
    "zero_experts": 0,
    "altup_num_inputs": None,
    "laurel_rank": None,
    "ffn_widths": None,
    "heads_per_layer": None,
    "router_params": None,
    "attention_experts": 0,
    "moe_output_bias": False,
    "moe_output_norm": False,
    "ssm_out_bias": False,
    "ssm_dt_bc_norms": False,
    "ssm_gated_norm": True,
    "shared_blocks": 0,
    "shared_block_adapter_rank": 0,
    "shared_attention_adapter": False,
    "linear_gate_rank": None,
    "vision_built": True,
    "sparse_layers": 0,
    "sparse_attended": 0,
    "index_stride": 1,
    "hyper_connection_rank": 0,
    "lookup_params": 0,
    "lookup_row_params": 0,
    "reused_weights": 0,
    "experts_per_token_per_layer": None,
    "extra_conv_state": 0,
    "fp32_conv_state": 0,
    "reused_inactive": 0,
}
ATTENTION_REST = {
    "sparse_top_k": None,
    "global_head_dim": None,
    "global_num_kv_heads": None,
    "global_k_eq_v": False,
    "kv_shared_layers": 0,
    "cross_attention_layers": None,
    "sliding_mla": None,
}


def floor(c):
    h = c["hidden_size"]
    n = c["num_hidden_layers"]
    v = c["vocab_size"]
    nh = c["num_attention_heads"]
    kv = c.get("num_key_value_heads") or nh
    hd = c.get("head_dim") or h // nh
    inter = c["intermediate_size"]
    tied = bool(c.get("tie_word_embeddings", False))
    mp = c.get("max_position_embeddings")
    act = c.get("hidden_act")
    eps = c.get("rms_norm_eps")
    theta = c.get("rope_theta")
    scaling = c.get("rope_scaling")
    dtype = c.get("torch_dtype")
    archs = [str(a) for a in c.get("architectures") or []]
    attn = h * nh * hd + 2 * h * kv * hd + nh * hd * h
    mlp = 3 * h * inter
    norms = 2 * h
    block = attn + mlp + norms
    emb = v * h
    lm = 0 if tied else v * h
    total = emb + lm + n * block + h
    breakdown = {
        "embeddings": emb,
        "attention": n * attn,
        "dense_mlp": n * mlp,
        "routed_experts": 0,
        "router": 0,
        "shared_experts": 0,
        "ssm": 0,
        "norms": n * norms + h,
        "lm_head": lm,
        "mtp": 0,
        "vision": 0,
        "audio": 0,
        "other": 0,
    }
    excl = total - (0 if tied else emb)
    ctx = min(mp or 8192, 8192)
    kvpt = 2 * kv * hd * n * 2
    kvb = kvpt * ctx
    stored = total * 2
    maxctx = dict(
        zip(
            GPU_KEYS,
            [(m - stored) // kvpt if m > stored else 0 for m in GPU_MEMORY_BYTES],
            strict=True,
        )
    )
    matmul = n * (attn + mlp) + v * h
    attn_fl = n * 4 * nh * hd * ctx
    # fp8: linears at 1 B + an fp32 scale per 128x128 block; int4: 4 bits + an fp16 scale and
    # a 4-bit zero per group of 128; the rest at 2 B
    lin = n * (attn + mlp)
    rest2 = (total - lin) * 2
    fp8 = int(lin + (lin // 16384) * 4 + rest2)
    int4 = int(lin * 4 // 8 + (lin // 128) * 2.5 + rest2)
    # a decode step reads the table's one row, unless it is tied (then read whole as lm_head)
    read = excl + (0 if tied else h)
    wb = read * 2
    bpt = wb + kvb
    roof = dict(zip(GPU_KEYS, [round(bw * 100 / bpt) / 100 for bw in GPU_BANDWIDTHS], strict=True))
    variant = "MHA" if kv == nh else ("MQA" if kv == 1 else "GQA")
    pattern = [{"mixer": "attention", "ffn": "mlp"} for _ in range(n)]
    rs = dict(scaling) if scaling else None
    return {
        "analyzer_version": 1,
        "params": {
            "total": total,
            "active": total,
            "active_excluding_input_embedding": excl,
            "breakdown": breakdown,
            "per_layer": [block] * n,
            "params_per_expert": 0,
            "mtp": {"layers": 0, "params": 0, "included_in_total": False, "total_with_mtp": total},
            "conventions": dict(CONV),
            "vision_not_built": {
                "params": 0,
                "included_in_total": False,
                "total_with_vision": total,
            },
        },
        "memory": {
            "weights_bytes": {
                "bf16": total * 2,
                "fp8": fp8,
                "int4": int4,
                "stored": stored,
                "stored_basis": f"{total:,} params × 2 B ({dtype})",
            },
            "weights_basis": {**WEIGHTS_BASIS, "stored": f"{total:,} params × 2 B ({dtype})"},
            "weights_basis_fields": {
                **weights_basis_fields(),
                "stored": {
                    "format": "unquantized",
                    "params": total,
                    "bytes_per_param": 2,
                    "dtype": dtype,
                },
            },
            "kv_bytes_per_token": kvpt,
            "kv_bytes_per_token_basis": KVB,
            "kv_bytes_per_token_sliding": 0,
            "kv_bytes": {
                "context": ctx,
                "batch": 1,
                "kv_dtype": "bf16",
                "bytes": kvb,
                "sliding_window": None,
                "sliding_windows_capped": False,
            },
            "state_bytes_per_sequence": 0,
            "state_bytes_detail": {"conv_bytes": 0, "ssm_bytes": 0, "total": 0},
            "state_bytes_basis": "no recurrent layers: no state per sequence",
            "max_context_by_gpu": maxctx,
            "max_context_basis": "one GPU, weights as stored, batch 1, KV in bf16, recurrent state included (SSM state fp32, conv state in the KV dtype); no activation or framework overhead",
        },
        "compute": {
            "flops_per_token": 2 * matmul + attn_fl,
            "flops_detail": {
                "active_matmul_params": matmul,
                "matmul_flops": 2 * matmul,
                "attention_flops": attn_fl,
                "context": ctx,
            },
            "flops_basis": f"forward pass per token at position {ctx:,}: 2 × the active matmul weights (decoder linears of the active experts, shared experts, routers, lm_head; not the input-embedding lookup, norms or biases) + attention scores and weighted sum against the cached tokens (sliding layers up to their window) + the recurrent state update of SSM / linear-attention layers",
            "decode_bytes_per_token": bpt,
            "decode_bytes_detail": {"weight_params": read, "weights": wb, "kv": kvb, "state": 0},
            "roofline": roof,
            "roofline_basis": f"batch 1 at context {ctx:,}, KV cache in bf16: HBM bandwidth / the bytes one decode step reads (decode_bytes_detail) = the weights as stored ({read:,} params × 2 B ({dtype})) + the KV cache at that context + the recurrent state. The weights are every active parameter but the input-embedding table, of which a token reads one row; the lm_head is read whole (a tied table once, as lm_head); a vision tower is not read. An upper bound in tokens/s",
        },
        "backbone": {
            "family": "llama",
            "family_module": "llama",
            "decoder_type": "dense",
            "attention": {
                "variant": variant,
                "num_attention_heads": nh,
                "num_kv_heads": kv,
                "head_dim": hd,
                "sliding": False,
                "sliding_window": None,
                "linear": False,
                "qk_norm": None,
                "sinks": False,
                "output_gate": False,
                "qkv_bias": False,
                "kv_lora_rank": None,
                "q_lora_rank": None,
                **ATTENTION_REST,
            },
            "layers": {
                "num_layers": n,
                "counts": {"blocks": n, "mixer": {"attention": n}, "ffn": {"mlp": n}},
                "pattern": pattern,
                "summary": f"{n} {variant} · {n} MLP",
            },
            "moe": None,
            "hidden_size": h,
            "intermediate_size": inter,
            "vocab_size": v,
            "tied_embeddings": tied,
            "context_length": mp,
            "positional": {
                "type": "rope",
                "rope_theta": theta,
                "rope_scaling": scaling,
                "sliding_rope_theta": None,
                "partial_rotary_factor": None,
                "nope_layers": 0,
            },
            "norm": {"type": "rmsnorm", "placement": "pre", "eps": eps},
            "weights_format": {
                "stored_dtype": dtype,
                "quantization": None,
                "bytes_per_param_unquantized": 2,
            },
            "vision": None,
            "audio": None,
            "mtp_layers": 0,
        },
        "spec": {
            "model_type": "llama",
            "family": "llama",
            "architectures": archs,
            "hidden_size": h,
            "num_layers": n,
            "vocab_size": v,
            "num_attention_heads": nh,
            "num_kv_heads": kv,
            "head_dim": hd,
            "intermediate_size": inter,
            "tied_embeddings": tied,
            "max_position_embeddings": mp,
            "embedding_width": None,
            "hidden_act": act,
            "ffn_gated": True,
            "mlp_bias": False,
            "qkv_bias": False,
            "o_bias": False,
            "lm_head_bias": False,
            "qk_norm": None,
            "attention_output_gate": False,
            "attention_sinks": False,
            "fused_qkv": False,
            "norm_type": "rmsnorm",
            "norm_bias": False,
            "norms_per_layer": 2,
            "outer_norms": 1,
            "norm_eps": eps,
            "norm_placement": "pre",
            "positional": "rope",
            "learned_positions": 0,
            "rope_theta": theta,
            "sliding_rope_theta": None,
            "rope_scaling": rs,
            "partial_rotary_factor": None,
            "nope_layers": 0,
            "sliding_window": None,
            "q_lora_rank": None,
            "kv_lora_rank": None,
            "qk_nope_head_dim": None,
            "qk_rope_head_dim": None,
            "v_head_dim": None,
            "num_experts": 0,
            "experts_per_token": 0,
            "moe_intermediate_size": None,
            "num_shared_experts": 0,
            "shared_expert_intermediate_size": 0,
            "shared_expert_gate": False,
            "expert_bias": False,
            "router_bias": False,
            "expert_gated": True,
            "shared_expert_gated": True,
            "moe_latent_size": None,
            "first_k_dense": 0,
            "router_scoring": None,
            "norm_topk_prob": None,
            "ssm_version": None,
            "ssm_state_size": None,
            "ssm_num_heads": None,
            "ssm_head_dim": None,
            "ssm_n_groups": None,
            "ssm_conv_kernel": None,
            "ssm_intermediate_size": None,
            "ssm_time_step_rank": None,
            "ssm_bias": False,
            "ssm_conv_bias": True,
            "linear_num_key_heads": None,
            "linear_num_value_heads": None,
            "linear_key_head_dim": None,
            "linear_value_head_dim": None,
            "linear_conv_kernel": None,
            "linear_attention_kind": None,
            "mtp_layers": 0,
            "mtp_block_types": [],
            "vision": None,
            "audio": None,
            "stored_dtype": dtype,
            "quantization": None,
            "estimated": False,
            "notes": [],
            "num_experts_per_token": 0,
            "attention_variant": variant,
            "layer_pattern": pattern,
            **SPEC_REST,
        },
        "checkpoint": None,
        "estimated": False,
        "notes": [],
    }


REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MECHANIC_SHARED_DIR", REPO.parent / "shared"))
CONFIG = "meta-llama--Llama-3.2-1B"
GC_ON = "gc.enable()"  # timeit turns the collector off; the engine runs with it on


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def main() -> int:
    config = json.loads((SHARED / "hub" / CONFIG / "config.json").read_text(encoding="utf-8"))
    engine, straight = analyze_config(config), floor(config)
    if _dump(engine) == _dump(straight):
        print(f"{CONFIG}: the straight-line report is identical to analyze_config's")
    else:
        moved = [k for k in engine if _dump(engine[k]) != _dump(straight.get(k))]
        print(f"the report has moved on: update floor() (sections that differ: {moved})")
    for _ in range(3):
        t_engine = min(timeit.repeat(lambda: analyze_config(config), GC_ON, number=3000, repeat=7))
        t_floor = min(timeit.repeat(lambda: floor(config), GC_ON, number=3000, repeat=7))
        print(
            f"analyze_config {t_engine / 3000 * 1e6:6.2f} us   straight-line floor "
            f"{t_floor / 3000 * 1e6:6.2f} us   engine / floor {t_engine / t_floor:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
