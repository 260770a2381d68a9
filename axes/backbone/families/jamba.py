"""AI21 Jamba: Mamba-1 / attention layers by period and offset, MoE every other layer.

``configuration_jamba.py``: layer i is attention when ``i % attn_layer_period ==
attn_layer_offset`` (else Mamba), and sparse MoE when ``i % expert_layer_period ==
expert_layer_offset`` (else a dense SwiGLU of ``intermediate_size``); ``mamba_dt_rank``
"auto" is ceil(hidden / 16). ``modeling_jamba.py``:
- attention (JambaAttention): q/k/v/o without bias, no positional encoding at all;
- JambaMambaMixer: the Mamba-1 mixer (intermediate = mamba_expand * hidden, ``in_proj`` and
  ``out_proj`` bias = mamba_proj_bias, conv bias = mamba_conv_bias) plus RMSNorms over dt, B
  and C (``dt_layernorm``, ``b_layernorm``, ``c_layernorm``);
- JambaSparseMoeBlock: router (num_experts x hidden, no bias), fused experts of
  ``intermediate_size``; every layer has ``input_layernorm`` and ``pre_ff_layernorm``.
"""

from __future__ import annotations

import math

from axes.backbone.families._common import build, header, read_core
from axes.backbone.layers import layers_from
from axes.backbone.spec import ArchSpec, ConfigView

MODEL_TYPES = ("jamba",)


def read(view: ConfigView) -> ArchSpec:
    head = header(view, "jamba")
    core = read_core(view, family="jamba", tie_default=False, max_pos_default=262144)
    n = core["num_layers"]
    attn_period = view.int("attn_layer_period", default=8, field_name="layer_types")
    attn_offset = view.int("attn_layer_offset", default=4)
    expert_period = view.int("expert_layer_period", default=2)
    expert_offset = view.int("expert_layer_offset", default=1)
    experts = view.int("num_experts", "num_local_experts", default=16, field_name="num_experts")
    mixers = [
        "attention" if attn_period and i % attn_period == attn_offset else "mamba" for i in range(n)
    ]
    ffns = [
        "moe" if experts > 1 and expert_period and i % expert_period == expert_offset else "mlp"
        for i in range(n)
    ]
    moe: dict = {}
    if "moe" in ffns:  # a dense Jamba (num_experts 1) has no router and no experts
        moe = {
            "num_experts": experts,
            "experts_per_token": view.int(
                "num_experts_per_tok", default=2, field_name="experts_per_token"
            ),
            "moe_intermediate_size": core["intermediate_size"],
            "router_scoring": "softmax",
        }
    proj_bias = view.bool("mamba_proj_bias", default=False)  # in_proj and out_proj
    rank = view.raw_get("mamba_dt_rank", default="auto")
    rank = math.ceil(core["hidden_size"] / 16) if rank == "auto" else view.int("mamba_dt_rank")
    return build(
        {**core, **head},
        layers_from(mixers, ffns),
        positional="none",
        **moe,
        ssm_version=1,
        ssm_state_size=view.int("mamba_d_state", default=16, field_name="ssm_state_size"),
        ssm_conv_kernel=view.int("mamba_d_conv", default=4),
        ssm_intermediate_size=view.int("mamba_expand", default=2) * core["hidden_size"],
        ssm_time_step_rank=rank,
        ssm_bias=proj_bias,
        ssm_out_bias=proj_bias,
        ssm_conv_bias=view.bool("mamba_conv_bias", default=True),
        ssm_dt_bc_norms=True,
    )
