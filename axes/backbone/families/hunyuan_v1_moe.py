"""Tencent Hunyuan-A13B (hunyuan_v1_moe): per-head QK-norm and a MoE plus shared MLP in every
layer.

``modeling_hunyuan_v1_moe.py``: q/k/v/o with ``attention_bias``; ``query_layernorm`` and
``key_layernorm`` over head_dim; HunYuanMoEV1Moe in every layer: router ``gate.wg``
(num_experts x hidden, no bias), fused experts and one ``shared_mlp``, all SwiGLUs of
``intermediate_size`` (transformers reads no moe_intermediate_size); top-k ``moe_topk``, which
may be a per-layer list (HunYuanMoEV1Gate reads ``moe_topk[layer_idx]``).
"""

from __future__ import annotations

from axes.backbone.errors import ConfigError
from axes.backbone.families._common import (
    build,
    entry_shown,
    header,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("hunyuan_v1_moe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "hunyuan_v1_moe")
    core = read_core(view, family="hunyuan_v1_moe", tie_default=False, max_pos_default=2048)
    read_rope(view, core)
    n = core["num_layers"]
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    top_k = view.raw_get("moe_topk", "num_experts_per_tok", default=1)
    estimated = False
    per_layer = None
    if isinstance(top_k, list) and top_k:
        where = view.path("moe_topk", "num_experts_per_tok") or "moe_topk"
        view.sources["experts_per_token"] = where
        for i, k in enumerate(top_k[:n]):
            if type(k) is not int and type(k) is not float:  # set() of a list was a TypeError
                raise ConfigError(
                    f"{where}[{i}] is {entry_shown(k)}, not a number of "
                    f"experts: {where} gives one per layer. Fix it in config.json.",
                    key=where,
                )
        distinct = set(top_k[:n])
        if len(distinct) > 1:
            if len(top_k) >= n and all(type(k) is int and k > 0 for k in top_k[:n]):
                # HunYuanMoEV1Gate: top_k = config.moe_topk[layer_idx]; active parameters
                # count each layer's own (params._top_k_per_layer)
                per_layer = top_k[:n]
                view.notes.append(
                    f"moe_topk differs between layers ({sorted(distinct)}): experts_per_token "
                    "shows the largest; active parameters count each layer's own"
                )
            else:  # a list transformers cannot read layer by layer: the largest, an estimate
                estimated = True
                view.notes.append(
                    f"moe_topk differs between layers ({sorted(distinct)}); active parameters "
                    "use the largest"
                )
        top_k = max(distinct)
    else:
        top_k = view.int(
            "moe_topk", "num_experts_per_tok", default=1, field_name="experts_per_token"
        )
    inter = core["intermediate_size"]
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, n, module="hunyuan_v1_moe"), "moe"),
        qkv_bias=bias,
        o_bias=bias,
        qk_norm="per_head",
        num_experts=view.int(
            "num_experts", "num_local_experts", default=1, field_name="num_experts"
        ),
        experts_per_token=top_k,
        experts_per_token_per_layer=per_layer,
        moe_intermediate_size=inter,
        num_shared_experts=1,
        shared_expert_intermediate_size=inter,
        router_scoring="softmax",
        estimated=estimated,
    )
