"""Compute: FLOPs per token and a batch-1 decode roofline per GPU.

FLOPs per generated token (forward only), after Kaplan et al. 2020 §2.1 and the nanoGPT
``transformer_sizing.ipynb`` accounting:
- ``2 x`` every active matmul weight (decoder linears of the active experts, shared experts,
  routers, lm_head; not the input embedding lookup, norms or biases);
- plus the attention scores and weighted sum against ``L`` cached tokens: per softmax layer
  ``2 x 2 x heads x head_dim x L_eff`` (MLA: ``2 x heads x (qk_head_dim + v_head_dim) x L_eff``),
  ``L_eff = min(L, sliding_window)`` on sliding layers;
- linear attention / SSM layers add their state update, ``~ 2 x 2 x state elements``.

Roofline: batch-1 decode is memory-bound, each token reads every active weight once plus the
KV cache, so ``tokens/s <= bandwidth / (active weight bytes + KV bytes at L)``.
"""

from __future__ import annotations

from typing import Any

from axes.backbone.gpus import GPU_BANDWIDTHS, GPU_KEYS
from axes.backbone.memory import kv_bytes_at
from axes.backbone.params import ParamCount
from axes.backbone.spec import ArchSpec


def active_matmul_params(spec: ArchSpec, count: ParamCount) -> int:
    lm_head = spec.vocab_size * spec.hidden_size
    router = count.breakdown["router"]
    shared_extra = count.breakdown["other"] if spec.moe_latent_size else 0
    return count.linear_weight_params - count.inactive_routed + lm_head + router + shared_extra


def attention_flops_per_token(spec: ArchSpec, context_len: int) -> int:
    # per distinct mixer x its layer count (the same sum as layer by layer)
    flops = 0
    for mixer, n in spec.mixer_counts.items():
        if mixer in ("attention", "sliding_attention"):
            window = spec.sliding_window if mixer == "sliding_attention" else None
            l_eff = min(context_len, window) if window else context_len
            flops += n * (4 * spec.num_attention_heads * spec.head_dim * l_eff)
        elif mixer == "mla":
            qk = (spec.qk_nope_head_dim or 0) + (spec.qk_rope_head_dim or 0)
            flops += n * (
                2 * spec.num_attention_heads * (qk + (spec.v_head_dim or 0)) * context_len
            )
        elif mixer in ("mamba", "mamba2"):
            heads_x_dim = spec.ssm_intermediate_size or 0
            flops += n * (4 * heads_x_dim * (spec.ssm_state_size or 0))
        elif mixer == "linear_attention":
            if spec.linear_attention_kind == "gated_deltanet":
                flops += n * (
                    4
                    * (spec.linear_num_value_heads or 0)
                    * (spec.linear_key_head_dim or 0)
                    * (spec.linear_value_head_dim or 0)
                )
            else:
                flops += n * (4 * spec.num_attention_heads * spec.head_dim * spec.head_dim)
    return flops


def compute_report(
    spec: ArchSpec,
    count: ParamCount,
    *,
    active_params: int,
    context_len: int,
    bytes_per_param: float,
    kv_dtype_bytes: int,
    kv_bytes: int | None = None,
) -> dict[str, Any]:
    """``kv_bytes``: ``kv_bytes_at(spec, context_len, kv_dtype_bytes)`` if already known."""
    matmul = active_matmul_params(spec, count)
    attn = attention_flops_per_token(spec, context_len)
    kv = kv_bytes_at(spec, context_len, kv_dtype_bytes) if kv_bytes is None else kv_bytes
    weight_bytes = int(active_params * bytes_per_param)
    bytes_per_token = weight_bytes + kv
    if bytes_per_token:
        # tokens/s to two decimals: the correctly rounded bandwidth x 100 / bytes, rounded to
        # an integer, / 100 (round(x, 2) goes through a decimal string: 7x slower per GPU)
        roofline = dict(
            zip(
                GPU_KEYS,
                [round(bw * 100 / bytes_per_token) / 100 for bw in GPU_BANDWIDTHS],
                strict=True,
            )
        )
    else:
        roofline = dict.fromkeys(GPU_KEYS)
    return {
        "flops_per_token": 2 * matmul + attn,
        "flops_detail": {
            "active_matmul_params": matmul,
            "matmul_flops": 2 * matmul,
            "attention_flops": attn,
            "context": context_len,
        },
        "decode_bytes_per_token": bytes_per_token,
        "roofline": roofline,
        "roofline_basis": f"batch-1 decode at context {context_len}: HBM bandwidth / "
        f"(active weights at {bytes_per_param:g} B/param as stored + KV at that context); "
        "an upper bound in tokens/s",
    }
