"""Aria's text model (``aria_text``, ``modeling_aria.py`` AriaTextForCausalLM): the Llama
block with a MoE and shared experts in every layer.

- AriaTextAttention: the Llama attention (q/k/v/o, bias = ``attention_bias``; head_dim
  ``config.head_dim`` or hidden // heads; num_key_value_heads default num_attention_heads).
- AriaTextMoELayer in every layer (AriaTextDecoderLayer builds no dense MLP): router
  ``router.weight`` (moe_num_experts x hidden, no bias; softmax over the top-k logits),
  AriaExperts (fused gate_up / down of width ``intermediate_size``, no biases, always SiLU),
  and AriaSharedExpertsMLP, one SwiGLU of ``intermediate_size * moe_num_shared_experts``
  (bias = ``mlp_bias``).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("aria_text",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "aria_text")
    core = read_core(view, family="aria_text", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    n = core["num_layers"]
    width = core["intermediate_size"]
    shared_n = view.int("moe_num_shared_experts", default=2, field_name="num_shared_experts")
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, n, module="aria"), "moe"),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", default=False, field_name="mlp_bias"),
        num_experts=view.int("moe_num_experts", default=8, field_name="num_experts"),
        experts_per_token=view.int("moe_topk", default=2, field_name="experts_per_token"),
        moe_intermediate_size=width,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=width * shared_n,
        norm_topk_prob=True,
        router_scoring="softmax",
    )
