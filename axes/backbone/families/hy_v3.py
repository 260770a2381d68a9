"""Tencent Hy-V3 (hy_v3): GQA with per-head QK-norm and a shared-expert MoE after a dense
first layer.

``modeling_hy_v3.py``: HYV3Attention q/k/v/o all with ``attention_bias``, ``q_norm`` /
``k_norm`` RMSNorms over ``head_dim`` (default 128, configuration_hy_v3.py); a layer is
HYV3MoE where ``mlp_layer_types`` says "sparse" (default: the first layer dense, the rest
sparse), else an HYV3MLP of ``intermediate_size``. HYV3MoE: router ``gate.weight``
(num_experts x hidden, sigmoid scores; ``e_score_correction_bias`` is a buffer), fused experts
of ``moe_intermediate_size`` and one shared HYV3MLP of moe_intermediate_size *
num_shared_experts (HYV3MLP falls back to ``intermediate_size`` when that is 0); the dense and
shared MLPs take ``mlp_bias``.
"""

from __future__ import annotations

from axes.backbone.families._common import (
    build,
    header,
    per_layer_kinds,
    read_core,
    read_rope,
    uniform_attention,
)
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("hy_v3",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "hy_v3")
    core = read_core(
        view, family="hy_v3", tie_default=False, head_dim_default=128, max_pos_default=131072
    )
    read_rope(view, core)
    if core["rope_theta"] is None:
        core["rope_theta"] = 11_158_840.0  # HYV3Config.default_theta
    n = core["num_layers"]
    ffns = ["mlp"] * min(n, 1) + ["moe"] * max(n - 1, 0)
    kinds = per_layer_kinds(view, n)
    if kinds is not None:
        ffns = ["mlp" if k == "dense" else "moe" for k in kinds]
    bias = view.bool("attention_bias", default=False, field_name="attention_bias")
    moe_inter = view.int("moe_intermediate_size", default=1536, field_name="moe_intermediate_size")
    shared_n = view.int("num_shared_experts", default=1, field_name="num_shared_experts")
    shared_width = moe_inter * shared_n
    if not shared_width:
        # HYV3MLP: ``intermediate_size or config.intermediate_size``, so a width-0 shared expert
        # is built as a dense MLP of intermediate_size, run for every token
        shared_n, shared_width = 1, core["intermediate_size"]
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, n, module="hy_v3"), ffns),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=view.bool("mlp_bias", default=False, field_name="mlp_bias"),
        qk_norm="per_head",
        num_experts=view.int("num_experts", default=192, field_name="num_experts"),
        experts_per_token=view.int(
            "num_experts_per_tok", default=8, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=shared_width,
        first_k_dense=ffns.index("moe") if "moe" in ffns else n,
        router_scoring="sigmoid",
    )
