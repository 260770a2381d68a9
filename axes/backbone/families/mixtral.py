"""Mixtral: the Mistral block with a sparse MoE FFN in every layer.

``modeling_mixtral.py``: router ``gate`` (num_local_experts x hidden, no bias); fused experts
``gate_up_proj`` (E, 2*intermediate, hidden) and ``down_proj`` (E, hidden, intermediate);
no attention biases; head_dim = config.head_dim or hidden // heads. ``sliding_window``
(default none) applies to every layer; layer_types is not read.
"""

from __future__ import annotations

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

MODEL_TYPES = ("mixtral",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "mixtral")
    core = read_core(view, family="mixtral", tie_default=False, max_pos_default=4096 * 32)
    read_rope(view, core)
    n = core["num_layers"]
    window = sliding_window(view, None)
    mixers = uniform_attention(view, n, module="mixtral", sliding=window is not None)
    experts = view.int("num_local_experts", "num_experts", default=8, field_name="num_experts")
    top_k = view.int("num_experts_per_tok", default=2, field_name="experts_per_token")
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        sliding_window=window,
        num_experts=experts,
        experts_per_token=top_k,
        moe_intermediate_size=core["intermediate_size"],
        router_scoring="softmax",
    )
