"""OLMoE: the OLMo block (pre-norm, full-width QK-norm) with a sparse MoE FFN in every layer.

``modeling_olmoe.py``: input and post-attention RMSNorms (pre-norm, unlike OLMo 2);
``q_norm`` over hidden_size and ``k_norm`` over (hidden // heads) * kv_heads;
``attention_bias`` on q/k/v/o; router ``gate`` (num_experts x hidden, no bias); fused experts
of ``intermediate_size``; no shared expert, no dense layers.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("olmoe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "olmoe")
    core = read_core(view, family="olmoe", tie_default=False, max_pos_default=4096)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module="olmoe"), "moe"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="full_width",
        num_experts=view.int("num_experts", default=64, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        norm_topk_prob=view.bool("norm_topk_prob", default=False),
        router_scoring="softmax",
    )
