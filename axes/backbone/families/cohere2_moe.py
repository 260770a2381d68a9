"""Cohere2-MoE (``cohere2_moe``): Cohere's parallel block with a sparse MoE FFN, sliding-window
and full attention layers, and optional dense prefix layers.

``modeling_cohere2_moe.py``: one ``input_layernorm`` per layer feeds attention and the FFN in
parallel (an RMSNorm when ``rms_norm_eps`` is set, else a bias-free LayerNorm: one weight either
way), as does the final ``norm``; q/k/v/o with bias when ``attention_bias``, head_dim default
128; the FFN is a dense SwiGLU of ``prefix_dense_intermediate_size`` (or intermediate_size)
where ``mlp_layer_types`` says "dense", else the sparse block: router (num_experts x hidden,
no bias), fused experts of ``intermediate_size``, and with ``num_shared_experts`` one shared
SwiGLU of intermediate_size x num_shared_experts. lm_head tied by default.

configuration_cohere2_moe.py: ``layer_types``, else the first ``first_k_dense_replace`` layers
full attention (``prefix_dense_sliding_window_pattern`` 1) and the rest sliding but every
``sliding_window_pattern``-th (4) full; ``mlp_layer_types``, else "dense" for the first
first_k_dense_replace layers. ``sliding_window`` (default 4096) applies to the sliding layers.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    layer_types_mixers,
    per_layer_kinds,
    read_core,
    read_rope,
    sliding_window,
    unwindowed,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("cohere2_moe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "cohere2_moe")
    core = read_core(
        view, family="cohere2_moe", tie_default=True, head_dim_default=128, max_pos_default=8192
    )
    read_rope(view, core)
    n = core["num_layers"]
    first_dense = view.int("first_k_dense_replace", default=0, field_name="first_k_dense")
    mixers = layer_types_mixers(view, n)
    if mixers is None:
        prefix = view.int("prefix_dense_sliding_window_pattern", default=1)
        period = view.int("sliding_window_pattern", default=4)
        mixers = [
            "sliding_attention" if prefix and (i + 1) % prefix else "attention"
            for i in range(min(first_dense, n))
        ] + [
            "sliding_attention" if period and (i + 1) % period else "attention"
            for i in range(n - min(first_dense, n))
        ]
    window = sliding_window(view, 4096)
    mixers = unwindowed(view, mixers, window=window)
    if "sliding_attention" not in mixers:
        window = None
    ffns = _ffns(view, n, first_dense)
    inter = core["intermediate_size"]
    shared = view.int("num_shared_experts", default=0, field_name="num_shared_experts")
    core["intermediate_size"] = view.int(
        "prefix_dense_intermediate_size", default=inter, field_name="intermediate_size"
    )
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(mixers, ffns),
        qkv_bias=bias,
        o_bias=bias,
        norm_type="rmsnorm" if view.has("rms_norm_eps") else "layernorm",
        norms_per_layer=1,
        sliding_window=window,
        num_experts=view.int("num_experts", default=8, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=2, field_name="experts_per_token"
        ),
        moe_intermediate_size=inter,
        num_shared_experts=shared,
        shared_expert_intermediate_size=inter * shared,
        first_k_dense=ffns.count("mlp"),
        norm_topk_prob=view.bool("norm_topk_prob", default=True),
        router_scoring="softmax",
    )


def _ffns(view: ConfigView, n: int, first_dense: int) -> list[str]:
    """``mlp_layer_types`` ("dense" / "sparse"), else dense for the first first_k_dense_replace."""
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        return ["mlp" if k == "dense" else "moe" for k in kinds]
    return ["mlp" if i < first_dense else "moe" for i in range(n)]
