"""Phi-3.5-MoE (phimoe): Mixtral-style sparse MoE with LayerNorms and an lm_head bias.

``modeling_phimoe.py``: q/k/v/o with ``attention_bias``; input, post-attention and final
norms are ``nn.LayerNorm`` (weight and bias); router ``gate`` (num_local_experts x hidden, no
bias); fused experts of ``intermediate_size``; ``lm_head`` carries a bias when
``lm_head_bias``; ``sliding_window``, when set, applies to every layer.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("phimoe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "phimoe")
    core = read_core(view, family="phimoe", tie_default=False, max_pos_default=131072)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    window = view.int("sliding_window", default=None, field_name="sliding_window")
    mixers = uniform_attention(
        view, core["num_layers"], module="phimoe", sliding=window is not None
    )
    if "sliding_attention" not in mixers:
        window = None
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        qkv_bias=bias,
        o_bias=bias,
        norm_type="layernorm",
        norm_bias=True,
        lm_head_bias=view.bool("lm_head_bias", default=False, field_name="lm_head_bias"),
        sliding_window=window,
        num_experts=view.int("num_local_experts", default=16, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=2, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        router_scoring="sparsemixer",
    )
