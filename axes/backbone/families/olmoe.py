"""OLMoE: the OLMo block (pre-norm, full-width QK-norm) with a sparse MoE FFN in every layer.

``modeling_olmoe.py``: input and post-attention RMSNorms (pre-norm, unlike OLMo 2);
``q_norm`` over hidden_size and ``k_norm`` over (hidden // heads) * kv_heads;
``attention_bias`` on q/k/v/o; router ``gate`` (num_experts x hidden, no bias); fused experts
of ``intermediate_size``; no shared expert, no dense layers.

FlexOlmo (``modeling_flex_olmo.py``): the same attention and experts (7 of them, top-5, by
default) in the OLMo 2 post-norm block: no input norm, ``post_attention_layernorm`` and
``post_feedforward_layernorm``.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("olmoe", "flex_olmo")
# configuration_<type>.py defaults: max_position_embeddings, num_experts, num_experts_per_tok
DEFAULTS = {"olmoe": (4096, 64, 8), "flex_olmo": (4096, 7, 5)}


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "olmoe")
    mt = head["model_type"]
    max_pos, experts, top_k = DEFAULTS.get(mt, DEFAULTS["olmoe"])
    core = read_core(view, family=mt, tie_default=False, max_pos_default=max_pos)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, core["num_layers"], module=mt), "moe"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="full_width",
        norm_placement="post" if mt == "flex_olmo" else "pre",
        num_experts=view.int(
            "num_experts", "num_local_experts", default=experts, field_name="num_experts"
        ),
        experts_per_token=view.int(
            "num_experts_per_tok", default=top_k, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        norm_topk_prob=view.bool("norm_topk_prob", default=False),
        router_scoring="softmax",
    )
