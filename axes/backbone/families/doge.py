"""Doge (``modeling_doge.py``): dynamic-mask attention, and with ``is_moe`` a cross-domain MoE
(CDMoE) whose routed experts are embedding rows.

- DogeAttention: q/k/v/o with ``attention_bias``; the dynamic mask's ``A`` (one value per K/V
  head) and ``dt_proj`` (kv_heads x head_dim -> kv_heads, bias = attention_bias); per-head
  ``q_norm`` / ``k_norm`` (head_dim each). ``keep_window_size`` masks scores, not the cache;
  ``sliding_window`` (configuration_doge.py default null), when set, applies to every layer.
- DogeDecoderLayer: input_layernorm and post_attention_layernorm, plus the learned residual
  scales ``input_residual`` and ``post_attention_residual`` (hidden each: counted with the norms).
- FFN: DogeMLP (gate/up/down with ``mlp_bias``), or with ``is_moe`` (default false) DogeCDMoE:
  that gated MLP as a shared expert, ``router_gate`` (hidden -> 2 x floor(sqrt(num_experts)),
  no bias: product-key routing) and the routed experts ``down_embed`` / ``up_embed``
  (num_experts x hidden each), of which a token uses ``num_experts_per_tok``.
"""

from __future__ import annotations

import math

from axes.backbone.families._common import (
    build,
    header,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("doge",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "doge")
    core = read_core(view, family="doge", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    n, h = core["num_layers"], core["hidden_size"]
    kv, hd = core["num_kv_heads"], core["head_dim"]
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    window = sliding_window(view, None)
    mixers = uniform_attention(view, n, module="doge", sliding=window is not None)
    extra: dict = {}
    moe = view.bool("is_moe", default=False)
    if moe:
        experts = view.int("num_experts", default=16384, field_name="num_experts")
        extra.update(
            num_experts=experts,
            experts_per_token=view.int(
                "num_experts_per_tok", default=64, field_name="experts_per_token"
            ),
            # an expert is one down_embed row and one up_embed row: 2 x hidden, as an
            # ungated expert of width 1
            moe_intermediate_size=1,
            expert_gated=False,
            router_params=2 * math.isqrt(experts) * core["hidden_size"],  # router_gate
            shared_expert_intermediate_size=core["intermediate_size"],
            num_shared_experts=1,
            norm_topk_prob=view.bool("norm_topk_prob", default=False),
            router_scoring="softmax",
        )
    return build(
        {**core, **head},
        layers_from(mixers, "moe" if moe else "mlp"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", default=False),
        qk_norm="per_head",
        # A (kv_heads) and dt_proj (kv_heads x head_dim -> kv_heads)
        attention_extra=kv + kv * hd * kv + (kv if bias else 0),
        layer_extra_norms=2 * h,  # input_residual, post_attention_residual
        sliding_window=window,
        **extra,
    )
