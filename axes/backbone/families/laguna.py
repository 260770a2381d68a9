"""Laguna (poolside): AFMoE-style gated GQA attention with per-layer query heads, and MoE with
a shared expert after a dense first layer.

``modeling_laguna.py``:
- LagunaAttention(num_heads = ``num_attention_heads_per_layer[i]``, default
  num_attention_heads in every layer): q/k/v/o with ``attention_bias``; ``q_norm`` / ``k_norm``
  RMSNorm(head_dim); ``g_proj`` (no bias), a softplus gate on the output, hidden -> heads when
  ``gating`` is true or "per-head", else hidden -> heads x head_dim; ``sliding_window``
  (default 512) on the layers ``layer_types`` marks sliding_attention (default: all full).
- ``mlp_layer_types`` (default: the first layer dense, the rest sparse): a SwiGLU of
  ``intermediate_size`` or LagunaSparseMoeBlock: router ``weight`` (num_experts x hidden) and
  ``e_score_correction_bias`` (num_experts; an nn.Parameter without gradient, so counted, here
  as the router's bias), fused experts of ``moe_intermediate_size``, one shared SwiGLU of
  ``shared_expert_intermediate_size``.
Attention FLOPs per token are figured at num_attention_heads in every layer; the parameters
(and the matmul FLOPs from them) follow each layer's heads.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("laguna",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "laguna")
    core = read_core(
        view, family="laguna", tie_default=False, head_dim_default=128, max_pos_default=131072
    )
    read_rope(view, core)
    n = core["num_layers"]
    mixers = attention_mixers(view, n)
    window = sliding_window(view, 512) if "sliding_attention" in mixers else None
    mixers = unwindowed(view, mixers, window=window)
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        ffns = ["mlp" if k == "dense" else "moe" for k in kinds]
    else:
        ffns = ["mlp"] + ["moe"] * (n - 1) if n else []
    heads = view.list("num_attention_heads_per_layer", field_name="num_attention_heads")
    per_layer = None
    if heads is not None and len(heads) >= n and all(type(x) is int and x > 0 for x in heads):
        if any(x != core["num_attention_heads"] for x in heads[:n]):
            per_layer = list(heads[:n])
    gating = view.raw_get("gating", default=True)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    dense_prefix = next((i for i, f in enumerate(ffns) if f == "moe"), n)
    return build(
        {**core, **head},
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        attention_gate="per_head" if gating is True or gating == "per-head" else "full",
        heads_per_layer=per_layer,
        sliding_window=window,
        num_experts=view.int("num_experts", default=256, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=view.int(
            "moe_intermediate_size", default=512, field_name="moe_intermediate_size"
        ),
        num_shared_experts=1,
        shared_expert_intermediate_size=view.int(
            "shared_expert_intermediate_size",
            default=512,
            field_name="shared_expert_intermediate_size",
        ),
        router_bias=True,
        first_k_dense=dense_prefix,
        router_scoring="sigmoid",
    )
