"""gpt-oss: alternating sliding/full attention with sinks, MoE with biased experts, MXFP4.

``modeling_gpt_oss.py``: attention q/k/v/o with ``attention_bias`` (true in the release),
``sinks`` (one learned logit per head); router ``mlp.router`` (E x hidden + bias E); fused
experts ``gate_up_proj`` (E, hidden, 2*intermediate) + ``gate_up_proj_bias`` (E, 2*intermediate)
and ``down_proj`` (E, intermediate, hidden) + ``down_proj_bias`` (E, hidden). Layer types
from ``layer_types`` or sliding when ``(i + 1) % 2`` (configuration_gpt_oss.py); the window
(default 128) on the sliding ones (GptOssAttention: ``config.sliding_window`` there, else none).
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("gpt_oss",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "gpt_oss")
    core = read_core(
        view, family="gpt_oss", tie_default=False, head_dim_default=64, max_pos_default=131072
    )
    read_rope(view, core)
    n = core["num_layers"]
    mixers = layer_types_mixers(view, n) or [
        "sliding_attention" if (i + 1) % 2 else "attention" for i in range(n)
    ]
    window = sliding_window(view, 128)
    mixers = unwindowed(view, mixers, window=window)
    bias = view.bool("attention_bias", default=True, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, "moe"),
        qkv_bias=bias,
        o_bias=bias,
        attention_sinks=True,
        sliding_window=window if "sliding_attention" in mixers else None,
        num_experts=view.int("num_local_experts", default=128, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", "experts_per_token", default=4, field_name="experts_per_token"
        ),
        moe_intermediate_size=core["intermediate_size"],
        expert_bias=True,
        router_bias=True,
        router_scoring="softmax",
    )
