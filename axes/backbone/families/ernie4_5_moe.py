"""Baidu ERNIE 4.5 MoE (ernie4_5_moe): MoE layers in a start/end/interval window.

``modeling_ernie4_5_moe.py``:
- ``use_bias`` puts a bias on q/k/v/o, on every gate/up/down of the dense and shared MLPs and
  on ``lm_head``; routed experts never have one; embeddings are tied by default;
- layer i is sparse when ``(i + 1) % moe_layer_interval == 0`` and ``moe_layer_start_index <=
  i <= moe_layer_end_index`` (-1: the last layer, configuration_ernie4_5_moe.py), else a dense
  SwiGLU of ``intermediate_size``;
- Ernie4_5_MoeSparseMoeBlock: router (moe_num_experts x hidden) and its
  ``e_score_correction_bias`` (a parameter here, one per expert: counted as a router bias),
  fused experts of ``moe_intermediate_size``, one shared SwiGLU of moe_intermediate_size *
  moe_num_shared_experts.
"""

from __future__ import annotations

from axes.backbone.families._common import build, header, read_core, read_rope, uniform_attention
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("ernie4_5_moe",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "ernie4_5_moe")
    core = read_core(view, family="ernie4_5_moe", tie_default=True, max_pos_default=131072)
    read_rope(view, core)
    n = core["num_layers"]
    experts = view.int("moe_num_experts", "num_experts", default=64, field_name="num_experts")
    start = view.int("moe_layer_start_index", default=1)
    end = view.raw_get("moe_layer_end_index", default=-1)
    end = n - 1 if end == -1 else view.int("moe_layer_end_index")
    interval = view.int("moe_layer_interval", default=1)
    ffns = [
        "moe" if experts and interval and (i + 1) % interval == 0 and start <= i <= end else "mlp"
        for i in range(n)
    ]
    moe_inter = view.int("moe_intermediate_size", default=1536, field_name="moe_intermediate_size")
    shared_n = view.int("moe_num_shared_experts", default=2)
    bias = view.bool("use_bias", default=False, field_name="attention_bias")
    return build(
        {**core, **head},
        layers_from(uniform_attention(view, n, module="ernie4_5_moe"), ffns),
        qkv_bias=bias,
        o_bias=bias,
        mlp_bias=bias,
        lm_head_bias=bias,
        num_experts=experts,
        experts_per_token=view.int(
            "moe_k", "num_experts_per_tok", default=6, field_name="experts_per_token"
        ),
        moe_intermediate_size=moe_inter,
        num_shared_experts=shared_n,
        shared_expert_intermediate_size=moe_inter * shared_n,
        router_bias=True,
        router_scoring="softmax",
    )
