"""IBM Granite MoE (granitemoe): Llama-style attention with a sparse MoE FFN in every layer.

``modeling_granitemoe.py``: ``block_sparse_moe.router`` (E x hidden, no bias), fused
experts ``gate_up_proj`` (E, 2*intermediate, hidden) and ``down_proj``
(E, hidden, intermediate); ``attention_bias`` on q/k/v/o. The expert width is
``intermediate_size``. Scalar multipliers (embedding, residual, logits) hold no parameters.
Full attention in every layer (layer_types is not read).

granitemoeshared (``modeling_granitemoeshared.py``): the same block plus, when
``shared_intermediate_size`` is not 0 (the default), a ``shared_mlp`` beside the experts in
every layer: ``input_linear`` hidden -> 2 x shared_intermediate_size (gate and up) and
``output_linear`` back, no biases.

granitemoe_swa (``modeling_granitemoe_swa.py``): the granitemoeshared block with one learned
sink logit per head in every attention (``sinks``, num_attention_heads) and sliding-window
layers from ``layer_types`` (configuration_granitemoe_swa.py default: layer 0 and every 4th
after it full, the rest sliding; ``sliding_window`` default 128); ``layer_rope_theta`` gives
each layer its RoPE base, 0 for no RoPE (NoPE).
"""

from __future__ import annotations

from typing import Any

from axes.backbone.families._common import (
    attention_mixers,
    build,
    header,
    read_core,
    read_rope,
    sliding_window,
    uniform_attention,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("granitemoe", "granitemoeshared", "granitemoe_swa")


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "granitemoe")
    mt = head["model_type"]
    core = read_core(view, family=mt, tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    n = core["num_layers"]
    extra: dict[str, Any] = {}
    if mt == "granitemoe_swa":
        if view.has("layer_types"):
            mixers = attention_mixers(view, n)
        else:
            mixers = ["attention" if i % 4 == 0 else "sliding_attention" for i in range(n)]
        window = sliding_window(view, 128) if "sliding_attention" in mixers else None
        mixers = unwindowed(view, mixers, window=window)
        extra = {"attention_sinks": True, "sliding_window": window}
        thetas = view.list("layer_rope_theta", field_name="rope_theta")
        nope = sum(1 for t in thetas[:n] if t == 0) if thetas else 0
        if nope:
            extra.update(nope_layers=nope, positional="rope+nope")
    else:
        mixers = uniform_attention(view, n, module=mt)
    shared = 0
    if mt in ("granitemoeshared", "granitemoe_swa"):
        shared = view.int(
            "shared_intermediate_size", default=0, field_name="shared_expert_intermediate_size"
        )
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        qkv_bias=bias,
        o_bias=bias,
        num_experts=view.int("num_local_experts", default=8, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=2, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        router_scoring="softmax",
        num_shared_experts=1 if shared else 0,
        shared_expert_intermediate_size=shared,
        **extra,
    )
