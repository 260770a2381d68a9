"""AFMoE (Arcee Trinity): gated GQA attention with per-head QK-norm, sandwich norms, sliding /
full layers, DeepSeek-style MoE with shared experts after dense-first layers.

``modeling_afmoe.py``:
- AfmoeAttention: q/k/v/o with ``attention_bias``; ``q_norm`` / ``k_norm`` RMSNorm(head_dim);
  ``gate_proj`` (hidden -> heads x head_dim, no bias), a sigmoid gate on the attention output;
  ``sliding_window`` (default 1024) on the layers ``layer_types`` marks sliding_attention
  (configuration_afmoe.py default: every ``global_attn_every_n_layers``-th layer full, the
  rest sliding).
- AfmoeDecoderLayer: four RMSNorms (``input_layernorm``, ``post_attention_layernorm``,
  ``pre_mlp_layernorm``, ``post_mlp_layernorm``); layers below ``num_dense_layers`` a SwiGLU of
  ``intermediate_size``, the rest AfmoeSparseMoeBlock: ``router.gate`` (num_experts x hidden,
  sigmoid scores), ``expert_bias`` (num_experts; an nn.Parameter without gradient, so
  counted, here as the router's bias), fused experts of ``moe_intermediate_size`` and one
  shared SwiGLU of moe_intermediate_size x num_shared_experts.
``mup_enabled`` scales the embeddings: no parameters.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("afmoe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "afmoe")
    core = read_core(
        view, family="afmoe", tie_default=False, head_dim_default=128, max_pos_default=16384
    )
    read_rope(view, core)
    n = core["num_layers"]
    if view.has("layer_types"):
        mixers = attention_mixers(view, n)
    else:
        every = view.int("global_attn_every_n_layers", default=4, field_name="layer_types")
        mixers = [
            "sliding_attention" if every and (i + 1) % every else "attention" for i in range(n)
        ]
    window = sliding_window(view, 1024) if "sliding_attention" in mixers else None
    mixers = unwindowed(view, mixers, window=window)
    dense = view.int("num_dense_layers", default=1, field_name="first_k_dense")
    dense = min(max(dense, 0), n)
    experts = view.int("num_experts", default=64, field_name="num_experts")
    moe_inter = view.int("moe_intermediate_size", default=1408, field_name="moe_intermediate_size")
    shared_n = view.int("num_shared_experts", default=2, field_name="num_shared_experts")
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, ["mlp"] * dense + ["moe"] * (n - dense)),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        attention_gate="full",
        norms_per_layer=4,
        norm_placement="sandwich",
        sliding_window=window,
        num_experts=experts,
        experts_per_token=view.int(
            "num_experts_per_tok", default=6, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        router_bias=True,
        first_k_dense=dense,
        norm_topk_prob=True,
        router_scoring="sigmoid",
    )
